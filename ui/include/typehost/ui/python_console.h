#pragma once
// The Python side of the console: plain functions to call inside a PythonThread job (with the
// GIL held, on the Python thread). No Qt here, and nothing else in ui/ includes Python.

#include <functional>
#include <string>
#include <string_view>

namespace typehost::ui {

// Receives output as it is produced: text, and whether it went to stderr. Called on the
// Python thread; the receiver must not block on the UI.
using ConsoleWriter = std::function<void(std::string_view text, bool isError)>;

// Runs source the way an interactive session does: statements run in __main__'s namespace and
// the value of a final expression is printed (and bound to `_`). sys.stdout and sys.stderr go
// to `write` for the duration. An exception, KeyboardInterrupt from PythonThread::interrupt()
// included, is written as a traceback of the console's frames; returns false then.
bool runConsoleSource(const std::string& source, const ConsoleWriter& write);

// Imports typehost into __main__ for the console; returns "" or the error.
std::string prepareConsoleNamespace();

// The interpreter's version, e.g. "3.11.2".
std::string pythonVersion();

} // namespace typehost::ui
