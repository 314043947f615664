#pragma once
#include "typesys/schema.h"

namespace typesys {

struct Schema::Data {
    SchemaKind kind = SchemaKind::Any;
    std::vector<Schema> args;
    std::vector<Value> literals;
    std::string key;
    std::string text;   // canonical, computed once at construction
};

// Literal members print as Python literals: 'a' (quotes and backslashes escaped) or 1.
std::string formatLiteral(const Value& v);

} // namespace typesys
