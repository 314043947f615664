#pragma once
// ValueTreeModel: published values and opened documents as a lazily expanded tree.
//
// Top level: the published values (typehost.publish), sorted by name and tracked live, then
// documents the user opened (a JSON file, a new instance), in the order they were added.
// Below a value: object fields, list elements, dict entries. Children are created in batches
// of fetchBatchSize() through canFetchMore()/fetchMore(), so a list of 100,000 records opens
// without touching most of them.
// Columns: name, value (a one-line summary), type.
//
// Editing: the value column of a scalar field of a non-frozen object is editable. The text is
// parsed for the field's schema and stored with typesys::setField, which validates it; a bad
// value is refused (setData returns false, the old value stays) and editFailed() says why.
//
// canFetchMore() is false while the model is emitting one of its own changes (a view or
// tester reacting to rowsInserted asks again afterwards), so fetches never nest.
//
// Not supported: noticing in-place mutation of a value by Python (a list appended to); a
// republish, or refresh(), shows the new contents.

#include <typesys/registry.h>
#include <typesys/schema.h>
#include <typesys/value.h>

#include "typehost/ui/ui_relay.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace typehost { class PublishedValues; }

namespace typehost::ui {

class ValueTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role {
        JsonPointerRole = Qt::UserRole + 1,   // QString: RFC 6901 pointer inside the top-level value
        IsDocumentRole,                       // bool: a top-level row the user opened
        IsPublishedRole,                      // bool: a top-level published value
    };

    explicit ValueTreeModel(const typesys::Registry& registry, QObject* parent = nullptr);
    ~ValueTreeModel() override;

    // Shows values's contents and follows its changes (row inserts/removes, dataChanged).
    void watchPublished(PublishedValues& values);

    // Adds a top-level document row after the published values and returns its index.
    QModelIndex addDocument(const QString& name, typesys::Value value, typesys::Schema schema);
    bool removeDocument(const QModelIndex& index);
    // Re-reads every top-level value: fetched children are dropped and fetched again on demand.
    void refresh();

    typesys::Value valueAt(const QModelIndex& index) const;
    typesys::Schema schemaAt(const QModelIndex& index) const;
    QString jsonPointer(const QModelIndex& index) const;
    // JSON text of the value at index (throws typesys::Error for a cycle).
    std::string jsonAt(const QModelIndex& index, int indent = 2) const;

    static constexpr int fetchBatchSize() { return 256; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    bool canFetchMore(const QModelIndex& parent) const override;
    void fetchMore(const QModelIndex& parent) override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    struct Node;   // one row (opaque)

Q_SIGNALS:
    void editFailed(const QModelIndex& index, const QString& message);

private:
    void syncPublished(const std::string& name);
    void replaceValue(Node* node, typesys::Value value, typesys::Schema schema);
    void dropChildren(Node* node);
    Node* nodeAt(const QModelIndex& index) const;
    QModelIndex indexOf(const Node* node, int column = 0) const;
    void renumber(size_t from);

    const typesys::Registry& m_registry;
    std::unique_ptr<Node> m_root;
    int m_publishedCount = 0;
    int m_changing = 0;   // inside our own begin/end pair: refuse nested fetchMore
    PublishedValues* m_published = nullptr;
    int m_subscription = 0;
    std::shared_ptr<UiRelay> m_relay;
};

} // namespace typehost::ui
