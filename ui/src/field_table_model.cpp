#include "typehost/ui/field_table_model.h"

#include "typehost/ui/value_text.h"

#include <QFont>

#include <algorithm>

namespace typehost::ui {

FieldTableModel::FieldTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void FieldTableModel::setType(typesys::TypeRef type)
{
    if (!m_type || !type || m_type->key != type->key) {
        beginResetModel();
        m_type = std::move(type);
        m_rows.clear();
        if (m_type)
            for (const typesys::FieldInfo& f : m_type->fields)
                m_rows.push_back(&f);
        endResetModel();
        return;
    }
    // Same key, new definition: keep rows (and the view's selection) where fields survive.
    typesys::TypeRef old = std::move(m_type);
    m_type = std::move(type);
    auto findNew = [&](const std::string& name) -> const typesys::FieldInfo* {
        for (const typesys::FieldInfo& f : m_type->fields)
            if (f.name == name)
                return &f;
        return nullptr;
    };
    // Re-point surviving rows first (old infos die with `old`), then remove the gone ones.
    std::vector<bool> gone(m_rows.size());
    for (size_t i = 0; i < m_rows.size(); ++i) {
        const typesys::FieldInfo* n = findNew(m_rows[i]->name);
        gone[i] = !n;
        if (n)
            m_rows[i] = n;
    }
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (!gone[size_t(i)])
            continue;
        beginRemoveRows({}, i, i);
        m_rows.erase(m_rows.begin() + i);
        endRemoveRows();
    }
    // Walk the new order: insert missing fields, move displaced ones.
    for (size_t i = 0; i < m_type->fields.size(); ++i) {
        const typesys::FieldInfo* want = &m_type->fields[i];
        if (i < m_rows.size() && m_rows[i] == want)
            continue;
        auto it = std::find(m_rows.begin() + qsizetype(i), m_rows.end(), want);
        if (it == m_rows.end()) {
            beginInsertRows({}, int(i), int(i));
            m_rows.insert(m_rows.begin() + qsizetype(i), want);
            endInsertRows();
        } else {
            int from = int(it - m_rows.begin());
            beginMoveRows({}, from, from, {}, int(i));
            m_rows.erase(it);
            m_rows.insert(m_rows.begin() + qsizetype(i), want);
            endMoveRows();
        }
    }
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
    old = nullptr;
}

int FieldTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int FieldTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant FieldTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || size_t(index.row()) >= m_rows.size())
        return {};
    const typesys::FieldInfo& f = *m_rows[size_t(index.row())];
    const bool inherited = m_type && !f.definedIn.empty() && f.definedIn != m_type->key;
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case NameColumn: return QString::fromStdString(f.name);
        case TypeColumn: return QString::fromStdString(f.schema.text());
        case DefaultColumn:
            if (m_resolver && f.defaultValue && f.schema.kind() == typesys::SchemaKind::Named) {
                typesys::TypeRef t = m_resolver->resolve(f.schema.key());
                if (t && t->kind == typesys::TypeKind::Enum)
                    return displayValue(*f.defaultValue, f.schema, m_resolver);
            }
            return defaultText(f);
        case FlagsColumn: return flagsText(f);
        case DocColumn: return QString::fromStdString(f.doc).section(QLatin1Char('\n'), 0, 0);
        case DefinedInColumn: return QString::fromStdString(f.definedIn);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case TypeColumn:
            if (!f.pythonAnnotation.empty() && f.pythonAnnotation != f.schema.text())
                return tr("Annotation: %1").arg(QString::fromStdString(f.pythonAnnotation));
            return QString::fromStdString(f.schema.text());
        case DefaultColumn: return f.hasDefault() ? defaultText(f) : tr("Required: no default");
        case FlagsColumn: {
            QString all = QStringLiteral("init=%1 repr=%2 compare=%3 hash=%4 kw_only=%5")
                              .arg(f.init ? "True" : "False", f.repr ? "True" : "False",
                                   f.compare ? "True" : "False", f.hashes() ? "True" : "False",
                                   f.kwOnly ? "True" : "False");
            return all;
        }
        case DocColumn: return QString::fromStdString(f.doc);
        case DefinedInColumn: return inherited ? tr("Inherited from %1").arg(QString::fromStdString(f.definedIn)) : QString();
        }
        return {};
    case Qt::FontRole:
        if (inherited) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case DefinedInRole:
        return QString::fromStdString(f.definedIn);
    default:
        return {};
    }
}

QVariant FieldTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case TypeColumn: return tr("Type");
    case DefaultColumn: return tr("Default");
    case FlagsColumn: return tr("Flags");
    case DocColumn: return tr("Doc");
    case DefinedInColumn: return tr("Defined in");
    default: return {};
    }
}

} // namespace typehost::ui
