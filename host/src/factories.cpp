#include "factories.h"

#include "conversion.h"
#include "error_boundary.h"
#include "py_release.h"
#include "py_text.h"

#include <fmt/format.h>

#include <memory>

namespace typehost::detail {

using typesys::Schema;
using typesys::Value;

namespace {

struct PyHolder {
    explicit PyHolder(PyObject* o) : obj(o) { Py_INCREF(o); }
    ~PyHolder() { releaseLater(obj); }
    PyObject* obj;
};

// "ValueError: text" of the pending Python error, which it clears. Safe for any text.
std::string pythonErrorText()
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    std::string text = type ? reinterpret_cast<PyTypeObject*>(type)->tp_name : "unknown error";
    if (value) {
        text += ": ";
        appendUtf8(text, value);
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    PyErr_Clear();
    return text;
}

// The pending error as a typesys::Error, except that KeyboardInterrupt, SystemExit and other
// BaseExceptions that are not Exceptions are kept (stashPythonError) to be raised again as
// themselves where the reader returns to Python: they are not validation errors.
[[noreturn]] void throwFactoryError(const std::string& where, const char* what)
{
    if (!PyErr_ExceptionMatches(PyExc_Exception)) {
        stashPythonError();
        throw typesys::Error(typesys::ErrorKind::Internal, fmt::format("{}: default_factory was interrupted", where));
    }
    throw typesys::Error(typesys::ErrorKind::Validation, fmt::format("{}: {}{}", where, what, pythonErrorText()));
}

// True while this thread holds the GIL with its own thread state. It is false in the cleanups
// of a thread being ended at interpreter exit: CPython detaches the thread state before it
// takes the GIL back, and ends the thread (pthread_exit) when the take fails. (In 3.11 the
// "current" thread state is process-wide: the GIL holder's, so compare it with this thread's.)
bool threadStateAttached() noexcept
{
    PyThreadState* current = _PyThreadState_UncheckedGet();
    return current != nullptr && current == PyGILState_GetThisThreadState();
}

// Calls a default_factory (GIL held) and converts its result. The call may end this thread
// (a daemon thread at interpreter exit is ended by pthread_exit when it takes the GIL back):
// its forced unwinding must pass through without a decref or a GIL release the thread is no
// longer entitled to. So only cleanups run on that path, no handler: a catch (...) would have
// to rethrow it, and a catch (abi::__forced_unwind&) binds a reference to no object (UBSan),
// and either rethrow trips AddressSanitizer's stack bookkeeping on this path.
Value callFactory(PyObject* factory, const Schema& schema, const std::string& where)
{
    PyObject* v = PyObject_CallNoArgs(factory);
    if (!v)
        throwFactoryError(where, "default_factory raised ");
    struct Drop {
        PyObject* v;
        ~Drop()
        {
            if (threadStateAttached())
                Py_DECREF(v);
        }
    } drop{v};
    typesys::Path path;
    try {
        return fromPython(v, schema, path);
    } catch (const typesys::Error& e) {
        throw typesys::Error(e.kind() == typesys::ErrorKind::Internal ? e.kind() : typesys::ErrorKind::Validation,
                             fmt::format("{}: default_factory returned a bad value: {}", where, e.reason()));
    } catch (const PythonErrorSet&) {
        throwFactoryError(where, "");
    }
}

} // namespace

// Takes the GIL and gives it back on every way out but the forced unwinding of a thread being
// ended.
std::function<Value()> wrapFactory(PyObject* factory, const Schema& schema, const std::string& where)
{
    auto holder = std::make_shared<PyHolder>(factory);
    return [holder, schema, where]() -> Value {
        struct Gil {
            PyGILState_STATE st = PyGILState_Ensure();
            ~Gil()
            {
                if (threadStateAttached())
                    PyGILState_Release(st);
            }
        } gil;
        return callFactory(holder->obj, schema, where);
    };
}

} // namespace typehost::detail
