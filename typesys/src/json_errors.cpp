// collectJsonErrors: the slow pass that lists every error of a document. It walks the same
// simdjson DOM in the same order as json_reader.cpp but builds nothing and, instead of
// throwing, records the error and carries on with the next field, element or key. Reasons
// must read exactly as the reader's (tests/typesys/tst_json_errors.cpp checks that the first
// error is the one fromJson throws).

#include "typesys/json.h"

#include "json_syntax.h"

#include "json_common.h"
#include "schema_internal.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>

namespace typesys {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using detail::escapeControls;
using detail::jsonKind;
using detail::Step;

// Thrown while a Union member is tried: the first error settles that the member does not fit.
struct MemberFailed {};

class Collector {
public:
    Collector(const TypeResolver& r, const JsonReadOptions& o, size_t maxErrors, JsonErrorReport& out)
        : m_types(r), m_opts(o), m_max(maxErrors), m_out(out)
    {
    }

    void check(const element& e, const Schema& s)
    {
        switch (s.kind()) {
        case SchemaKind::Any: checkAny(e); return;
        case SchemaKind::None:
            if (!e.is_null())
                mismatch(s, e);
            return;
        case SchemaKind::Bool:
            if (e.type() != element_type::BOOL)
                mismatch(s, e);
            return;
        case SchemaKind::Int:
            if (e.type() == element_type::UINT64)
                report("integer outside the int64 range");
            else if (e.type() != element_type::INT64)
                mismatch(s, e);
            return;
        case SchemaKind::Float:
            if (e.type() != element_type::DOUBLE && e.type() != element_type::INT64 && e.type() != element_type::UINT64
                && !checkTagged(e, "$float"))
                mismatch(s, e);
            return;
        case SchemaKind::Str:
            if (e.type() != element_type::STRING)
                mismatch(s, e);
            return;
        case SchemaKind::Bytes:
            if (!checkTagged(e, "$bytes"))
                mismatch(s, e);
            return;
        case SchemaKind::List:
        case SchemaKind::TupleVar:
        case SchemaKind::Tuple: checkArray(e, s); return;
        case SchemaKind::DictStr:
        case SchemaKind::DictInt: checkDict(e, s); return;
        case SchemaKind::Optional:
            if (!e.is_null())
                check(e, s.arg());
            return;
        case SchemaKind::Union: checkUnion(e, s); return;
        case SchemaKind::Literal: checkLiteral(e, s); return;
        case SchemaKind::Named: {
            TypeRef t = resolve(s.key());
            if (!t)
                report(fmt::format("type '{}' is not registered", s.key()));
            else if (t->kind == TypeKind::Enum)
                checkEnum(e, *t);
            else
                checkObject(e, t.get());
            return;
        }
        case SchemaKind::AnyObject: checkObject(e, nullptr); return;
        case SchemaKind::Opaque:
            if (s.hasShape())
                check(e, s.arg());
            else if (e.type() == element_type::ARRAY)
                checkArray(e, m_anyList);
            else if (e.type() == element_type::OBJECT)
                checkDict(e, m_anyDict);
            else
                mismatch(s, e);
            return;
        }
        report("unsupported schema");
    }

    void report(std::string reason)
    {
        if (m_probing)
            throw MemberFailed{};
        ++m_out.total;
        if (m_out.errors.size() >= m_max)
            return;
        reason = escapeControls(std::move(reason));
        Path path;
        path.reserve(m_path.size());
        for (const Step& s : m_path)
            path.push_back({s.kind, std::string(s.name), s.index});
        std::string where = formatPointer(path);
        std::string message = fmt::format("{}: {}", where.empty() ? "/" : where, reason);
        m_out.errors.emplace_back(ErrorKind::Validation, std::move(message), std::move(path), std::move(reason));
    }

private:
    void mismatch(const Schema& s, const element& e) { report(fmt::format("expected {}, got {}", s.text(), jsonKind(e))); }

    TypeRef resolve(std::string_view key) { return m_types.resolve(key); }

    // False (and an error) when e is not of JSON type `type` or one more level would pass
    // maxDepth: the caller does not descend. True: the caller descends, then decrements m_depth.
    bool enterContainer(const element& e, element_type type, const Schema& s)
    {
        if (e.type() != type) {
            mismatch(s, e);
            return false;
        }
        return enter();
    }

    // False (and an error) when one more level would pass maxDepth: the caller does not descend.
    bool enter()
    {
        if (m_depth + 1 > m_opts.maxDepth) {
            report(fmt::format("nesting deeper than {} levels", m_opts.maxDepth));
            return false;
        }
        ++m_depth;
        return true;
    }

    // True when e is the {"<tag>": "..."} wrapper (its errors reported), false when it is not one.
    bool checkTagged(const element& e, std::string_view tag)
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
        if (kv.value.type() != element_type::STRING) {
            report(fmt::format("expected string, got {}", jsonKind(kv.value)));
        } else {
            std::string_view text = kv.value.get_string().value_unsafe();
            if (tag == "$bytes") {
                try {
                    (void)base64Decode(text);
                } catch (const Error& err) {
                    report(err.what());
                }
            } else if (text != "nan" && text != "inf" && text != "-inf") {
                report(fmt::format("expected \"nan\", \"inf\" or \"-inf\", got \"{}\"", text));
            }
        }
        m_path.pop_back();
        return true;
    }

    void checkAny(const element& e)
    {
        switch (e.type()) {
        case element_type::UINT64: report("integer outside the int64 range"); return;
        case element_type::ARRAY: checkArray(e, m_anyList); return;
        case element_type::OBJECT: {
            if (checkTagged(e, "$bytes") || checkTagged(e, "$float"))
                return;
            auto obj = e.get_object().value_unsafe();
            for (auto kv : obj)
                if (kv.key == "$type") {
                    checkObject(e, nullptr);
                    return;
                }
            checkDict(e, m_anyDict);
            return;
        }
        default: return;
        }
    }

    void checkArray(const element& e, const Schema& s)
    {
        if (!enterContainer(e, element_type::ARRAY, s))
            return;
        auto arr = e.get_array().value_unsafe();
        const bool tuple = s.kind() == SchemaKind::Tuple;
        size_t n = arr.size();
        if (tuple && n != s.args().size()) {
            report(fmt::format("expected {}, got an array of length {}", s.text(), n));
            n = std::min(n, s.args().size());   // the elements that have a schema are still checked
        }
        m_path.push_back({PathStep::Index, {}, 0});
        size_t i = 0;
        for (element item : arr) {
            if (i == n)
                break;
            m_path.back().index = i;
            check(item, tuple ? s.arg(i) : s.arg());
            ++i;
        }
        m_path.pop_back();
        --m_depth;
    }

    void checkDict(const element& e, const Schema& s)
    {
        if (!enterContainer(e, element_type::OBJECT, s))
            return;
        const bool intKeys = s.kind() == SchemaKind::DictInt;
        std::unordered_set<int64_t> intSeen;
        std::unordered_set<std::string_view> strSeen;
        auto obj = e.get_object().value_unsafe();
        m_path.push_back({PathStep::Key, {}, 0});
        for (auto kv : obj) {
            std::string_view key = kv.key;
            m_path.back().name = key;
            bool keyOk = true;
            int64_t n = 0;
            if (intKeys) {
                auto r = std::from_chars(key.data(), key.data() + key.size(), n);
                if (r.ec != std::errc() || r.ptr != key.data() + key.size() || key.empty() ||
                    (key.size() > 1 && key[0] == '0') || key == "-0" ||
                    (key.size() > 2 && key[0] == '-' && key[1] == '0')) {
                    report(fmt::format("dict key \"{}\" is not a decimal int", key));
                    keyOk = false;
                }
            } else if (!key.empty() && key[0] == '$') {
                if (key.size() < 2 || key[1] != '$') {
                    report(fmt::format("unexpected key \"{}\" (a dict key starting with '$' is "
                                       "written with one more '$')", key));
                    keyOk = false;
                }
                key.remove_prefix(1);
            }
            check(kv.value, s.arg());
            if (keyOk && !(intKeys ? intSeen.insert(n).second : strSeen.insert(key).second))
                report("duplicate key");
        }
        m_path.pop_back();
        --m_depth;
    }

    // Would the member read e? Tried with reporting turned into a MemberFailed throw.
    bool fits(const element& e, const Schema& member)
    {
        const bool probing = m_probing;
        const size_t depth = m_depth;
        const size_t steps = m_path.size();
        m_probing = true;
        bool ok = true;
        try {
            check(e, member);
        } catch (const MemberFailed&) {
            ok = false;
        }
        m_probing = probing;
        m_depth = depth;
        m_path.resize(steps);
        return ok;
    }

    void checkUnion(const element& e, const Schema& s)
    {
        for (const Schema& m : s.args())
            if (fits(e, m))
                return;
        report(fmt::format("expected {}, got {}", s.text(), jsonKind(e)));
    }

    void checkLiteral(const element& e, const Schema& s)
    {
        Value v;
        if (e.type() == element_type::STRING)
            v = Value::fromStr(e.get_string().value_unsafe());
        else if (e.type() == element_type::INT64)
            v = Value::fromInt(e.get_int64().value_unsafe());
        else
            return mismatch(s, e);
        for (const Value& l : s.literals())
            if (l.kind() == v.kind() &&
                (l.kind() == ValueKind::Int ? l.asInt() == v.asInt() : l.asStr() == v.asStr()))
                return;
        report(fmt::format("expected {}, got {}", s.text(),
                           v.kind() == ValueKind::Int ? std::to_string(v.asInt()) : formatLiteral(v)));
    }

    void checkEnum(const element& e, const TypeInfo& t)
    {
        Value v;
        if (e.type() == element_type::STRING)
            v = Value::fromStr(e.get_string().value_unsafe());
        else if (e.type() == element_type::INT64)
            v = Value::fromInt(e.get_int64().value_unsafe());
        else
            return report(fmt::format("expected a member of {}, got {}{}", t.key, jsonKind(e), t.enumHint(v)));
        if (!t.findMember(v))
            report(fmt::format("expected a member of {}, got {}{}", t.key,
                               v.kind() == ValueKind::Int ? std::to_string(v.asInt()) : formatLiteral(v),
                               t.enumHint(v)));
    }

    // expected == nullptr: any registered object ($type required). An object whose type is
    // unknown (a bad $type, or none where one is needed) is not looked into.
    void checkObject(const element& e, const TypeInfo* expected)
    {
        if (e.type() != element_type::OBJECT)
            return report(fmt::format("expected {}, got {}", expected ? expected->key : "Object", jsonKind(e)));
        if (!enter())
            return;
        struct Leave {
            size_t& depth;
            ~Leave() { --depth; }
        } leave{m_depth};
        auto obj = e.get_object().value_unsafe();
        TypeRef type;
        for (auto kv : obj) {
            if (kv.key != "$type")
                continue;
            m_path.push_back({PathStep::Key, "$type", 0});
            std::string reason;
            if (kv.value.type() != element_type::STRING) {
                reason = fmt::format("expected string, got {}", jsonKind(kv.value));
            } else {
                std::string_view key = kv.value.get_string().value_unsafe();
                type = resolve(key);
                if (!type || type->kind != TypeKind::Object)
                    reason = fmt::format("unknown type '{}'", key);
                else if (expected && !type->isSubtypeOf(expected->key))
                    reason = fmt::format("type '{}' is not a subtype of '{}'", key, expected->key);
            }
            if (!reason.empty()) {
                report(std::move(reason));
                m_path.pop_back();
                return;
            }
            m_path.pop_back();
            break;
        }
        if (!type) {
            if (!expected)
                return report("expected an object with a \"$type\" key");
            type = TypeRef::share(const_cast<TypeInfo*>(expected));
        }
        const TypeInfo& t = *type;
        std::vector<bool> seen(t.fields.size());
        bool typeKey = false;
        m_path.push_back({PathStep::Field, {}, 0});
        for (auto kv : obj) {
            std::string_view name = kv.key;
            if (name == "$type") {
                if (typeKey) {
                    m_path.back() = {PathStep::Key, name, 0};
                    report("key \"$type\" appears twice");
                    m_path.back() = {PathStep::Field, {}, 0};
                }
                typeKey = true;
                continue;
            }
            m_path.back().name = name;
            const int idx = t.fieldIndex(name);
            if (idx < 0) {
                report(fmt::format("unknown field '{}' of {}", name, t.key));
                continue;
            }
            if (seen[size_t(idx)]) {
                report(fmt::format("field '{}' appears twice", name));   // its value is not checked again
                continue;
            }
            seen[size_t(idx)] = true;
            check(kv.value, t.fields[size_t(idx)].schema);
        }
        m_path.pop_back();
        for (size_t i = 0; i < t.fields.size(); ++i)
            if (!seen[i] && !t.fields[i].hasDefault())
                report(fmt::format("missing field '{}' of {}", t.fields[i].name, t.key));
    }

    detail::CachingResolver m_types;
    const JsonReadOptions& m_opts;
    const size_t m_max;
    JsonErrorReport& m_out;
    std::vector<Step> m_path;
    size_t m_depth = 0;
    bool m_probing = false;
    Schema m_anyDict = Schema::dictStr(Schema::any());
    Schema m_anyList = Schema::list(Schema::any());
};

} // namespace

JsonErrorReport collectJsonErrors(std::string_view text, const Schema& expected, const TypeResolver& registry,
                                  const JsonReadOptions& options, size_t maxErrors)
{
    JsonErrorReport out;
    // Its own parser: this pass is the slow path, and fromJson's thread parser may be in use.
    simdjson::dom::parser parser;
    if (auto err = parser.allocate(std::max<size_t>(text.size(), 4096), options.maxDepth + 2))
        throw Error(ErrorKind::Internal, fmt::format("internal error: JSON parser: {}", simdjson::error_message(err)));
    element root;
    auto err = parser.parse(text.data(), text.size(), true).get(root);
    if (err == simdjson::DEPTH_ERROR) {
        std::string reason = fmt::format("nesting deeper than {} levels", options.maxDepth);
        out.errors.emplace_back(ErrorKind::Validation, "/: " + reason, Path{}, reason);
        out.total = 1;
        return out;
    }
    if (err) {
        size_t line, column;
        std::string message = detail::invalidJsonMessage(text, simdjson::error_message(err), &line, &column);
        out.errors.push_back(Error(ErrorKind::Parse, std::move(message)).at(line, column));
        out.total = 1;
        return out;
    }
    Collector collector(registry, options, maxErrors, out);
    collector.check(root, expected);
    return out;
}

} // namespace typesys
