#pragma once
// Dropping Python references from threads that may not hold the GIL.

#include <Python.h>

namespace typehost::detail {

// Py_DECREF now if this thread holds the GIL, else queue it for the Python thread (via a
// pending call), so no non-Python thread ever waits for the GIL to free something.
void releaseLater(PyObject* obj) noexcept;
// Installs the typesys binding releaser (StrNode twins). Called once at module init.
void installReleaser() noexcept;
// Marks the interpreter as finalizing: later releases are dropped (the objects die with it).
void stopReleasing() noexcept;

} // namespace typehost::detail
