#include "typehost/ui/value_tree_model.h"

#include "typehost/ui/value_text.h"

#include <typehost/published.h>
#include <typesys/error.h>
#include <typesys/json.h>
#include <typesys/object.h>
#include <typesys/validate.h>

#include <QApplication>
#include <QPalette>

namespace typehost::ui {

struct ValueTreeModel::Node {
    enum Kind { Root, Published, Document, Child };
    Kind kind = Child;
    Node* parent = nullptr;
    int row = 0;
    std::vector<std::unique_ptr<Node>> children;
    QString name;
    typesys::Value value;
    bool isSet = true;
    typesys::Schema schema;
    typesys::PathStep step{typesys::PathStep::Field, {}, 0};
    int fieldSlot = -1;   // >= 0 when this is a field of the parent object
    std::vector<std::pair<typesys::Value, typesys::Value>> dictItems;   // taken at first fetch
    bool dictTaken = false;
};

namespace {

using NodePtr = std::unique_ptr<ValueTreeModel::Node>;

const typesys::Schema& unwrapOptional(const typesys::Schema& s)
{
    return s.kind() == typesys::SchemaKind::Optional ? s.arg() : s;
}

size_t childCount(const ValueTreeModel::Node& n)
{
    if (!n.isSet)
        return 0;
    switch (n.value.kind()) {
    case typesys::ValueKind::List: return n.value.asList()->size();
    case typesys::ValueKind::Dict: return n.dictTaken ? n.dictItems.size() : n.value.asDict()->size();
    case typesys::ValueKind::Object: return n.value.asObject()->fieldCount();
    default: return 0;
    }
}

typesys::Schema elementSchema(const typesys::Schema& parent, size_t i)
{
    const typesys::Schema& s = unwrapOptional(parent);
    switch (s.kind()) {
    case typesys::SchemaKind::List:
    case typesys::SchemaKind::TupleVar:
    case typesys::SchemaKind::DictStr:
    case typesys::SchemaKind::DictInt:
        return s.arg();
    case typesys::SchemaKind::Tuple:
        return i < s.args().size() ? s.arg(i) : typesys::Schema::any();
    default:
        return typesys::Schema::any();
    }
}

QString typeText(const ValueTreeModel::Node& n)
{
    const typesys::Schema& s = n.schema;
    if (!n.isSet)
        return QString::fromStdString(s.text());
    if (n.value.kind() == typesys::ValueKind::Object)
        return QString::fromStdString(n.value.asObject()->type().key);
    if ((n.value.kind() == typesys::ValueKind::List || n.value.kind() == typesys::ValueKind::Dict)
        && s.kind() != typesys::SchemaKind::Any)
        return QString::fromStdString(unwrapOptional(s).text());
    if (s.kind() == typesys::SchemaKind::Named)
        return QString::fromStdString(s.key());
    return QString::fromStdString(typesys::describeKind(n.value));
}

} // namespace

ValueTreeModel::ValueTreeModel(const typesys::Registry& registry, QObject* parent)
    : QAbstractItemModel(parent), m_registry(registry), m_root(std::make_unique<Node>()),
      m_relay(UiRelay::create(this))
{
    m_root->kind = Node::Root;
}

ValueTreeModel::~ValueTreeModel()
{
    m_relay->detach();
    if (m_published)
        m_published->unsubscribe(m_subscription);
}

void ValueTreeModel::watchPublished(PublishedValues& values)
{
    if (m_published)
        m_published->unsubscribe(m_subscription);
    m_published = &values;
    m_subscription = values.subscribe([relay = m_relay, self = this](const std::string& name, bool) {
        relay->post([self, name] { self->syncPublished(name); });
    });
    for (const PublishedValue& pv : values.snapshot())
        syncPublished(pv.name);
}

void ValueTreeModel::renumber(size_t from)
{
    for (size_t r = from; r < m_root->children.size(); ++r)
        m_root->children[r]->row = int(r);
}

void ValueTreeModel::syncPublished(const std::string& name)
{
    if (!m_published)
        return;
    PublishedValue pv;
    const bool present = m_published->find(name, &pv);
    const QString qname = QString::fromStdString(name);
    auto& top = m_root->children;
    int pos = 0;
    while (pos < m_publishedCount && top[size_t(pos)]->name < qname)
        ++pos;
    const bool exists = pos < m_publishedCount && top[size_t(pos)]->name == qname;
    if (present && !exists) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Published;
        n->parent = m_root.get();
        n->name = qname;
        n->value = std::move(pv.value);
        n->schema = std::move(pv.schema);
        ++m_changing;
        beginInsertRows({}, pos, pos);
        top.insert(top.begin() + pos, std::move(n));
        ++m_publishedCount;
        renumber(size_t(pos));
        endInsertRows();
        --m_changing;
    } else if (!present && exists) {
        ++m_changing;
        beginRemoveRows({}, pos, pos);
        top.erase(top.begin() + pos);
        --m_publishedCount;
        renumber(size_t(pos));
        endRemoveRows();
        --m_changing;
    } else if (present && exists) {
        replaceValue(top[size_t(pos)].get(), std::move(pv.value), std::move(pv.schema));
    }
}

void ValueTreeModel::dropChildren(Node* node)
{
    if (!node->children.empty()) {
        ++m_changing;
        beginRemoveRows(indexOf(node), 0, int(node->children.size()) - 1);
        node->children.clear();
        endRemoveRows();
        --m_changing;
    }
    node->dictItems.clear();
    node->dictTaken = false;
}

void ValueTreeModel::replaceValue(Node* node, typesys::Value value, typesys::Schema schema)
{
    dropChildren(node);
    node->value = std::move(value);
    node->schema = std::move(schema);
    node->isSet = true;
    Q_EMIT dataChanged(indexOf(node, 0), indexOf(node, ColumnCount - 1));
}

QModelIndex ValueTreeModel::addDocument(const QString& name, typesys::Value value, typesys::Schema schema)
{
    auto n = std::make_unique<Node>();
    n->kind = Node::Document;
    n->parent = m_root.get();
    n->name = name;
    n->value = std::move(value);
    n->schema = std::move(schema);
    const int row = int(m_root->children.size());
    n->row = row;
    ++m_changing;
    beginInsertRows({}, row, row);
    m_root->children.push_back(std::move(n));
    endInsertRows();
    --m_changing;
    return index(row, 0);
}

bool ValueTreeModel::removeDocument(const QModelIndex& idx)
{
    Node* n = nodeAt(idx);
    if (!idx.isValid() || n->kind != Node::Document)
        return false;
    const int row = n->row;
    ++m_changing;
    beginRemoveRows({}, row, row);
    m_root->children.erase(m_root->children.begin() + row);
    renumber(size_t(row));
    endRemoveRows();
    --m_changing;
    return true;
}

void ValueTreeModel::refresh()
{
    for (auto& top : m_root->children) {
        dropChildren(top.get());
        Q_EMIT dataChanged(indexOf(top.get(), 0), indexOf(top.get(), ColumnCount - 1));
    }
    if (m_published)
        for (const PublishedValue& pv : m_published->snapshot())
            syncPublished(pv.name);
}

ValueTreeModel::Node* ValueTreeModel::nodeAt(const QModelIndex& index) const
{
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex ValueTreeModel::indexOf(const Node* node, int column) const
{
    if (!node || node->kind == Node::Root)
        return {};
    return createIndex(node->row, column, const_cast<Node*>(node));
}

typesys::Value ValueTreeModel::valueAt(const QModelIndex& index) const
{
    const Node* n = nodeAt(index);
    return index.isValid() && n->isSet ? n->value : typesys::Value();
}

typesys::Schema ValueTreeModel::schemaAt(const QModelIndex& index) const
{
    return index.isValid() ? nodeAt(index)->schema : typesys::Schema::any();
}

QString ValueTreeModel::jsonPointer(const QModelIndex& index) const
{
    typesys::Path path;
    for (const Node* n = nodeAt(index); index.isValid() && n->kind == Node::Child; n = n->parent)
        path.insert(path.begin(), n->step);
    return QString::fromStdString(typesys::formatPointer(path));
}

std::string ValueTreeModel::jsonAt(const QModelIndex& index, int indent) const
{
    typesys::JsonWriteOptions o;
    o.indent = indent;
    o.current = &m_registry;   // a stale instance is shown only as the registry would read it back
    return typesys::toJson(valueAt(index), o);
}

QModelIndex ValueTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0))
        return {};
    const Node* p = nodeAt(parent);
    if (size_t(row) >= p->children.size())
        return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex ValueTreeModel::parent(const QModelIndex& child) const
{
    return child.isValid() ? indexOf(nodeAt(child)->parent) : QModelIndex();
}

int ValueTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeAt(parent)->children.size());
}

int ValueTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

bool ValueTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    const Node* n = nodeAt(parent);
    return !n->children.empty() || (n->kind != Node::Root && childCount(*n) > 0);
}

bool ValueTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (!parent.isValid() || parent.column() != 0 || m_changing > 0)
        return false;
    const Node* n = nodeAt(parent);
    return n->children.size() < childCount(*n);
}

void ValueTreeModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    Node* n = nodeAt(parent);
    if (n->value.kind() == typesys::ValueKind::Dict && !n->dictTaken) {
        n->dictItems = n->value.asDict()->snapshot();
        n->dictTaken = true;
    }
    const size_t first = n->children.size();
    const size_t last = std::min(childCount(*n), first + size_t(fetchBatchSize()));
    std::vector<NodePtr> made;
    made.reserve(last - first);
    for (size_t i = first; i < last; ++i) {
        auto c = std::make_unique<Node>();
        c->parent = n;
        c->row = int(i);
        switch (n->value.kind()) {
        case typesys::ValueKind::List:
            try {
                c->value = n->value.asList()->at(i);
            } catch (const typesys::Error&) {
                i = last;   // the list shrank meanwhile
                continue;
            }
            c->schema = elementSchema(n->schema, i);
            c->step = {typesys::PathStep::Index, {}, i};
            c->name = QStringLiteral("[%1]").arg(i);
            break;
        case typesys::ValueKind::Dict: {
            const auto& [k, v] = n->dictItems[i];
            c->value = v;
            c->schema = elementSchema(n->schema, i);
            std::string key = k.kind() == typesys::ValueKind::Int ? std::to_string(k.asInt()) : std::string(k.asStr());
            c->step = {typesys::PathStep::Key, key, 0};
            c->name = k.kind() == typesys::ValueKind::Int ? QString::fromStdString(key)
                                                          : QLatin1Char('"') + QString::fromStdString(key) + QLatin1Char('"');
            break;
        }
        case typesys::ValueKind::Object: {
            const typesys::ObjectNode* o = n->value.asObject();
            const typesys::FieldInfo& f = o->type().fields[i];
            c->isSet = o->get(uint32_t(i), &c->value);
            c->schema = f.schema;
            c->step = {typesys::PathStep::Field, f.name, 0};
            c->name = QString::fromStdString(f.name);
            c->fieldSlot = int(i);
            break;
        }
        default:
            break;
        }
        made.push_back(std::move(c));
    }
    if (made.empty())
        return;
    ++m_changing;
    beginInsertRows(parent, int(first), int(first + made.size() - 1));
    for (NodePtr& c : made)
        n->children.push_back(std::move(c));
    endInsertRows();
    --m_changing;
}

Qt::ItemFlags ValueTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const Node* n = nodeAt(index);
    if (index.column() == ValueColumn && n->fieldSlot >= 0 && n->parent
        && n->parent->value.kind() == typesys::ValueKind::Object && !n->parent->value.asObject()->type().frozen
        && isScalarSchema(n->schema, &m_registry) && (!n->isSet || !n->value.isNode() || n->value.kind() == typesys::ValueKind::Str))
        f |= Qt::ItemIsEditable;
    return f;
}

bool ValueTreeModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !(flags(index) & Qt::ItemIsEditable))
        return false;
    Node* n = nodeAt(index);
    typesys::ObjectNode* object = n->parent->value.asObject();
    try {
        typesys::Value v = parseEditText(value.toString(), n->schema, &m_registry);
        typesys::setField(*object, uint32_t(n->fieldSlot), std::move(v), m_registry);
    } catch (const typesys::Error& e) {
        Q_EMIT editFailed(index, QString::fromStdString(e.what()));
        return false;
    }
    n->isSet = object->get(uint32_t(n->fieldSlot), &n->value);
    for (const Node* p = n; p && p->kind != Node::Root; p = p->parent)
        Q_EMIT dataChanged(indexOf(p, NameColumn), indexOf(p, ColumnCount - 1));
    return true;
}

QVariant ValueTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Node* n = nodeAt(index);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case NameColumn: return n->name;
        case ValueColumn: return n->isSet ? displayValue(n->value, n->schema, &m_registry) : tr("<unset>");
        case TypeColumn: return typeText(*n);
        }
        return {};
    case Qt::EditRole:
        if (index.column() == ValueColumn)
            return n->isSet ? editText(n->value, n->schema, &m_registry) : QString();
        return data(index, Qt::DisplayRole);
    case Qt::ToolTipRole:
        if (index.column() == TypeColumn)
            return tr("Schema: %1").arg(QString::fromStdString(n->schema.text()));
        if (index.column() == ValueColumn && (flags(index) & Qt::ItemIsEditable))
            return tr("Double-click or press F2 to edit; the registry validates the new value.");
        return {};
    case Qt::ForegroundRole: {
        const bool stale = n->isSet && n->value.kind() == typesys::ValueKind::Object && n->value.asObject()->type().isStale();
        if (!n->isSet || stale)
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    }
    case JsonPointerRole: return jsonPointer(index);
    case IsDocumentRole: return n->kind == Node::Document;
    case IsPublishedRole: return n->kind == Node::Published;
    default: return {};
    }
}

QVariant ValueTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case ValueColumn: return tr("Value");
    case TypeColumn: return tr("Type");
    default: return {};
    }
}

} // namespace typehost::ui
