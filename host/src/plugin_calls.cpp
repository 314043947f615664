// The watchdog around plugin calls and the loading of native plugin libraries (plugin_calls.h).

#include "plugin_calls.h"

#include "typehost/plugin_manager.h"
#include "conversion.h"

#include <typesys/native_plugin.h>
#include <typesys/registry.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <dlfcn.h>
#include <mutex>
#include <thread>

namespace py = pybind11;

namespace typehost::detail {

namespace {

// A watchdog guards one call: a thread that raises the plugin-timeout exception in the
// calling Python thread once the deadline passes, unless disarmed first. Each call has its own,
// so a nested call (plugin code calling _call_with_timeout, or the manager running another
// plugin's code) neither disarms nor moves the deadline of the call around it. It uses
// PyThreadState_SetAsyncExc, not Py_AddPendingCall: CPython 3.11 runs pending calls only in its
// main thread and does not wake the eval loop for a call added from another thread, so a busy
// loop never saw them.
class Watchdog {
public:
    // Python thread, GIL held. seconds is positive and at most kMaxPluginTimeoutSeconds.
    Watchdog(double seconds, PyObject* exceptionType)
        : m_exception(exceptionType), m_target(PyThread_get_thread_ident())
    {
        auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(seconds));
        m_thread = std::thread([this, deadline] { run(deadline); });
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;
    ~Watchdog() { disarm(); }   // disarmed already (GIL released) on every path of callWithTimeout

    // Any thread, GIL not held (the watchdog thread may be waiting for it). Returns whether
    // the deadline passed.
    bool disarm()
    {
        {
            std::lock_guard g(m_mutex);
            m_armed = false;
        }
        m_cv.notify_all();
        if (m_thread.joinable())
            m_thread.join();
        std::lock_guard g(m_mutex);
        return m_fired;
    }

private:
    void run(std::chrono::steady_clock::time_point deadline)
    {
        std::unique_lock lock(m_mutex);
        if (m_cv.wait_until(lock, deadline, [this] { return !m_armed; }))
            return;
        m_fired = true;
        // Python code that swallows the exception gets it again every half second.
        do {
            lock.unlock();   // lock order: the GIL, then m_mutex
            PyGILState_STATE gil = PyGILState_Ensure();
            lock.lock();
            if (m_armed)
                PyThreadState_SetAsyncExc(m_target, m_exception);
            lock.unlock();
            PyGILState_Release(gil);
            lock.lock();
        } while (!m_cv.wait_for(lock, std::chrono::milliseconds(500), [this] { return !m_armed; }));
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::thread m_thread;
    bool m_armed = true;
    bool m_fired = false;
    PyObject* m_exception;   // borrowed: the caller of _call_with_timeout holds it for the call
    unsigned long m_target;  // the Python thread to interrupt
};

} // namespace

// Calls fn(); if it runs longer than seconds, raises exceptionType inside it (a class: CPython
// raises it without arguments). seconds must be positive; more than kMaxPluginTimeoutSeconds
// (also inf) counts as that maximum, so every deadline is bounded. The watchdog is disarmed,
// and an exception it queued that Python had not raised yet is dropped, before this returns,
// so it never escapes fn. An exception queued by the watchdog of a call around this one is
// left alone: it is that call's to raise.
py::object callWithTimeout(double seconds, py::handle exceptionType, const py::function& fn)
{
    if (!(seconds > 0))   // also nan
        throw py::value_error(fmt::format("the timeout must be a positive number of seconds, got {}", seconds));
    if (!PyExceptionClass_Check(exceptionType.ptr()))
        throw py::type_error("exception_type must be an exception class");
    Watchdog watchdog(std::min(seconds, kMaxPluginTimeoutSeconds), exceptionType.ptr());
    auto stop = [&watchdog] {
        bool fired;
        {
            py::gil_scoped_release release;
            fired = watchdog.disarm();
        }
        if (fired)
            PyThreadState_SetAsyncExc(PyThread_get_thread_ident(), nullptr);
    };
    struct Stop {
        decltype(stop)& run;
        ~Stop() { run(); }   // on every way out, the exception of fn() included
    } stopAtExit{stop};
    return fn();
}

py::dict loadNative(const std::string& path, const std::string& owner)
{
    py::dict result;
    result["ok"] = false;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* err = dlerror();
        result["error"] = fmt::format("cannot load {}: {}", path, err ? err : "unknown error");
        return result;
    }
    auto entry = reinterpret_cast<TypehostPluginEntry>(dlsym(handle, TYPEHOST_PLUGIN_ENTRY));
    if (!entry) {
        result["error"] = fmt::format("{} is not a Typehost plugin: it does not export {}()", path,
                                      TYPEHOST_PLUGIN_ENTRY);
        return result;
    }
    const TypehostPluginInfo* info = entry();
    if (!info) {
        result["error"] = fmt::format("{}: {}() returned no plugin information", path, TYPEHOST_PLUGIN_ENTRY);
        return result;
    }
    if (info->abi != TYPEHOST_PLUGIN_ABI || info->api != TYPESYS_API_VERSION) {
        result["error"] = fmt::format(
            "{}: built for plugin ABI {} / typesys API {}, but this host supports ABI {} / API {}; rebuild "
            "the plugin against this Typehost", path, info->abi, info->api, TYPEHOST_PLUGIN_ABI, TYPESYS_API_VERSION);
        return result;
    }
    result["name"] = info->name ? info->name : "";
    result["version"] = info->version ? info->version : "";
    result["description"] = info->description ? info->description : "";
    if (!info->registerTypes) {
        result["error"] = fmt::format("{}: the plugin has no registerTypes function", path);
        return result;
    }
    char error[1024] = {0};
    int rc;
    try {
        rc = info->registerTypes(&hostRegistry(), owner.c_str(), error, sizeof error);
    } catch (const std::exception& e) {
        rc = -1;
        fmt::format_to_n(error, sizeof error - 1, "registerTypes threw: {}", e.what());
    } catch (...) {
        rc = -1;
        fmt::format_to_n(error, sizeof error - 1, "registerTypes threw an unknown exception");
    }
    if (rc != 0) {
        error[sizeof error - 1] = '\0';
        result["error"] = fmt::format("{}: registerTypes failed: {}", path, error[0] ? error : "no message");
        return result;
    }
    result["ok"] = true;
    return result;
}

} // namespace typehost::detail
