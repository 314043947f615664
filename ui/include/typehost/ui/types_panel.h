#pragma once
// TypesPanel: the Types dock: a filter box, a grouping chooser and the type tree.
// The filter applies as you type (see TypeFilterProxyModel for the terms); matches expand.
// The selected type stays selected while it matches and is selected again when it matches
// again; the detail view keeps showing it in between.

#include "typehost/ui/type_tree_model.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;

namespace typehost::ui {

class RegistryWatcher;
class TypeFilterProxyModel;

class TypesPanel : public QWidget {
    Q_OBJECT
public:
    explicit TypesPanel(RegistryWatcher& watcher, QWidget* parent = nullptr);

    QLineEdit* filterEdit() const { return m_filter; }
    QTreeView* view() const { return m_view; }
    QComboBox* groupingBox() const { return m_grouping; }
    TypeTreeModel* model() const { return m_model; }
    TypeFilterProxyModel* proxy() const { return m_proxy; }

    QString currentKey() const;
    // Selects and shows the type, clearing a filter that hides it. False when unknown.
    bool selectType(const QString& key);
    TypeTreeModel::Grouping grouping() const { return m_model->grouping(); }

public Q_SLOTS:
    void setGrouping(typehost::ui::TypeTreeModel::Grouping grouping);
    void focusFilter();

Q_SIGNALS:
    void currentTypeChanged(const QString& key);   // "" for a group row or nothing
    void groupingChanged(typehost::ui::TypeTreeModel::Grouping grouping);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void filterChanged(const QString& text);
    void expandMatches();
    // Widths of the origin, plugin and count columns from the texts they can hold (no
    // ResizeToContents, which re-measures rows on every layout).
    void fitColumns();

    TypeTreeModel* m_model;
    TypeFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QComboBox* m_grouping;
    QTreeView* m_view;
    QString m_lastKey;
    bool m_fitPending = false;
    bool m_fitted = false;
};

} // namespace typehost::ui
