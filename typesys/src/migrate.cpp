#include "typesys/migrate.h"

#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/validate.h"

#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>

namespace typesys {

// A stale object (held, so that its address is not reused) and the object that replaces it.
struct Replacement {
    Value old;
    Value now;
};

struct Migrator::Impl {
    const Registry& registry;
    std::unordered_map<const Node*, Replacement> done;   // stale object -> its migrated object
};

namespace {

constexpr size_t kMaxDepth = 512;

bool sameNode(const Value& a, const Value& b) noexcept
{
    return a.kind() == b.kind() && a.node() == b.node();
}

// One migrate() call: finds what to change (no change made), then applies it, validates the
// carried values and undoes everything when one does not fit.
class Pass {
public:
    Pass(const Registry& r, const std::unordered_map<const Node*, Replacement>& done) : m_registry(r), m_done(done) {}

    MigrationResult run(const Value& root)
    {
        MigrationResult out;
        Path path;
        Value migrated = walk(root, path);
        if (m_issues.empty())
            apply();
        if (!m_issues.empty()) {
            undo();
            out.value = root;
            out.issues = std::move(m_issues);
            return out;
        }
        out.value = std::move(migrated);
        out.migrated = m_made.size();
        return out;
    }

    std::unordered_map<const Node*, Replacement>& made() { return m_made; }

private:
    struct Edit {
        Value target;   // the list, dict or object changed in place
        size_t index;   // list index or field slot
        Value key;      // dict key
        Value before;
        Value after;
    };
    struct Carried {
        Ref<ObjectNode> object;   // a new object
        uint32_t field;
        Value value;
        Path path;
    };

    void issue(const Path& path, std::string reason) { m_issues.push_back({path, std::move(reason)}); }

    Value walk(const Value& v, Path& path)
    {
        if (path.size() > kMaxDepth) {
            if (m_issues.empty() || m_issues.back().reason.rfind("nesting", 0) != 0)
                issue(path, fmt::format("nesting deeper than {} levels", kMaxDepth));
            return v;
        }
        switch (v.kind()) {
        case ValueKind::List: walkList(v, path); return v;
        case ValueKind::Dict: walkDict(v, path); return v;
        case ValueKind::Object:
            if (v.asObject()->type().isStale())
                return replacement(v, path);
            walkObject(v, path);
            return v;
        default: return v;
        }
    }

    void walkList(const Value& v, Path& path)
    {
        if (!m_seen.insert(v.node()).second)
            return;
        std::vector<Value> items = v.asList()->snapshot();
        for (size_t i = 0; i < items.size(); ++i) {
            path.push_back({PathStep::Index, {}, i});
            Value now = walk(items[i], path);
            if (!sameNode(now, items[i]))
                m_edits.push_back({v, i, {}, items[i], std::move(now)});
            path.pop_back();
        }
    }

    void walkDict(const Value& v, Path& path)
    {
        if (!m_seen.insert(v.node()).second)
            return;
        for (auto& [k, item] : v.asDict()->snapshot()) {
            path.push_back(k.kind() == ValueKind::Int ? PathStep{PathStep::IntKey, std::to_string(k.asInt()), 0}
                                                      : PathStep{PathStep::Key, std::string(k.asStr()), 0});
            Value now = walk(item, path);
            if (!sameNode(now, item))
                m_edits.push_back({v, 0, k, item, std::move(now)});
            path.pop_back();
        }
    }

    void walkObject(const Value& v, Path& path)
    {
        if (!m_seen.insert(v.node()).second)
            return;
        const ObjectNode& o = *v.asObject();
        const TypeInfo& t = o.type();
        for (uint32_t i = 0; i < t.fields.size(); ++i) {
            Value field;
            if (t.fields[i].schema.isInlineScalar() || !o.get(i, &field))
                continue;
            path.push_back({PathStep::Field, t.fields[i].name, 0});
            Value now = walk(field, path);
            if (!sameNode(now, field))
                m_edits.push_back({v, i, {}, field, std::move(now)});
            path.pop_back();
        }
    }

    // The new object for stale object v (made once per object: sharing and cycles are kept).
    Value replacement(const Value& v, Path& path)
    {
        const ObjectNode& old = *v.asObject();
        if (auto it = m_done.find(&old); it != m_done.end())
            return it->second.now;
        if (auto it = m_made.find(&old); it != m_made.end())
            return it->second.now;
        const TypeInfo& was = old.type();
        TypeRef now = m_registry.find(was.key);
        if (!now) {
            issue(path, fmt::format("{} is no longer registered", was.key));
            return v;
        }
        if (now->kind != TypeKind::Object) {
            issue(path, fmt::format("{} is now an enum", was.key));
            return v;
        }
        Ref<ObjectNode> made = ObjectNode::create(now);
        Value out = Value::fromObject(made);
        m_made.emplace(&old, Replacement{v, out});
        m_created.push_back(made);
        std::vector<bool> carried(now->fields.size(), false);
        for (uint32_t i = 0; i < was.fields.size(); ++i) {
            Value field;
            if (!old.get(i, &field))
                continue;
            const std::string& name = was.fields[i].name;
            int j = now->fieldIndex(name);
            if (j < 0) {
                issue(path, fmt::format("{}: field '{}' is not in the current version (its value would be lost)",
                                        was.key, name));
                continue;
            }
            path.push_back({PathStep::Field, name, 0});
            m_carried.push_back({made, uint32_t(j), walk(field, path), path});
            path.pop_back();
            carried[size_t(j)] = true;
        }
        for (uint32_t j = 0; j < now->fields.size(); ++j) {
            if (carried[j])
                continue;
            const FieldInfo& f = now->fields[j];
            path.push_back({PathStep::Field, f.name, 0});
            try {
                if (std::optional<Value> d = f.makeDefault())
                    m_carried.push_back({made, j, std::move(*d), path});
                else
                    issue(path, fmt::format("{}: field '{}' is new and has no default", was.key, f.name));
            } catch (const Error& e) {
                if (e.kind() == ErrorKind::Internal)
                    throw;   // e.g. a KeyboardInterrupt in a default_factory: not a misfit
                issue(path, e.reason().empty() ? e.what() : e.reason());
            }
            path.pop_back();
        }
        return out;
    }

    static void set(const Edit& e, const Value& v)
    {
        switch (e.target.kind()) {
        case ValueKind::List: e.target.asList()->set(e.index, v); break;
        case ValueKind::Dict: e.target.asDict()->set(e.key, v); break;
        default: e.target.asObject()->set(uint32_t(e.index), v); break;
        }
    }

    void checkCarried(bool inlineScalars)
    {
        for (const Carried& c : m_carried) {
            const Schema& s = c.object->type().fields[c.field].schema;
            if (s.isInlineScalar() != inlineScalars)
                continue;
            try {
                Path p = c.path;
                validate(c.value, s, m_registry, p);
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::Validation)
                    throw;
                issue(e.path(), fmt::format("{} (the field's type changed)", e.reason().empty() ? e.what() : e.reason()));
            }
        }
    }

    void apply()
    {
        // Scalars first: an inline slot cannot hold a value of another kind.
        checkCarried(true);
        if (!m_issues.empty())
            return;
        for (const Edit& e : m_edits)
            set(e, e.after);
        m_applied = true;
        for (const Carried& c : m_carried)
            c.object->initField(c.field, c.value);
        checkCarried(false);   // with the graph in its final form
    }

    void undo()
    {
        if (m_applied)
            for (auto it = m_edits.rbegin(); it != m_edits.rend(); ++it)
                set(*it, it->before);
        // Break the cycles new objects may form among themselves, so they are freed.
        for (const Ref<ObjectNode>& o : m_created)
            for (uint32_t j = 0; j < o->fieldCount(); ++j)
                o->unset(j);
        m_made.clear();
    }

    const Registry& m_registry;
    const std::unordered_map<const Node*, Replacement>& m_done;
    std::unordered_map<const Node*, Replacement> m_made;
    std::unordered_set<const Node*> m_seen;
    std::vector<Edit> m_edits;
    std::vector<Carried> m_carried;
    std::vector<Ref<ObjectNode>> m_created;
    std::vector<MigrationIssue> m_issues;
    bool m_applied = false;
};

bool reaches(const Value& v, std::unordered_set<const Node*>& seen, size_t depth)
{
    if (!v.isNode() || depth > kMaxDepth || !seen.insert(v.node()).second)
        return false;
    switch (v.kind()) {
    case ValueKind::List:
        for (const Value& item : v.asList()->snapshot())
            if (reaches(item, seen, depth + 1))
                return true;
        return false;
    case ValueKind::Dict:
        for (auto& [k, item] : v.asDict()->snapshot())
            if (reaches(item, seen, depth + 1))
                return true;
        return false;
    case ValueKind::Object: {
        const ObjectNode& o = *v.asObject();
        if (o.type().isStale())
            return true;
        for (uint32_t i = 0; i < o.fieldCount(); ++i) {
            Value field;
            if (!o.type().fields[i].schema.isInlineScalar() && o.get(i, &field) && reaches(field, seen, depth + 1))
                return true;
        }
        return false;
    }
    default: return false;
    }
}

} // namespace

Migrator::Migrator(const Registry& registry) : d(new Impl{registry, {}}) {}
Migrator::~Migrator() = default;

MigrationResult Migrator::migrate(const Value& value)
{
    Pass pass(d->registry, d->done);
    MigrationResult out = pass.run(value);
    if (out.ok())
        d->done.merge(pass.made());
    return out;
}

bool reachesStale(const Value& value)
{
    std::unordered_set<const Node*> seen;
    return reaches(value, seen, 0);
}

} // namespace typesys
