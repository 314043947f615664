#include "typesys/object.h"

#include "typesys/error.h"

#include "node_pool.h"

#include <fmt/format.h>

#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>

namespace typesys {

namespace {
// Pointer-slot encoding: 0 = unset, kNoneTag = None, anything else a Node* owning one reference.
constexpr uint64_t kNoneTag = 1;
constexpr size_t kLargeBytes = 512;   // node_pool.cpp's largest size class

// Mask words after the slots (the first one is in the header).
uint32_t extraMaskWords(uint32_t fields) noexcept { return fields > 64 ? (fields - 1) / 64 : 0; }

// The slot bits for v, taking over v's node reference (a scalar is boxed).
uint64_t encode(Value&& v)
{
    switch (v.kind()) {
    case ValueKind::None:
        return kNoneTag;
    case ValueKind::Bool:
    case ValueKind::Int:
    case ValueKind::Float:
        return reinterpret_cast<uint64_t>(static_cast<Node*>(new BoxNode(std::move(v))));
    default:
        return reinterpret_cast<uint64_t>(v.releaseNode());
    }
}

Value decode(uint64_t bits)
{
    if (bits == kNoneTag)
        return Value();
    return Value::fromNode(reinterpret_cast<Node*>(bits));
}

void release(uint64_t bits) noexcept
{
    if (bits > kNoneTag)
        reinterpret_cast<Node*>(bits)->decRef();
}
} // namespace

void ObjectNode::releaseSlot(uint64_t bits) noexcept
{
    release(bits);
}

size_t ObjectNode::allocationSize(uint32_t fieldCount) noexcept
{
    return sizeof(ObjectNode) + sizeof(uint64_t) * (fieldCount + extraMaskWords(fieldCount));
}

ObjectNode::ObjectNode(TypeInfo* type, uint32_t count) noexcept
    : Node(NodeKind::Object), m_type(type)
{
    auto* s = slots();
    for (uint32_t i = 0; i < count + extraMaskWords(count); ++i)
        new (&s[i]) std::atomic<uint64_t>(0);
}

Ref<ObjectNode> ObjectNode::allocate(TypeInfo* type)
{
    TYPESYS_CHECK(type && type->kind == TypeKind::Object, "ObjectNode::create needs an object type");
    if (!type->hasLayout())
        type->computeLayout();   // an info that was never registered (registered ones have it)
    uint32_t count = uint32_t(type->fields.size());
    const size_t bytes = allocationSize(count);
    void* mem = detail::poolAllocate(bytes);
    auto* o = new (mem) ObjectNode(type, count);
    // The size the storage came in, for freeing it: in 8-byte units, 0 for "large" (malloc).
    // Kept in the node rather than recomputed from the type, whose field list a node must not
    // depend on for its own memory.
    o->spare = bytes <= kLargeBytes ? uint8_t(bytes / 8) : 0;
    return Ref<ObjectNode>::adopt(o);
}

Ref<ObjectNode> ObjectNode::create(TypeRef type)
{
    Ref<ObjectNode> o = allocate(type.get());
    type.release();   // the node's reference
    o->m_type->m_instances.fetch_add(1, std::memory_order_relaxed);
    return o;
}

Ref<ObjectNode> ObjectNode::create(TypeInfo* type)
{
    return create(TypeRef::share(type));
}

Ref<ObjectNode> ObjectNode::createHosted(TypeInfo* type)
{
    Ref<ObjectNode> o = allocate(type);
    o->flags |= kHosted;
    auto& hosted = type->m_hostedInstances;   // serialized by the host: no read-modify-write
    hosted.store(hosted.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    return o;
}

void ObjectNode::unhost() noexcept
{
    if (!isHosted())
        return;
    m_type->incRef();
    m_type->m_instances.fetch_add(1, std::memory_order_relaxed);
    auto& hosted = m_type->m_hostedInstances;
    hosted.store(hosted.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    flags &= uint8_t(~kHosted);
}

Ref<ObjectNode> ObjectNode::createWithDefaults(TypeRef type)
{
    Ref<ObjectNode> o = create(std::move(type));
    const auto& fields = o->m_type->fields;
    for (uint32_t i = 0; i < fields.size(); ++i)
        if (std::optional<Value> v = fields[i].makeDefault())
            o->set(i, std::move(*v));
    return o;
}

void ObjectNode::destroy(ObjectNode* o) noexcept
{
    for (uint32_t i : o->m_type->pointerSlots())
        release(o->slot(i).load(std::memory_order_relaxed));
    TypeInfo* t = o->m_type;
    bool hosted = o->isHosted();
    size_t bytes = o->spare ? size_t(o->spare) * 8 : SIZE_MAX;
    o->~ObjectNode();
    detail::poolFree(o, bytes);
    if (hosted) {
        // Only the host frees a hosted node, under its lock (createHosted).
        auto& n = t->m_hostedInstances;
        n.store(n.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
        return;
    }
    t->m_instances.fetch_sub(1, std::memory_order_relaxed);
    t->decRef();
}

bool ObjectNode::isSet(uint32_t field) const noexcept
{
    if (!isInline(field))
        return slot(field).load(std::memory_order_acquire) != 0;
    return (maskWord(field).load(std::memory_order_acquire) >> (field % 64)) & 1;
}

bool ObjectNode::get(uint32_t field, Value* out) const
{
    const Schema& schema = m_type->fields[field].schema;
    if (schema.isInlineScalar()) {
        if (!isSet(field))
            return false;
        uint64_t bits = slot(field).load(std::memory_order_relaxed);
        switch (schema.kind()) {
        case SchemaKind::Bool: *out = Value::fromBool(bits != 0); break;
        case SchemaKind::Int: *out = Value::fromInt(int64_t(bits)); break;
        default: *out = Value::fromFloat(std::bit_cast<double>(bits)); break;
        }
        return true;
    }
    std::lock_guard g(lock);
    uint64_t bits = slot(field).load(std::memory_order_relaxed);
    if (bits == 0)
        return false;
    *out = decode(bits);   // shares the node before the lock is released
    return true;
}

Value ObjectNode::get(uint32_t field) const
{
    Value v;
    if (!get(field, &v))
        throw Error(ErrorKind::Lookup,
                    fmt::format("{}.{}: field is not set", m_type->key, m_type->fields[field].name));
    return v;
}

void ObjectNode::set(uint32_t field, Value v)
{
    if (m_type->fields[field].schema.isInlineScalar()) {
        setRawBits(field, inlineBits(field, v));
        return;
    }
    uint64_t bits = encode(std::move(v));
    uint64_t old;
    {
        // Writers are serialized and readers take the lock: a plain load and store suffice.
        std::lock_guard g(lock);
        old = slot(field).load(std::memory_order_relaxed);
        slot(field).store(bits, std::memory_order_release);
    }
    release(old);
}

uint64_t ObjectNode::inlineBits(uint32_t field, const Value& v) const
{
    switch (v.kind()) {
    case ValueKind::Bool: return v.asBool();
    case ValueKind::Int:
        return m_type->fields[field].schema.kind() == SchemaKind::Float ? std::bit_cast<uint64_t>(double(v.asInt()))
                                                                        : uint64_t(v.asInt());
    case ValueKind::Float: return std::bit_cast<uint64_t>(v.asFloat());
    default:
        throw Error(ErrorKind::Internal,
                    fmt::format("internal error: {}.{}: {} stored in an inline slot", m_type->key,
                                m_type->fields[field].name, kindName(v.kind())));
    }
}

void ObjectNode::initField(uint32_t field, Value v)
{
    if (m_type->fields[field].schema.isInlineScalar()) {
        initRawBits(field, inlineBits(field, v));
        return;
    }
    uint64_t old = slot(field).load(std::memory_order_relaxed);   // 0 unless set before
    slot(field).store(encode(std::move(v)), std::memory_order_relaxed);
    release(old);
}

void ObjectNode::unset(uint32_t field)
{
    if (isInline(field)) {
        maskWord(field).fetch_and(~(uint64_t(1) << (field % 64)), std::memory_order_release);
        return;
    }
    uint64_t old;
    {
        std::lock_guard g(lock);
        old = slot(field).exchange(0, std::memory_order_acq_rel);
    }
    release(old);
}

} // namespace typesys
