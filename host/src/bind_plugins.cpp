// _typehost: the host side of plugin loading: registry journal, watchdog, native libraries.

#include "typehost/published.h"
#include "bindings.h"
#include "conversion.h"
#include "cycle_buffer.h"
#include "host_type.h"
#include "install.h"

#include "typehost/python_thread.h"

#include <typesys/native_plugin.h>
#include <typesys/registry.h>

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <chrono>
#include <condition_variable>
#include <dlfcn.h>
#include <mutex>
#include <thread>

namespace py = pybind11;

namespace typehost::detail {

namespace {

// One watchdog at a time: a thread that raises the plugin-timeout exception in the Python
// thread once the deadline passes, unless disarmed first. It uses PyThreadState_SetAsyncExc,
// not Py_AddPendingCall: CPython 3.11 runs pending calls only in its main thread and does not
// wake the eval loop for a call added from another thread, so a busy loop never saw them.
class Watchdog {
public:
    ~Watchdog() { disarm(); }

    // Python thread, GIL held.
    void arm(double seconds, PyObject* exceptionType)
    {
        {
            py::gil_scoped_release release;   // an earlier watchdog may be waiting for the GIL
            disarm();
        }
        std::lock_guard g(m_mutex);
        m_armed = true;
        m_exception = exceptionType;
        m_target = PyThread_get_thread_ident();
        auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(seconds));
        m_thread = std::thread([this, deadline] { run(deadline); });
    }

    // Any thread, GIL not held (the watchdog thread may be waiting for it).
    bool disarm()
    {
        std::thread t;
        bool fired;
        {
            std::lock_guard g(m_mutex);
            m_armed = false;
            t = std::move(m_thread);
            fired = m_fired;
            m_fired = false;
        }
        m_cv.notify_all();
        if (t.joinable())
            t.join();
        return fired;
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
    bool m_armed = false;
    bool m_fired = false;
    unsigned long m_target = 0;        // the Python thread to interrupt
    PyObject* m_exception = nullptr;   // borrowed: the typehost package keeps it alive
};

Watchdog& watchdog()
{
    static Watchdog w;
    return w;
}

// Calls fn(); if it runs longer than seconds, raises exceptionType inside it (a class: CPython
// raises it without arguments). The watchdog is disarmed, and an exception it queued that
// Python had not raised yet is dropped, before this returns, so it never escapes fn.
py::object callWithTimeout(double seconds, py::handle exceptionType, const py::function& fn)
{
    watchdog().arm(seconds, exceptionType.ptr());
    auto stop = [] {
        {
            py::gil_scoped_release release;
            watchdog().disarm();
        }
        PyThreadState_SetAsyncExc(PyThread_get_thread_ident(), nullptr);
    };
    py::object result;
    try {
        result = fn();
    } catch (...) {
        stop();
        throw;
    }
    stop();
    return result;
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

} // namespace

void bindPlugins(py::module_& m)
{
    // The journal covers the registry and the published values: a failed plugin load leaves
    // both exactly as they were.
    m.def("_begin_journal", [] {
        try {
            hostRegistry().beginJournal();
        } catch (const typesys::Error& e) {
            throw py::value_error(e.what());
        }
        PublishedValues::instance().beginCheckpoint();
    });
    m.def("_commit_journal", [] {
        hostRegistry().commitJournal();
        PublishedValues::instance().commitCheckpoint();
    });
    m.def("_rollback_journal", [] {
        PublishedValues::instance().rollbackCheckpoint();
        std::vector<std::string> keys;
        for (const typesys::TypeRef& t : hostRegistry().rollbackJournal()) {
            keys.push_back(t->key);
            auto* h = static_cast<HostType*>(t->binding);
            if (h && h->cls && !h->ownedCls) {   // registered again: the registry owns its class
                Py_INCREF(h->cls);
                h->ownedCls = reinterpret_cast<PyObject*>(h->cls);
            }
        }
        return keys;
    });
    m.def("_call_with_timeout", &callWithTimeout, py::arg("seconds"), py::arg("exception_type"),
          py::arg("fn"));
    m.def("_load_native", &loadNative, py::arg("path"), py::arg("owner"));
    m.def("_collect_cycles", [] { return collectCycleCandidates(); },
          "Frees unreachable cycles among C++ objects and containers; returns the count cleared.");
    m.def("_cycle_candidates", [] { return pendingCycleCandidates(); });
    m.def("_bundled_plugin_dirs", [] { return bundledPluginDirs(); });
    m.def("_owned_keys", [](const std::string& owner) {
        std::vector<std::string> keys;
        for (const typesys::TypeRef& t : hostRegistry().snapshot())
            if (t->owner == owner)
                keys.push_back(t->key);
        return keys;
    });
}

} // namespace typehost::detail
