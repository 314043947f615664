#pragma once
// ObjectNode: an instance of a registered object type, with compact field storage.
//
// Layout: an 8-byte node header, the TypeInfo pointer, a host binding pointer, the bit mask of
// which of the first 64 fields are set, then one 8-byte slot per field and, past 64 fields,
// one more mask word per 64 fields. (The first mask word sits in the header so that marking
// a field set needs no field count, i.e. no trip through the TypeInfo.) bool/int/float fields are
// stored inline in their slot; every other field's slot holds a node pointer (a boxed value
// where an Any/Union field holds a scalar; a tagged 1 for None).
//
// Thread safety: any thread may read fields while one other thread writes them; writers must
// be serialized per field (the host writes from its Python thread; the UI's in-place edit may
// write another field of the same object meanwhile: a field going from unset to set marks its
// bit with an atomic or, so two such writers do not lose each other's bit). Inline
// scalars are single atomic words; pointer slots are read under the node's spin lock and
// shared before the lock is released, so a replaced string or container stays alive until
// every reader is done with it.
//
// set() does not validate: callers validate against the field schema first (validate.h).

#include "typesys/type_info.h"
#include "typesys/value.h"

#include <atomic>
#include <bit>
#include <cstdint>

namespace typesys {

class ObjectNode : public Node {
public:
    // A new instance with every field unset.
    static Ref<ObjectNode> create(TypeRef type);
    // The same for a type the caller keeps alive for the duration of the call.
    static Ref<ObjectNode> create(TypeInfo* type);

    // The host's fast path (no atomic read-modify-write for the type). A hosted node owns no
    // reference to its TypeInfo and is counted in TypeInfo::hostedInstances, which only the
    // host changes. The host promises to keep the type alive while the node is hosted, to
    // serialize createHosted, unhost and the destruction of hosted nodes under one lock (the
    // GIL), and to call unhost() before it lets go of a node that others still reference.
    static Ref<ObjectNode> createHosted(TypeInfo* type);
    bool isHosted() const noexcept { return flags & kHosted; }
    // Turns a hosted node into an ordinary one: takes a reference to the type and moves the
    // node to the atomic instance count.
    void unhost() noexcept;
    // A new instance with every field that has a default (or factory) set from it.
    static Ref<ObjectNode> createWithDefaults(TypeRef type);

    const TypeInfo& type() const noexcept { return *m_type; }
    TypeInfo* typePtr() const noexcept { return m_type; }
    uint32_t fieldCount() const noexcept { return uint32_t(m_type->fields.size()); }

    bool isSet(uint32_t field) const noexcept;
    // isSet for a field known to be an inline scalar (skips the schema lookup).
    bool isSetInline(uint32_t field) const noexcept
    {
        return (maskWord(field).load(std::memory_order_acquire) >> (field % 64)) & 1;
    }
    // The value of a field; false (out untouched) when it was never set.
    bool get(uint32_t field, Value* out) const;
    Value get(uint32_t field) const;   // throws Error(Lookup) naming the field when unset
    void set(uint32_t field, Value v);
    // set() for an instance no other thread can see yet (just created, not shared): stores
    // without taking the node's lock.
    void initField(uint32_t field, Value v);
    // initField for a field stored as a node pointer (not an inline scalar), taking over a
    // reference the caller owns (or an immortal node). Inline: the host's str fast path.
    void initNodeField(uint32_t field, Node* owned) noexcept
    {
        uint64_t old = slot(field).load(std::memory_order_relaxed);
        slot(field).store(reinterpret_cast<uint64_t>(owned), std::memory_order_relaxed);
        if (old)
            releaseSlot(old);
    }
    void unset(uint32_t field);

    // What a pointer slot holds, as bits (0 unset, 1 None, else the node's address): equal
    // bits mean the same node, so two fields can be found equal without reading either.
    uint64_t slotBits(uint32_t field) const noexcept { return slot(field).load(std::memory_order_acquire); }

    // Inline scalar fast paths (field schema must be bool/int/float and the field set).
    int64_t rawInt(uint32_t field) const noexcept { return int64_t(slot(field).load(std::memory_order_relaxed)); }
    // Inline in this header: the host calls them once per field on every construct and set.
    double rawFloat(uint32_t field) const noexcept
    {
        return std::bit_cast<double>(slot(field).load(std::memory_order_relaxed));
    }
    bool rawBool(uint32_t field) const noexcept { return slot(field).load(std::memory_order_relaxed) != 0; }
    void setRawInt(uint32_t field, int64_t v) noexcept { setRawBits(field, uint64_t(v)); }
    void setRawFloat(uint32_t field, double v) noexcept { setRawBits(field, std::bit_cast<uint64_t>(v)); }
    void setRawBool(uint32_t field, bool v) noexcept { setRawBits(field, v ? 1 : 0); }
    // The same for an object no other thread can see yet (see initField): no atomic at all.
    void initRawInt(uint32_t field, int64_t v) noexcept { initRawBits(field, uint64_t(v)); }
    void initRawFloat(uint32_t field, double v) noexcept { initRawBits(field, std::bit_cast<uint64_t>(v)); }
    void initRawBool(uint32_t field, bool v) noexcept { initRawBits(field, v ? 1 : 0); }

    // Host back pointer (e.g. the Python wrapper). Only touched by the host, under its lock.
    void* binding = nullptr;

    static size_t allocationSize(uint32_t fieldCount) noexcept;
    // Frees the storage (called by Node::destroyNode).
    static void destroy(ObjectNode* o) noexcept;

private:
    static constexpr uint8_t kHosted = 1;   // in Node::flags
    static void releaseSlot(uint64_t bits) noexcept;   // drops what a pointer slot held
    static Ref<ObjectNode> allocate(TypeInfo* type);
    ObjectNode(TypeInfo* type, uint32_t count) noexcept;
    std::atomic<uint64_t>* slots() const noexcept
    {
        return reinterpret_cast<std::atomic<uint64_t>*>(const_cast<ObjectNode*>(this) + 1);
    }
    std::atomic<uint64_t>& slot(uint32_t i) const noexcept { return slots()[i]; }
    std::atomic<uint64_t>& maskWord(uint32_t field) const noexcept
    {
        return field < 64 ? m_mask0 : slots()[fieldCount() + field / 64 - 1];
    }
    void setRawBits(uint32_t i, uint64_t bits) noexcept
    {
        slot(i).store(bits, std::memory_order_relaxed);
        markSet(i);
    }
    void initRawBits(uint32_t i, uint64_t bits) noexcept
    {
        slot(i).store(bits, std::memory_order_relaxed);
        markSetFresh(i);
    }
    // Steady-state writes (the bit is already set) do no read-modify-write; only a field going
    // from unset to set pays one, which keeps a concurrent writer's bit (see above).
    void markSet(uint32_t i) noexcept
    {
        std::atomic<uint64_t>& word = maskWord(i);
        uint64_t bit = uint64_t(1) << (i % 64);
        if (!(word.load(std::memory_order_relaxed) & bit))
            word.fetch_or(bit, std::memory_order_release);
    }
    // For an object no other thread can see yet: a plain load and store.
    void markSetFresh(uint32_t i) noexcept
    {
        std::atomic<uint64_t>& word = maskWord(i);
        uint64_t bit = uint64_t(1) << (i % 64);
        uint64_t cur = word.load(std::memory_order_relaxed);
        if (!(cur & bit))
            word.store(cur | bit, std::memory_order_release);
    }
    // The slot bits of an inline scalar field for v (bool/int/float); throws Error(Internal)
    // for any other kind.
    uint64_t inlineBits(uint32_t field, const Value& v) const;
    bool isInline(uint32_t i) const noexcept { return m_type->fields[i].schema.isInlineScalar(); }

    TypeInfo* m_type;   // owns one reference, unless the node is hosted
    mutable std::atomic<uint64_t> m_mask0{0};   // set bits of fields 0-63
    // Slots and mask words follow the header in the same allocation.
};

} // namespace typesys
