#pragma once
// Migration: replaces the stale objects a value reaches (instances of a type version that was
// redefined, or whose plugin was reloaded) by instances of the current version.
//
// A stale object becomes a new object of the current TypeInfo of its key: each field that was
// set is carried over by name (its value migrated in turn and validated against the new
// field's schema), and a field the old version did not have takes its default. It does not
// fit, and the whole value stays as it was, when the key is no longer registered, a set field
// has no counterpart (a dropped field), a carried value does not validate (a retyped field),
// or a new field has no default. Current containers and objects that reach a stale object are
// changed in place, so every holder of them sees the migrated objects; a stale object reached
// twice becomes one new object (sharing and cycles are kept). Field values are shared with the
// old object, as dataclasses.replace() shares them. No __post_init__ runs.
//
// All or nothing per migrate() call: on any issue nothing reachable from the value changed.
// Call with the host's lock held (on the host: the GIL); default factories may run.

#include "typesys/error.h"
#include "typesys/value.h"

#include <memory>
#include <string>
#include <vector>

namespace typesys {

class Registry;

struct MigrationIssue {
    Path path;            // where in the value
    std::string reason;   // e.g. "st.Item: field 'weight' was dropped by the current version"
};

struct MigrationResult {
    Value value;                          // the migrated root (a new object when it was stale)
    size_t migrated = 0;                  // stale objects replaced
    std::vector<MigrationIssue> issues;   // non-empty: nothing changed, `value` is the input
    bool ok() const noexcept { return issues.empty(); }
};

class Migrator {
public:
    explicit Migrator(const Registry& registry);
    ~Migrator();
    Migrator(const Migrator&) = delete;
    Migrator& operator=(const Migrator&) = delete;

    // Migrates what `value` reaches. Objects migrated by an earlier successful call of the
    // same Migrator are reused, so values that share an object keep sharing it.
    MigrationResult migrate(const Value& value);

    struct Impl;
private:
    std::unique_ptr<Impl> d;
};

// Whether `value` reaches a stale object (no change made).
bool reachesStale(const Value& value);

} // namespace typesys
