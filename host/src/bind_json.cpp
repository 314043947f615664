// _typehost: JSON text in and out, and published values.

#include "bindings.h"
#include "conversion.h"
#include "py_release.h"

#include "typehost/published.h"

#include <typesys/json.h>
#include <typesys/object.h>
#include <typesys/registry.h>

#include <pybind11/stl.h>

namespace py = pybind11;

namespace typehost::detail {

namespace {

// Errors of the functions below reach Python as ValidationError (the translator registered in
// error_boundary.h), schema text errors as ValueError.
typesys::Value valueOf(py::handle obj, const typesys::Schema& schema)
{
    typesys::Path path;
    return fromPython(obj.ptr(), schema, path);
}

typesys::Schema parseSchema(const std::string& text)
{
    return translated(Boundary::Schema, [&] { return typesys::Schema::parse(text); });
}

py::object toPy(const typesys::Value& v, const typesys::Schema& s)
{
    PyObject* o = toPython(v, s);
    if (!o)
        throw py::error_already_set();
    return py::reinterpret_steal<py::object>(o);
}

} // namespace

void bindJson(py::module_& m)
{
    m.def("_to_json", [](py::handle value, py::object indent) {
        typesys::Value v;
        {
            StaleAccepted output;   // the writer checks stale instances against the registry
            v = valueOf(value, typesys::Schema::any());
        }
        typesys::JsonWriteOptions o;
        o.current = &hostRegistry();
        if (!indent.is_none())
            o.indent = indent.cast<int>();
        // The writer reads C++ storage only.
        std::string text = withoutGil([&] { return typesys::toJson(v, o); });
        PyObject* s = PyUnicode_DecodeUTF8(text.data(), Py_ssize_t(text.size()), "surrogatepass");
        if (!s)
            throw py::error_already_set();
        return py::reinterpret_steal<py::str>(s);
    });

    m.def("_from_json", [](py::handle text, const std::string& schemaText) {
        typesys::Schema schema = parseSchema(schemaText);
        std::string_view view;
        std::string owned;
        if (PyUnicode_Check(text.ptr())) {
            Py_ssize_t n;
            const char* u = PyUnicode_AsUTF8AndSize(text.ptr(), &n);
            if (!u)
                throw py::error_already_set();
            view = {u, size_t(n)};
        } else if (PyBytes_Check(text.ptr()) || PyByteArray_Check(text.ptr()) || PyMemoryView_Check(text.ptr())) {
            owned = py::bytes(py::reinterpret_borrow<py::object>(text)).cast<std::string>();
            view = owned;
        } else {
            throw py::type_error("from_json expects str or bytes");
        }
        // Reading may call Python default factories, which take the GIL themselves (one that
        // raised KeyboardInterrupt or SystemExit reaches Python as itself: error_boundary.h).
        typesys::Value v = typesys::fromJson(view, schema, hostRegistry());
        return toPy(v, schema);
    });

    m.def("_json_errors", [](const py::bytes& text, const std::string& schemaText, size_t maxErrors) {
        // Every error of a document (the first maxErrors): [(pointer, message)], total.
        typesys::Schema schema = parseSchema(schemaText);
        std::string owned = text;
        // Checking reads the text and the registry only.
        typesys::JsonErrorReport report = withoutGil(
            [&] { return typesys::collectJsonErrors(owned, schema, hostRegistry(), {}, maxErrors); });
        py::list errors;
        for (const typesys::Error& e : report.errors)
            errors.append(py::make_tuple(e.pointer(), std::string(e.what())));
        return py::make_tuple(errors, report.total);
    }, py::arg("text"), py::arg("schema"), py::arg("max_errors") = 100);

    m.def("_convert_value", [](py::handle value, const std::string& schemaText) {
        // Validates a Python value against a schema and returns its typed form.
        typesys::Schema schema = parseSchema(schemaText);
        return toPy(valueOf(value, schema), schema);
    });
}

namespace {
// The owner of values published now: the plugin whose code runs (set by the plugin manager,
// like the owner of the types it registers). Only touched with the GIL held.
std::string& publishOwner()
{
    static auto* owner = new std::string();   // lives with the process
    return *owner;
}
} // namespace

void bindPublished(py::module_& m)
{
    m.def("publish", [](const std::string& name, py::handle value) {
        typesys::Value v = valueOf(value, typesys::Schema::any());
        typesys::Schema schema = typesys::Schema::any();
        if (v.kind() == typesys::ValueKind::Object)
            schema = typesys::Schema::named(v.asObject()->type().key);
        PublishedValues::instance().publish(name, std::move(v), std::move(schema), publishOwner());
    }, py::arg("name"), py::arg("value"), "Publishes a named value for the host to show.");
    m.def("_set_publish_owner", [](const std::string& owner) {
        std::string previous = publishOwner();
        publishOwner() = owner;
        return previous;
    }, py::arg("owner"), "Sets the owner of values published from now on; returns the previous one.");
    m.def("unpublish", [](const std::string& name) {
        if (!PublishedValues::instance().unpublish(name))
            throw py::key_error(name);
    }, py::arg("name"), "Removes a published value.");
    m.def("published", [] {
        py::dict out;
        for (const PublishedValue& pv : PublishedValues::instance().snapshot())
            out[py::str(pv.name)] = toPy(pv.value, pv.schema);
        return out;
    }, "A dict from name to published value.");
}

} // namespace typehost::detail
