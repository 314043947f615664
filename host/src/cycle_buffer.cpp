#include "cycle_buffer.h"

#include <typesys/cycles.h>
#include <typesys/object.h>

#include <vector>

namespace typehost::detail {

namespace {
// Only touched with the GIL held.
std::vector<typesys::Ref<typesys::Node>>& buffer()
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
    buffer().push_back(typesys::Ref<typesys::Node>::adopt(n));
    if (buffer().size() >= kCollectThreshold) {
        // Collecting only frees C++ nodes without wrappers (and the strs their strings keep),
        // so it is safe from inside a deallocator.
        collectCycleCandidates();
    }
}

size_t collectCycleCandidates()
{
    if (buffer().empty())
        return 0;
    std::vector<typesys::Ref<typesys::Node>> candidates;
    candidates.swap(buffer());
    return typesys::collectCycles(std::move(candidates)).cleared;
}

size_t pendingCycleCandidates() { return buffer().size(); }

} // namespace typehost::detail
