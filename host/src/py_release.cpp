#include "py_release.h"

#include <typesys/value.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace typehost::detail {

namespace {
// Never destroyed: releaseLater may run on any thread while the process exits.
std::mutex& g_mutex = *new std::mutex;
std::vector<PyObject*>& g_queue = *new std::vector<PyObject*>;
std::atomic<bool> g_scheduled{false};
std::atomic<bool> g_alive{false};

int drain(void*)
{
    std::vector<PyObject*> items;
    {
        std::lock_guard g(g_mutex);
        items.swap(g_queue);
        g_scheduled = false;
    }
    for (PyObject* o : items)
        Py_DECREF(o);
    return 0;
}

void releaseBinding(void* b) { releaseLater(static_cast<PyObject*>(b)); }
} // namespace

void releaseLater(PyObject* obj) noexcept
{
    if (!obj || !g_alive.load(std::memory_order_acquire))
        return;
    if (PyGILState_Check()) {
        Py_DECREF(obj);
        return;
    }
    std::lock_guard g(g_mutex);
    if (!g_alive.load(std::memory_order_relaxed))   // stopReleasing ran meanwhile
        return;
    g_queue.push_back(obj);
    if (!g_scheduled.exchange(true))
        Py_AddPendingCall(drain, nullptr);
}

void installReleaser() noexcept
{
    g_alive = true;
    typesys::setBindingReleaser(releaseBinding);
}

void stopReleasing() noexcept
{
    g_alive = false;
    std::lock_guard g(g_mutex);
    g_queue.clear();
}

} // namespace typehost::detail
