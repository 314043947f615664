// Reads JSON with simdjson's DOM parser (a tape, no per-value allocation) and walks it once,
// validating against the expected schema while building values.

#include "typesys/json.h"

#include "json_syntax.h"

#include "json_common.h"

#include "schema_internal.h"
#include "typesys/object.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>

namespace typesys {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using detail::jsonKind;
using detail::Step;

// What reading an object type needs, computed once per type and call.
struct ObjectPlan {
    TypeRef type;                          // keeps the info alive while the plan is cached
    std::vector<SchemaKind> kinds;         // per field
};

class Reader {
public:
    Reader(const TypeResolver& r, const JsonReadOptions& o) : m_types(r), m_opts(o) {}

    Value read(const element& e, const Schema& s)
    {
        switch (s.kind()) {
        case SchemaKind::Any: return readAny(e);
        case SchemaKind::None:
            if (!e.is_null())
                mismatch(s, e);
            return Value();
        case SchemaKind::Bool:
            if (e.type() != element_type::BOOL)
                mismatch(s, e);
            return Value::fromBool(bool(e.get_bool().value_unsafe()));
        case SchemaKind::Int: return readInt(e, s);
        case SchemaKind::Float: return readFloat(e, s);
        case SchemaKind::Str:
            if (e.type() != element_type::STRING)
                mismatch(s, e);
            return Value::fromStr(e.get_string().value_unsafe());
        case SchemaKind::Bytes: {
            Value v;
            if (!readTagged(e, "$bytes", &v))
                mismatch(s, e);
            return v;
        }
        case SchemaKind::List:
        case SchemaKind::TupleVar:
        case SchemaKind::Tuple: return readArray(e, s);
        case SchemaKind::DictStr:
        case SchemaKind::DictInt: return readDict(e, s);
        case SchemaKind::Optional:
            if (e.is_null())
                return Value();
            return read(e, s.arg());
        case SchemaKind::Union: return readUnion(e, s);
        case SchemaKind::Literal: return readLiteral(e, s);
        case SchemaKind::Named: {
            TypeRef t = resolve(s.key());
            if (!t)
                fail(fmt::format("type '{}' is not registered", s.key()));
            if (t->kind == TypeKind::Enum)
                return readEnum(e, *t);
            return readObject(e, t.get());
        }
        case SchemaKind::AnyObject: return readObject(e, nullptr);
        case SchemaKind::Opaque:
            if (s.hasShape())
                return read(e, s.arg());
            if (e.type() == element_type::ARRAY)
                return readArray(e, m_anyList);
            if (e.type() == element_type::OBJECT)
                return readDict(e, m_anyDict);   // "$type" and the other "$" keys are escaped
            mismatch(s, e);
        }
        fail("unsupported schema");
    }

    [[noreturn]] void fail(std::string reason)
    {
        reason = detail::escapeControls(std::move(reason));
        Path path;
        path.reserve(m_path.size());
        for (const Step& s : m_path)
            path.push_back({s.kind, std::string(s.name), s.index});
        std::string where = formatPointer(path);
        // The message first: the reason is moved into the error after it.
        std::string message = fmt::format("{}: {}", where.empty() ? "/" : where, reason);
        throw Error(ErrorKind::Validation, std::move(message), std::move(path), std::move(reason));
    }

private:
    [[noreturn]] void mismatch(const Schema& s, const element& e)
    {
        fail(fmt::format("expected {}, got {}", s.text(), jsonKind(e)));
    }

    TypeRef resolve(std::string_view key) { return m_types.resolve(key); }

    void enter()
    {
        if (++m_depth > m_opts.maxDepth)
            fail(fmt::format("nesting deeper than {} levels", m_opts.maxDepth));
    }

    Value readInt(const element& e, const Schema& s)
    {
        if (e.type() == element_type::INT64)
            return Value::fromInt(e.get_int64().value_unsafe());
        if (e.type() == element_type::UINT64)
            fail("integer outside the int64 range");
        mismatch(s, e);
    }

    Value readFloat(const element& e, const Schema& s)
    {
        switch (e.type()) {
        case element_type::DOUBLE: return Value::fromFloat(e.get_double().value_unsafe());
        case element_type::INT64: return Value::fromFloat(double(e.get_int64().value_unsafe()));
        case element_type::UINT64: return Value::fromFloat(double(e.get_uint64().value_unsafe()));
        default: {
            Value v;
            if (readTagged(e, "$float", &v))
                return v;
            mismatch(s, e);
        }
        }
    }

    // {"$bytes": "..."} / {"$float": "..."}: true and *out set when e is that wrapper.
    bool readTagged(const element& e, std::string_view tag, Value* out)
    {
        if (e.type() != element_type::OBJECT)
            return false;
        auto obj = e.get_object().value_unsafe();
        if (obj.size() != 1)
            return false;
        auto kv = *obj.begin();
        if (kv.key != tag)
            return false;
        m_path.push_back({PathStep::Key, tag, 0});
        if (kv.value.type() != element_type::STRING)
            fail(fmt::format("expected string, got {}", jsonKind(kv.value)));
        std::string_view text = kv.value.get_string().value_unsafe();
        if (tag == "$bytes") {
            try {
                *out = Value::fromBytes(base64Decode(text));
            } catch (const Error& err) {
                fail(err.what());
            }
        } else if (text == "nan") {
            *out = Value::fromFloat(std::nan(""));
        } else if (text == "inf") {
            *out = Value::fromFloat(HUGE_VAL);
        } else if (text == "-inf") {
            *out = Value::fromFloat(-HUGE_VAL);
        } else {
            fail(fmt::format("expected \"nan\", \"inf\" or \"-inf\", got \"{}\"", text));
        }
        m_path.pop_back();
        return true;
    }

    Value readAny(const element& e)
    {
        switch (e.type()) {
        case element_type::NULL_VALUE: return Value();
        case element_type::BOOL: return Value::fromBool(bool(e.get_bool().value_unsafe()));
        case element_type::INT64: return Value::fromInt(e.get_int64().value_unsafe());
        case element_type::UINT64: fail("integer outside the int64 range");
        case element_type::DOUBLE: return Value::fromFloat(e.get_double().value_unsafe());
        case element_type::STRING: return Value::fromStr(e.get_string().value_unsafe());
        case element_type::ARRAY: return readArray(e, m_anyList);
        case element_type::OBJECT: {
            Value v;
            if (readTagged(e, "$bytes", &v) || readTagged(e, "$float", &v))
                return v;
            auto obj = e.get_object().value_unsafe();
            for (auto kv : obj)
                if (kv.key == "$type")
                    return readObject(e, nullptr);
            return readDict(e, m_anyDict);
        }
        }
        fail("unsupported JSON value");
    }

    Value readArray(const element& e, const Schema& s)
    {
        if (e.type() != element_type::ARRAY)
            mismatch(s, e);
        enter();
        auto arr = e.get_array().value_unsafe();
        size_t n = arr.size();
        if (s.kind() == SchemaKind::Tuple && n != s.args().size())
            fail(fmt::format("expected {}, got an array of length {}", s.text(), n));
        std::vector<Value> items;
        items.reserve(n);
        m_path.push_back({PathStep::Index, {}, 0});
        bool tuple = s.kind() == SchemaKind::Tuple;
        const Schema* each = tuple ? nullptr : &s.arg();
        size_t i = 0;
        for (element item : arr) {
            m_path.back().index = i;
            items.push_back(read(item, tuple ? s.arg(i) : *each));
            ++i;
        }
        m_path.pop_back();
        --m_depth;
        return Value::fromList(ListNode::make(std::move(items)));
    }

    Value readDict(const element& e, const Schema& s)
    {
        if (e.type() != element_type::OBJECT)
            mismatch(s, e);
        enter();
        bool intKeys = s.kind() == SchemaKind::DictInt;
        auto obj = e.get_object().value_unsafe();
        auto dict = DictNode::make(intKeys ? DictNode::IntKeys : DictNode::StrKeys);
        dict->reserve(obj.size());
        m_path.push_back({PathStep::Key, {}, 0});
        for (auto kv : obj) {
            std::string_view key = kv.key;
            m_path.back().name = key;
            Value k;
            if (intKeys) {
                int64_t n = 0;
                auto r = std::from_chars(key.data(), key.data() + key.size(), n);
                if (r.ec != std::errc() || r.ptr != key.data() + key.size() || key.empty() ||
                    (key.size() > 1 && key[0] == '0') || key == "-0" ||
                    (key.size() > 2 && key[0] == '-' && key[1] == '0'))
                    fail(fmt::format("dict key \"{}\" is not a decimal int", key));
                k = Value::fromInt(n);
            } else {
                if (!key.empty() && key[0] == '$') {
                    if (key.size() < 2 || key[1] != '$')
                        fail(fmt::format("unexpected key \"{}\" (a dict key starting with '$' is "
                                         "written with one more '$')", key));
                    key.remove_prefix(1);
                }
                k = Value::fromStr(key);
            }
            Value item = read(kv.value, s.arg());
            if (dict->contains(k))
                fail("duplicate key");
            dict->set(std::move(k), std::move(item));
        }
        m_path.pop_back();
        --m_depth;
        return Value::fromDict(std::move(dict));
    }

    Value readUnion(const element& e, const Schema& s)
    {
        size_t depth = m_depth;
        size_t steps = m_path.size();   // a failed member leaves its steps behind
        for (const Schema& m : s.args()) {
            try {
                return read(e, m);
            } catch (const Error& err) {
                if (err.kind() != ErrorKind::Validation)
                    throw;
                m_depth = depth;
                m_path.resize(steps);
            }
        }
        fail(fmt::format("expected {}, got {}", s.text(), jsonKind(e)));
    }

    Value readLiteral(const element& e, const Schema& s)
    {
        Value v;
        if (e.type() == element_type::STRING)
            v = Value::fromStr(e.get_string().value_unsafe());
        else if (e.type() == element_type::INT64)
            v = Value::fromInt(e.get_int64().value_unsafe());
        else
            mismatch(s, e);
        for (const Value& l : s.literals())
            if (l.kind() == v.kind() &&
                (l.kind() == ValueKind::Int ? l.asInt() == v.asInt() : l.asStr() == v.asStr()))
                return l;   // shares the schema's string
        fail(fmt::format("expected {}, got {}", s.text(),
                         v.kind() == ValueKind::Int ? std::to_string(v.asInt()) : formatLiteral(v)));
    }

    Value readEnum(const element& e, const TypeInfo& t)
    {
        Value v;
        if (e.type() == element_type::STRING)
            v = Value::fromStr(e.get_string().value_unsafe());
        else if (e.type() == element_type::INT64)
            v = Value::fromInt(e.get_int64().value_unsafe());
        else
            fail(fmt::format("expected a member of {}, got {}{}", t.key, jsonKind(e), t.enumHint(v)));
        if (const EnumMember* m = t.findMember(v))
            return m->value;
        fail(fmt::format("expected a member of {}, got {}{}", t.key,
                         v.kind() == ValueKind::Int ? std::to_string(v.asInt()) : formatLiteral(v), t.enumHint(v)));
    }

    // expected == nullptr: any registered object ($type required).
    Value readObject(const element& e, const TypeInfo* expected)
    {
        if (e.type() != element_type::OBJECT)
            fail(fmt::format("expected {}, got {}", expected ? expected->key : "Object", jsonKind(e)));
        enter();
        auto obj = e.get_object().value_unsafe();
        TypeRef type;
        for (auto kv : obj) {
            if (kv.key != "$type")
                continue;
            m_path.push_back({PathStep::Key, "$type", 0});
            if (kv.value.type() != element_type::STRING)
                fail(fmt::format("expected string, got {}", jsonKind(kv.value)));
            std::string_view key = kv.value.get_string().value_unsafe();
            type = resolve(key);
            if (!type || type->kind != TypeKind::Object)
                fail(fmt::format("unknown type '{}'", key));
            if (expected && !type->isSubtypeOf(expected->key))
                fail(fmt::format("type '{}' is not a subtype of '{}'", key, expected->key));
            m_path.pop_back();
            break;
        }
        if (!type) {
            if (!expected)
                fail("expected an object with a \"$type\" key");
            type = TypeRef::share(const_cast<TypeInfo*>(expected));
        }
        const TypeInfo& t = *type;
        const ObjectPlan& plan = planFor(t);
        Ref<ObjectNode> o = ObjectNode::create(type);
        // Which fields the document set: the object is ours alone until we return it, so a
        // local bit set answers "appears twice" and "missing" without the atomic mask.
        uint64_t seenSmall = 0;
        std::vector<uint64_t> seenLarge(t.fields.size() > 64 ? (t.fields.size() + 63) / 64 : 0);
        uint64_t* seen = seenLarge.empty() ? &seenSmall : seenLarge.data();
        m_path.push_back({PathStep::Field, {}, 0});
        uint32_t guess = 0;
        bool typeKey = false;
        for (auto kv : obj) {
            std::string_view name = kv.key;
            if (name == "$type") {
                // The first one was read above; a second could only disagree with it.
                if (typeKey) {
                    m_path.back() = {PathStep::Key, name, 0};
                    fail("key \"$type\" appears twice");
                }
                typeKey = true;
                continue;
            }
            int idx = -1;
            if (guess < t.fields.size() && t.fields[guess].name == name)
                idx = int(guess);
            else
                idx = t.fieldIndex(name);
            m_path.back().name = name;
            if (idx < 0)
                fail(fmt::format("unknown field '{}' of {}", name, t.key));
            uint32_t i = uint32_t(idx);
            if (seen[i / 64] & (uint64_t(1) << (i % 64)))
                fail(fmt::format("field '{}' appears twice", name));
            seen[i / 64] |= uint64_t(1) << (i % 64);
            guess = i + 1;
            const element& v = kv.value;
            // Scalars of the expected JSON type go straight to their inline slot. The object is
            // not visible to any other thread yet: the init* stores need no lock or atomic.
            switch (plan.kinds[i]) {
            case SchemaKind::Int:
                if (v.type() == element_type::INT64) {
                    o->initRawInt(i, v.get_int64().value_unsafe());
                    continue;
                }
                break;
            case SchemaKind::Float:
                if (v.type() == element_type::DOUBLE) {
                    o->initRawFloat(i, v.get_double().value_unsafe());
                    continue;
                }
                break;
            case SchemaKind::Bool:
                if (v.type() == element_type::BOOL) {
                    o->initRawBool(i, v.get_bool().value_unsafe());
                    continue;
                }
                break;
            default: break;
            }
            o->initField(i, read(v, t.fields[i].schema));
        }
        m_path.pop_back();
        for (uint32_t i = 0; i < t.fields.size(); ++i) {
            if (seen[i / 64] & (uint64_t(1) << (i % 64)))
                continue;
            const FieldInfo& f = t.fields[i];
            if (std::optional<Value> v = f.makeDefault())
                o->initField(i, std::move(*v));
            else
                fail(fmt::format("missing field '{}' of {}", f.name, t.key));
        }
        --m_depth;
        return Value::fromObject(std::move(o));
    }

    const ObjectPlan& planFor(const TypeInfo& t)
    {
        if (m_lastType == &t)
            return *m_lastPlan;
        auto it = m_plans.find(&t);
        if (it == m_plans.end()) {
            ObjectPlan p{TypeRef::share(const_cast<TypeInfo*>(&t)), {}};
            p.kinds.reserve(t.fields.size());
            for (const FieldInfo& f : t.fields)
                p.kinds.push_back(f.schema.kind());
            it = m_plans.emplace(&t, std::move(p)).first;
        }
        m_lastType = &t;
        m_lastPlan = &it->second;
        return it->second;
    }

    detail::CachingResolver m_types;
    const JsonReadOptions& m_opts;
    std::vector<Step> m_path;
    std::unordered_map<const TypeInfo*, ObjectPlan> m_plans;
    const TypeInfo* m_lastType = nullptr;
    const ObjectPlan* m_lastPlan = nullptr;
    size_t m_depth = 0;
    Schema m_anyDict = Schema::dictStr(Schema::any());
    Schema m_anyList = Schema::list(Schema::any());
};

} // namespace

Value fromJson(std::string_view text, const Schema& expected, const TypeResolver& registry,
               const JsonReadOptions& options)
{
    // One parser per thread keeps its buffers between calls. A call made while reading (a
    // default factory or a resolver that reads JSON itself) gets its own parser: reusing the
    // thread's would overwrite the document the outer call is still walking.
    thread_local simdjson::dom::parser threadParser;
    thread_local bool threadParserBusy = false;
    std::optional<simdjson::dom::parser> ownParser;
    bool nested = threadParserBusy;
    simdjson::dom::parser& parser = nested ? ownParser.emplace() : threadParser;
    threadParserBusy = true;
    struct Release {
        bool owner;
        ~Release() { if (owner) threadParserBusy = false; }
    } release{!nested};
    // simdjson's own limit sits above ours, so that a $bytes or $float wrapper inside the
    // deepest container (an object to simdjson) still parses; our walk checks maxDepth itself.
    size_t parserDepth = options.maxDepth + 2;
    if (parser.max_depth() != parserDepth) {
        if (auto err = parser.allocate(std::max<size_t>(parser.capacity(), 4096), parserDepth))
            throw Error(ErrorKind::Internal, fmt::format("internal error: JSON parser: {}",
                                                         simdjson::error_message(err)));
    }
    element root;
    auto err = parser.parse(text.data(), text.size(), true).get(root);
    if (err == simdjson::DEPTH_ERROR)
        throw Error(ErrorKind::Validation,
                    fmt::format("/: nesting deeper than {} levels", options.maxDepth), {},
                    fmt::format("nesting deeper than {} levels", options.maxDepth));
    if (err) {
        size_t line, column;
        std::string message = detail::invalidJsonMessage(text, simdjson::error_message(err), &line, &column);
        throw Error(ErrorKind::Parse, std::move(message)).at(line, column);
    }
    Reader reader(registry, options);
    return reader.read(root, expected);
}

} // namespace typesys
