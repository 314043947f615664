#pragma once
// Registry: the set of registered types, by key and by index.
//
// - Registration takes a batch and is all-or-nothing: every type of a plugin lands, or none.
// - Re-registering a key with the same owner replaces the type (same index, next generation);
//   another owner's key is refused with an error naming that owner.
// - Replaced and removed infos are marked stale and stay alive while instances hold them.
// - Lookups are O(1) and may run on any number of threads alongside one writer; snapshot()
//   returns a consistent list for iteration.
// - Listeners are called after each change, on the writing thread, outside the lock.
// A Registry is an ordinary object: tests create their own.

#include "typesys/type_info.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace typesys {

struct RegistryChange {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> replaced;
    uint64_t version = 0;
};

// Resolves type keys for validation and JSON reading.
class TypeResolver {
public:
    virtual ~TypeResolver() = default;
    virtual TypeRef resolve(std::string_view key) const = 0;   // null when unknown
};

class Registry : public TypeResolver {
public:
    using Listener = std::function<void(const RegistryChange&)>;

    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Registers `types` (from TypeBuilder::build) for `owner`, all or nothing. A type's parent
    // may be registered already or come earlier in the same batch. Fills index, generation,
    // owner, parent and the inherited fields; validates keys, field names and defaults.
    // Throws Error(Registration) and leaves the registry untouched on any problem.
    std::vector<TypeRef> registerTypes(std::vector<TypeRef> types, std::string_view owner);
    TypeRef registerType(TypeRef type, std::string_view owner);

    // Removes keys (all must exist and belong to owner); returns the removed infos, now stale.
    std::vector<TypeRef> remove(const std::vector<std::string>& keys, std::string_view owner);
    // Removes every type of owner; returns them, now stale.
    std::vector<TypeRef> removeOwner(std::string_view owner);

    TypeRef find(std::string_view key) const;      // null when absent
    TypeRef resolve(std::string_view key) const override { return find(key); }
    TypeRef get(std::string_view key) const;       // throws Error(Lookup)
    TypeRef at(uint32_t index) const;              // null when absent or removed
    std::vector<TypeRef> snapshot() const;         // live types, by index
    std::vector<std::string> keys() const;         // sorted
    size_t size() const;
    uint64_t version() const;                      // bumped by every change

    // Keys referenced by `type`'s field schemas (and its parent) that are not registered.
    std::vector<std::string> unresolvedReferences(const TypeInfo& type) const;

    // Journal: between beginJournal() and commitJournal() or rollbackJournal(), every change
    // the thread that began the journal makes is recorded, and rollbackJournal() restores
    // those keys exactly as they were (replaced and removed infos become current and not stale
    // again; added keys disappear). Changes made meanwhile by other threads are not part of the
    // journal and stay; a key another thread changes after the journal thread did is left as
    // that thread made it. Used for transactional plugin loads and reloads (a thread a plugin
    // started is not rolled back with it). One journal at a time; throws Error(Internal) when
    // nested. Returns the infos made current again.
    void beginJournal();
    void commitJournal();
    std::vector<TypeRef> rollbackJournal();
    bool journaling() const;

    int subscribe(Listener listener);
    void unsubscribe(int id);

    struct Impl;
private:
    std::unique_ptr<Impl> d;
};

} // namespace typesys
