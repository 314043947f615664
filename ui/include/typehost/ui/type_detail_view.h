#pragma once
// TypeDetailView: one type: key, doc, parent chain (links), plugin, source file:line, enum
// members, and the sortable fields table. Follows the registry: a replaced type refreshes in
// place (field rows synced, not reset); a removed one stays on screen marked stale.

#include <typesys/type_info.h>

#include <QWidget>

class QFormLayout;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace typehost::ui {

class FieldTableModel;
class RegistryWatcher;

class TypeDetailView : public QWidget {
    Q_OBJECT
public:
    explicit TypeDetailView(RegistryWatcher& watcher, QWidget* parent = nullptr);

    QString key() const { return m_key; }
    typesys::TypeRef type() const { return m_type; }
    FieldTableModel* fieldModel() const { return m_fields; }
    QTableView* fieldView() const { return m_table; }
    QLabel* titleLabel() const { return m_title; }
    QLabel* parentsLabel() const { return m_parents; }

public Q_SLOTS:
    // Shows the registered type `key`; "" shows a hint instead.
    void showType(const QString& key);

Q_SIGNALS:
    void typeActivated(const QString& key);          // a parent link or a "defined in" cell
    void newInstanceRequested(const QString& key);

private:
    void typesChanged(const QStringList& keys);
    void refreshHeader();

    RegistryWatcher& m_watcher;
    QString m_key;
    typesys::TypeRef m_type;
    QStackedWidget* m_stack;
    QFormLayout* m_form;
    QLabel* m_title;
    QLabel* m_badges;
    QLabel* m_info;
    QLabel* m_parents;
    QLabel* m_doc;
    QLabel* m_members;
    QPushButton* m_newInstance;
    FieldTableModel* m_fields;
    QSortFilterProxyModel* m_sorted;
    QTableView* m_table;
};

} // namespace typehost::ui
