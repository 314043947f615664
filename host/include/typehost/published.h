#pragma once
// Named values that Python code publishes for the host to show (typehost.publish).
// Thread safety: all members may be called from any thread; listeners run on the thread that
// made the change, outside the lock.

#include <typesys/schema.h>
#include <typesys/value.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace typehost {

struct PublishedValue {
    std::string name;
    typesys::Value value;
    typesys::Schema schema;
    std::string owner;   // "plugin:<name>" when a plugin published it, else ""
};

class PublishedValues {
public:
    using Listener = std::function<void(const std::string& name, bool removed)>;

    static PublishedValues& instance();

    void publish(std::string name, typesys::Value value, typesys::Schema schema, std::string owner = {});
    bool unpublish(const std::string& name);
    // Removes every value `owner` published (a plugin being unloaded); returns their names.
    std::vector<std::string> removeOwner(const std::string& owner);

    // Beside the registry journal, for transactional plugin loads: a checkpoint remembers the
    // values, and rolling back restores exactly them (listeners hear about every name that
    // changed); committing forgets the checkpoint. One checkpoint at a time.
    void beginCheckpoint();
    void commitCheckpoint();
    void rollbackCheckpoint();
    std::vector<PublishedValue> snapshot() const;   // sorted by name
    bool find(const std::string& name, PublishedValue* out) const;
    void clear();

    int subscribe(Listener listener);
    void unsubscribe(int id);

private:
    void notify(const std::string& name, bool removed);
    mutable std::mutex m_mutex;
    std::map<std::string, PublishedValue> m_values;
    std::unique_ptr<std::map<std::string, PublishedValue>> m_checkpoint;
    std::map<int, std::shared_ptr<Listener>> m_listeners;
    int m_next = 1;
};

} // namespace typehost
