#pragma once
// JSON text in and out, in the format of docs/json-format.md:
//   object   {"$type": "geo.Line", "<field>": ...}     (fields in declaration order)
//   bytes    {"$bytes": "<base64>"}
//   float    a number with a '.' or exponent; non-finite as {"$float": "nan"|"inf"|"-inf"}
//   dict     keys starting with '$' get one more '$'; int keys are written as decimal strings
// Writing goes straight from storage to text; reading is a streaming parse (simdjson) that
// validates against the expected schema while it builds values.

#include "typesys/error.h"
#include "typesys/registry.h"
#include "typesys/schema.h"

#include <string>
#include <string_view>

namespace typesys {

struct JsonWriteOptions {
    int indent = -1;         // < 0: compact; >= 0: pretty with that many spaces
    size_t maxDepth = 512;
};

struct JsonReadOptions {
    size_t maxDepth = 512;
};

// Throws Error(Validation) naming the path on a cycle or on nesting deeper than maxDepth.
std::string toJson(const Value& value, const JsonWriteOptions& options = {});
void appendJson(std::string& out, const Value& value, const JsonWriteOptions& options = {});

// Parses `text` as a value of `expected`. Throws Error(Parse) for text that is not JSON and
// Error(Validation) with a JSON pointer and reason ("/points/2/x: expected float, got string").
Value fromJson(std::string_view text, const Schema& expected, const TypeResolver& registry,
               const JsonReadOptions& options = {});

// RFC 4648 base64 (with padding); decode throws Error(Validation) on bad input.
std::string base64Encode(std::string_view bytes);
std::string base64Decode(std::string_view text);

} // namespace typesys
