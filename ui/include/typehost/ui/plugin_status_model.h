#pragma once
// PluginStatusModel: one row per plugin (PluginManager::statuses()), in discovery order.
// Columns: name, state, version, load time, types owned, path. setStatuses() syncs rows by
// plugin name: inserts, removes, moves and dataChanged, never a reset.

#include <typehost/plugin_manager.h>

#include <QAbstractTableModel>

#include <vector>

namespace typehost::ui {

class PluginStatusModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, StateColumn, VersionColumn, LoadTimeColumn, TypesColumn, PathColumn, ColumnCount };
    enum Role {
        NameRole = Qt::UserRole + 1,   // QString
        StateRole,                     // QString: "loaded", "failed", ...
        ErrorRole,                     // QString: the one-line error
        TracebackRole,                 // QString: the full traceback
    };

    explicit PluginStatusModel(QObject* parent = nullptr);

    void setStatuses(std::vector<PluginStatus> statuses);
    const PluginStatus* statusAt(int row) const;
    int rowOf(const QString& name) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<PluginStatus> m_rows;
};

} // namespace typehost::ui
