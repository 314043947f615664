#include "typesys/schema.h"

#include "schema_internal.h"
#include "typesys/error.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace typesys {

namespace {

std::shared_ptr<const Schema::Data> makeData(SchemaKind kind, std::vector<Schema> args = {},
                                             std::vector<Value> literals = {}, std::string key = {})
{
    auto d = std::make_shared<Schema::Data>();
    d->kind = kind;
    d->args = std::move(args);
    d->literals = std::move(literals);
    d->key = std::move(key);
    auto joined = [&](const char* open) {
        std::string s = open;
        for (size_t i = 0; i < d->args.size(); ++i) {
            if (i)
                s += ", ";
            s += d->args[i].text();
        }
        return s + "]";
    };
    switch (kind) {
    case SchemaKind::Any: d->text = "Any"; break;
    case SchemaKind::None: d->text = "None"; break;
    case SchemaKind::Bool: d->text = "bool"; break;
    case SchemaKind::Int: d->text = "int"; break;
    case SchemaKind::Float: d->text = "float"; break;
    case SchemaKind::Str: d->text = "str"; break;
    case SchemaKind::Bytes: d->text = "bytes"; break;
    case SchemaKind::AnyObject: d->text = "Object"; break;
    case SchemaKind::List: d->text = joined("list["); break;
    case SchemaKind::DictStr: d->text = "dict[str, " + d->args[0].text() + "]"; break;
    case SchemaKind::DictInt: d->text = "dict[int, " + d->args[0].text() + "]"; break;
    case SchemaKind::TupleVar: d->text = "tuple[" + d->args[0].text() + ", ...]"; break;
    case SchemaKind::Tuple: d->text = d->args.empty() ? "tuple[()]" : joined("tuple["); break;
    case SchemaKind::Optional: d->text = joined("Optional["); break;
    case SchemaKind::Union: d->text = joined("Union["); break;
    case SchemaKind::Literal: {
        std::string s = "Literal[";
        for (size_t i = 0; i < d->literals.size(); ++i) {
            if (i)
                s += ", ";
            s += formatLiteral(d->literals[i]);
        }
        d->text = s + "]";
        break;
    }
    case SchemaKind::Named: d->text = d->key; break;
    case SchemaKind::Opaque:
        d->text = "Opaque[" + formatLiteral(Value::fromStr(d->key)) +
                  (d->args.empty() ? std::string() : ", " + d->args[0].text()) + "]";
        break;
    }
    return d;
}

const std::shared_ptr<const Schema::Data>& scalar(SchemaKind k)
{
    // Never destroyed: a thread still reading a schema while the process exits (a daemon
    // thread of an embedding interpreter) must not see the table freed by a static destructor.
    static const auto& table = *new std::array<std::shared_ptr<const Schema::Data>, 8>{
        makeData(SchemaKind::Any),   makeData(SchemaKind::None),  makeData(SchemaKind::Bool),
        makeData(SchemaKind::Int),   makeData(SchemaKind::Float), makeData(SchemaKind::Str),
        makeData(SchemaKind::Bytes), makeData(SchemaKind::AnyObject),
    };
    switch (k) {
    case SchemaKind::AnyObject: return table[7];
    default: return table[size_t(k)];
    }
}

constexpr std::array<std::string_view, 17> kReservedWords = {
    "Any", "None", "bool", "int", "float", "str", "bytes", "Object",
    "list", "dict", "tuple", "Optional", "Union", "Literal", "True", "False", "Opaque"};

} // namespace

std::string formatLiteral(const Value& v)
{
    if (v.kind() == ValueKind::Int)
        return std::to_string(v.asInt());
    std::string s = "'";
    for (unsigned char c : v.asStr()) {
        switch (c) {
        case '\'': s += "\\'"; break;
        case '\\': s += "\\\\"; break;
        case '\n': s += "\\n"; break;
        case '\t': s += "\\t"; break;
        case '\r': s += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f)
                s += fmt::format("\\x{:02x}", c);
            else
                s += char(c);
        }
    }
    return s + "'";
}

Schema::Schema() : m_d(scalar(SchemaKind::Any)) {}
Schema Schema::any() { return Schema(); }
Schema Schema::none() { return Schema(scalar(SchemaKind::None)); }
Schema Schema::boolean() { return Schema(scalar(SchemaKind::Bool)); }
Schema Schema::integer() { return Schema(scalar(SchemaKind::Int)); }
Schema Schema::floating() { return Schema(scalar(SchemaKind::Float)); }
Schema Schema::str() { return Schema(scalar(SchemaKind::Str)); }
Schema Schema::bytes() { return Schema(scalar(SchemaKind::Bytes)); }
Schema Schema::anyObject() { return Schema(scalar(SchemaKind::AnyObject)); }
Schema Schema::list(Schema e) { return Schema(makeData(SchemaKind::List, {std::move(e)})); }
Schema Schema::dictStr(Schema v) { return Schema(makeData(SchemaKind::DictStr, {std::move(v)})); }
Schema Schema::dictInt(Schema v) { return Schema(makeData(SchemaKind::DictInt, {std::move(v)})); }
Schema Schema::tupleVar(Schema e) { return Schema(makeData(SchemaKind::TupleVar, {std::move(e)})); }
Schema Schema::tuple(std::vector<Schema> es) { return Schema(makeData(SchemaKind::Tuple, std::move(es))); }
Schema Schema::optional(Schema inner) { return Schema(makeData(SchemaKind::Optional, {std::move(inner)})); }

Schema Schema::unionOf(std::vector<Schema> members)
{
    if (members.size() < 2)
        throw Error(ErrorKind::Parse, "Union needs at least two members");
    return Schema(makeData(SchemaKind::Union, std::move(members)));
}

Schema Schema::literal(std::vector<Value> values)
{
    if (values.empty())
        throw Error(ErrorKind::Parse, "Literal needs at least one value");
    for (const Value& v : values)
        if (v.kind() != ValueKind::Int && v.kind() != ValueKind::Str)
            throw Error(ErrorKind::Parse,
                        fmt::format("Literal values must be str or int, not {}", kindName(v.kind())));
    return Schema(makeData(SchemaKind::Literal, {}, std::move(values)));
}

Schema Schema::named(std::string key)
{
    if (!isValidKey(key))
        throw Error(ErrorKind::Parse, fmt::format("invalid type key '{}'", key));
    return Schema(makeData(SchemaKind::Named, {}, {}, std::move(key)));
}

Schema Schema::opaque(std::string className)
{
    if (className.empty())
        throw Error(ErrorKind::Parse, "Opaque needs a class name");
    return Schema(makeData(SchemaKind::Opaque, {}, {}, std::move(className)));
}

Schema Schema::opaque(std::string className, Schema shape)
{
    if (className.empty())
        throw Error(ErrorKind::Parse, "Opaque needs a class name");
    return Schema(makeData(SchemaKind::Opaque, {std::move(shape)}, {}, std::move(className)));
}

SchemaKind Schema::kind() const noexcept { return m_d->kind; }
bool Schema::hasShape() const noexcept { return m_d->kind == SchemaKind::Opaque && !m_d->args.empty(); }
const std::vector<Schema>& Schema::args() const noexcept { return m_d->args; }
const std::vector<Value>& Schema::literals() const noexcept { return m_d->literals; }
const std::string& Schema::key() const noexcept { return m_d->key; }
const std::string& Schema::text() const noexcept { return m_d->text; }

bool Schema::isInlineScalar() const noexcept
{
    SchemaKind k = m_d->kind;
    return k == SchemaKind::Bool || k == SchemaKind::Int || k == SchemaKind::Float;
}

std::vector<std::string> Schema::references() const
{
    std::vector<std::string> out;
    auto walk = [&](const Schema& s, auto& self) -> void {
        if (s.kind() == SchemaKind::Named &&
            std::find(out.begin(), out.end(), s.key()) == out.end())
            out.push_back(s.key());
        for (const Schema& a : s.args())
            self(a, self);
    };
    walk(*this, walk);
    return out;
}

bool operator==(const Schema& a, const Schema& b) noexcept
{
    return a.m_d == b.m_d || a.m_d->text == b.m_d->text;
}

bool isValidKey(std::string_view key) noexcept
{
    if (key.empty() || key.size() > 255)
        return false;
    if (std::find(kReservedWords.begin(), kReservedWords.end(), key) != kReservedWords.end())
        return false;
    bool atStart = true;
    for (size_t i = 0; i < key.size(); ++i) {
        char c = key[i];
        // Classes defined inside functions have "<locals>" in their qualified name.
        if (atStart && key.substr(i, 8) == "<locals>" && (i + 8 == key.size() || key[i + 8] == '.')) {
            i += 7;
            atStart = false;
            continue;
        }
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (c == '.') {
            if (atStart)
                return false;
            atStart = true;
        } else if (alpha || (digit && !atStart)) {
            atStart = false;
        } else {
            return false;
        }
    }
    return !atStart;
}

} // namespace typesys
