#include "error_boundary.h"

#include "py_text.h"

#include <fmt/format.h>
#include <pybind11/pybind11.h>

#include <new>
#include <stdexcept>

namespace typehost::detail {

namespace {

// Owned by the module object; set at import.
PyObject* g_registrationError = nullptr;
PyObject* g_validationError = nullptr;

struct Stashed {
    PyObject* type = nullptr;
    PyObject* value = nullptr;
    PyObject* tb = nullptr;
};
thread_local Stashed t_stashed;

PyObject* exceptionFor(typesys::ErrorKind kind, Boundary b) noexcept
{
    using typesys::ErrorKind;
    switch (kind) {   // the kinds every boundary maps alike
    case ErrorKind::Changed: return PyExc_RuntimeError;
    case ErrorKind::Registration: return g_registrationError;
    case ErrorKind::Internal: return PyExc_SystemError;
    case ErrorKind::Validation:
    case ErrorKind::Parse:
    case ErrorKind::Overflow:
    case ErrorKind::Lookup:
        break;
    }
    if (b == Boundary::Registration)
        return g_registrationError;
    if (kind == ErrorKind::Lookup)
        return PyExc_KeyError;
    switch (b) {
    case Boundary::Assign: return kind == ErrorKind::Overflow ? PyExc_OverflowError : PyExc_TypeError;
    case Boundary::Document: return g_validationError;
    case Boundary::Schema: return PyExc_ValueError;
    case Boundary::Registration: break;
    }
    return g_registrationError;
}

// "geo.Path" + points[2].x: the position as Python code would reach it.
std::string assignMessage(const typesys::Error& e, std::string_view prefix)
{
    std::string where = typesys::formatPath(e.path());
    if (prefix.empty() && where.empty())
        return e.what();
    std::string full(prefix);
    if (!where.empty()) {
        if (!full.empty() && where[0] != '[')
            full += '.';
        full += where;
    }
    return fmt::format("{}: {}", full, e.reason());
}

// ValidationError(message) with .path, and .line/.column for a JSON syntax error.
void setValidationError(const typesys::Error& e, const std::string& message)
{
    PyObject* text = utf8ToPython(message);
    PyObject* exc = text ? PyObject_CallOneArg(g_validationError, text) : nullptr;
    Py_XDECREF(text);
    if (!exc)
        return;
    PyObject* pointer = utf8ToPython(e.pointer());
    int rc = pointer ? PyObject_SetAttrString(exc, "path", pointer) : -1;
    Py_XDECREF(pointer);
    if (rc == 0 && e.line()) {
        PyObject* line = PyLong_FromSize_t(e.line());
        PyObject* column = PyLong_FromSize_t(e.column());
        rc = line && column ? PyObject_SetAttrString(exc, "line", line) : -1;
        if (rc == 0)
            rc = PyObject_SetAttrString(exc, "column", column);
        Py_XDECREF(line);
        Py_XDECREF(column);
    }
    if (rc == 0)
        PyErr_SetObject(g_validationError, exc);
    Py_DECREF(exc);
}

} // namespace

PyObject* registrationErrorType() { return g_registrationError; }
PyObject* validationErrorType() { return g_validationError; }

void setErrorTypes(PyObject* registrationError, PyObject* validationError)
{
    g_registrationError = registrationError;
    g_validationError = validationError;
}

void stashPythonError()
{
    Stashed old = t_stashed;
    PyErr_Fetch(&t_stashed.type, &t_stashed.value, &t_stashed.tb);
    Py_XDECREF(old.type);
    Py_XDECREF(old.value);
    Py_XDECREF(old.tb);
}

bool restoreStashedError()
{
    if (!t_stashed.type)
        return false;
    Stashed s = t_stashed;
    t_stashed = {};
    PyErr_Restore(s.type, s.value, s.tb);
    return true;
}

void raiseStashedOrKeep()
{
    if (restoreStashedError())
        throw pybind11::error_already_set();
}

PyObject* setPythonError(const typesys::Error& e, Boundary b, std::string_view prefix) noexcept
{
    try {
        if (e.kind() == typesys::ErrorKind::Internal && restoreStashedError())
            return nullptr;
        PyObject* type = exceptionFor(e.kind(), b);
        if (b == Boundary::Assign) {
            raiseText(type, assignMessage(e, prefix));
            return nullptr;
        }
        // A registration names the position as Python code would (a default's "points[2]").
        std::string message = b == Boundary::Registration && !e.path().empty()
                                  ? fmt::format("{}{}: {}", prefix, typesys::formatPath(e.path()), e.reason())
                                  : fmt::format("{}{}", prefix, e.what());
        if (type == g_validationError)
            setValidationError(e, message);
        else
            raiseText(type, message);
    } catch (const std::bad_alloc&) {
        PyErr_NoMemory();
    } catch (...) {   // fmt cannot fail on these arguments; kept so that this never throws
        PyErr_SetString(PyExc_SystemError, "typehost: an error could not be reported");
    }
    return nullptr;
}

PyObject* setPythonErrorFromCurrent(Boundary b, std::string_view prefix) noexcept
{
    try {
        throw;
    } catch (const PythonErrorSet&) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "typehost: an error was reported without a Python exception");
    } catch (const pybind11::error_already_set& e) {
        // A bound helper called from a C slot; the exception object holds the error.
        const_cast<pybind11::error_already_set&>(e).restore();
    } catch (const pybind11::builtin_exception& e) {
        e.set_error();   // py::type_error and its kin: the Python exception they name
    } catch (const typesys::Error& e) {
        setPythonError(e, b, prefix);
    } catch (const std::bad_alloc&) {
        PyErr_NoMemory();
    } catch (const std::exception& e) {
        PyErr_Format(PyExc_SystemError, "typehost internal error: %s", e.what());
    } catch (...) {
        PyErr_SetString(PyExc_SystemError, "typehost internal error: unknown C++ exception");
    }
    return nullptr;
}

void registerErrorTranslator()
{
    pybind11::register_exception_translator([](std::exception_ptr p) {
        if (!p)
            return;
        try {
            std::rethrow_exception(p);
        } catch (const typesys::Error& e) {
            setPythonError(e, Boundary::Document);
        } catch (const PythonErrorSet&) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_SystemError, "typehost: an error was reported without a Python exception");
        }
    });
}

} // namespace typehost::detail
