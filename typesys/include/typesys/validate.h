#pragma once
// Checks a Value against a Schema. Named references resolve through the registry; an object
// is accepted where its type or any parent is expected.

#include "typesys/error.h"
#include "typesys/registry.h"
#include "typesys/schema.h"

namespace typesys {

// Throws Error(Validation) with the path and a reason such as "expected float, got str".
// `path` is the position of `value` (steps are pushed and popped while descending).
void validate(const Value& value, const Schema& schema, const TypeResolver& registry, Path& path);
inline void validate(const Value& value, const Schema& schema, const TypeResolver& registry)
{
    Path path;
    validate(value, schema, registry, path);
}

// Checks every set field of `object` (and that fields without defaults are set).
void validateObject(const ObjectNode& object, const TypeResolver& registry, Path& path);

// Validates `value` for field `field` of `object` and stores it; on error nothing changes.
// The message starts with the type key and the field: "geo.Line.points[2].x: expected ...".
void setField(ObjectNode& object, uint32_t field, Value value, const TypeResolver& registry);

// A short description of a value's kind, as used in messages ("str", "geo.Point", ...).
std::string describeKind(const Value& value);

} // namespace typesys
