#pragma once
// TypeInfo: the registered description of an object type or an enum type.
//
// A TypeInfo is immutable once registered, except for its stale flag and the host binding.
// It is shared (intrusively ref-counted): objects hold their TypeInfo, so an info replaced or
// removed from the registry stays alive, marked stale, for as long as instances use it.

#include "typesys/ref.h"
#include "typesys/schema.h"
#include "typesys/value.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace typesys {

enum class TypeOrigin : uint8_t { Native, Python };
enum class TypeKind : uint8_t { Object, Enum };

const char* originName(TypeOrigin o) noexcept;   // "native" / "python"

struct FieldInfo {
    std::string name;
    Schema schema;
    std::optional<Value> defaultValue;        // a plain default
    std::function<Value()> defaultFactory;    // called for each new instance; may throw
    bool init = true;
    bool repr = true;
    bool compare = true;
    std::optional<bool> hash;                 // nullopt: follows compare (as dataclasses)
    bool kwOnly = false;
    std::string doc;
    std::string metadataJson;                 // JSON object text, "" when none
    std::string pythonAnnotation;             // the annotation as written (host only)
    std::string defaultRepr;                  // repr() of the Python default (host only), "" when unknown
    // Filled by the registry:
    std::string definedIn;                    // key of the type that declared the field
    uint32_t slot = 0;                        // storage slot in ObjectNode

    bool hasDefault() const noexcept { return defaultValue.has_value() || bool(defaultFactory); }
    // The default for one new instance: the factory's result, or the plain default, where a
    // list, dict or object is deep-copied so that instances never share a mutable default.
    // nullopt when the field has no default.
    std::optional<Value> makeDefault() const;
    bool hashes() const noexcept { return hash.value_or(compare); }
};

struct EnumMember {
    std::string name;
    Value value;   // str or int
};

struct SourceLocation {
    std::string file;
    int line = 0;
};

class TypeInfo : public Node {
public:
    // Use TypeBuilder (type_builder.h) to make one; the registry completes it on registration.
    TypeInfo() : Node(NodeKind::TypeInfo) {}

    std::string key;
    uint32_t index = 0;                 // O(1) registry index, kept across replacement
    uint32_t generation = 0;            // bumped each time the key is replaced
    TypeKind kind = TypeKind::Object;
    TypeOrigin origin = TypeOrigin::Native;
    std::string owner;                  // plugin name, script, or "" for the core
    std::string parentKey;              // "" when none
    Ref<TypeInfo> parent;               // resolved at registration
    std::string doc;
    std::vector<FieldInfo> fields;      // inherited first, in slot order
    std::vector<EnumMember> members;    // Enum only
    bool frozen = false;
    // Whether instances hash: a Python class says so by its hash rule (dataclasses' table);
    // unset, frozen types hash and the others do not (the rule of a class generated for a
    // native type, which is eq=True).
    std::optional<bool> hashable;
    SourceLocation source;

    // Host bookkeeping (e.g. the Python class). typesys never touches these.
    void* binding = nullptr;
    std::shared_ptr<void> hostData;

    bool isHashable() const noexcept { return kind == TypeKind::Enum || hashable.value_or(frozen); }
    bool isStale() const noexcept { return m_stale.load(std::memory_order_acquire); }
    // Live instances (ObjectNodes) of this type info; a replaced info keeps counting its own.
    int64_t liveInstances() const noexcept
    {
        return m_instances.load(std::memory_order_relaxed) + m_hostedInstances.load(std::memory_order_relaxed);
    }
    void markStale() const noexcept { m_stale.store(true, std::memory_order_release); }

    // Storage layout derived from `fields` (the registry fills it on registration): the slots
    // that hold node pointers, so destroying an object skips its inline scalars without
    // looking at each schema.
    const std::vector<uint32_t>& pointerSlots() const noexcept { return m_pointerSlots; }
    bool hasLayout() const noexcept { return m_layoutFields == fields.size(); }
    void computeLayout();

    // Index of the field named `name`, or -1.
    int fieldIndex(std::string_view name) const noexcept;
    // True when this type is `key` or derives from it.
    bool isSubtypeOf(std::string_view key) const noexcept;
    // What an instance of this stale info is, for messages: "a stale instance of a previous
    // version of KEY (generation G)". A stale instance is refused wherever a value is stored
    // or written (its fields are the old version's: the current registry cannot read them back).
    std::string staleInstanceText() const;
    const EnumMember* findMember(const Value& value) const noexcept;
    // For an enum error about `got` (the value given, any kind): what the members are, and
    // whether `got` is a member's name instead of its value, e.g. " ('REVOLUTE' is the name of
    // member REVOLUTE, whose value is 'revolute')" or " (the members' values are 'revolute',
    // 'prismatic')"; at most ten values are listed.
    std::string enumHint(const Value& got) const;

private:
    friend class Registry;   // a rolled-back journal makes a replaced info current again
    friend class ObjectNode; // counts instances
    mutable std::atomic<bool> m_stale{false};
    // Live ObjectNodes: ordinary ones (any thread, atomic increments) plus hosted ones (changed
    // by the host only, under its lock: plain loads and stores; see ObjectNode::createHosted).
    mutable std::atomic<int64_t> m_instances{0};
    mutable std::atomic<int64_t> m_hostedInstances{0};
    std::vector<uint32_t> m_pointerSlots;
    size_t m_layoutFields = size_t(-1);
};

using TypeRef = Ref<TypeInfo>;

} // namespace typesys
