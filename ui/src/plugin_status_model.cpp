#include "typehost/ui/plugin_status_model.h"

#include "typehost/ui/icons.h"

#include <QApplication>
#include <QPalette>

#include <algorithm>

namespace typehost::ui {

PluginStatusModel::PluginStatusModel(QObject* parent) : QAbstractTableModel(parent) {}

void PluginStatusModel::setStatuses(std::vector<PluginStatus> statuses)
{
    auto inNew = [&](const std::string& name) {
        return std::any_of(statuses.begin(), statuses.end(), [&](const PluginStatus& s) { return s.name == name; });
    };
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (inNew(m_rows[size_t(i)].name))
            continue;
        beginRemoveRows({}, i, i);
        m_rows.erase(m_rows.begin() + i);
        endRemoveRows();
    }
    for (size_t i = 0; i < statuses.size(); ++i) {
        if (i < m_rows.size() && m_rows[i].name == statuses[i].name) {
            m_rows[i] = std::move(statuses[i]);
            continue;
        }
        auto it = std::find_if(m_rows.begin() + qsizetype(i), m_rows.end(),
                               [&](const PluginStatus& s) { return s.name == statuses[i].name; });
        if (it == m_rows.end()) {
            beginInsertRows({}, int(i), int(i));
            m_rows.insert(m_rows.begin() + qsizetype(i), std::move(statuses[i]));
            endInsertRows();
        } else {
            const int from = int(it - m_rows.begin());
            beginMoveRows({}, from, from, {}, int(i));
            PluginStatus moved = std::move(*it);
            m_rows.erase(it);
            m_rows.insert(m_rows.begin() + qsizetype(i), std::move(moved));
            endMoveRows();
            m_rows[i] = std::move(statuses[i]);
        }
    }
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

const PluginStatus* PluginStatusModel::statusAt(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? &m_rows[size_t(row)] : nullptr;
}

int PluginStatusModel::rowOf(const QString& name) const
{
    const std::string n = name.toStdString();
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].name == n)
            return int(i);
    return -1;
}

int PluginStatusModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int PluginStatusModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PluginStatusModel::data(const QModelIndex& index, int role) const
{
    const PluginStatus* s = index.isValid() ? statusAt(index.row()) : nullptr;
    if (!s)
        return {};
    const QString state = QString::fromLatin1(pluginStateName(s->state));
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case NameColumn: return QString::fromStdString(s->name);
        case StateColumn:
            if (s->state == PluginState::Loaded && !s->warnings.empty())
                return s->warnings.size() == 1 ? tr("%1 (1 warning)").arg(state)
                                               : tr("%1 (%2 warnings)").arg(state).arg(s->warnings.size());
            return state;
        case VersionColumn: return QString::fromStdString(s->version);
        case LoadTimeColumn:
            return s->state == PluginState::Loaded ? tr("%1 ms").arg(s->loadSeconds * 1000.0, 0, 'f', 1) : QString();
        case TypesColumn: return int(s->types.size());
        case PathColumn: return QString::fromStdString(s->path);
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() == StateColumn)
            return icons::pluginState(s->state == PluginState::Loaded && !s->warnings.empty()
                                          ? QStringLiteral("warnings") : state);
        if (index.column() == NameColumn)
            return s->native ? icons::origin(false) : icons::origin(true);
        return {};
    case Qt::ToolTipRole:
        if (!s->error.empty())
            return QString::fromStdString(s->error);
        if (index.column() == StateColumn && !s->warnings.empty()) {
            QStringList lines;
            for (const std::string& w : s->warnings)
                lines << QString::fromStdString(w);
            return lines.join(QLatin1Char('\n'));
        }
        if (index.column() == TypesColumn) {
            QStringList keys;
            for (const std::string& k : s->types)
                keys << QString::fromStdString(k);
            return keys.join(QLatin1Char('\n'));
        }
        return s->description.empty() ? QVariant() : QVariant(QString::fromStdString(s->description));
    case Qt::ForegroundRole:
        if (s->state == PluginState::Disabled || s->state == PluginState::Unloaded || s->state == PluginState::Skipped)
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == LoadTimeColumn || index.column() == TypesColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case NameRole: return QString::fromStdString(s->name);
    case StateRole: return state;
    case ErrorRole: return QString::fromStdString(s->error);
    case TracebackRole: return QString::fromStdString(s->traceback);
    default: return {};
    }
}

QVariant PluginStatusModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Plugin");
    case StateColumn: return tr("State");
    case VersionColumn: return tr("Version");
    case LoadTimeColumn: return tr("Load time");
    case TypesColumn: return tr("Types");
    case PathColumn: return tr("Path");
    default: return {};
    }
}

} // namespace typehost::ui
