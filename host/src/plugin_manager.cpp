#include "typehost/plugin_manager.h"

#include "typehost/hooks.h"

#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <map>
#include <mutex>

namespace py = pybind11;

namespace typehost {

const char* pluginStateName(PluginState s) noexcept
{
    switch (s) {
    case PluginState::Loaded: return "loaded";
    case PluginState::Failed: return "failed";
    case PluginState::Disabled: return "disabled";
    case PluginState::Skipped: return "skipped";
    case PluginState::Unloaded: return "unloaded";
    }
    return "unknown";
}

bool pluginStateFromName(const std::string& name, PluginState* out) noexcept
{
    for (PluginState s : {PluginState::Loaded, PluginState::Failed, PluginState::Disabled, PluginState::Skipped,
                          PluginState::Unloaded})
        if (name == pluginStateName(s)) {
            *out = s;
            return true;
        }
    return false;
}

namespace {

ReloadReport reportFrom(py::handle r)
{
    ReloadReport out;
    out.plugin = r.attr("plugin").cast<std::string>();
    out.ok = r.attr("ok").cast<bool>();
    out.added = r.attr("added").cast<std::vector<std::string>>();
    out.removed = r.attr("removed").cast<std::vector<std::string>>();
    out.alsoReloaded = r.attr("also_reloaded").cast<std::vector<std::string>>();
    out.error = r.attr("error").cast<std::string>();
    out.traceback = r.attr("traceback").cast<std::string>();
    for (py::handle c : r.attr("changed")) {
        py::dict d = c.cast<py::dict>();
        TypeChange tc;
        tc.key = d["key"].cast<std::string>();
        tc.fieldsAdded = d["fields_added"].cast<std::vector<std::string>>();
        tc.fieldsRemoved = d["fields_removed"].cast<std::vector<std::string>>();
        tc.fieldsRetyped = d["fields_retyped"].cast<std::vector<std::string>>();
        tc.defaultsChanged = d["defaults_changed"].cast<std::vector<std::string>>();
        out.changed.push_back(std::move(tc));
    }
    for (py::handle v : r.attr("values")) {
        py::dict d = v.cast<py::dict>();
        ValueMigration m;
        m.name = d["name"].cast<std::string>();
        m.migrated = d["migrated"].cast<bool>();
        m.objects = d["objects"].cast<size_t>();
        m.issues = d["issues"].cast<std::vector<std::pair<std::string, std::string>>>();
        out.values.push_back(std::move(m));
    }
    return out;
}

// Runs fn, turning a Python error into std::runtime_error: a pybind11 exception must not
// travel through a future to a thread that does not hold the GIL.
template <class F>
auto pythonGuard(F fn)
{
    return [fn = std::move(fn)]() mutable {
        try {
            return fn();
        } catch (py::error_already_set& e) {
            throw std::runtime_error(e.what());
        }
    };
}

} // namespace

struct PluginManager::Impl : std::enable_shared_from_this<PluginManager::Impl> {
    PythonThread& python;
    PluginOptions options;
    mutable std::mutex mutex;
    std::vector<PluginStatus> statuses;
    std::vector<std::string> dirs;
    std::map<int, std::shared_ptr<Listener>> listeners;
    int nextListener = 1;

    Impl(PythonThread& p, PluginOptions o) : python(p), options(std::move(o)) {}

    // Python thread: copies the Python-side statuses and tells the listeners.
    void refresh()
    {
        std::vector<PluginStatus> fresh;
        for (py::handle p : hook(Hook::PluginStatuses)())
            fresh.push_back(p.cast<PluginStatus>());   // typehost.PluginStatus: bind_plugin_status.cpp
        std::vector<std::shared_ptr<Listener>> copy;
        {
            std::lock_guard g(mutex);
            statuses = std::move(fresh);
            for (auto& [id, l] : listeners)
                copy.push_back(l);
        }
        for (auto& l : copy)
            (*l)();
    }

    py::object manager()
    {
        py::object m = hook(Hook::PluginManager)();
        if (m.is_none())
            throw std::runtime_error("plugins are not loaded yet");
        return m;
    }
};

PluginManager::PluginManager(PythonThread& python, PluginOptions options)
    : d(std::make_shared<Impl>(python, std::move(options)))
{
}

PluginManager::~PluginManager() = default;

std::future<void> PluginManager::loadAll()
{
    auto d = this->d;
    return d->python.submit(pythonGuard([d] {
        std::vector<std::string> dirs;
        if (!d->options.noPlugins) {
            py::object bundled = d->options.noBundled ? py::object(py::list())
                                                      : py::module_::import("_typehost").attr("_bundled_plugin_dirs")();
            dirs = hook(Hook::DefaultPluginDirs)(d->options.dirs, bundled).cast<std::vector<std::string>>();
        }
        {
            std::lock_guard g(d->mutex);
            d->dirs = dirs;
        }
        py::object m = hook(Hook::PluginStart)(dirs, py::arg("allow_insecure") = d->options.allowInsecure,
                                             py::arg("timeout") = d->options.timeoutSeconds,
                                             py::arg("safe_mode") = d->options.safeMode);
        std::weak_ptr<Impl> weak = d;
        m.attr("subscribe")(py::cpp_function([weak] {
            if (auto self = weak.lock())
                self->refresh();
        }));
        d->refresh();
    }));
}

std::future<ReloadReport> PluginManager::reload(const std::string& name)
{
    auto d = this->d;
    return d->python.submit(pythonGuard([d, name] { return reportFrom(d->manager().attr("reload")(name)); }));
}

std::future<std::vector<ReloadReport>> PluginManager::reloadAll()
{
    auto d = this->d;
    return d->python.submit(pythonGuard([d] {
        std::vector<ReloadReport> out;
        for (py::handle r : d->manager().attr("reload_all")())
            out.push_back(reportFrom(r));
        return out;
    }));
}

std::future<std::vector<std::string>> PluginManager::unload(const std::string& name)
{
    auto d = this->d;
    return d->python.submit(pythonGuard([d, name] { return d->manager().attr("unload")(name).cast<std::vector<std::string>>(); }));
}

std::future<void> PluginManager::enable(const std::string& name)
{
    auto d = this->d;
    return d->python.submit(pythonGuard([d, name] { d->manager().attr("enable")(name); }));
}

std::future<void> PluginManager::disable(const std::string& name)
{
    auto d = this->d;
    return d->python.submit(pythonGuard([d, name] { d->manager().attr("disable")(name); }));
}

std::vector<PluginStatus> PluginManager::statuses() const
{
    std::lock_guard g(d->mutex);
    return d->statuses;
}

std::vector<std::string> PluginManager::pluginDirs() const
{
    std::lock_guard g(d->mutex);
    return d->dirs;
}

int PluginManager::subscribe(Listener listener)
{
    std::lock_guard g(d->mutex);
    int id = d->nextListener++;
    d->listeners.emplace(id, std::make_shared<Listener>(std::move(listener)));
    return id;
}

void PluginManager::unsubscribe(int id)
{
    std::lock_guard g(d->mutex);
    d->listeners.erase(id);
}

} // namespace typehost
