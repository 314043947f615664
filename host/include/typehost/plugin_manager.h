#pragma once
// PluginManager: discovers, loads, reloads and unloads Python and native plugins.
//
// All Python work runs as jobs on the PythonThread; every public member may be called from
// any thread (the UI thread included) and never waits for the GIL. Operations return futures;
// statuses() is a thread-safe snapshot, and listeners hear about every change (on the Python
// thread: post to your own thread before touching widgets).
//
// A plugin failure is a value (PluginStatus::error and ::traceback), never an exception out of
// these functions. See docs/plugins.md for the lifecycle.

#include "typehost/python_thread.h"

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace typehost {

enum class PluginState { Loaded, Failed, Disabled, Skipped, Unloaded };
const char* pluginStateName(PluginState s) noexcept;   // "loaded", "failed", ...
// The state of a name pluginStateName gives; false for any other text.
bool pluginStateFromName(const std::string& name, PluginState* out) noexcept;

// One plugin's status. The one type for it: the Python plugin manager fills these (bound once,
// as typehost.PluginStatus: bind_plugin_status.cpp) and the C++ side copies them as they are.
struct PluginStatus {
    std::string name;
    std::string version;
    std::string description;
    std::string path;            // the .py file, package directory or shared library
    bool native = false;
    PluginState state = PluginState::Unloaded;
    double loadSeconds = 0.0;
    std::vector<std::string> dependencies;   // __plugin__["requires"]
    std::vector<std::string> types;     // keys the plugin owns
    std::string error;                   // one line: what went wrong
    std::string traceback;               // full Python traceback, file:line per frame
    // A loaded plugin's problems that did not fail it: "FILE:LINE: KEY.FIELD: problem" for a
    // class still waiting for a name or a type reference nothing answers.
    std::vector<std::string> warnings;
};

struct TypeChange {
    std::string key;
    std::vector<std::string> fieldsAdded, fieldsRemoved, fieldsRetyped, defaultsChanged;
};

// A published value that reached instances of a reloaded type: migrated to the new version,
// or left stale (`issues`: JSON pointer and reason, e.g. a field the new version dropped).
struct ValueMigration {
    std::string name;
    bool migrated = false;
    size_t objects = 0;   // instances replaced by the new version
    std::vector<std::pair<std::string, std::string>> issues;
};

struct ReloadReport {
    std::string plugin;
    bool ok = false;
    std::vector<std::string> added, removed;
    std::vector<TypeChange> changed;
    std::vector<std::string> alsoReloaded;   // dependents reloaded with it
    std::vector<ValueMigration> values;      // published values that reached reloaded types
    std::string error;
    std::string traceback;
};

// The longest a plugin's import, register() or unregister() may run: a --plugin-timeout above
// it (also inf) counts as this maximum, one day. 0 means no timeout; nan and negative values are
// usage errors.
constexpr double kMaxPluginTimeoutSeconds = 86400.0;

struct PluginOptions {
    std::vector<std::string> dirs;    // --plugins DIR..., then TYPEHOST_PLUGIN_PATH, user, bundled
    bool noPlugins = false;           // --no-plugins
    bool noBundled = false;           // --no-bundled: none of the bundled plugin directories
    bool safeMode = false;            // --safe-mode
    bool allowInsecure = false;       // --allow-insecure-plugins
    double timeoutSeconds = 10.0;     // --plugin-timeout (0: none; clamped to kMaxPluginTimeoutSeconds)
};

class PluginManager {
public:
    PluginManager(PythonThread& python, PluginOptions options);
    ~PluginManager();

    std::future<void> loadAll();
    std::future<ReloadReport> reload(const std::string& name);
    std::future<std::vector<ReloadReport>> reloadAll();
    // Unloads name and every plugin that requires it; returns the names unloaded.
    std::future<std::vector<std::string>> unload(const std::string& name);
    std::future<void> enable(const std::string& name);
    std::future<void> disable(const std::string& name);

    std::vector<PluginStatus> statuses() const;
    std::vector<std::string> pluginDirs() const;

    using Listener = std::function<void()>;
    int subscribe(Listener listener);
    void unsubscribe(int id);

private:
    struct Impl;
    std::shared_ptr<Impl> d;
};

} // namespace typehost
