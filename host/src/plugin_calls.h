#pragma once
// Calling plugin code from the host: under a deadline (the watchdog), and native plugin
// libraries (dlopen, the C entry point, registerTypes). A native plugin's failure is a value,
// as a Python plugin's is (docs/plugins.md).

#include <pybind11/pybind11.h>

#include <string>

namespace typehost::detail {

// Calls fn(); if it runs longer than seconds, raises exceptionType inside it (a class: CPython
// raises it without arguments). seconds must be positive; more than kMaxPluginTimeoutSeconds
// (also inf) counts as that maximum. Python thread, GIL held.
pybind11::object callWithTimeout(double seconds, pybind11::handle exceptionType, const pybind11::function& fn);

// Loads the native plugin library at path and registers its types under owner:
// {"ok": bool, "error": str, "name", "version", "description"}. Never throws for a bad library.
pybind11::dict loadNative(const std::string& path, const std::string& owner);

} // namespace typehost::detail
