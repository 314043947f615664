#include "cycle_buffer.h"

#include <typesys/cycles.h>
#include <typesys/object.h>

#include <algorithm>
#include <vector>

namespace typehost::detail {

namespace {
// Only touched with the GIL held. Young: candidates since the last collection. Old: candidates
// a collection found still referenced from outside; they are examined again by full
// collections, since they become garbage when that outside reference goes away without a
// wrapper dying (the parent object freed, the field replaced): `n.kids.append(n.kids)` then
// `del n` leaves a list that only refers to itself.
std::vector<typesys::Ref<typesys::Node>>& young()
{
    static auto* b = new std::vector<typesys::Ref<typesys::Node>>();   // lives with the process
    return *b;
}
std::vector<typesys::Ref<typesys::Node>>& old()
{
    static auto* b = new std::vector<typesys::Ref<typesys::Node>>();   // lives with the process
    return *b;
}
} // namespace

// Wrappers are not GC objects, so allocating many of them does not make CPython collect:
// past this many candidates the buffer is collected on the spot.
constexpr size_t kCollectThreshold = 20000;

void releaseOrDefer(typesys::Node* n)
{
    if (n->refCount() <= 1) {
        // The only reference, held by the caller: nobody can take another, so free it without
        // the atomic decrement.
        typesys::Node::destroyNode(n);
        return;
    }
    // Others still use it: it outlives its wrapper, so it must own its type from now on.
    if (n->kind == typesys::NodeKind::Object)
        static_cast<typesys::ObjectNode*>(n)->unhost();
    young().push_back(typesys::Ref<typesys::Node>::adopt(n));
    if (young().size() >= kCollectThreshold) {
        // Collecting only frees C++ nodes without wrappers (and the strs their strings keep),
        // so it is safe from inside a deallocator.
        collectCycleCandidates(false);
    }
}

size_t collectCycleCandidates(bool full)
{
    std::vector<typesys::Ref<typesys::Node>> candidates;
    candidates.swap(young());
    // The old generation joins a full collection, and any collection once it has doubled since
    // the last full one (so it cannot grow without bound between full collections, and a
    // large live set is not walked again by every young collection).
    static size_t baseline = 0;
    if (full || old().size() >= std::max(4 * kCollectThreshold, 2 * baseline)) {
        full = true;
        if (candidates.empty())
            candidates.swap(old());
        else {
            candidates.insert(candidates.end(), std::make_move_iterator(old().begin()),
                              std::make_move_iterator(old().end()));
            old().clear();
        }
    }
    if (candidates.empty())
        return 0;
    std::vector<typesys::Ref<typesys::Node>> survivors;
    size_t cleared = typesys::collectCycles(std::move(candidates), &survivors).cleared;
    auto& o = old();
    if (full)
        baseline = survivors.size();
    if (o.empty())
        o.swap(survivors);
    else
        o.insert(o.end(), std::make_move_iterator(survivors.begin()), std::make_move_iterator(survivors.end()));
    return cleared;
}

size_t pendingCycleCandidates() { return young().size() + old().size(); }

} // namespace typehost::detail
