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
};

class PublishedValues {
public:
    using Listener = std::function<void(const std::string& name, bool removed)>;

    static PublishedValues& instance();

    void publish(std::string name, typesys::Value value, typesys::Schema schema);
    bool unpublish(const std::string& name);
    std::vector<PublishedValue> snapshot() const;   // sorted by name
    bool find(const std::string& name, PublishedValue* out) const;
    void clear();

    int subscribe(Listener listener);
    void unsubscribe(int id);

private:
    void notify(const std::string& name, bool removed);
    mutable std::mutex m_mutex;
    std::map<std::string, PublishedValue> m_values;
    std::map<int, std::shared_ptr<Listener>> m_listeners;
    int m_next = 1;
};

} // namespace typehost
