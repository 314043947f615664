#pragma once
// The Python functions the typehost package registers for C++ to call
// (`_typehost._set_hook(name, fn)`, from typehost/__init__.py). The host never imports the
// package's private modules by name: the package decides where its code lives.

#include <pybind11/pybind11.h>

namespace typehost {

enum class Hook : unsigned char {
    PluginStart,        // "plugin_start": start(dirs, allow_insecure=, timeout=, safe_mode=) -> manager
    PluginManager,      // "plugin_manager": manager() -> the running manager or None
    PluginStatuses,     // "plugin_statuses": () -> the PluginStatus of every plugin
    DefaultPluginDirs,  // "default_plugin_dirs": (extra dirs, bundled dirs) -> the search path
    CliMain,            // "cli_main": (command, args, options dict) -> exit status
};

const char* hookName(Hook h) noexcept;

// The registered function. Python thread, GIL held. Imports typehost first (its import
// registers every hook); throws error_already_set (RuntimeError) when the hook is still missing.
pybind11::object hook(Hook h);

namespace detail {
// _typehost._set_hook(name, fn): TypeError for a function that is not callable, ValueError for
// an unknown name.
void setHook(const std::string& name, pybind11::handle fn);
} // namespace detail

} // namespace typehost
