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
    setErrorTypes(reg.ptr(), val.ptr());
    registerErrorTranslator();

    bindSpecs(m);
    bindTypes(m);
    bindJson(m);
    bindPublished(m);
    bindPlugins(m);
    bindPluginStatus(m);
    bindMigrate(m);
}
