#include "typesys/cycles.h"

#include "typesys/object.h"
#include "typesys/value.h"

#include <unordered_map>

namespace typesys {

namespace {

bool isContainer(const Node* n)
{
    return n->kind == NodeKind::List || n->kind == NodeKind::Dict || n->kind == NodeKind::Object;
}

void addChild(const Value& v, std::vector<Node*>& out)
{
    if (Node* n = v.node(); n && isContainer(n))
        out.push_back(n);
}

// The container children of n. Raw pointers: n keeps them alive, and nobody writes n meanwhile.
std::vector<Node*> children(Node* n)
{
    std::vector<Node*> out;
    switch (n->kind) {
    case NodeKind::List:
        for (const Value& v : static_cast<ListNode*>(n)->snapshot())
            addChild(v, out);
        break;
    case NodeKind::Dict:
        for (const auto& [k, v] : static_cast<DictNode*>(n)->snapshot())
            addChild(v, out);
        break;
    case NodeKind::Object: {
        auto* o = static_cast<ObjectNode*>(n);
        Value v;
        for (uint32_t i = 0, count = o->fieldCount(); i < count; ++i)
            if (!o->type().fields[i].schema.isInlineScalar() && o->get(i, &v))
                addChild(v, out);
        break;
    }
    default:
        break;
    }
    return out;
}

void clear(Node* n)
{
    switch (n->kind) {
    case NodeKind::List: static_cast<ListNode*>(n)->assign({}); break;
    case NodeKind::Dict: static_cast<DictNode*>(n)->assign({}); break;
    case NodeKind::Object: {
        auto* o = static_cast<ObjectNode*>(n);
        for (uint32_t i = 0, count = o->fieldCount(); i < count; ++i)
            if (!o->type().fields[i].schema.isInlineScalar())
                o->unset(i);
        break;
    }
    default: break;
    }
}

} // namespace

CycleStats collectCycles(std::vector<Ref<Node>> candidates, std::vector<Ref<Node>>* survivors)
{
    struct Info {
        long refs;
        bool alive = false;
        bool kept = false;   // already handed to survivors
        std::vector<Node*> kids;
    };
    std::unordered_map<Node*, Info> graph;
    std::vector<Node*> order;
    std::vector<Node*> stack;
    for (const Ref<Node>& c : candidates)
        if (c && isContainer(c.get()))
            stack.push_back(c.get());
    while (!stack.empty()) {
        Node* n = stack.back();
        stack.pop_back();
        if (graph.count(n))
            continue;
        Info& info = graph[n];
        info.refs = long(n->refCount());
        info.kids = children(n);
        order.push_back(n);
        for (Node* k : info.kids)
            if (!graph.count(k))
                stack.push_back(k);
    }
    // Subtract the references explained from inside: the candidate list's own, and edges.
    for (const Ref<Node>& c : candidates)
        if (auto it = graph.find(c.get()); it != graph.end())
            --it->second.refs;
    for (Node* n : order)
        for (Node* k : graph[n].kids)
            --graph[k].refs;
    // Whatever an externally referenced node reaches is alive.
    for (Node* n : order) {
        if (graph[n].refs <= 0 || graph[n].alive)
            continue;
        stack.push_back(n);
        while (!stack.empty()) {
            Node* m = stack.back();
            stack.pop_back();
            Info& info = graph[m];
            if (info.alive)
                continue;
            info.alive = true;
            for (Node* k : info.kids)
                if (!graph[k].alive)
                    stack.push_back(k);
        }
    }
    CycleStats stats;
    stats.examined = order.size();
    if (survivors)
        for (const Ref<Node>& c : candidates)
            if (auto it = graph.find(c.get()); it != graph.end() && it->second.alive && !it->second.kept) {
                it->second.kept = true;
                survivors->push_back(c);
            }
    std::vector<Ref<Node>> garbage;   // held while clearing, so nothing dies mid-walk
    for (Node* n : order)
        if (!graph[n].alive)
            garbage.push_back(Ref<Node>::share(n));
    graph.clear();
    for (const Ref<Node>& g : garbage)
        clear(g.get());
    stats.cleared = garbage.size();
    return stats;
}

} // namespace typesys
