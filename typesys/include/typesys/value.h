#pragma once
// Value: the dynamically typed value of typesys (16 bytes, scalars inline).
//
// Kinds: none, bool, int (int64), float (double), str (UTF-8), bytes, list, dict, object.
// Strings and bytes are immutable shared nodes; lists, dicts and objects are shared, mutable
// and intrusively ref-counted: copying a Value shares them (Python semantics), cloning is
// explicit (deepCopy in compare.h).
//
// Thread safety: a Value itself is a plain value type (do not write one Value from two
// threads). The shared nodes it points to are safe to read from any thread while one other
// thread writes them: every read returns either the old or the new element, never a torn one.

#include "typesys/ref.h"
#include "typesys/spin_lock.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace typesys {

enum class ValueKind : uint8_t { None, Bool, Int, Float, Str, Bytes, List, Dict, Object };

// Name of a kind as messages use it: "none", "bool", "int", "float", "str", "bytes", "list",
// "dict", "object".
const char* kindName(ValueKind k) noexcept;

struct StrNode;
class ListNode;
class DictNode;
class ObjectNode;

class Value {
public:
    Value() noexcept : m_kind(ValueKind::None) { m_u.i = 0; }
    Value(std::nullptr_t) noexcept : Value() {}
    static Value fromBool(bool b) noexcept { Value v; v.m_kind = ValueKind::Bool; v.m_u.b = b; return v; }
    static Value fromInt(int64_t i) noexcept { Value v; v.m_kind = ValueKind::Int; v.m_u.i = i; return v; }
    static Value fromFloat(double d) noexcept { Value v; v.m_kind = ValueKind::Float; v.m_u.f = d; return v; }
    static Value fromStr(std::string_view s);
    static Value fromBytes(std::string_view bytes);
    static Value fromStrNode(Ref<StrNode> n) noexcept;   // n->kind decides str or bytes
    static Value fromList(Ref<ListNode> l) noexcept;
    static Value fromDict(Ref<DictNode> d) noexcept;
    static Value fromObject(Ref<ObjectNode> o) noexcept;
    // Shares a node of any value kind (Str, Bytes, List, Dict, Object; Box unwraps).
    static Value fromNode(Node* n) noexcept;

    Value(const Value& o) noexcept : m_kind(o.m_kind), m_u(o.m_u) { if (isNode()) m_u.n->incRef(); }
    Value(Value&& o) noexcept : m_kind(o.m_kind), m_u(o.m_u) { o.m_kind = ValueKind::None; }
    Value& operator=(const Value& o) noexcept { Value t(o); swap(t); return *this; }
    Value& operator=(Value&& o) noexcept { Value t(std::move(o)); swap(t); return *this; }
    ~Value() { if (isNode()) m_u.n->decRef(); }
    void swap(Value& o) noexcept { std::swap(m_kind, o.m_kind); std::swap(m_u, o.m_u); }

    ValueKind kind() const noexcept { return m_kind; }
    bool isNone() const noexcept { return m_kind == ValueKind::None; }
    bool isNode() const noexcept { return m_kind >= ValueKind::Str; }

    bool asBool() const noexcept { return m_u.b; }
    int64_t asInt() const noexcept { return m_u.i; }
    double asFloat() const noexcept { return m_u.f; }
    std::string_view asStr() const noexcept;      // str or bytes
    ListNode* asList() const noexcept { return reinterpret_cast<ListNode*>(m_u.n); }
    DictNode* asDict() const noexcept { return reinterpret_cast<DictNode*>(m_u.n); }
    ObjectNode* asObject() const noexcept { return reinterpret_cast<ObjectNode*>(m_u.n); }
    Node* node() const noexcept { return isNode() ? m_u.n : nullptr; }
    // Hands this value's node reference to the caller (who now owns it); the value becomes
    // None. Null for a scalar or None (the value is left as it was).
    Node* releaseNode() noexcept
    {
        if (!isNode())
            return nullptr;
        m_kind = ValueKind::None;
        return m_u.n;
    }

private:
    ValueKind m_kind;
    union U {
        bool b;
        int64_t i;
        double f;
        Node* n;
    } m_u;
};

static_assert(sizeof(Value) == 16);

// Called (on whatever thread drops the last reference) for every StrNode::binding that is set.
// The host installs one at start-up; typesys itself never sets a binding.
using BindingReleaser = void (*)(void* binding);
void setBindingReleaser(BindingReleaser releaser) noexcept;

// Immutable UTF-8 string or byte string, stored inline after the header.
struct StrNode : Node {
    static Ref<StrNode> make(std::string_view s, NodeKind kind = NodeKind::Str);
    std::string_view view() const noexcept { return {data, size}; }
    // A host-side twin of this string (e.g. the Python str it came from), owned by the node and
    // handed to the binding releaser when the node dies. Only the host touches it.
    mutable void* binding = nullptr;
    size_t size;
    char data[1];
private:
    StrNode(NodeKind k, size_t n) noexcept : Node(k), size(n) {}
};

// A boxed scalar, used where a field slot stores a pointer but the value is bool/int/float.
struct BoxNode : Node {
    explicit BoxNode(Value v) noexcept : Node(NodeKind::Box), value(std::move(v)) {}
    Value value;
};

// Mutable shared list. Elements are not typed here: the schema of the owning field decides
// what is valid, and the writer checks before it stores.
class ListNode : public Node {
public:
    static Ref<ListNode> make(std::vector<Value> items = {});
    size_t size() const noexcept;
    Value at(size_t i) const;                       // throws Error(Lookup) when out of range
    bool tryAt(size_t i, Value* out) const;         // false when out of range
    // Calls f(element) for element i (negative i counts from the end, as in Python) under the
    // list's lock; false when out of range. f must not touch this list or run code that can.
    template <class F>
    bool visitAt(ptrdiff_t i, F f) const
    {
        std::lock_guard g(lock);
        ptrdiff_t n = ptrdiff_t(m_items.size());
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            return false;
        f(m_items[size_t(i)]);
        return true;
    }
    // Whether both lists hold the same str, bytes, int and bool elements (equal kinds and
    // values), compared under both locks without copying: for lists whose schema admits only
    // those kinds (their Python == is this). Elements of other kinds compare unequal.
    bool sameScalars(const ListNode& other) const;
    // Whether pred(element) holds for an element, asked under the list's lock (pred must not
    // call back into this list or run code that can).
    template <class Pred>
    bool anyOf(Pred pred) const
    {
        std::lock_guard g(lock);
        for (const Value& v : m_items)
            if (pred(v))
                return true;
        return false;
    }
    std::vector<Value> snapshot() const;
    void set(size_t i, Value v);
    void append(Value v);
    void insert(size_t i, Value v);                  // i clamped to size()
    Value take(size_t i);                            // removes and returns element i
    void assign(std::vector<Value> items);           // replaces all elements at once
    void reserve(size_t n);

private:
    ListNode() noexcept : Node(NodeKind::List) {}
    std::vector<Value> m_items;
    friend struct Node;
};

// Mutable shared dict with str or int keys, in insertion order (like Python's dict).
class DictNode : public Node {
public:
    enum KeyKind : uint8_t { StrKeys = 0, IntKeys = 1 };
    static Ref<DictNode> make(KeyKind keys);
    KeyKind keyKind() const noexcept { return KeyKind(flags); }
    size_t size() const noexcept;
    bool contains(const Value& key) const;
    bool get(const Value& key, Value* out) const;    // false when absent
    void set(Value key, Value v);                    // key kind must match keyKind()
    bool erase(const Value& key);
    std::vector<std::pair<Value, Value>> snapshot() const;
    void assign(std::vector<std::pair<Value, Value>> items);  // later duplicates win
    void reserve(size_t n);

private:
    explicit DictNode(KeyKind k) noexcept : Node(NodeKind::Dict) { flags = k; }
    size_t findLocked(const Value& key) const noexcept;   // npos when absent
    void rebuildIndexLocked();
    std::vector<std::pair<Value, Value>> m_items;
    std::vector<uint32_t> m_index;   // open addressing over m_items, built past 8 entries
    friend struct Node;
};

} // namespace typesys
