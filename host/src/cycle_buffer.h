#pragma once
// Possible cycle roots: nodes whose Python wrapper died while other references remained.
// The typehost package runs collectCycles() over them from a gc.callbacks hook, so a cycle
// of objects (a.next = b; b.next = a) is reclaimed by gc.collect() like Python objects are.

#include <typesys/ref.h>

#include <cstddef>

namespace typehost::detail {

// Takes over the caller's reference to n (the GIL must be held).
void releaseOrDefer(typesys::Node* n);
// Runs the collector over the buffered candidates; returns the number of nodes cleared.
// full: also the old generation (candidates found still referenced before), as gc.collect()
// and CPython's oldest generation do.
size_t collectCycleCandidates(bool full = true);
size_t pendingCycleCandidates();

} // namespace typehost::detail
