#include "typesys/value.h"

#include "node_pool.h"

#include "typesys/error.h"
#include "typesys/object.h"
#include "typesys/type_info.h"

#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <new>

namespace typesys {

const char* kindName(ValueKind k) noexcept
{
    switch (k) {
    case ValueKind::None: return "none";
    case ValueKind::Bool: return "bool";
    case ValueKind::Int: return "int";
    case ValueKind::Float: return "float";
    case ValueKind::Str: return "str";
    case ValueKind::Bytes: return "bytes";
    case ValueKind::List: return "list";
    case ValueKind::Dict: return "dict";
    case ValueKind::Object: return "object";
    }
    return "?";
}

namespace {
std::atomic<BindingReleaser> g_releaser{nullptr};
}

void setBindingReleaser(BindingReleaser releaser) noexcept { g_releaser.store(releaser); }

namespace {

// Freeing a node releases what it holds, which may free that in turn: dropping a linked list of
// a million objects would recurse a million frames deep and overflow the stack. Past a fixed
// depth, nodes are queued and the outermost release frees them (Python's "trashcan"). The queue
// is plain malloc'd memory, so no thread_local destructor runs at thread or process exit.
constexpr int kMaxReleaseDepth = 64;

struct ReleaseQueue {
    Node** items = nullptr;
    size_t size = 0;
    size_t capacity = 0;
    int depth = 0;
};
// initial-exec: libtypesys is linked by the executables (never dlopen'd on its own), so the
// queue can live in the static TLS block and skip __tls_get_addr on every release.
thread_local ReleaseQueue t_release __attribute__((tls_model("initial-exec")));

bool deferRelease(ReleaseQueue& q, Node* n) noexcept
{
    if (q.size == q.capacity) {
        size_t capacity = q.capacity ? q.capacity * 2 : 256;
        auto* grown = static_cast<Node**>(std::realloc(q.items, capacity * sizeof(Node*)));
        if (!grown)
            return false;   // out of memory: free it now, deeper on the stack
        q.items = grown;
        q.capacity = capacity;
    }
    q.items[q.size++] = n;
    return true;
}

void destroyNow(Node* n) noexcept
{
    switch (n->kind) {
    case NodeKind::Str:
    case NodeKind::Bytes:
        if (void* b = static_cast<StrNode*>(n)->binding)
            if (BindingReleaser r = g_releaser.load(std::memory_order_acquire))
                r(b);
    {
        size_t bytes = sizeof(StrNode) + static_cast<StrNode*>(n)->size;
        static_cast<StrNode*>(n)->~StrNode();
        detail::poolFree(n, bytes);
        return;
    }
    case NodeKind::List:
        delete static_cast<ListNode*>(n);
        return;
    case NodeKind::Dict:
        delete static_cast<DictNode*>(n);
        return;
    case NodeKind::Object:
        ObjectNode::destroy(static_cast<ObjectNode*>(n));
        return;
    case NodeKind::Box:
        delete static_cast<BoxNode*>(n);
        return;
    case NodeKind::TypeInfo:
        delete static_cast<TypeInfo*>(n);
        return;
    }
}

} // namespace

void Node::destroyNode(Node* n) noexcept
{
    ReleaseQueue& q = t_release;
    if (q.depth >= kMaxReleaseDepth && deferRelease(q, n))
        return;
    ++q.depth;
    destroyNow(n);
    if (q.depth == 1 && q.items) {
        while (q.size)
            destroyNow(q.items[--q.size]);   // may queue more, at the end
        std::free(q.items);
        q.items = nullptr;
        q.capacity = 0;
    }
    --q.depth;
}

Ref<StrNode> StrNode::make(std::string_view s, NodeKind kind)
{
    // From the node pool (node_pool.h) as objects are: strs are made and dropped with the
    // records and lists that hold them (a 100-str list argument makes 100).
    void* mem = detail::poolAllocate(sizeof(StrNode) + s.size());
    auto* n = new (mem) StrNode(kind, s.size());
    if (!s.empty())
        std::memcpy(n->data, s.data(), s.size());
    n->data[s.size()] = '\0';
    return Ref<StrNode>::adopt(n);
}

Value Value::fromStr(std::string_view s) { return fromStrNode(StrNode::make(s, NodeKind::Str)); }
Value Value::fromBytes(std::string_view b) { return fromStrNode(StrNode::make(b, NodeKind::Bytes)); }

Value Value::fromStrNode(Ref<StrNode> n) noexcept
{
    Value v;
    v.m_kind = n->kind == NodeKind::Bytes ? ValueKind::Bytes : ValueKind::Str;
    v.m_u.n = n.release();
    return v;
}

Value Value::fromList(Ref<ListNode> l) noexcept
{
    Value v;
    v.m_kind = ValueKind::List;
    v.m_u.n = l.release();
    return v;
}

Value Value::fromDict(Ref<DictNode> d) noexcept
{
    Value v;
    v.m_kind = ValueKind::Dict;
    v.m_u.n = d.release();
    return v;
}

Value Value::fromObject(Ref<ObjectNode> o) noexcept
{
    Value v;
    v.m_kind = ValueKind::Object;
    v.m_u.n = o.release();
    return v;
}

Value Value::fromNode(Node* n) noexcept
{
    Value v;
    switch (n->kind) {
    case NodeKind::Str: v.m_kind = ValueKind::Str; break;
    case NodeKind::Bytes: v.m_kind = ValueKind::Bytes; break;
    case NodeKind::List: v.m_kind = ValueKind::List; break;
    case NodeKind::Dict: v.m_kind = ValueKind::Dict; break;
    case NodeKind::Object: v.m_kind = ValueKind::Object; break;
    case NodeKind::Box: return static_cast<BoxNode*>(n)->value;
    case NodeKind::TypeInfo: return Value();
    }
    n->incRef();
    v.m_u.n = n;
    return v;
}

std::string_view Value::asStr() const noexcept
{
    return static_cast<const StrNode*>(m_u.n)->view();
}

// ---- ListNode ----

Ref<ListNode> ListNode::make(std::vector<Value> items)
{
    auto* l = new ListNode();
    l->m_items = std::move(items);
    return Ref<ListNode>::adopt(l);
}

size_t ListNode::size() const noexcept
{
    std::lock_guard g(lock);
    return m_items.size();
}

bool ListNode::sameScalars(const ListNode& other) const
{
    if (this == &other)
        return true;
    // Both locks, in address order, so that two threads comparing the same pair cannot deadlock.
    const ListNode* first = this < &other ? this : &other;
    const ListNode* second = first == this ? &other : this;
    std::lock_guard g1(first->lock);
    std::lock_guard g2(second->lock);
    if (m_items.size() != other.m_items.size())
        return false;
    for (size_t i = 0; i < m_items.size(); ++i) {
        const Value& a = m_items[i];
        const Value& b = other.m_items[i];
        if (a.kind() != b.kind())
            return false;
        switch (a.kind()) {
        case ValueKind::Str:
        case ValueKind::Bytes:
            if (a.node() != b.node() && a.asStr() != b.asStr())
                return false;
            break;
        case ValueKind::Int:
            if (a.asInt() != b.asInt())
                return false;
            break;
        case ValueKind::Bool:
            if (a.asBool() != b.asBool())
                return false;
            break;
        default: return false;
        }
    }
    return true;
}

bool ListNode::tryAt(size_t i, Value* out) const
{
    std::lock_guard g(lock);
    if (i >= m_items.size())
        return false;
    *out = m_items[i];
    return true;
}

Value ListNode::at(size_t i) const
{
    std::unique_lock g(lock);
    if (i >= m_items.size()) {
        size_t n = m_items.size();
        g.unlock();
        throw Error(ErrorKind::Lookup, fmt::format("list index {} out of range (size {})", i, n));
    }
    return m_items[i];
}

std::vector<Value> ListNode::snapshot() const
{
    std::lock_guard g(lock);
    return m_items;
}

void ListNode::set(size_t i, Value v)
{
    std::unique_lock g(lock);
    if (i >= m_items.size()) {
        size_t n = m_items.size();
        g.unlock();
        throw Error(ErrorKind::Lookup, fmt::format("list index {} out of range (size {})", i, n));
    }
    m_items[i].swap(v);
    g.unlock();   // the old element (now in v) is released outside the lock
}

void ListNode::append(Value v)
{
    std::lock_guard g(lock);
    m_items.push_back(std::move(v));
}

void ListNode::insert(size_t i, Value v)
{
    std::lock_guard g(lock);
    if (i > m_items.size())
        i = m_items.size();
    m_items.insert(m_items.begin() + ptrdiff_t(i), std::move(v));
}

Value ListNode::take(size_t i)
{
    std::unique_lock g(lock);
    if (i >= m_items.size()) {
        size_t n = m_items.size();
        g.unlock();
        throw Error(ErrorKind::Lookup, fmt::format("list index {} out of range (size {})", i, n));
    }
    Value v = std::move(m_items[i]);
    m_items.erase(m_items.begin() + ptrdiff_t(i));
    return v;
}

void ListNode::assign(std::vector<Value> items)
{
    std::unique_lock g(lock);
    m_items.swap(items);
    g.unlock();
}

void ListNode::reserve(size_t n)
{
    std::lock_guard g(lock);
    m_items.reserve(n);
}

// ---- DictNode ----

namespace {
constexpr size_t kIndexThreshold = 8;
constexpr uint32_t kEmpty = UINT32_MAX;

size_t keyHash(const Value& k) noexcept
{
    if (k.kind() == ValueKind::Int)
        return std::hash<int64_t>()(k.asInt()) * 0x9E3779B97F4A7C15ull;
    return std::hash<std::string_view>()(k.asStr());
}

bool keyEq(const Value& a, const Value& b) noexcept
{
    if (a.kind() != b.kind())
        return false;
    return a.kind() == ValueKind::Int ? a.asInt() == b.asInt() : a.asStr() == b.asStr();
}
} // namespace

Ref<DictNode> DictNode::make(KeyKind keys) { return Ref<DictNode>::adopt(new DictNode(keys)); }

size_t DictNode::size() const noexcept
{
    std::lock_guard g(lock);
    return m_items.size();
}

size_t DictNode::findLocked(const Value& key) const noexcept
{
    if (m_index.empty()) {
        for (size_t i = 0; i < m_items.size(); ++i)
            if (keyEq(m_items[i].first, key))
                return i;
        return SIZE_MAX;
    }
    size_t mask = m_index.size() - 1;
    for (size_t h = keyHash(key) & mask;; h = (h + 1) & mask) {
        uint32_t slot = m_index[h];
        if (slot == kEmpty)
            return SIZE_MAX;
        if (keyEq(m_items[slot].first, key))
            return slot;
    }
}

void DictNode::rebuildIndexLocked()
{
    if (m_items.size() <= kIndexThreshold) {
        m_index.clear();
        return;
    }
    size_t cap = 16;
    while (cap < m_items.size() * 2)
        cap <<= 1;
    m_index.assign(cap, kEmpty);
    size_t mask = cap - 1;
    for (size_t i = 0; i < m_items.size(); ++i) {
        size_t h = keyHash(m_items[i].first) & mask;
        while (m_index[h] != kEmpty)
            h = (h + 1) & mask;
        m_index[h] = uint32_t(i);
    }
}

bool DictNode::contains(const Value& key) const
{
    std::lock_guard g(lock);
    return findLocked(key) != SIZE_MAX;
}

bool DictNode::get(const Value& key, Value* out) const
{
    std::lock_guard g(lock);
    size_t i = findLocked(key);
    if (i == SIZE_MAX)
        return false;
    *out = m_items[i].second;
    return true;
}

void DictNode::set(Value key, Value v)
{
    TYPESYS_CHECK(key.kind() == (keyKind() == IntKeys ? ValueKind::Int : ValueKind::Str),
                  "dict key kind does not match the dict");
    std::unique_lock g(lock);
    size_t i = findLocked(key);
    if (i != SIZE_MAX) {
        m_items[i].second.swap(v);
        g.unlock();
        return;
    }
    m_items.emplace_back(std::move(key), std::move(v));
    if (m_items.size() > kIndexThreshold && m_items.size() * 2 > m_index.size())
        rebuildIndexLocked();
    else if (!m_index.empty()) {
        size_t mask = m_index.size() - 1;
        size_t h = keyHash(m_items.back().first) & mask;
        while (m_index[h] != kEmpty)
            h = (h + 1) & mask;
        m_index[h] = uint32_t(m_items.size() - 1);
    }
}

bool DictNode::erase(const Value& key)
{
    std::pair<Value, Value> removed;
    {
        std::lock_guard g(lock);
        size_t i = findLocked(key);
        if (i == SIZE_MAX)
            return false;
        removed = std::move(m_items[i]);
        m_items.erase(m_items.begin() + ptrdiff_t(i));
        rebuildIndexLocked();
    }
    return true;
}

std::vector<std::pair<Value, Value>> DictNode::snapshot() const
{
    std::lock_guard g(lock);
    return m_items;
}

void DictNode::assign(std::vector<std::pair<Value, Value>> items)
{
    // Deduplicate (later wins, first position kept), as dict(pairs) does.
    auto fresh = DictNode::make(keyKind());
    fresh->m_items.reserve(items.size());
    for (auto& [k, v] : items)
        fresh->set(std::move(k), std::move(v));
    std::unique_lock g(lock);
    m_items.swap(fresh->m_items);
    m_index.swap(fresh->m_index);
    g.unlock();
}

void DictNode::reserve(size_t n)
{
    std::lock_guard g(lock);
    m_items.reserve(n);
}

} // namespace typesys
