#include "typesys/validate.h"

#include "schema_internal.h"
#include "typesys/object.h"

#include <fmt/format.h>

namespace typesys {

namespace {

[[noreturn]] void mismatch(const Path& path, std::string reason)
{
    std::string where = formatPath(path);
    std::string msg = where.empty() ? reason : where + ": " + reason;
    throw Error(ErrorKind::Validation, std::move(msg), path, std::move(reason));
}

std::string describeValue(const Value& v)
{
    if (v.kind() == ValueKind::Str)
        return fmt::format("str {}", formatLiteral(v));
    if (v.kind() == ValueKind::Int)
        return fmt::format("int {}", v.asInt());
    return describeKind(v);
}

bool matches(const Value& v, const Schema& s, const TypeResolver& r)
{
    Path scratch;
    try {
        validate(v, s, r, scratch);
        return true;
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Validation)
            throw;
        return false;
    }
}

void expect(const Value& v, ValueKind k, const Schema& s, const Path& path)
{
    if (v.kind() != k)
        mismatch(path, fmt::format("expected {}, got {}", s.text(), describeKind(v)));
}

// Checks the set fields of an object reached through a field, list or dict, so that a bad
// value deep inside is reported with its whole path ("points[2].x: ..."). An object already
// being checked further up (a cycle) is not entered again.
void validateFields(const ObjectNode& o, const TypeResolver& r, Path& path)
{
    thread_local std::vector<const ObjectNode*> active;
    for (const ObjectNode* a : active)
        if (a == &o)
            return;
    if (active.size() >= 512)
        mismatch(path, "nesting deeper than 512 levels");
    const TypeInfo& t = o.type();
    if (t.isStale())
        mismatch(path, t.staleInstanceText());
    active.push_back(&o);
    struct Pop {
        ~Pop() { active.pop_back(); }
    } pop;
    Value field;
    for (uint32_t i = 0; i < t.fields.size(); ++i) {
        if (!o.get(i, &field))
            continue;
        path.push_back({PathStep::Field, t.fields[i].name, 0});
        validate(field, t.fields[i].schema, r, path);
        path.pop_back();
    }
}

} // namespace

std::string describeKind(const Value& v)
{
    if (v.kind() == ValueKind::Object)
        return v.asObject()->type().key;
    return kindName(v.kind());
}

void validate(const Value& v, const Schema& s, const TypeResolver& r, Path& path)
{
    switch (s.kind()) {
    case SchemaKind::Any:
        return;
    case SchemaKind::None: expect(v, ValueKind::None, s, path); return;
    case SchemaKind::Bool: expect(v, ValueKind::Bool, s, path); return;
    case SchemaKind::Int: expect(v, ValueKind::Int, s, path); return;
    case SchemaKind::Float:
        if (v.kind() != ValueKind::Int)
            expect(v, ValueKind::Float, s, path);
        return;
    case SchemaKind::Str: expect(v, ValueKind::Str, s, path); return;
    case SchemaKind::Bytes: expect(v, ValueKind::Bytes, s, path); return;
    case SchemaKind::AnyObject:
        expect(v, ValueKind::Object, s, path);
        validateFields(*v.asObject(), r, path);
        return;
    case SchemaKind::List:
    case SchemaKind::TupleVar: {
        expect(v, ValueKind::List, s, path);
        auto items = v.asList()->snapshot();
        for (size_t i = 0; i < items.size(); ++i) {
            path.push_back({PathStep::Index, {}, i});
            validate(items[i], s.arg(), r, path);
            path.pop_back();
        }
        return;
    }
    case SchemaKind::Tuple: {
        expect(v, ValueKind::List, s, path);
        auto items = v.asList()->snapshot();
        if (items.size() != s.args().size())
            mismatch(path, fmt::format("expected {}, got a sequence of length {}", s.text(), items.size()));
        for (size_t i = 0; i < items.size(); ++i) {
            path.push_back({PathStep::Index, {}, i});
            validate(items[i], s.arg(i), r, path);
            path.pop_back();
        }
        return;
    }
    case SchemaKind::DictStr:
    case SchemaKind::DictInt: {
        expect(v, ValueKind::Dict, s, path);
        bool intKeys = s.kind() == SchemaKind::DictInt;
        if ((v.asDict()->keyKind() == DictNode::IntKeys) != intKeys)
            mismatch(path, fmt::format("expected {}, got a dict with {} keys", s.text(),
                                       intKeys ? "str" : "int"));
        for (auto& [k, item] : v.asDict()->snapshot()) {
            path.push_back(intKeys ? PathStep{PathStep::IntKey, std::to_string(k.asInt()), 0}
                                   : PathStep{PathStep::Key, std::string(k.asStr()), 0});
            validate(item, s.arg(), r, path);
            path.pop_back();
        }
        return;
    }
    case SchemaKind::Optional:
        if (!v.isNone())
            validate(v, s.arg(), r, path);
        return;
    case SchemaKind::Union:
        for (const Schema& m : s.args())
            if (matches(v, m, r))
                return;
        mismatch(path, fmt::format("expected {}, got {}", s.text(), describeKind(v)));
    case SchemaKind::Literal:
        for (const Value& l : s.literals()) {
            if (l.kind() == v.kind() &&
                (l.kind() == ValueKind::Int ? l.asInt() == v.asInt() : l.asStr() == v.asStr()))
                return;
        }
        mismatch(path, fmt::format("expected {}, got {}", s.text(), describeValue(v)));
    case SchemaKind::Opaque:
        if (s.hasShape()) {
            validate(v, s.arg(), r, path);
            return;
        }
        // The plain form of a foreign class: a list, or a dict with str keys, of Any values.
        if (v.kind() == ValueKind::Dict && v.asDict()->keyKind() == DictNode::IntKeys)
            mismatch(path, fmt::format("expected {}, got a dict with int keys", s.text()));
        if (v.kind() != ValueKind::List && v.kind() != ValueKind::Dict)
            mismatch(path, fmt::format("expected {}, got {}", s.text(), describeKind(v)));
        return;
    case SchemaKind::Named: {
        TypeRef t = r.resolve(s.key());
        if (!t)
            mismatch(path, fmt::format("type '{}' is not registered", s.key()));
        if (t->kind == TypeKind::Enum) {
            if ((v.kind() != ValueKind::Int && v.kind() != ValueKind::Str) || !t->findMember(v))
                mismatch(path, fmt::format("expected a member of {}, got {}{}", s.key(), describeValue(v), t->enumHint(v)));
            return;
        }
        if (v.kind() != ValueKind::Object || !v.asObject()->type().isSubtypeOf(s.key()))
            mismatch(path, fmt::format("expected {}, got {}", s.key(), describeKind(v)));
        validateFields(*v.asObject(), r, path);
        return;
    }
    }
}

void validateObject(const ObjectNode& o, const TypeResolver& r, Path& path)
{
    const TypeInfo& t = o.type();
    for (uint32_t i = 0; i < t.fields.size(); ++i) {
        const FieldInfo& f = t.fields[i];
        path.push_back({PathStep::Field, f.name, 0});
        Value v;
        if (o.get(i, &v))
            validate(v, f.schema, r, path);
        else if (!f.hasDefault())
            mismatch(path, "field is not set");
        path.pop_back();
    }
}

void setField(ObjectNode& o, uint32_t field, Value value, const TypeResolver& r)
{
    const TypeInfo& t = o.type();
    if (field >= t.fields.size())
        throw Error(ErrorKind::Lookup, fmt::format("{}: no field number {}", t.key, field));
    Path path{{PathStep::Field, t.fields[field].name, 0}};
    try {
        validate(value, t.fields[field].schema, r, path);
    } catch (const Error& e) {
        throw Error(ErrorKind::Validation, fmt::format("{}.{}", t.key, e.what()), e.path(), e.reason());
    }
    o.set(field, std::move(value));
}

} // namespace typesys
