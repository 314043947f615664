#include "typehost/hooks.h"

#include <array>
#include <string>

namespace py = pybind11;

namespace typehost {

namespace {

constexpr size_t kHookCount = size_t(Hook::CliMain) + 1;

// Strong references for the life of the process (set on the Python thread, GIL held).
std::array<PyObject*, kHookCount>& hooks()
{
    static std::array<PyObject*, kHookCount> table{};
    return table;
}

} // namespace

const char* hookName(Hook h) noexcept
{
    switch (h) {
    case Hook::PluginStart: return "plugin_start";
    case Hook::PluginManager: return "plugin_manager";
    case Hook::PluginStatuses: return "plugin_statuses";
    case Hook::DefaultPluginDirs: return "default_plugin_dirs";
    case Hook::CliMain: return "cli_main";
    }
    return "?";
}

py::object hook(Hook h)
{
    PyObject* fn = hooks()[size_t(h)];
    if (!fn) {
        py::module_::import("typehost");
        fn = hooks()[size_t(h)];
    }
    if (!fn) {
        PyErr_Format(PyExc_RuntimeError, "the typehost package registered no '%s' hook", hookName(h));
        throw py::error_already_set();
    }
    return py::reinterpret_borrow<py::object>(fn);
}

namespace detail {

void setHook(const std::string& name, py::handle fn)
{
    if (!PyCallable_Check(fn.ptr()))
        throw py::type_error("a hook must be callable, got " + std::string(Py_TYPE(fn.ptr())->tp_name));
    for (size_t i = 0; i < kHookCount; ++i)
        if (name == hookName(Hook(i))) {
            Py_INCREF(fn.ptr());
            Py_XSETREF(hooks()[i], fn.ptr());
            return;
        }
    throw py::value_error("unknown hook '" + name + "'");
}

} // namespace detail

} // namespace typehost
