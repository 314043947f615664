#include "typesys/registry.h"

#include "typesys/error.h"
#include "typesys/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

namespace typesys {

namespace {

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};

bool isIdentifier(std::string_view s)
{
    if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || (unsigned char)c >= 0x80;
    });
}

std::string ownerText(std::string_view owner)
{
    return owner.empty() ? std::string("the core") : fmt::format("'{}'", owner);
}

} // namespace

struct Registry::Impl {
    mutable std::shared_mutex mutex;
    bool journaling = false;
    std::thread::id journalThread;   // the thread that began the journal: only its changes count
    std::vector<std::pair<std::string, TypeRef>> journal;   // key -> info before the journal (null: absent)

    // Called with the lock held, before `key` changes. A change from another thread than the
    // journal's is not recorded, and a key it changes leaves the journal: the rollback undoes
    // the journal thread's changes only, and never undoes another thread's.
    void record(const std::string& key, const TypeRef& before)
    {
        if (!journaling)
            return;
        auto it = std::find_if(journal.begin(), journal.end(), [&](const auto& e) { return e.first == key; });
        if (std::this_thread::get_id() != journalThread) {
            if (it != journal.end())
                journal.erase(it);
            return;
        }
        if (it == journal.end())
            journal.emplace_back(key, before);
    }
    std::vector<TypeRef> byIndex;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> byKey;
    uint64_t version = 0;

    std::mutex listenerMutex;
    std::map<int, std::shared_ptr<Listener>> listeners;
    int nextListener = 1;

    TypeRef findLocked(std::string_view key) const
    {
        auto it = byKey.find(key);
        return it == byKey.end() ? TypeRef() : byIndex[it->second];
    }

    void notify(const RegistryChange& change)
    {
        std::vector<std::shared_ptr<Listener>> copy;
        {
            std::lock_guard g(listenerMutex);
            for (auto& [id, l] : listeners)
                copy.push_back(l);
        }
        for (auto& l : copy)
            (*l)(change);
    }
};

// A batch's keys and their positions, so that checking a batch stays linear in its size.
using BatchIndex = std::unordered_map<std::string_view, size_t, StringHash>;

// Looks in the batch being registered first, then in the registry (whose lock is held).
class BatchResolver : public TypeResolver {
public:
    BatchResolver(const Registry::Impl& impl, const std::vector<TypeRef>& batch, const BatchIndex& index)
        : m_impl(impl), m_batch(batch), m_index(index) {}
    TypeRef resolve(std::string_view key) const override
    {
        if (auto it = m_index.find(key); it != m_index.end())
            return m_batch[it->second];
        return m_impl.findLocked(key);
    }
private:
    const Registry::Impl& m_impl;
    const std::vector<TypeRef>& m_batch;
    const BatchIndex& m_index;
};

Registry::Registry() : d(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

TypeRef Registry::registerType(TypeRef type, std::string_view owner)
{
    return registerTypes({std::move(type)}, owner).front();
}

std::vector<TypeRef> Registry::registerTypes(std::vector<TypeRef> types, std::string_view owner)
{
    RegistryChange change;
    {
        std::unique_lock lock(d->mutex);
        auto fail = [](const std::string& key, const std::string& msg) -> void {
            throw Error(ErrorKind::Registration, fmt::format("cannot register '{}': {}", key, msg));
        };

        // 1. Check everything, writing only into the (still private) batch infos, which are
        //    restored if anything fails so the caller may fix and retry.
        std::vector<std::pair<std::vector<FieldInfo>, TypeRef>> original;
        for (const TypeRef& t : types)
            original.emplace_back(t->fields, t->parent);
        BatchIndex batchIndex;
        batchIndex.reserve(types.size());
        try {
        for (size_t i = 0; i < types.size(); ++i) {
            TypeInfo& t = *types[i];
            if (t.generation != 0)
                fail(t.key, "this TypeInfo is registered already; build a new one");
            if (!isValidKey(t.key))
                throw Error(ErrorKind::Registration,
                            fmt::format("invalid type key '{}': use dotted identifiers such as 'geo.Point'",
                                        t.key));
            if (!batchIndex.emplace(t.key, i).second)
                fail(t.key, "the key appears twice in one batch");
            if (TypeRef old = d->findLocked(t.key); old && old->owner != owner)
                fail(t.key, fmt::format("the key is owned by {}", ownerText(old->owner)));

            if (t.kind == TypeKind::Enum) {
                if (t.members.empty())
                    fail(t.key, "an enum needs at least one member");
                if (!t.fields.empty() || !t.parentKey.empty())
                    fail(t.key, "an enum has members, not fields or a parent");
                for (size_t m = 0; m < t.members.size(); ++m) {
                    const EnumMember& em = t.members[m];
                    if (em.value.kind() != ValueKind::Int && em.value.kind() != ValueKind::Str)
                        fail(t.key, fmt::format("enum member '{}' must have a str or int value", em.name));
                    for (size_t k = 0; k < m; ++k)
                        if (t.members[k].name == em.name)
                            fail(t.key, fmt::format("enum member '{}' appears twice", em.name));
                }
                continue;
            }

            std::vector<FieldInfo> all;
            if (!t.parentKey.empty()) {
                TypeRef parent;
                if (auto it = batchIndex.find(t.parentKey); it != batchIndex.end() && it->second < i)
                    parent = types[it->second];   // earlier in the batch
                if (!parent)
                    parent = d->findLocked(t.parentKey);
                if (!parent)
                    fail(t.key, fmt::format("parent type '{}' is not registered", t.parentKey));
                if (parent->kind != TypeKind::Object)
                    fail(t.key, fmt::format("parent '{}' is an enum, not an object type", t.parentKey));
                t.parent = parent;
                all = parent->fields;
            }
            for (size_t f = 0; f < t.fields.size(); ++f) {
                FieldInfo& own = t.fields[f];
                if (!isIdentifier(own.name))
                    fail(t.key, fmt::format("field name '{}' is not an identifier", own.name));
                for (size_t g = 0; g < f; ++g)
                    if (t.fields[g].name == own.name)
                        fail(t.key, fmt::format("field '{}' is declared twice", own.name));
                own.definedIn = t.key;
                auto same = std::find_if(all.begin(), all.end(),
                                         [&](const FieldInfo& x) { return x.name == own.name; });
                if (same != all.end())
                    *same = own;   // a redefined field keeps its inherited position
                else
                    all.push_back(own);
            }
            for (uint32_t s = 0; s < all.size(); ++s)
                all[s].slot = s;
            t.fields = std::move(all);
            t.computeLayout();
        }

        BatchResolver resolver(*d, types, batchIndex);
        for (const TypeRef& t : types) {
            for (const FieldInfo& f : t->fields) {
                if (!f.defaultValue || f.definedIn != t->key)
                    continue;
                Path path;
                try {
                    validate(*f.defaultValue, f.schema, resolver, path);
                } catch (const Error& e) {
                    fail(t->key, fmt::format("default of field '{}': {}", f.name, e.what()));
                }
            }
        }
        } catch (...) {
            for (size_t i = 0; i < types.size(); ++i) {
                types[i]->fields = std::move(original[i].first);
                types[i]->parent = std::move(original[i].second);
                types[i]->computeLayout();
            }
            throw;
        }

        // 2. Commit. Nothing below throws except allocation.
        d->byIndex.reserve(d->byIndex.size() + types.size());
        d->byKey.reserve(d->byKey.size() + types.size());
        for (const TypeRef& t : types) {
            t->owner = std::string(owner);
            auto it = d->byKey.find(t->key);
            d->record(t->key, it != d->byKey.end() ? d->byIndex[it->second] : TypeRef());
            if (it != d->byKey.end()) {
                TypeRef old = d->byIndex[it->second];
                t->index = old->index;
                t->generation = old->generation + 1;
                old->markStale();
                d->byIndex[t->index] = t;
                change.replaced.push_back(t->key);
            } else {
                t->index = uint32_t(d->byIndex.size());
                t->generation = 1;
                d->byIndex.push_back(t);
                d->byKey.emplace(t->key, t->index);
                change.added.push_back(t->key);
            }
        }
        change.version = ++d->version;
    }
    d->notify(change);
    return types;
}

std::vector<TypeRef> Registry::remove(const std::vector<std::string>& keys, std::string_view owner)
{
    std::vector<TypeRef> removed;
    RegistryChange change;
    {
        std::unique_lock lock(d->mutex);
        for (const std::string& k : keys) {
            TypeRef t = d->findLocked(k);
            if (!t)
                throw Error(ErrorKind::Lookup, fmt::format("cannot remove '{}': no such type", k));
            if (t->owner != owner)
                throw Error(ErrorKind::Registration,
                            fmt::format("cannot remove '{}': the key is owned by {}", k, ownerText(t->owner)));
        }
        for (const std::string& k : keys) {
            auto it = d->byKey.find(k);
            if (it == d->byKey.end())
                continue;   // listed twice
            TypeRef t = d->byIndex[it->second];
            d->record(k, t);
            t->markStale();
            d->byIndex[it->second] = TypeRef();
            d->byKey.erase(it);
            change.removed.push_back(k);
            removed.push_back(std::move(t));
        }
        change.version = ++d->version;
    }
    d->notify(change);
    return removed;
}

std::vector<TypeRef> Registry::removeOwner(std::string_view owner)
{
    std::vector<std::string> keys;
    {
        std::shared_lock lock(d->mutex);
        for (const TypeRef& t : d->byIndex)
            if (t && t->owner == owner)
                keys.push_back(t->key);
    }
    if (keys.empty())
        return {};
    return remove(keys, owner);
}

TypeRef Registry::find(std::string_view key) const
{
    std::shared_lock lock(d->mutex);
    return d->findLocked(key);
}

TypeRef Registry::get(std::string_view key) const
{
    if (TypeRef t = find(key))
        return t;
    throw Error(ErrorKind::Lookup, fmt::format("unknown type key '{}'", key));
}

TypeRef Registry::at(uint32_t index) const
{
    std::shared_lock lock(d->mutex);
    return index < d->byIndex.size() ? d->byIndex[index] : TypeRef();
}

std::vector<TypeRef> Registry::snapshot() const
{
    std::shared_lock lock(d->mutex);
    std::vector<TypeRef> out;
    out.reserve(d->byKey.size());
    for (const TypeRef& t : d->byIndex)
        if (t)
            out.push_back(t);
    return out;
}

std::vector<std::string> Registry::keys() const
{
    std::vector<std::string> out;
    {
        std::shared_lock lock(d->mutex);
        out.reserve(d->byKey.size());
        for (auto& [k, i] : d->byKey)
            out.push_back(k);
    }
    std::sort(out.begin(), out.end());
    return out;
}

size_t Registry::size() const
{
    std::shared_lock lock(d->mutex);
    return d->byKey.size();
}

uint64_t Registry::version() const
{
    std::shared_lock lock(d->mutex);
    return d->version;
}

std::vector<std::string> Registry::unresolvedReferences(const TypeInfo& type) const
{
    std::vector<std::string> missing;
    auto note = [&](const std::string& k) {
        if (k != type.key && !find(k) && std::find(missing.begin(), missing.end(), k) == missing.end())
            missing.push_back(k);
    };
    if (!type.parentKey.empty())
        note(type.parentKey);
    for (const FieldInfo& f : type.fields)
        for (const std::string& k : f.schema.references())
            note(k);
    return missing;
}

void Registry::beginJournal()
{
    std::unique_lock lock(d->mutex);
    TYPESYS_CHECK(!d->journaling, "registry journal already open");
    d->journaling = true;
    d->journalThread = std::this_thread::get_id();
    d->journal.clear();
}

void Registry::commitJournal()
{
    std::unique_lock lock(d->mutex);
    d->journaling = false;
    d->journal.clear();
}

bool Registry::journaling() const
{
    std::shared_lock lock(d->mutex);
    return d->journaling;
}

std::vector<TypeRef> Registry::rollbackJournal()
{
    RegistryChange change;
    std::vector<TypeRef> restored;
    {
        std::unique_lock lock(d->mutex);
        TYPESYS_CHECK(d->journaling, "no registry journal to roll back");
        for (auto it = d->journal.rbegin(); it != d->journal.rend(); ++it) {
            const auto& [key, before] = *it;
            TypeRef now = d->findLocked(key);
            if (now == before)
                continue;
            if (now)
                now->markStale();
            if (before) {
                before->m_stale.store(false, std::memory_order_release);
                if (before->index >= d->byIndex.size())
                    d->byIndex.resize(before->index + 1);
                d->byIndex[before->index] = before;
                d->byKey[key] = before->index;
                (now ? change.replaced : change.added).push_back(key);
                restored.push_back(before);
            } else {
                d->byIndex[now->index] = TypeRef();
                d->byKey.erase(key);
                change.removed.push_back(key);
            }
        }
        d->journaling = false;
        d->journal.clear();
        change.version = ++d->version;
    }
    d->notify(change);
    return restored;
}

int Registry::subscribe(Listener listener)
{
    std::lock_guard g(d->listenerMutex);
    int id = d->nextListener++;
    d->listeners.emplace(id, std::make_shared<Listener>(std::move(listener)));
    return id;
}

void Registry::unsubscribe(int id)
{
    std::lock_guard g(d->listenerMutex);
    d->listeners.erase(id);
}

} // namespace typesys
