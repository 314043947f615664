#include "cycle_buffer.h"

#include <typesys/cycles.h>

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

void releaseOrDefer(typesys::Node* n)
{
    if (n->refCount() > 1)
        buffer().push_back(typesys::Ref<typesys::Node>::adopt(n));
    else
        n->decRef();
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
