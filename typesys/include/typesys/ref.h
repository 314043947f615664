#pragma once
// Intrusive, atomically ref-counted nodes and the Ref<T> handle that owns them.
//
// Every heap value of typesys (strings, bytes, lists, dicts, objects, type infos) starts with
// a Node: a 32-bit atomic count and a kind tag. Ref<T> is a move-friendly owning pointer.
// Thread safety: incRef/decRef are safe from any thread; the pointee's own contents follow
// the rules of its class.

#include <atomic>
#include <cstdint>
#include <utility>

#include "typesys/spin_lock.h"

namespace typesys {

enum class NodeKind : uint8_t { Str, Bytes, List, Dict, Object, Box, TypeInfo };

struct Node {
    explicit Node(NodeKind k) noexcept : kind(k) {}
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    void incRef() const noexcept
    {
        if (!isImmortal())
            refs.fetch_add(1, std::memory_order_relaxed);
    }
    void decRef() const noexcept
    {
        if (!isImmortal() && refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            destroyNode(const_cast<Node*>(this));
    }
    uint32_t refCount() const noexcept { return refs.load(std::memory_order_relaxed); }

    // An immortal node is never freed and its count never changes, so sharing it costs no
    // atomic read-modify-write (as CPython 3.12's immortal objects). For nodes that live as long
    // as the process anyway, e.g. the host's cache of interned strings. Call it while no other
    // thread can see the node; irreversible.
    void makeImmortal() const noexcept { refs.store(kImmortal, std::memory_order_relaxed); }
    bool isImmortal() const noexcept { return refs.load(std::memory_order_relaxed) >= kImmortalBit; }
    static constexpr uint32_t kImmortalBit = 0x80000000u;
    static constexpr uint32_t kImmortal = 0xC0000000u;   // far from both edges of the range

    mutable std::atomic<uint32_t> refs{1};
    const NodeKind kind;
    uint8_t flags = 0;        // per-kind bits (e.g. Dict: int keys)
    mutable SpinLock lock;    // guards the node's mutable pointer slots, if it has any
    uint8_t spare = 0;

    // Frees a node whose count reached zero, dispatching on kind (no vtable per node).
    static void destroyNode(Node* n) noexcept;
};

template <class T>
class Ref {
public:
    Ref() noexcept = default;
    Ref(std::nullptr_t) noexcept {}
    // Adopts a reference the caller already owns (e.g. a fresh node with count 1).
    static Ref adopt(T* p) noexcept { Ref r; r.m_p = p; return r; }
    // Shares p, adding a reference.
    static Ref share(T* p) noexcept { if (p) p->incRef(); return adopt(p); }

    Ref(const Ref& o) noexcept : m_p(o.m_p) { if (m_p) m_p->incRef(); }
    Ref(Ref&& o) noexcept : m_p(std::exchange(o.m_p, nullptr)) {}
    template <class U>
    Ref(Ref<U>&& o) noexcept : m_p(o.release()) {}
    template <class U>
    Ref(const Ref<U>& o) noexcept : m_p(o.get()) { if (m_p) m_p->incRef(); }
    ~Ref() { if (m_p) m_p->decRef(); }
    Ref& operator=(Ref o) noexcept { std::swap(m_p, o.m_p); return *this; }

    T* get() const noexcept { return m_p; }
    T* operator->() const noexcept { return m_p; }
    T& operator*() const noexcept { return *m_p; }
    explicit operator bool() const noexcept { return m_p != nullptr; }
    T* release() noexcept { return std::exchange(m_p, nullptr); }
    friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.m_p == b.m_p; }

private:
    T* m_p = nullptr;
};

} // namespace typesys
