#pragma once
// What the JSON reader (json_reader.cpp) and the error collector (json_errors.cpp) share, so
// that the two passes name JSON kinds and show quoted input the same way.

#include "typesys/error.h"
#include "typesys/registry.h"

#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

namespace typesys::detail {

// The JSON kind of e as messages name it: "array", "object", "integer", "number", ...
inline const char* jsonKind(const simdjson::dom::element& e)
{
    using simdjson::dom::element_type;
    switch (e.type()) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64:
    case element_type::UINT64: return "integer";
    case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
    }
    return "?";
}

// Reasons quote input text (keys, type names): control characters are shown escaped, since
// the message is a C string and a NUL would cut it short.
inline std::string escapeControls(std::string reason)
{
    auto isControl = [](char c) { return static_cast<unsigned char>(c) < 0x20; };
    if (std::none_of(reason.begin(), reason.end(), isControl))
        return reason;
    std::string shown;
    for (char c : reason) {
        if (isControl(c))
            shown += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else
            shown += c;
    }
    return shown;
}

// A path step that points into the document or the schema instead of copying: a pass pushes
// one per level, and a Path is built only for an error.
struct Step {
    PathStep::Kind kind;
    std::string_view name;
    size_t index;
};

// A resolver that asks the real one once per key within a pass.
class CachingResolver {
public:
    explicit CachingResolver(const TypeResolver& r) : m_resolver(r) {}
    TypeRef resolve(std::string_view key)
    {
        if (auto it = m_types.find(key); it != m_types.end())
            return it->second;
        TypeRef t = m_resolver.resolve(key);
        if (t)
            m_types.emplace(t->key, t);
        return t;
    }

private:
    const TypeResolver& m_resolver;
    std::unordered_map<std::string_view, TypeRef> m_types;   // keys point into the TypeInfos held
};

} // namespace typesys::detail
