#include "typehost/published.h"

namespace typehost {

PublishedValues& PublishedValues::instance()
{
    static PublishedValues values;
    return values;
}

void PublishedValues::publish(std::string name, typesys::Value value, typesys::Schema schema)
{
    std::string key = name;
    {
        std::lock_guard g(m_mutex);
        PublishedValue pv{std::move(name), std::move(value), std::move(schema)};
        m_values[key] = std::move(pv);
    }
    notify(key, false);
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
