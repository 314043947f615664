#pragma once
// RegistryWatcher: registry change notifications, delivered on the watcher's (the UI) thread.
//
// Registry listeners run on the writing thread. The watcher collects the keys named by every
// change and emits typesChanged() once per turn of the event loop with all of them, so a
// plugin that registers 10,000 types costs one signal. Receivers should look each key up in
// the registry again (it may have changed once more since), not trust the kind of change.

#include "typehost/ui/ui_relay.h"

#include <QObject>
#include <QStringList>

#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace typesys { class Registry; }

namespace typehost::ui {

class RegistryWatcher : public QObject {
    Q_OBJECT
public:
    explicit RegistryWatcher(typesys::Registry& registry, QObject* parent = nullptr);
    ~RegistryWatcher() override;

    typesys::Registry& registry() const { return m_registry; }

Q_SIGNALS:
    // Keys added, removed or replaced since the last emission (sorted, no duplicates).
    void typesChanged(const QStringList& keys);

private:
    struct Pending {
        std::mutex mutex;
        std::set<std::string> keys;
        bool scheduled = false;
    };
    void flush();

    typesys::Registry& m_registry;
    std::shared_ptr<UiRelay> m_relay;
    std::shared_ptr<Pending> m_pending;
    int m_subscription = 0;
};

} // namespace typehost::ui
