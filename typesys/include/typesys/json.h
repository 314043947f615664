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
#include <vector>

namespace typesys {

struct JsonWriteOptions {
    int indent = -1;         // < 0: compact; >= 0: pretty with that many spaces
    size_t maxDepth = 512;
    // The registry the document is for. A stale instance (type_info.h) is written only when
    // the current version of its key would read it back: every field it sets is a field of
    // the current version whose schema its value fits, and every current field it does not
    // set has a default. Otherwise, and always without a registry, writing it is an error.
    const TypeResolver* current = nullptr;
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

// Every error of a document, for showing them all (an editor, a file dialog). A separate,
// slower pass: it parses again and walks the whole document without building values, so run it
// after fromJson has failed; fromJson itself stays the fast path.
struct JsonErrorReport {
    std::vector<Error> errors;   // the first maxErrors, in document order
    size_t total = 0;            // all errors found; total - errors.size() were left out
    bool ok() const noexcept { return total == 0; }
};

// Checks `text` as fromJson would read it and lists every error instead of stopping at the
// first: each is an Error of kind Validation with the JSON pointer and reason fromJson gives
// (the first one is the error fromJson throws), or a single Error of kind Parse for text that
// is not JSON. After an error the walk goes on with the next field, element or key; it does
// not look inside an object whose type is unknown, inside a value of the wrong JSON kind, at
// the value of a field given twice, or deeper than maxDepth. A Union that no member reads is
// one error, as in fromJson. docs/json-format.md has the details.
// Calls no default factory (a field with a default may be left out), so it runs on any thread.
// Not reported: errors that only a default factory would raise.
JsonErrorReport collectJsonErrors(std::string_view text, const Schema& expected, const TypeResolver& registry,
                                  const JsonReadOptions& options = {}, size_t maxErrors = 100);

// RFC 4648 base64 (with padding); decode throws Error(Validation) on bad input.
std::string base64Encode(std::string_view bytes);
std::string base64Decode(std::string_view text);

} // namespace typesys
