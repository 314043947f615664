#pragma once
// Dropping Python references from threads that may not hold the GIL.

#include <Python.h>

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace typehost::detail {

// Py_DECREF now if this thread holds the GIL, else queue it for the Python thread (via a
// pending call), so no non-Python thread ever waits for the GIL to free something.
void releaseLater(PyObject* obj) noexcept;
// Installs the typesys binding releaser (StrNode twins). Called once at module init.
void installReleaser() noexcept;
// Marks the interpreter as finalizing: later releases are dropped (the objects die with it).
void stopReleasing() noexcept;

// Runs f() with the GIL released and returns its result (or rethrows its exception). The GIL
// is taken back by a plain call, never from a destructor: a daemon thread that takes it back
// while the interpreter finalizes is ended by pthread_exit, whose forced unwinding calls
// std::terminate when it leaves a noexcept destructor such as pybind11's gil_scoped_release
// (pybind11 issue 2215). Unwinding through this frame is fine.
template <class F>
auto withoutGil(F&& f) -> decltype(f())
{
    using R = decltype(f());
    std::exception_ptr error;
    PyThreadState* ts = PyEval_SaveThread();
    if constexpr (std::is_void_v<R>) {
        try {
            f();
        } catch (...) {
            error = std::current_exception();
        }
        PyEval_RestoreThread(ts);
        if (error)
            std::rethrow_exception(error);
    } else {
        std::optional<R> result;
        try {
            result.emplace(f());
        } catch (...) {
            error = std::current_exception();
        }
        PyEval_RestoreThread(ts);
        if (error)
            std::rethrow_exception(error);
        return std::move(*result);
    }
}

} // namespace typehost::detail
