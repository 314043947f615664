#include "typehost/published.h"

namespace typehost {

PublishedValues& PublishedValues::instance()
{
    // Never destroyed, like the registry (conversion.cpp): other threads (a UI, a daemon
    // thread) may still read it while the process exits.
    static auto* values = new PublishedValues();
    return *values;
}

namespace {
std::string& threadOwnerSlot()
{
    thread_local std::string owner;
    return owner;
}
} // namespace

std::string PublishedValues::setThreadOwner(std::string owner)
{
    std::swap(threadOwnerSlot(), owner);
    return owner;
}

const std::string& PublishedValues::threadOwner()
{
    return threadOwnerSlot();
}

// Before `name` changes, with the lock held: the checkpoint thread's first change of a name
// remembers its value; another thread's change takes the name out of the checkpoint, so that
// a rollback never undoes it.
void PublishedValues::recordLocked(const std::string& name)
{
    if (!m_checkpointOpen)
        return;
    if (std::this_thread::get_id() != m_checkpointThread) {
        m_checkpoint.erase(name);
        return;
    }
    if (m_checkpoint.count(name))
        return;
    auto it = m_values.find(name);
    m_checkpoint.emplace(name, it == m_values.end() ? std::nullopt : std::optional<PublishedValue>(it->second));
}

void PublishedValues::publish(std::string name, typesys::Value value, typesys::Schema schema, std::string owner)
{
    if (owner.empty())
        owner = threadOwner();
    std::string key = name;
    PublishedValue replaced;   // released outside the lock
    {
        std::lock_guard g(m_mutex);
        recordLocked(key);
        PublishedValue pv{std::move(name), std::move(value), std::move(schema), std::move(owner)};
        std::swap(m_values[key], pv);
        replaced = std::move(pv);
    }
    notify(key, false);
}

std::vector<std::string> PublishedValues::removeOwner(const std::string& owner)
{
    std::vector<std::string> names;
    std::vector<PublishedValue> gone;   // released outside the lock
    {
        std::lock_guard g(m_mutex);
        for (auto it = m_values.begin(); it != m_values.end();) {
            if (!owner.empty() && it->second.owner == owner) {
                recordLocked(it->first);
                names.push_back(it->first);
                gone.push_back(std::move(it->second));
                it = m_values.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const std::string& n : names)
        notify(n, true);
    return names;
}

void PublishedValues::beginCheckpoint()
{
    std::map<std::string, std::optional<PublishedValue>> dropped;   // released outside the lock
    std::lock_guard g(m_mutex);
    dropped.swap(m_checkpoint);
    m_checkpointOpen = true;
    m_checkpointThread = std::this_thread::get_id();
}

void PublishedValues::commitCheckpoint()
{
    std::map<std::string, std::optional<PublishedValue>> dropped;   // released outside the lock
    std::lock_guard g(m_mutex);
    dropped.swap(m_checkpoint);
    m_checkpointOpen = false;
}

void PublishedValues::rollbackCheckpoint()
{
    std::map<std::string, std::optional<PublishedValue>> before;
    std::vector<PublishedValue> undone;   // released outside the lock
    std::vector<std::pair<std::string, bool>> changed;
    {
        std::lock_guard g(m_mutex);
        if (!m_checkpointOpen)
            return;
        m_checkpointOpen = false;
        before.swap(m_checkpoint);
        auto same = [](const PublishedValue& a, const PublishedValue& b) {
            const typesys::Value &x = a.value, &y = b.value;
            if (x.kind() != y.kind() || a.owner != b.owner)
                return false;
            return x.isNode() ? x.node() == y.node() : false;   // a scalar may have changed: say so
        };
        for (auto& [name, old] : before) {
            auto it = m_values.find(name);
            if (!old) {
                if (it != m_values.end()) {
                    undone.push_back(std::move(it->second));
                    m_values.erase(it);
                    changed.emplace_back(name, true);
                }
                continue;
            }
            if (it == m_values.end()) {
                m_values.emplace(name, std::move(*old));
                changed.emplace_back(name, false);
            } else if (!same(it->second, *old)) {
                undone.push_back(std::move(it->second));
                it->second = std::move(*old);
                changed.emplace_back(name, false);
            }
        }
    }
    for (const auto& [name, removed] : changed)
        notify(name, removed);
}

bool PublishedValues::unpublish(const std::string& name)
{
    PublishedValue gone;   // released outside the lock
    {
        std::lock_guard g(m_mutex);
        auto it = m_values.find(name);
        if (it == m_values.end())
            return false;
        recordLocked(name);
        gone = std::move(it->second);
        m_values.erase(it);
    }
    notify(name, true);
    return true;
}

std::vector<PublishedValue> PublishedValues::snapshot() const
{
    std::lock_guard g(m_mutex);
    std::vector<PublishedValue> out;
    out.reserve(m_values.size());
    for (const auto& [k, v] : m_values)
        out.push_back(v);
    return out;
}

bool PublishedValues::find(const std::string& name, PublishedValue* out) const
{
    std::lock_guard g(m_mutex);
    auto it = m_values.find(name);
    if (it == m_values.end())
        return false;
    *out = it->second;
    return true;
}

void PublishedValues::clear()
{
    std::map<std::string, PublishedValue> gone;
    {
        std::lock_guard g(m_mutex);
        for (const auto& [k, v] : m_values)
            recordLocked(k);
        gone.swap(m_values);
    }
    for (const auto& [k, v] : gone)
        notify(k, true);
}

int PublishedValues::subscribe(Listener listener)
{
    std::lock_guard g(m_mutex);
    int id = m_next++;
    m_listeners.emplace(id, std::make_shared<Listener>(std::move(listener)));
    return id;
}

void PublishedValues::unsubscribe(int id)
{
    std::lock_guard g(m_mutex);
    m_listeners.erase(id);
}

void PublishedValues::notify(const std::string& name, bool removed)
{
    std::vector<std::shared_ptr<Listener>> copy;
    {
        std::lock_guard g(m_mutex);
        for (auto& [id, l] : m_listeners)
            copy.push_back(l);
    }
    for (auto& l : copy)
        (*l)(name, removed);
}

} // namespace typehost
