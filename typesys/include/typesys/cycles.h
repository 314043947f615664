#pragma once
// Breaks reference cycles among lists, dicts and objects that nothing outside refers to.
//
// Intrusive reference counting cannot free `a.next = b; b.next = a` once both are dropped.
// collectCycles() runs trial deletion (the algorithm of CPython's own collector) over the
// nodes reachable from `candidates`: a node whose count is fully explained by references
// from inside that set, and that no externally referenced node reaches, is garbage; its
// list, dict and object slots are cleared, which frees the cycle.
//
// `candidates` are nodes that may have just become unreachable (the host passes objects and
// containers whose Python wrapper died while other references remained). Each element owns
// one reference, which the collector accounts for and releases.
//
// Thread safety: the nodes involved must not be written concurrently (run it where writes are
// serialized: the host runs it on its Python thread). Concurrent readers that hold a
// reference are safe: their reference makes the node external, hence alive.

#include "typesys/ref.h"

#include <cstddef>
#include <vector>

namespace typesys {

struct CycleStats {
    size_t examined = 0;   // nodes reachable from the candidates
    size_t cleared = 0;    // garbage nodes whose slots were cleared
};

// `survivors`, when given, receives the candidates that are still alive and referenced from
// outside the candidate list (one reference each, duplicates merged): they may become garbage
// later, when a reference that is not a candidate's goes away (a parent node freed, a field
// replaced), so the caller keeps them for a later collection instead of forgetting them.
CycleStats collectCycles(std::vector<Ref<Node>> candidates, std::vector<Ref<Node>>* survivors = nullptr);

} // namespace typesys
