#pragma once
// One bind<Area>() per area of the _typehost module, called from module.cpp.

#include "error_boundary.h"

#include <pybind11/pybind11.h>

#include <string_view>
#include <utility>

namespace typehost::detail {

void bindTypes(pybind11::module_& m);      // type_info, classes
void bindSpecs(pybind11::module_& m);      // registration records and _register (specs.h)
void bindJson(pybind11::module_& m);       // to_json / from_json / schema helpers
void bindPublished(pybind11::module_& m);  // publish / unpublish / published
void bindPlugins(pybind11::module_& m);    // journal, watchdog, native plugin libraries
void bindPluginStatus(pybind11::module_& m);   // typehost.PluginStatus
void bindMigrate(pybind11::module_& m);    // migration of stale instances

// Runs a bound function's body at boundary b: what it throws reaches pybind11 as
// error_already_set (pybind11's own exceptions pass through as they are).
template <class F>
decltype(auto) translated(Boundary b, F&& body, std::string_view prefix = {})
{
    try {
        return std::forward<F>(body)();
    } catch (const pybind11::error_already_set&) {
        throw;
    } catch (const pybind11::builtin_exception&) {
        throw;
    } catch (...) {
        setPythonErrorFromCurrent(b, prefix);
        throw pybind11::error_already_set();
    }
}

} // namespace typehost::detail
