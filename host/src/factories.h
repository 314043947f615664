#pragma once
// Python default factories that C++ code calls: the JSON reader and the migrator fill a
// missing field, a native "new instance" fills every default.

#include <Python.h>

#include <typesys/schema.h>
#include <typesys/value.h>

#include <functional>
#include <string>

namespace typehost::detail {

// A callable for FieldInfo::defaultFactory: takes the GIL, calls factory and converts its
// result to schema. A factory that raises, or returns a value that does not fit, is a
// Validation error naming `where` ("geo.Path.points: default_factory raised ValueError: ...");
// a KeyboardInterrupt or SystemExit is stashed (error_boundary.h) and reported as Internal,
// so that the boundary raises it again as itself. Holds a reference to factory.
std::function<typesys::Value()> wrapFactory(PyObject* factory, const typesys::Schema& schema, const std::string& where);

} // namespace typehost::detail
