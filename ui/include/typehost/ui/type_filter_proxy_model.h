#pragma once
// TypeFilterProxyModel: filters a TypeTreeModel as the user types.
//
// Filter text is whitespace-separated terms, all of which must match a type:
//   word           the key contains it (case-insensitive)
//   plugin:NAME    the plugin (owner) contains NAME
//   field:NAME     some field's name contains NAME
//   origin:KIND    origin starts with KIND ("native", "python", "py")
//   kind:enum      enum types (kind:object for object types)
// A group row is shown when any type below it matches. Sorting is by the column's value
// (numeric for the field and instance counts), groups first; sorting by key ascending (the
// default) keeps the source model's order, which already is that order, so nothing is sorted
// (sortColumn() is then -1).
//
// Scale: a filter change is one layout change (rows that stay keep their persistent indexes,
// so expansion and the current row survive; rows filtered out lose theirs), and the mappings
// are rebuilt lazily, for the parents a view asks for.

#include <QSortFilterProxyModel>
#include <QStringList>

#include <string>
#include <vector>

namespace typehost::ui {

class TypeFilterProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TypeFilterProxyModel(QObject* parent = nullptr);

    QString filterText() const { return m_text; }
    bool isFiltering() const { return !m_text.trimmed().isEmpty(); }
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

public Q_SLOTS:
    void setFilterText(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    struct Terms {
        std::vector<std::string> words, plugins, fields, origins, kinds;   // lower case
        bool empty() const
        {
            return words.empty() && plugins.empty() && fields.empty() && origins.empty() && kinds.empty();
        }
    };
    QString m_text;
    Terms m_terms;
};

} // namespace typehost::ui
