#pragma once
// The one description of a type: what `typehost.type_info(...).describe()`, the CLI's
// `show --json` and `dump`, and the UI's "Export registry" write, key for key (the shape is
// docs/json-format.md, "Type descriptions"). Defaults appear as JSON values (this library's
// JSON format) and as Python text; every flag is a boolean.

#include "typesys/type_info.h"

#include <string>
#include <vector>

namespace typesys {

// One type as a JSON object; indent < 0 writes it on one line.
std::string describeJson(const TypeInfo& type, int indent = -1);

// {"types": [<description>...]} in the order given.
std::string describeTypesJson(const std::vector<TypeRef>& types, int indent = 2);

// The text Python's repr() gives for `value` read as `schema` (tuples in parentheses, str
// quoted as Python quotes it, objects as Name(field=value, ...)), for values that have no
// Python object to ask, such as the defaults of native types. Deeper than 16 levels, or a
// cycle, is written "...".
std::string pythonRepr(const Value& value, const Schema& schema);

} // namespace typesys
