#pragma once
// The one place where C++ errors become Python exceptions (docs/architecture.md, "Errors").
//
// C++ code of the host reports a failure in one of two ways: a typesys::Error (a kind, a
// message, a path into the value and the reason), or PythonErrorSet when the Python error
// indicator already holds the error (a failing __index__, a MemoryError, a KeyboardInterrupt).
// setPythonError() decides the Python exception from the error's kind and the boundary the
// error crosses; everything else calls it:
//   - C slots (field descriptors, views, __init__) catch and call setPythonErrorFromCurrent();
//   - bound functions let errors propagate: the translator registered with pybind11 maps them
//     at the Document boundary, and translated() (bindings.h) runs a body at another boundary.
// No pybind11 here: the C-API files that include this stay lean.

#include <Python.h>

#include <typesys/error.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace typehost::detail {

// Thrown when the Python error indicator is already set: not an error of its own, the marker
// that the pending Python exception is the error to report.
struct PythonErrorSet {};

// What the Python caller was doing when the error happened.
enum class Boundary : unsigned char {
    // Storing a value into a field or a container view (__init__, setattr, append, replace):
    // a value that does not fit is a TypeError, "geo.Path.points[2].x: expected float, got str".
    Assign,
    // Whole values and JSON (to_json, from_json, validate, convert, migrate): ValidationError with
    // .path (a JSON pointer) and, for a JSON syntax error, .line and .column.
    Document,
    // A class or enum being registered: RegistrationError.
    Registration,
    // Schema text given by the caller: ValueError.
    Schema,
};

// The table, by kind (Assign / Document / Registration / Schema):
//   Validation, Parse  TypeError / ValidationError / RegistrationError / ValueError
//   Overflow           OverflowError / ValidationError / RegistrationError / ValueError
//   Lookup             KeyError / KeyError / RegistrationError / KeyError
//   Changed            RuntimeError everywhere (a container changed size under the operation)
//   Registration       RegistrationError everywhere
//   Internal           SystemError everywhere, or the KeyboardInterrupt / SystemExit a
//                      default_factory raised under C++ code (stashPythonError) as itself
// The message: for Assign, prefix + the error's position as Python code would reach it (after
// a '.' when prefix names a field) + ": " + reason, or the error's message when both are empty;
// for Registration, prefix + position + ": " + reason, or prefix + message without a position;
// for the others, prefix + message. Sets the Python error and returns null. Never throws.
PyObject* setPythonError(const typesys::Error& e, Boundary b, std::string_view prefix = {}) noexcept;

// Inside a catch block: the exception being handled as a Python error (typesys::Error through
// setPythonError, PythonErrorSet as the pending error, std::bad_alloc as MemoryError, anything
// else as SystemError) and returns null, so that no C++ exception crosses into CPython.
PyObject* setPythonErrorFromCurrent(Boundary b, std::string_view prefix = {}) noexcept;

// A Python exception that must reach Python as itself (KeyboardInterrupt, SystemExit) although
// it was raised under C++ code that reports failures as typesys::Error (the JSON reader calling
// a default_factory). stashPythonError() moves the pending error into a per-thread slot (GIL
// held); restoreStashedError() raises it again and returns true, or returns false when the
// slot is empty. setPythonError() restores it for an Internal error.
void stashPythonError();
bool restoreStashedError();
// Throws pybind11::error_already_set when a Python exception was stashed (raised again first).
void raiseStashedOrKeep();

// Runs body and returns the typesys::Error it threw, for callers that report errors as values
// (a migration report, a default that has no JSON form). A KeyboardInterrupt or SystemExit
// stashed under the body is raised as itself; other exceptions propagate.
template <class F>
std::optional<typesys::Error> errorOf(F&& body)
{
    try {
        std::forward<F>(body)();
        return std::nullopt;
    } catch (const typesys::Error& e) {
        raiseStashedOrKeep();
        return e;
    }
}
// Registers with pybind11 the translation of typesys::Error (at the Document boundary) and of
// PythonErrorSet, for bound functions that do not run under translated(). Once, at import.
void registerErrorTranslator();

// The module's exception types (borrowed; owned by the module), set once at import.
void setErrorTypes(PyObject* registrationError, PyObject* validationError);
PyObject* registrationErrorType();
PyObject* validationErrorType();

} // namespace typehost::detail
