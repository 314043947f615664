#include "typehost/ui/ui_relay.h"

namespace typehost::ui {

std::shared_ptr<UiRelay> UiRelay::create(QObject* target) { return std::make_shared<UiRelay>(target); }

void UiRelay::post(std::function<void()> fn)
{
    // Held while posting: detach() cannot finish (and the target die) in between.
    std::lock_guard g(m_mutex);
    if (m_target)
        QMetaObject::invokeMethod(m_target, std::move(fn), Qt::QueuedConnection);
}

void UiRelay::detach()
{
    std::lock_guard g(m_mutex);
    m_target = nullptr;
}

} // namespace typehost::ui
