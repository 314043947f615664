#include "typesys/describe.h"

#include "typesys/error.h"
#include "typesys/json.h"
#include "typesys/object.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace typesys {

namespace {

using Json = nlohmann::ordered_json;

// Python's repr of a str: single quotes unless the text holds a ' and no ", backslash escapes
// for the quote, the backslash and control characters; other characters as they are.
void appendStrRepr(std::string& out, std::string_view s, bool bytes)
{
    bool single = s.find('\'') == std::string_view::npos || s.find('"') != std::string_view::npos;
    char quote = single ? '\'' : '"';
    if (bytes)
        out += 'b';
    out += quote;
    for (unsigned char c : s) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c == static_cast<unsigned char>(quote))
                out += '\\', out += char(c);
            else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80))
                out += fmt::format("\\x{:02x}", c);
            else
                out += char(c);
        }
    }
    out += quote;
}

void appendFloatRepr(std::string& out, double d)
{
    if (std::isnan(d)) {
        out += "nan";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-inf" : "inf";
        return;
    }
    // fmt's shortest round-trip text is Python's, except that Python keeps ".0" on integral
    // values written without an exponent.
    std::string t = fmt::format("{}", d);
    if (t.find_first_of(".en") == std::string::npos)
        t += ".0";
    out += t;
}

const Schema& childSchema(const Schema& s, size_t i)
{
    static const Schema any = Schema::any();
    if (s.kind() == SchemaKind::Tuple)
        return i < s.args().size() ? s.arg(i) : any;
    return s.args().empty() ? any : s.arg(s.args().size() - 1);
}

void appendRepr(std::string& out, const Value& v, const Schema& schema, int depth)
{
    if (depth > 16) {
        out += "...";
        return;
    }
    const Schema& s = schema.kind() == SchemaKind::Optional && !schema.args().empty() ? schema.arg() : schema;
    switch (v.kind()) {
    case ValueKind::None: out += "None"; return;
    case ValueKind::Bool: out += v.asBool() ? "True" : "False"; return;
    case ValueKind::Int: out += std::to_string(v.asInt()); return;
    case ValueKind::Float: appendFloatRepr(out, v.asFloat()); return;
    case ValueKind::Str: appendStrRepr(out, v.asStr(), false); return;
    case ValueKind::Bytes: appendStrRepr(out, v.asStr(), true); return;
    case ValueKind::List: {
        bool tuple = s.kind() == SchemaKind::Tuple || s.kind() == SchemaKind::TupleVar;
        std::vector<Value> items = v.asList()->snapshot();
        out += tuple ? '(' : '[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                out += ", ";
            appendRepr(out, items[i], childSchema(s, i), depth + 1);
        }
        if (tuple && items.size() == 1)
            out += ',';
        out += tuple ? ')' : ']';
        return;
    }
    case ValueKind::Dict: {
        out += '{';
        bool first = true;
        for (const auto& [key, value] : v.asDict()->snapshot()) {
            if (!first)
                out += ", ";
            first = false;
            appendRepr(out, key, Schema::any(), depth + 1);
            out += ": ";
            appendRepr(out, value, childSchema(s, 0), depth + 1);
        }
        out += '}';
        return;
    }
    case ValueKind::Object: {
        const ObjectNode* o = v.asObject();
        const TypeInfo& t = o->type();
        size_t dot = t.key.rfind('.');
        out += dot == std::string::npos ? t.key : t.key.substr(dot + 1);
        out += '(';
        bool first = true;
        for (uint32_t i = 0; i < t.fields.size(); ++i) {
            if (!t.fields[i].repr)
                continue;
            if (!first)
                out += ", ";
            first = false;
            out += t.fields[i].name;
            out += '=';
            Value field;
            if (o->get(i, &field))
                appendRepr(out, field, t.fields[i].schema, depth + 1);
            else
                out += "<unset>";
        }
        out += ')';
        return;
    }
    }
}

// The JSON text of `v` in this library's format, as a JSON value; null when it has none (a
// default holding a cycle).
Json jsonValue(const Value& v)
{
    try {
        return Json::parse(toJson(v));
    } catch (const Error&) {
        return nullptr;
    }
}

Json describeField(const TypeInfo& type, const FieldInfo& f)
{
    Json d;
    d["name"] = f.name;
    d["type"] = f.schema.text();
    d["annotation"] = f.pythonAnnotation.empty() ? f.schema.text() : f.pythonAnnotation;
    d["defined_in"] = f.definedIn.empty() ? type.key : f.definedIn;
    d["required"] = !f.hasDefault();
    d["has_default"] = f.defaultValue.has_value();
    d["default"] = f.defaultValue ? jsonValue(*f.defaultValue) : Json(nullptr);
    if (f.defaultValue)
        d["default_repr"] = f.defaultRepr.empty() ? pythonRepr(*f.defaultValue, f.schema) : f.defaultRepr;
    else
        d["default_repr"] = nullptr;
    d["default_factory"] = bool(f.defaultFactory);
    d["init"] = f.init;
    d["repr"] = f.repr;
    d["compare"] = f.compare;
    d["hash"] = type.isHashable() && f.hashes();
    d["kw_only"] = f.kwOnly;
    d["doc"] = f.doc;
    Json metadata = nullptr;
    if (!f.metadataJson.empty()) {
        metadata = Json::parse(f.metadataJson, nullptr, false);
        if (metadata.is_discarded())
            metadata = nullptr;
    }
    d["metadata"] = std::move(metadata);
    return d;
}

Json describe(const TypeInfo& t)
{
    Json d;
    d["key"] = t.key;
    d["kind"] = t.kind == TypeKind::Enum ? "enum" : "object";
    d["index"] = t.index;
    d["generation"] = t.generation;
    d["parent"] = t.parentKey.empty() ? Json(nullptr) : Json(t.parentKey);
    d["origin"] = originName(t.origin);
    d["plugin"] = t.owner.rfind("plugin:", 0) == 0 ? Json(t.owner.substr(7)) : Json(nullptr);
    d["owner"] = t.owner;
    d["doc"] = t.doc;
    d["file"] = t.source.file;
    d["line"] = t.source.line;
    d["frozen"] = t.frozen;
    d["hashable"] = t.isHashable();
    d["stale"] = t.isStale();
    Json fields = Json::array();
    for (const FieldInfo& f : t.fields)
        fields.push_back(describeField(t, f));
    d["fields"] = std::move(fields);
    Json members = Json::array();
    for (const EnumMember& m : t.members)
        members.push_back(Json::array({m.name, jsonValue(m.value)}));
    d["members"] = std::move(members);
    return d;
}

std::string dumpText(const Json& j, int indent)
{
    // Replace, not throw, on text that is not UTF-8 (a native plugin's doc string).
    return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

} // namespace

std::string pythonRepr(const Value& value, const Schema& schema)
{
    std::string out;
    appendRepr(out, value, schema, 0);
    return out;
}

std::string describeJson(const TypeInfo& type, int indent)
{
    return dumpText(describe(type), indent);
}

std::string describeTypesJson(const std::vector<TypeRef>& types, int indent)
{
    Json all = Json::array();
    for (const TypeRef& t : types)
        all.push_back(describe(*t));
    return dumpText(Json{{"types", std::move(all)}}, indent);
}

} // namespace typesys
