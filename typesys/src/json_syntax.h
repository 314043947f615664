#pragma once
// Where a JSON text stops being JSON, for messages: the reader parses with simdjson, whose
// errors have no position; on that (slow) path this pass finds the line and column.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace typesys::detail {

struct SyntaxError {
    size_t line = 0;     // 1-based
    size_t column = 0;   // 1-based, in bytes
    std::string reason;  // e.g. "syntax error while parsing object key - unexpected ','; expected string literal"
};

// The first syntax error of `text`, or nullopt when it is well-formed JSON.
std::optional<SyntaxError> findSyntaxError(std::string_view text);

// "invalid JSON at line L, column C: <reason>" (the position and reason from findSyntaxError,
// else `fallback`, the parser's own message, without a position).
std::string invalidJsonMessage(std::string_view text, const char* fallback, size_t* line, size_t* column);

} // namespace typesys::detail
