// _typehost.PluginStatus: typehost::PluginStatus (plugin_manager.h) bound once. The Python plugin
// manager makes and fills these; PluginManager (C++) copies them as they are, and
// typehost.plugins() hands them to Python users. Fields are values, in the order and with the
// defaults of the former dataclass: assigning replaces one, a list read is a new list.

#include "typehost/plugin_manager.h"

#include "bindings.h"

#include <pybind11/stl.h>

#include <utility>

namespace py = pybind11;

namespace typehost::detail {

namespace {

using Strings = std::vector<std::string>;

// (Python name, getter) of every field, in the dataclass's order: repr, == and as_dict().
std::vector<std::pair<const char*, py::object (*)(const PluginStatus&)>> fieldReaders()
{
    return {
        {"name", [](const PluginStatus& s) -> py::object { return py::str(s.name); }},
        {"path", [](const PluginStatus& s) -> py::object { return py::str(s.path); }},
        {"version", [](const PluginStatus& s) -> py::object { return py::str(s.version); }},
        {"description", [](const PluginStatus& s) -> py::object { return py::str(s.description); }},
        {"requires", [](const PluginStatus& s) -> py::object { return py::cast(s.dependencies); }},
        {"native", [](const PluginStatus& s) -> py::object { return py::bool_(s.native); }},
        {"state", [](const PluginStatus& s) -> py::object { return py::str(pluginStateName(s.state)); }},
        {"load_seconds", [](const PluginStatus& s) -> py::object { return py::float_(s.loadSeconds); }},
        {"types", [](const PluginStatus& s) -> py::object { return py::cast(s.types); }},
        {"error", [](const PluginStatus& s) -> py::object { return py::str(s.error); }},
        {"traceback", [](const PluginStatus& s) -> py::object { return py::str(s.traceback); }},
        {"warnings", [](const PluginStatus& s) -> py::object { return py::cast(s.warnings); }},
    };
}

PluginState stateOf(const std::string& name)
{
    PluginState s;
    if (!pluginStateFromName(name, &s))
        throw py::value_error("unknown plugin state '" + name +
                              "' (loaded, failed, disabled, skipped or unloaded)");
    return s;
}

} // namespace

void bindPluginStatus(py::module_& m)
{
    py::class_<PluginStatus>(m, "PluginStatus", "One plugin's status (docs/plugins.md).")
        .def(py::init([](std::string name, std::string path, std::string version, std::string description,
                         Strings dependencies, bool native, const std::string& state, double loadSeconds, Strings types,
                         std::string error, std::string traceback, Strings warnings) {
                 PluginStatus s;
                 s.name = std::move(name);
                 s.path = std::move(path);
                 s.version = std::move(version);
                 s.description = std::move(description);
                 s.dependencies = std::move(dependencies);
                 s.native = native;
                 s.state = stateOf(state);
                 s.loadSeconds = loadSeconds;
                 s.types = std::move(types);
                 s.error = std::move(error);
                 s.traceback = std::move(traceback);
                 s.warnings = std::move(warnings);
                 return s;
             }),
             py::arg("name"), py::arg("path"), py::arg("version") = "", py::arg("description") = "",
             py::arg("requires") = Strings(), py::arg("native") = false, py::arg("state") = "unloaded",
             py::arg("load_seconds") = 0.0, py::arg("types") = Strings(), py::arg("error") = "",
             py::arg("traceback") = "", py::arg("warnings") = Strings())
        .def_readwrite("name", &PluginStatus::name)
        .def_readwrite("path", &PluginStatus::path, "The .py file, package directory or shared library.")
        .def_readwrite("version", &PluginStatus::version)
        .def_readwrite("description", &PluginStatus::description)
        .def_readwrite("requires", &PluginStatus::dependencies, "The plugins this one requires (__plugin__).")
        .def_readwrite("native", &PluginStatus::native)
        .def_property(
            "state", [](const PluginStatus& s) { return pluginStateName(s.state); },
            [](PluginStatus& s, const std::string& v) { s.state = stateOf(v); },
            "loaded, failed, disabled, skipped or unloaded.")
        .def_readwrite("load_seconds", &PluginStatus::loadSeconds)
        .def_readwrite("types", &PluginStatus::types, "The keys of the types the plugin registered.")
        .def_readwrite("error", &PluginStatus::error, "One line: what went wrong (\"\" when nothing did).")
        .def_readwrite("traceback", &PluginStatus::traceback, "The traceback from the plugin's own code down.")
        .def_readwrite("warnings", &PluginStatus::warnings,
                       "Problems of a loaded plugin, one line each: \"FILE:LINE: KEY.FIELD: problem\".")
        .def("as_dict", [](const PluginStatus& s) {
            py::dict d;
            for (const auto& [name, read] : fieldReaders())
                d[name] = read(s);
            return d;
        }, "The fields as a dict, in order (what `plugins --json` prints).")
        .def("__eq__", [](const PluginStatus& a, py::object other) -> py::object {
            if (!py::isinstance<PluginStatus>(other))
                return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            const PluginStatus& b = other.cast<const PluginStatus&>();
            for (const auto& [name, read] : fieldReaders())
                if (!read(a).equal(read(b)))
                    return py::bool_(false);
            return py::bool_(true);
        })
        .def("__repr__", [](const PluginStatus& s) {
            std::string out = "PluginStatus(";
            bool first = true;
            for (const auto& [name, read] : fieldReaders()) {
                out += first ? "" : ", ";
                first = false;
                out += name;
                out += '=';
                out += py::repr(read(s)).cast<std::string>();
            }
            return out + ")";
        })
        .attr("__hash__") = py::none();   // mutable and compared by value, as the dataclass was
}

} // namespace typehost::detail
