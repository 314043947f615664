#pragma once
// One bind<Area>() per area of the _typehost module, called from module.cpp.

#include <pybind11/pybind11.h>

namespace typehost::detail {

void bindTypes(pybind11::module_& m);      // registration, type_info, classes
void bindJson(pybind11::module_& m);       // to_json / from_json / schema helpers
void bindPublished(pybind11::module_& m);  // publish / unpublish / published
void bindPlugins(pybind11::module_& m);    // journal, watchdog, native plugin libraries
void bindMigrate(pybind11::module_& m);    // migration of stale instances

// The module's exception types (borrowed; owned by the module).
PyObject* registrationErrorType();
PyObject* validationErrorType();
// Raises ValidationError(message) with .path set to the JSON pointer (and .line/.column for a
// JSON syntax error, 1-based; None otherwise); returns error_already_set.
pybind11::error_already_set validationError(const std::string& message, const std::string& pointer,
                                            size_t line = 0, size_t column = 0);

} // namespace typehost::detail
