#pragma once
// TypeTreeModel: every registered type as a tree, grouped by namespace (the dotted key), by
// plugin, or by inheritance.
//
// Columns: key (the last key segment under namespace grouping, the full key otherwise), origin,
// plugin, field count (enum types: member count), live instances (refreshed once a second with
// dataChanged on that column only; typesys counts ObjectNodes per type info).
// Live: registry changes (through a RegistryWatcher) arrive as row inserts, removes and
// dataChanged, never as a reset, so selection and expansion survive; only setGrouping() resets.
// Children are kept sorted (groups first, then case-insensitive label).
//
// The instance count is of the current type info: instances of a replaced (stale) version are
// not added to the new row.

#include <typesys/type_info.h>

#include <QAbstractItemModel>
#include <QHash>

#include <memory>
#include <string_view>
#include <vector>

namespace typehost::ui {

class RegistryWatcher;

class TypeTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum class Grouping { Namespace, Plugin, Inheritance };
    Q_ENUM(Grouping)
    enum Column { KeyColumn, OriginColumn, PluginColumn, FieldsColumn, InstancesColumn, ColumnCount };
    enum Role {
        TypeKeyRole = Qt::UserRole + 1,   // QString: the full key ("" for group rows)
        IsGroupRole,                       // bool
        StaleRole,                         // bool
    };

    explicit TypeTreeModel(RegistryWatcher& watcher, Grouping grouping = Grouping::Namespace,
                           QObject* parent = nullptr);
    ~TypeTreeModel() override;

    Grouping grouping() const { return m_grouping; }
    // Regroups the tree; this is a model reset (the shape of the tree changes).
    void setGrouping(Grouping grouping);

    // The type of a row, or null for group rows and invalid indexes. No reference is added:
    // valid until the model changes.
    const typesys::TypeInfo* typeInfoAt(const QModelIndex& index) const;
    typesys::TypeRef typeAt(const QModelIndex& index) const;
    // For filtering without building strings per row: the key with A-Z in lower case, and the
    // field names so lowered, each followed by '\n'. Empty for group rows.
    std::string_view lowerKeyAt(const QModelIndex& index) const;
    std::string_view lowerFieldNamesAt(const QModelIndex& index) const;
    QModelIndex indexOfType(const QString& key, int column = 0) const;
    // Rows that have child rows (groups; under inheritance also types with subtypes), parents
    // before their children.
    QModelIndexList rowsWithChildren() const;
    // The distinct plugin labels of the types (as in the plugin column), for column widths.
    QStringList pluginLabels() const;
    int typeCount() const { return int(m_types.size()); }

    // "geometry" for owner "plugin:geometry", "(core)" for "", else the owner itself.
    static QString pluginLabel(const std::string& owner);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    struct Node;   // one row (opaque)

private:
    struct Placement;

    void rebuild();
    void syncKeys(const QStringList& keys);
    void refreshInstanceCounts();
    void addTypes(std::vector<typesys::TypeRef> types);
    void removeNodes(std::vector<Node*> nodes);
    void adoptOrphans();
    Placement placementOf(const typesys::TypeInfo& type) const;
    Node* ensureParent(const Placement& placement, bool signal);
    static void setNodeType(Node& node, typesys::TypeRef type);
    std::unique_ptr<Node> makeTypeNode(const typesys::TypeRef& type, const Placement& placement) const;
    void insertSorted(Node* parent, std::vector<std::unique_ptr<Node>> kids);
    std::vector<std::unique_ptr<Node>> takeRows(Node* parent, int first, int last);
    void pruneEmptyGroups(Node* group);
    QModelIndex indexOf(const Node* node, int column = 0) const;
    Node* nodeAt(const QModelIndex& index) const;

    RegistryWatcher& m_watcher;
    Grouping m_grouping;
    std::unique_ptr<Node> m_root;
    QHash<QString, Node*> m_types;    // key -> row
    QHash<QString, Node*> m_groups;   // group id -> row
};

} // namespace typehost::ui
