#include "typehost/published.h"

namespace typehost {

PublishedValues& PublishedValues::instance()
{
    static PublishedValues values;
    return values;
}

void PublishedValues::publish(std::string name, typesys::Value value, typesys::Schema schema, std::string owner)
{
    std::string key = name;
    PublishedValue replaced;   // released outside the lock
    {
        std::lock_guard g(m_mutex);
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
    std::lock_guard g(m_mutex);
    m_checkpoint = std::make_unique<std::map<std::string, PublishedValue>>(m_values);
}

void PublishedValues::commitCheckpoint()
{
    std::unique_ptr<std::map<std::string, PublishedValue>> dropped;   // released outside the lock
    std::lock_guard g(m_mutex);
    dropped = std::move(m_checkpoint);
}

void PublishedValues::rollbackCheckpoint()
{
    std::map<std::string, PublishedValue> current;   // released outside the lock
    std::vector<std::pair<std::string, bool>> changed;
    {
        std::lock_guard g(m_mutex);
        if (!m_checkpoint)
            return;
        current.swap(m_values);
        m_values.swap(*m_checkpoint);
        m_checkpoint.reset();
        auto same = [](const PublishedValue& a, const PublishedValue& b) {
            const typesys::Value &x = a.value, &y = b.value;
            if (x.kind() != y.kind() || a.owner != b.owner)
                return false;
            return x.isNode() ? x.node() == y.node() : false;   // a scalar may have changed: say so
        };
        for (const auto& [name, pv] : m_values) {
            auto it = current.find(name);
            if (it == current.end() || !same(it->second, pv))
                changed.emplace_back(name, false);
        }
        for (const auto& [name, pv] : current)
            if (!m_values.count(name))
                changed.emplace_back(name, true);
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
