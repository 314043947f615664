#pragma once
// The one error hierarchy of typesys. Every error has a kind and a message that names the
// type key, the field and, for values, the path to the offending element. The host
// translates these in one function, at the Python boundary (host/src/error_boundary.h).

#include <stdexcept>
#include <string>
#include <vector>

namespace typesys {

enum class ErrorKind {
    Parse,         // schema text or JSON text that does not parse
    Validation,    // a value that does not match its schema
    Registration,  // a type definition that cannot be registered
    Lookup,        // an unknown key, index or field
    Overflow,      // an integer outside int64
    Changed,       // a container that changed size while it was being read
    Internal,      // a broken invariant: a bug in typesys
};

const char* errorKindName(ErrorKind k) noexcept;

// One step of a path into a value: a field, a str dict key, an int dict key (its decimal
// text in `name`), or a list/tuple index.
struct PathStep {
    enum Kind : unsigned char { Field, Key, Index, IntKey } kind;
    std::string name;   // Field, Key, IntKey
    size_t index = 0;   // Index
};
using Path = std::vector<PathStep>;

// "points[2].x" (fields dotted, indices in brackets, str dict keys as ['k'], int keys as [7]:
// what Python code would write to reach the element).
std::string formatPath(const Path& path);
// RFC 6901 JSON pointer: "/points/2/x" ("" for the root; "~" and "/" escaped).
std::string formatPointer(const Path& path);

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, std::string message, Path path = {}, std::string reason = {});

    ErrorKind kind() const noexcept { return m_kind; }
    // Where in the value the error is (empty for errors that are not about a value).
    const Path& path() const noexcept { return m_path; }
    std::string pointer() const { return formatPointer(m_path); }
    // The message without the path prefix, e.g. "expected float, got str".
    const std::string& reason() const noexcept { return m_reason; }
    // Where in a JSON text a Parse error is (1-based; 0 when unknown or not about a text).
    size_t line() const noexcept { return m_line; }
    size_t column() const noexcept { return m_column; }
    Error& at(size_t line, size_t column) noexcept
    {
        m_line = line;
        m_column = column;
        return *this;
    }

private:
    ErrorKind m_kind;
    Path m_path;
    std::string m_reason;
    size_t m_line = 0;
    size_t m_column = 0;
};

// Throws Error(Internal) when an invariant does not hold. For bugs, never for bad input.
#define TYPESYS_CHECK(cond, msg)                                                               \
    do {                                                                                       \
        if (!(cond))                                                                           \
            throw ::typesys::Error(::typesys::ErrorKind::Internal,                              \
                                   std::string("internal error: ") + (msg));                   \
    } while (0)

} // namespace typesys
