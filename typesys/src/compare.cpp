#include "typesys/compare.h"

#include "typesys/error.h"
#include "typesys/object.h"

#include <bit>
#include <cmath>
#include <functional>
#include <unordered_map>

namespace typesys {

namespace {

constexpr int kMaxDepth = 512;

void enter(int& depth)
{
    if (++depth > kMaxDepth)
        throw Error(ErrorKind::Validation,
                    "maximum recursion depth exceeded in comparison (the value may contain a cycle)");
}

bool isNumber(ValueKind k) { return k == ValueKind::Int || k == ValueKind::Float || k == ValueKind::Bool; }

bool numbersEqual(const Value& a, const Value& b)
{
    if (a.kind() == ValueKind::Float || b.kind() == ValueKind::Float) {
        if (a.kind() == ValueKind::Float && b.kind() == ValueKind::Float) {
            double x = a.asFloat(), y = b.asFloat();
            return x == y || (std::isnan(x) && std::isnan(y));
        }
        // int vs float: exact comparison without rounding the int.
        const Value& f = a.kind() == ValueKind::Float ? a : b;
        const Value& i = a.kind() == ValueKind::Float ? b : a;
        double d = f.asFloat();
        int64_t n = i.kind() == ValueKind::Bool ? int64_t(i.asBool()) : i.asInt();
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0) || std::trunc(d) != d)
            return false;
        return int64_t(d) == n;
    }
    auto asI = [](const Value& v) { return v.kind() == ValueKind::Bool ? int64_t(v.asBool()) : v.asInt(); };
    return asI(a) == asI(b);
}

bool eq(const Value& a, const Value& b, int depth)
{
    if (isNumber(a.kind()) && isNumber(b.kind())) {
        // bool is its own kind in typesys values, but equal to 0/1 as in Python.
        return numbersEqual(a, b);
    }
    if (a.kind() != b.kind())
        return false;
    switch (a.kind()) {
    case ValueKind::None: return true;
    case ValueKind::Str:
    case ValueKind::Bytes: return a.asStr() == b.asStr();
    case ValueKind::List: {
        if (a.node() == b.node())
            return true;
        enter(depth);
        auto x = a.asList()->snapshot(), y = b.asList()->snapshot();
        if (x.size() != y.size())
            return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (!eq(x[i], y[i], depth))
                return false;
        return true;
    }
    case ValueKind::Dict: {
        if (a.node() == b.node())
            return true;
        enter(depth);
        if (a.asDict()->keyKind() != b.asDict()->keyKind())
            return false;
        auto x = a.asDict()->snapshot();
        if (x.size() != b.asDict()->size())
            return false;
        for (auto& [k, v] : x) {
            Value other;
            if (!b.asDict()->get(k, &other) || !eq(v, other, depth))
                return false;
        }
        return true;
    }
    case ValueKind::Object: {
        if (a.node() == b.node())
            return true;
        enter(depth);
        const ObjectNode& x = *a.asObject();
        const ObjectNode& y = *b.asObject();
        if (x.type().key != y.type().key || x.fieldCount() != y.fieldCount())
            return false;
        for (uint32_t i = 0; i < x.fieldCount(); ++i) {
            if (!x.type().fields[i].compare)
                continue;
            Value u, v;
            bool hu = x.get(i, &u), hv = y.get(i, &v);
            if (hu != hv || (hu && !eq(u, v, depth)))
                return false;
        }
        return true;
    }
    default: return false;
    }
}

size_t mix(size_t h, size_t v) { return h ^ (v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2)); }

size_t hashIt(const Value& v, int depth)
{
    switch (v.kind()) {
    case ValueKind::None: return 0x5bd1e995;
    case ValueKind::Bool: return std::hash<int64_t>()(v.asBool() ? 1 : 0);
    case ValueKind::Int: return std::hash<int64_t>()(v.asInt());
    case ValueKind::Float: {
        double d = v.asFloat();
        if (std::isnan(d))
            return 0x7ff8dead;
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && std::trunc(d) == d)
            return std::hash<int64_t>()(int64_t(d));   // equal ints hash alike; -0.0 -> 0
        return std::hash<uint64_t>()(std::bit_cast<uint64_t>(d));
    }
    case ValueKind::Str: return std::hash<std::string_view>()(v.asStr());
    case ValueKind::Bytes: return mix(0xb7e5, std::hash<std::string_view>()(v.asStr()));
    case ValueKind::List: {
        enter(depth);
        size_t h = 0x1157;
        for (const Value& e : v.asList()->snapshot())
            h = mix(h, hashIt(e, depth));
        return h;
    }
    case ValueKind::Dict: {
        enter(depth);
        size_t h = 0xd1c7;
        for (auto& [k, e] : v.asDict()->snapshot())
            h += mix(hashIt(k, depth), hashIt(e, depth));   // order-independent, as equality
        return h;
    }
    case ValueKind::Object: {
        enter(depth);
        const ObjectNode& o = *v.asObject();
        size_t h = std::hash<std::string_view>()(o.type().key);
        for (uint32_t i = 0; i < o.fieldCount(); ++i) {
            if (!o.type().fields[i].hashes())
                continue;
            Value f;
            h = mix(h, o.get(i, &f) ? hashIt(f, depth) : 0);
        }
        return h;
    }
    }
    return 0;
}

// Exact, as Python: the int is not rounded to a double (2**53 + 1 > 2.0**53), so the order
// agrees with numbersEqual. NaN sorts after every number.
std::partial_ordering orderIntFloat(int64_t i, double d)
{
    if (std::isnan(d) || d >= 9223372036854775808.0)
        return std::partial_ordering::less;
    if (d < -9223372036854775808.0)
        return std::partial_ordering::greater;
    double t = std::trunc(d);
    if (auto c = i <=> int64_t(t); c != 0)
        return c;
    return 0.0 <=> d - t;
}

std::partial_ordering order(const Value& a, const Value& b, int depth)
{
    if (isNumber(a.kind()) && isNumber(b.kind())) {
        auto asI = [](const Value& v) { return v.kind() == ValueKind::Bool ? int64_t(v.asBool()) : v.asInt(); };
        bool fa = a.kind() == ValueKind::Float, fb = b.kind() == ValueKind::Float;
        if (!fa && !fb)
            return asI(a) <=> asI(b);
        if (!fa)
            return orderIntFloat(asI(a), b.asFloat());
        if (!fb)
            return 0 <=> orderIntFloat(asI(b), a.asFloat());
        double x = a.asFloat(), y = b.asFloat();
        bool nx = std::isnan(x), ny = std::isnan(y);
        if (nx || ny)   // NaN sorts last so that sorting is total
            return nx == ny ? std::partial_ordering::equivalent
                            : (nx ? std::partial_ordering::greater : std::partial_ordering::less);
        return x <=> y;
    }
    if (a.kind() != b.kind())
        return a.isNone() && b.isNone() ? std::partial_ordering::equivalent : std::partial_ordering::unordered;
    switch (a.kind()) {
    case ValueKind::None: return std::partial_ordering::equivalent;
    case ValueKind::Str:
    case ValueKind::Bytes: return a.asStr().compare(b.asStr()) <=> 0;
    case ValueKind::List: {
        enter(depth);
        auto x = a.asList()->snapshot(), y = b.asList()->snapshot();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            auto c = order(x[i], y[i], depth);
            if (c != 0)
                return c;
        }
        return x.size() <=> y.size();
    }
    case ValueKind::Object: {
        enter(depth);
        const ObjectNode& x = *a.asObject();
        const ObjectNode& y = *b.asObject();
        if (x.type().key != y.type().key)
            return std::partial_ordering::unordered;
        for (uint32_t i = 0; i < x.fieldCount(); ++i) {
            if (!x.type().fields[i].compare)
                continue;
            Value u, v;
            bool hu = x.get(i, &u), hv = y.get(i, &v);
            if (!hu || !hv)
                return hu == hv ? std::partial_ordering::equivalent : std::partial_ordering::unordered;
            auto c = order(u, v, depth);
            if (c != 0)
                return c;
        }
        return std::partial_ordering::equivalent;
    }
    default: return std::partial_ordering::unordered;
    }
}

Value copyIt(const Value& v, std::unordered_map<const Node*, Value>& memo, int depth)
{
    if (v.kind() < ValueKind::List)
        return v;   // scalars and immutable strings are shared
    if (auto it = memo.find(v.node()); it != memo.end())
        return it->second;
    enter(depth);
    switch (v.kind()) {
    case ValueKind::List: {
        auto fresh = ListNode::make();
        Value out = Value::fromList(fresh);
        memo.emplace(v.node(), out);
        std::vector<Value> items;
        for (const Value& e : v.asList()->snapshot())
            items.push_back(copyIt(e, memo, depth));
        fresh->assign(std::move(items));
        return out;
    }
    case ValueKind::Dict: {
        auto fresh = DictNode::make(v.asDict()->keyKind());
        Value out = Value::fromDict(fresh);
        memo.emplace(v.node(), out);
        for (auto& [k, e] : v.asDict()->snapshot())
            fresh->set(k, copyIt(e, memo, depth));
        return out;
    }
    default: {
        const ObjectNode& o = *v.asObject();
        auto fresh = ObjectNode::create(TypeRef::share(o.typePtr()));
        Value out = Value::fromObject(fresh);
        memo.emplace(v.node(), out);
        for (uint32_t i = 0; i < o.fieldCount(); ++i) {
            Value f;
            if (o.get(i, &f))
                fresh->set(i, copyIt(f, memo, depth));
        }
        return out;
    }
    }
}

} // namespace

bool equals(const Value& a, const Value& b) { return eq(a, b, 0); }
size_t hashValue(const Value& v) { return hashIt(v, 0); }
std::partial_ordering compareValues(const Value& a, const Value& b) { return order(a, b, 0); }

Value deepCopy(const Value& v)
{
    std::unordered_map<const Node*, Value> memo;
    return copyIt(v, memo, 0);
}

} // namespace typesys
