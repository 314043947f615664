#include "typehost/ui/type_tree_model.h"

#include <QTimer>

#include "typehost/ui/icons.h"
#include "typehost/ui/registry_watcher.h"
#include "typehost/ui/value_text.h"

#include <typesys/registry.h>

#include <QApplication>
#include <QPalette>

#include <algorithm>
#include <map>
#include <unordered_set>

namespace typehost::ui {

struct TypeTreeModel::Node {
    Node* parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<Node>> children;
    QString label;
    QString groupId;          // group rows: "ns:geo.shapes", "plugin:geometry"
    typesys::TypeRef type;    // null for group rows and the root
    std::string lowerKey;     // for the filter: the key in ASCII lower case,
    std::string lowerFields;  // and the field names, each followed by '\n'
    mutable qint64 shownInstances = -1;   // the count a view last asked for
    bool isGroup() const { return !type; }
};

struct TypeTreeModel::Placement {
    struct Group {
        QString id;
        QString label;
    };
    std::vector<Group> groups;   // outermost first
    QString parentType;          // inheritance: the parent's key when it is in the model
    QString label;
};

namespace {

using NodePtr = std::unique_ptr<TypeTreeModel::Node>;

int depthOf(const typesys::TypeInfo* t)
{
    int d = 0;
    for (const typesys::TypeInfo* p = t->parent.get(); p && d < 1000; p = p->parent.get())
        ++d;
    return d;
}

} // namespace

static bool lessNode(const TypeTreeModel::Node& a, const TypeTreeModel::Node& b);

TypeTreeModel::TypeTreeModel(RegistryWatcher& watcher, Grouping grouping, QObject* parent)
    : QAbstractItemModel(parent), m_watcher(watcher), m_grouping(grouping), m_root(std::make_unique<Node>())
{
    connect(&watcher, &RegistryWatcher::typesChanged, this, &TypeTreeModel::syncKeys);
    rebuild();
    auto* timer = new QTimer(this);
    timer->setInterval(1000);
    connect(timer, &QTimer::timeout, this, &TypeTreeModel::refreshInstanceCounts);
    timer->start();
}

void TypeTreeModel::refreshInstanceCounts()
{
    // Instances come and go without registry notifications: compare what views were shown.
    std::vector<const Node*> stack{m_root.get()};
    while (!stack.empty()) {
        const Node* n = stack.back();
        stack.pop_back();
        for (const auto& k : n->children) {
            if (k->type && k->shownInstances >= 0 && k->shownInstances != k->type->liveInstances()) {
                QModelIndex i = createIndex(k->row, InstancesColumn, const_cast<Node*>(k.get()));
                Q_EMIT dataChanged(i, i, {Qt::DisplayRole});
            }
            stack.push_back(k.get());
        }
    }
}

TypeTreeModel::~TypeTreeModel() = default;

static bool lessNode(const TypeTreeModel::Node& a, const TypeTreeModel::Node& b)
{
    if (a.isGroup() != b.isGroup())
        return a.isGroup();
    int c = a.label.compare(b.label, Qt::CaseInsensitive);
    if (c != 0)
        return c < 0;
    return a.label < b.label;
}

QString TypeTreeModel::pluginLabel(const std::string& owner)
{
    if (owner.empty())
        return QStringLiteral("(core)");
    QString o = QString::fromStdString(owner);
    if (o.startsWith(QLatin1String("plugin:")))
        return o.mid(7);
    return o;
}

void TypeTreeModel::setGrouping(Grouping grouping)
{
    if (grouping == m_grouping)
        return;
    m_grouping = grouping;
    rebuild();
}

TypeTreeModel::Placement TypeTreeModel::placementOf(const typesys::TypeInfo& type) const
{
    Placement p;
    QString key = QString::fromStdString(type.key);
    switch (m_grouping) {
    case Grouping::Namespace: {
        const QStringList parts = key.split(QLatin1Char('.'));
        QString prefix;
        for (int i = 0; i + 1 < parts.size(); ++i) {
            prefix = i == 0 ? parts[i] : prefix + QLatin1Char('.') + parts[i];
            p.groups.push_back({QStringLiteral("ns:") + prefix, parts[i]});
        }
        p.label = parts.last();
        break;
    }
    case Grouping::Plugin: {
        QString plugin = pluginLabel(type.owner);
        p.groups.push_back({QStringLiteral("plugin:") + plugin, plugin});
        p.label = key;
        break;
    }
    case Grouping::Inheritance:
        if (!type.parentKey.empty()) {
            QString parentKey = QString::fromStdString(type.parentKey);
            if (m_types.contains(parentKey) && parentKey != key)
                p.parentType = parentKey;
        }
        p.label = key;
        break;
    }
    return p;
}

std::unique_ptr<TypeTreeModel::Node> TypeTreeModel::makeTypeNode(const typesys::TypeRef& type,
                                                                  const Placement& placement) const
{
    auto n = std::make_unique<Node>();
    setNodeType(*n, type);
    n->label = placement.label;
    return n;
}

void TypeTreeModel::setNodeType(Node& node, typesys::TypeRef type)
{
    auto lower = [](std::string s) {
        for (char& c : s)
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
        return s;
    };
    node.lowerKey = lower(type->key);
    node.lowerFields.clear();
    for (const typesys::FieldInfo& f : type->fields)
        node.lowerFields += lower(f.name) + '\n';
    node.type = std::move(type);
}

TypeTreeModel::Node* TypeTreeModel::ensureParent(const Placement& placement, bool signal)
{
    if (!placement.parentType.isEmpty())
        return m_types.value(placement.parentType, m_root.get());
    Node* parent = m_root.get();
    for (const Placement::Group& g : placement.groups) {
        Node* existing = m_groups.value(g.id);
        if (!existing) {
            auto n = std::make_unique<Node>();
            n->label = g.label;
            n->groupId = g.id;
            existing = n.get();
            m_groups.insert(g.id, existing);
            if (signal) {
                std::vector<NodePtr> one;
                one.push_back(std::move(n));
                insertSorted(parent, std::move(one));
            } else {
                n->parent = parent;
                parent->children.push_back(std::move(n));
            }
        }
        parent = existing;
    }
    return parent;
}

static void sortAndNumber(TypeTreeModel::Node* n)
{
    std::sort(n->children.begin(), n->children.end(),
              [](const NodePtr& a, const NodePtr& b) { return lessNode(*a, *b); });
    for (size_t i = 0; i < n->children.size(); ++i) {
        n->children[i]->row = int(i);
        sortAndNumber(n->children[i].get());
    }
}

void TypeTreeModel::rebuild()
{
    beginResetModel();
    m_types.clear();
    m_groups.clear();
    m_root = std::make_unique<Node>();
    std::vector<typesys::TypeRef> types = m_watcher.registry().snapshot();
    if (m_grouping == Grouping::Inheritance)
        std::stable_sort(types.begin(), types.end(),
                         [](const auto& a, const auto& b) { return depthOf(a.get()) < depthOf(b.get()); });
    m_types.reserve(qsizetype(types.size()));
    for (const typesys::TypeRef& t : types) {
        Placement pl = placementOf(*t);
        Node* parent = ensureParent(pl, false);
        NodePtr n = makeTypeNode(t, pl);
        n->parent = parent;
        m_types.insert(QString::fromStdString(t->key), n.get());
        parent->children.push_back(std::move(n));
    }
    sortAndNumber(m_root.get());
    endResetModel();
}

void TypeTreeModel::insertSorted(Node* parent, std::vector<NodePtr> kids)
{
    std::sort(kids.begin(), kids.end(), [](const NodePtr& a, const NodePtr& b) { return lessNode(*a, *b); });
    auto& ch = parent->children;
    const QModelIndex parentIndex = indexOf(parent);
    size_t i = 0;
    while (i < kids.size()) {
        auto at = std::lower_bound(ch.begin(), ch.end(), kids[i],
                                   [](const NodePtr& a, const NodePtr& b) { return lessNode(*a, *b); });
        const size_t pos = size_t(at - ch.begin());
        size_t j = i + 1;
        while (j < kids.size() && (pos == ch.size() || lessNode(*kids[j], *ch[pos])))
            ++j;
        beginInsertRows(parentIndex, int(pos), int(pos + (j - i) - 1));
        for (size_t k = i; k < j; ++k)
            kids[k]->parent = parent;
        ch.insert(ch.begin() + qsizetype(pos), std::make_move_iterator(kids.begin() + qsizetype(i)),
                  std::make_move_iterator(kids.begin() + qsizetype(j)));
        for (size_t r = pos; r < ch.size(); ++r)
            ch[r]->row = int(r);
        endInsertRows();
        i = j;
    }
}

std::vector<NodePtr> TypeTreeModel::takeRows(Node* parent, int first, int last)
{
    auto& ch = parent->children;
    beginRemoveRows(indexOf(parent), first, last);
    std::vector<NodePtr> out(std::make_move_iterator(ch.begin() + first), std::make_move_iterator(ch.begin() + last + 1));
    ch.erase(ch.begin() + first, ch.begin() + last + 1);
    for (size_t r = size_t(first); r < ch.size(); ++r)
        ch[r]->row = int(r);
    for (NodePtr& n : out)
        n->parent = nullptr;
    endRemoveRows();
    return out;
}

void TypeTreeModel::pruneEmptyGroups(Node* group)
{
    while (group && group != m_root.get() && group->isGroup() && group->children.empty()) {
        Node* up = group->parent;
        m_groups.remove(group->groupId);
        takeRows(up, group->row, group->row);
        group = up;
    }
}

void TypeTreeModel::syncKeys(const QStringList& keys)
{
    typesys::Registry& registry = m_watcher.registry();
    std::vector<Node*> removals;
    std::vector<typesys::TypeRef> additions;
    for (const QString& key : keys) {
        typesys::TypeRef now = registry.find(key.toStdString());
        Node* node = m_types.value(key);
        if (!node) {
            if (now)
                additions.push_back(std::move(now));
            continue;
        }
        if (!now) {
            removals.push_back(node);
            continue;
        }
        if (now.get() == node->type.get())
            continue;
        bool moved = m_grouping == Grouping::Inheritance && now->parentKey != node->type->parentKey;
        if (moved) {
            removals.push_back(node);
            additions.push_back(std::move(now));
        } else {
            setNodeType(*node, std::move(now));
            Q_EMIT dataChanged(indexOf(node, 0), indexOf(node, ColumnCount - 1));
        }
    }
    if (!removals.empty())
        removeNodes(std::move(removals));
    if (!additions.empty())
        addTypes(std::move(additions));
}

void TypeTreeModel::removeNodes(std::vector<Node*> nodes)
{
    std::vector<NodePtr> orphans;
    if (m_grouping == Grouping::Inheritance) {
        // Deepest first: a removed type's subtypes move to the top level (unless removed too).
        std::vector<std::pair<int, Node*>> byDepth;
        for (Node* n : nodes) {
            int d = 0;
            for (Node* p = n->parent; p && p != m_root.get(); p = p->parent)
                ++d;
            byDepth.emplace_back(d, n);
        }
        std::sort(byDepth.begin(), byDepth.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        for (auto& [d, n] : byDepth) {
            if (n->children.empty() || !n->parent)
                continue;
            auto kids = takeRows(n, 0, int(n->children.size()) - 1);
            for (NodePtr& k : kids)
                orphans.push_back(std::move(k));
        }
    }
    std::map<Node*, std::vector<int>> rowsByParent;
    for (Node* n : nodes) {
        m_types.remove(QString::fromStdString(n->type->key));
        if (n->parent)
            rowsByParent[n->parent].push_back(n->row);
    }
    QStringList touched;   // group ids: a pruned group may take its parent groups with it
    for (auto& [parent, rows] : rowsByParent) {
        std::sort(rows.begin(), rows.end(), std::greater<int>());
        size_t i = 0;
        while (i < rows.size()) {
            int last = rows[i], first = rows[i];
            size_t j = i + 1;
            while (j < rows.size() && rows[j] == first - 1)
                first = rows[j++];
            takeRows(parent, first, last);
            i = j;
        }
        if (parent->isGroup() && parent != m_root.get())
            touched << parent->groupId;
    }
    // Orphans that are removed themselves die here; the rest become top-level rows.
    std::vector<NodePtr> keep;
    for (NodePtr& o : orphans) {
        if (m_types.value(QString::fromStdString(o->type->key)) == o.get())
            keep.push_back(std::move(o));
    }
    if (!keep.empty())
        insertSorted(m_root.get(), std::move(keep));
    for (const QString& id : touched)
        if (Node* g = m_groups.value(id))
            pruneEmptyGroups(g);
}

void TypeTreeModel::addTypes(std::vector<typesys::TypeRef> types)
{
    if (m_grouping == Grouping::Inheritance)
        std::stable_sort(types.begin(), types.end(),
                         [](const auto& a, const auto& b) { return depthOf(a.get()) < depthOf(b.get()); });
    size_t i = 0;
    while (i < types.size()) {
        // One level at a time under inheritance (parents before their subtypes); all at once
        // otherwise. Within a level, one batch of sorted inserts per parent row.
        size_t j = types.size();
        if (m_grouping == Grouping::Inheritance) {
            const int d = depthOf(types[i].get());
            j = i;
            while (j < types.size() && depthOf(types[j].get()) == d)
                ++j;
        }
        std::map<Node*, std::vector<NodePtr>> byParent;
        for (size_t k = i; k < j; ++k) {
            Placement pl = placementOf(*types[k]);
            Node* parent = ensureParent(pl, true);
            NodePtr n = makeTypeNode(types[k], pl);
            m_types.insert(QString::fromStdString(types[k]->key), n.get());
            byParent[parent].push_back(std::move(n));
        }
        for (auto& [parent, kids] : byParent)
            insertSorted(parent, std::move(kids));
        i = j;
    }
    if (m_grouping == Grouping::Inheritance)
        adoptOrphans();
}

void TypeTreeModel::adoptOrphans()
{
    // Top-level types whose parent arrived later move under it.
    for (bool again = true; again;) {
        again = false;
        for (const NodePtr& n : m_root->children) {
            if (n->type->parentKey.empty())
                continue;
            Node* parent = m_types.value(QString::fromStdString(n->type->parentKey));
            if (!parent || parent == n.get())
                continue;
            bool cycle = false;
            for (Node* p = parent; p && p != m_root.get(); p = p->parent)
                cycle |= p == n.get();
            if (cycle)
                continue;
            auto moved = takeRows(m_root.get(), n->row, n->row);
            insertSorted(parent, std::move(moved));
            again = true;
            break;
        }
    }
}

TypeTreeModel::Node* TypeTreeModel::nodeAt(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex TypeTreeModel::indexOf(const Node* node, int column) const
{
    if (!node || node == m_root.get() || !node->parent)
        return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

const typesys::TypeInfo* TypeTreeModel::typeInfoAt(const QModelIndex& index) const
{
    return index.isValid() ? nodeAt(index)->type.get() : nullptr;
}

QModelIndexList TypeTreeModel::rowsWithChildren() const
{
    QModelIndexList out;
    std::vector<const Node*> stack{m_root.get()};
    while (!stack.empty()) {
        const Node* n = stack.back();
        stack.pop_back();
        if (n != m_root.get())
            out << indexOf(n);
        for (auto it = n->children.rbegin(); it != n->children.rend(); ++it)
            if (!(*it)->children.empty())
                stack.push_back(it->get());
    }
    return out;
}

QStringList TypeTreeModel::pluginLabels() const
{
    std::unordered_set<std::string_view> owners;
    for (const Node* n : std::as_const(m_types))
        owners.insert(n->type->owner);
    QStringList out;
    for (std::string_view o : owners)
        out << (o.empty() ? QString() : pluginLabel(std::string(o)));
    return out;
}

std::string_view TypeTreeModel::lowerKeyAt(const QModelIndex& index) const
{
    return index.isValid() ? std::string_view(nodeAt(index)->lowerKey) : std::string_view();
}

std::string_view TypeTreeModel::lowerFieldNamesAt(const QModelIndex& index) const
{
    return index.isValid() ? std::string_view(nodeAt(index)->lowerFields) : std::string_view();
}

typesys::TypeRef TypeTreeModel::typeAt(const QModelIndex& index) const
{
    return index.isValid() ? nodeAt(index)->type : typesys::TypeRef();
}

QModelIndex TypeTreeModel::indexOfType(const QString& key, int column) const
{
    return indexOf(m_types.value(key), column);
}

QModelIndex TypeTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0 || (parent.isValid() && parent.column() != 0))
        return {};
    Node* p = nodeAt(parent);
    if (size_t(row) >= p->children.size())
        return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex TypeTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    return indexOf(nodeAt(child)->parent);
}

int TypeTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeAt(parent)->children.size());
}

int TypeTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

static int countTypes(const TypeTreeModel::Node* n)
{
    int c = 0;
    for (const auto& k : n->children)
        c += (k->isGroup() ? 0 : 1) + countTypes(k.get());
    return c;
}

QVariant TypeTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* n = nodeAt(index);
    const typesys::TypeInfo* t = n->type.get();
    const int col = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        if (col == KeyColumn)
            return n->label;
        if (!t)
            return {};
        if (col == OriginColumn)
            return QString::fromLatin1(typesys::originName(t->origin));
        if (col == PluginColumn)
            return t->owner.empty() ? QString() : pluginLabel(t->owner);
        if (col == FieldsColumn)
            return int(t->kind == typesys::TypeKind::Enum ? t->members.size() : t->fields.size());
        if (col == InstancesColumn && t->kind == typesys::TypeKind::Object) {
            n->shownInstances = t->liveInstances();
            return n->shownInstances;
        }
        return {};
    case Qt::DecorationRole:
        if (col != KeyColumn)
            return {};
        if (!t)
            return m_grouping == Grouping::Plugin ? icons::plugin() : icons::group();
        return icons::origin(t->origin == typesys::TypeOrigin::Python);
    case Qt::ForegroundRole:
        if (t && t->isStale())
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::TextAlignmentRole:
        if (col == FieldsColumn || col == InstancesColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole: {
        if (!t)
            return QStringLiteral("%1 (%2)").arg(n->label, countText(countTypes(n), tr("type"), tr("types")));
        QString tip = QString::fromStdString(t->key);
        if (t->kind == typesys::TypeKind::Enum)
            tip += tr(" (enum)");
        if (!t->doc.empty())
            tip += QLatin1Char('\n') + QString::fromStdString(t->doc).section(QLatin1Char('\n'), 0, 0);
        if (t->isStale())
            tip += tr("\nStale: replaced or removed from the registry");
        return tip;
    }
    case TypeKeyRole:
        return t ? QString::fromStdString(t->key) : QString();
    case IsGroupRole:
        return !t;
    case StaleRole:
        return t && t->isStale();
    default:
        return {};
    }
}

QVariant TypeTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn: return tr("Key");
    case OriginColumn: return tr("Origin");
    case PluginColumn: return tr("Plugin");
    case FieldsColumn: return tr("Fields");
    case InstancesColumn: return tr("Instances");
    default: return {};
    }
}

} // namespace typehost::ui
