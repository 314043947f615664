// _typehost: the host side of plugin loading: registry journal, watchdog, native libraries.

#include "typehost/hooks.h"
#include "typehost/plugin_manager.h"
#include "typehost/published.h"
#include "bindings.h"
#include "conversion.h"
#include "cycle_buffer.h"
#include "host_type.h"
#include "install.h"
#include "plugin_calls.h"

#include <typesys/registry.h>

#include <pybind11/stl.h>

namespace py = pybind11;

namespace typehost::detail {

void bindPlugins(py::module_& m)
{
    // The journal covers the registry and the published values: a failed plugin load leaves
    // both exactly as they were.
    m.def("_set_hook", &setHook, py::arg("name"), py::arg("fn"),
          "Registers the package function C++ calls for a hook (typehost/hooks.h).");
    m.def("_begin_journal", [] {
        hostRegistry().beginJournal();   // a journal already open is an Internal error: SystemError
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
    m.def("_max_timeout", [] { return kMaxPluginTimeoutSeconds; });
    // The plugin manager's ownership context of the calling thread, for published values (the
    // owner of types is the Python side's): a thread a plugin started has its own, empty one.
    m.def("_set_thread_owner", [](std::string owner) { return PublishedValues::setThreadOwner(std::move(owner)); },
          py::arg("owner"), "Sets the owner of values this thread publishes; returns the previous one.");
    m.def("_load_native", &loadNative, py::arg("path"), py::arg("owner"));
    m.def("_collect_cycles", [](bool full) { return collectCycleCandidates(full); }, py::arg("full") = true,
          "Frees unreachable cycles among C++ objects and containers; returns the count cleared.\n"
          "full=False examines only the candidates since the last collection.");
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
