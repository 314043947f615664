#include "typehost/ui/registry_watcher.h"

#include <typesys/registry.h>

namespace typehost::ui {

RegistryWatcher::RegistryWatcher(typesys::Registry& registry, QObject* parent)
    : QObject(parent), m_registry(registry), m_relay(UiRelay::create(this)),
      m_pending(std::make_shared<Pending>())
{
    m_subscription = registry.subscribe(
        [relay = m_relay, pending = m_pending, self = this](const typesys::RegistryChange& change) {
            bool schedule = false;
            {
                std::lock_guard g(pending->mutex);
                for (const auto* list : {&change.added, &change.removed, &change.replaced})
                    pending->keys.insert(list->begin(), list->end());
                schedule = !std::exchange(pending->scheduled, true);
            }
            // self is only dereferenced on the UI thread, and only while the relay is attached.
            if (schedule)
                relay->post([self] { self->flush(); });
        });
}

RegistryWatcher::~RegistryWatcher()
{
    m_relay->detach();
    m_registry.unsubscribe(m_subscription);
}

void RegistryWatcher::flush()
{
    std::set<std::string> keys;
    {
        std::lock_guard g(m_pending->mutex);
        keys.swap(m_pending->keys);
        m_pending->scheduled = false;
    }
    if (keys.empty())
        return;
    QStringList list;
    list.reserve(int(keys.size()));
    for (const std::string& k : keys)
        list << QString::fromStdString(k);
    Q_EMIT typesChanged(list);
}

} // namespace typehost::ui
