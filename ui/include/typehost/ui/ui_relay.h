#pragma once
// UiRelay: hands work from any thread (the Python thread, a registry writer) to the thread of
// one QObject, through its event queue.
//
// Ownership: the QObject creates the relay, gives shared copies to listeners and jobs, and calls
// detach() in its destructor. After detach() returns, posts are dropped, so a listener that
// fires late never touches a dead object. post() never blocks on the target's thread.

#include <QObject>

#include <functional>
#include <memory>
#include <mutex>

namespace typehost::ui {

class UiRelay {
public:
    static std::shared_ptr<UiRelay> create(QObject* target);

    // Queues fn to run on the target's thread (dropped when detached or the target is gone).
    void post(std::function<void()> fn);
    void detach();

    explicit UiRelay(QObject* target) : m_target(target) {}

private:
    std::mutex m_mutex;
    QObject* m_target;
};

} // namespace typehost::ui
