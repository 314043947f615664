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
#include <optional>
#include <string>
#include <thread>
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

    // An empty owner means the calling thread's owner (threadOwner()).
    void publish(std::string name, typesys::Value value, typesys::Schema schema, std::string owner = {});
    bool unpublish(const std::string& name);
    // Removes every value `owner` published (a plugin being unloaded); returns their names.
    std::vector<std::string> removeOwner(const std::string& owner);

    // The owner of the values the calling thread publishes without naming one: the plugin
    // manager sets "plugin:<name>" while a plugin's code runs on the thread and restores the
    // previous owner after. Per thread, so a thread a plugin started does not publish in the
    // name of whichever plugin is loading meanwhile (its values have no owner).
    static std::string setThreadOwner(std::string owner);   // returns the previous one
    static const std::string& threadOwner();

    // Beside the registry journal, for transactional plugin loads: a checkpoint records the
    // changes the thread that began it makes, and rolling back undoes exactly those (listeners
    // hear about every name that changed); committing forgets them. Changes from other threads
    // are not recorded, and a name another thread changes after the checkpoint thread did
    // keeps that thread's value. One checkpoint at a time.
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
    void recordLocked(const std::string& name);
    mutable std::mutex m_mutex;
    std::map<std::string, PublishedValue> m_values;
    // The open checkpoint: per name the checkpoint thread changed, its value before (none:
    // absent).
    bool m_checkpointOpen = false;
    std::thread::id m_checkpointThread;
    std::map<std::string, std::optional<PublishedValue>> m_checkpoint;
    std::map<int, std::shared_ptr<Listener>> m_listeners;
    int m_next = 1;
};

} // namespace typehost
