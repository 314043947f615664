#pragma once
// FieldTableModel: the fields of one type (inherited first, in slot order).
//
// Columns: name, type (canonical schema text), default (JSON, "<factory>", or empty when the
// field is required), flags that differ from the dataclass defaults, doc, and the type that
// declared the field. Inherited rows are shown in italics.
// setType() with another key resets the model (a different table); with the same key (the
// type was replaced by a reload) rows are synced by field name: removed, inserted or changed.

#include <typesys/registry.h>
#include <typesys/type_info.h>

#include <QAbstractTableModel>

namespace typehost::ui {

class FieldTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, TypeColumn, DefaultColumn, FlagsColumn, DocColumn, DefinedInColumn, ColumnCount };
    enum Role { DefinedInRole = Qt::UserRole + 1 };   // QString key of the declaring type

    explicit FieldTableModel(QObject* parent = nullptr);

    void setType(typesys::TypeRef type);
    // With a resolver, enum defaults read as members ("Status.ACTIVE") instead of JSON.
    void setResolver(const typesys::TypeResolver* resolver) { m_resolver = resolver; }
    const typesys::TypeRef& type() const { return m_type; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    typesys::TypeRef m_type;
    const typesys::TypeResolver* m_resolver = nullptr;
    std::vector<const typesys::FieldInfo*> m_rows;   // into *m_type
};

} // namespace typehost::ui
