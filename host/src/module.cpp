// The _typehost extension module, built into the host (import typehost wraps it).
//
// Defined with PYBIND11_MODULE, not PYBIND11_EMBEDDED_MODULE: the embedded form registers
// itself from a static initializer on the process's main thread, which makes CPython take
// that thread as its "main thread" for good. Pending calls (PythonThread::interrupt) and
// signal handlers (Ctrl-C) then never run on the host's Python thread. PythonThread appends
// PyInit__typehost to the inittab from its own thread instead, before Python starts.

#include "bindings.h"
#include "host_type.h"
#include "py_release.h"
#include "py_text.h"
#include "views.h"

#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace typehost::detail {

namespace {
// Owned by the module object; set at import, cleared when the interpreter finalizes.
PyObject* g_registrationError = nullptr;
PyObject* g_validationError = nullptr;
}

PyObject* registrationErrorType() { return g_registrationError; }
PyObject* validationErrorType() { return g_validationError; }

py::error_already_set validationError(const std::string& message, const std::string& pointer, size_t line,
                                      size_t column)
{
    // Messages may quote a repr with lone surrogates (py_text.h keeps them).
    PyObject* text = utf8ToPython(message);
    PyObject* exc = text ? PyObject_CallOneArg(g_validationError, text) : nullptr;
    Py_XDECREF(text);
    if (exc) {
        PyObject* p = utf8ToPython(pointer);
        PyObject_SetAttrString(exc, "path", p);
        Py_XDECREF(p);
        if (line) {
            py::int_ l(line), c(column);
            PyObject_SetAttrString(exc, "line", l.ptr());
            PyObject_SetAttrString(exc, "column", c.ptr());
        }
        PyErr_SetObject(g_validationError, exc);
        Py_DECREF(exc);
    }
    return py::error_already_set();
}

} // namespace typehost::detail

PYBIND11_MODULE(_typehost, m)
{
    using namespace typehost::detail;
    installReleaser();
    if (initObjectTypes(m.ptr()) < 0 || initViewTypes(m.ptr()) < 0)
        throw py::error_already_set();

    py::object error = py::reinterpret_steal<py::object>(
        PyErr_NewExceptionWithDoc("typehost.Error", "Base class of typehost errors.", nullptr, nullptr));
    py::tuple regBases = py::make_tuple(error, py::handle(PyExc_TypeError));
    py::object reg = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
        "typehost.RegistrationError", "A class definition that cannot be registered (also a TypeError).",
        regBases.ptr(), nullptr));
    py::tuple valBases = py::make_tuple(error, py::handle(PyExc_ValueError));
    py::object val = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
        "typehost.ValidationError",
        "A value that does not match its schema (also a ValueError). .path is a JSON pointer; "
        ".line and .column (1-based) say where a JSON text is not JSON, else None.",
        valBases.ptr(), nullptr));
    val.attr("line") = py::none();
    val.attr("column") = py::none();
    m.attr("Error") = error;
    m.attr("RegistrationError") = reg;
    m.attr("ValidationError") = val;
    g_registrationError = reg.ptr();
    g_validationError = val.ptr();

    bindTypes(m);
    bindJson(m);
    bindPublished(m);
    bindPlugins(m);
    bindMigrate(m);
}
