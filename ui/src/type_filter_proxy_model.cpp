#include "typehost/ui/type_filter_proxy_model.h"

#include "typehost/ui/type_tree_model.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace typehost::ui {

namespace {

// Keys and plugin names are ASCII identifiers; a byte-wise search avoids a QString per row.
bool containsNoCase(std::string_view hay, const std::string& needleLower)
{
    if (needleLower.empty())
        return true;
    if (hay.size() < needleLower.size())
        return false;
    auto it = std::search(hay.begin(), hay.end(), needleLower.begin(), needleLower.end(),
                          [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
    return it != hay.end();
}

std::string_view pluginOf(const std::string& owner)
{
    std::string_view o(owner);
    if (o.substr(0, 7) == "plugin:")
        o.remove_prefix(7);
    return o;
}

} // namespace

TypeFilterProxyModel::TypeFilterProxyModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setAutoAcceptChildRows(false);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void TypeFilterProxyModel::setFilterText(const QString& text)
{
    if (text == m_text)
        return;
    m_text = text;
    Terms t;
    const QStringList parts = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        auto take = [&](const char* prefix, std::vector<std::string>& into) {
            if (!part.startsWith(QLatin1String(prefix)))
                return false;
            into.push_back(part.mid(int(std::strlen(prefix))).toStdString());
            return true;
        };
        if (take("plugin:", t.plugins) || take("field:", t.fields) || take("origin:", t.origins)
            || take("kind:", t.kinds))
            continue;
        t.words.push_back(part.toStdString());
    }
    m_terms = std::move(t);
    invalidateFilter();
}

bool TypeFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_terms.empty())
        return true;
    auto* model = static_cast<const TypeTreeModel*>(sourceModel());
    const typesys::TypeInfo* t = model->typeInfoAt(model->index(sourceRow, 0, sourceParent));
    if (!t)
        return false;   // a group: shown when a type below it matches (recursive filtering)
    for (const std::string& w : m_terms.words)
        if (!containsNoCase(t->key, w))
            return false;
    for (const std::string& p : m_terms.plugins)
        if (!containsNoCase(pluginOf(t->owner), p))
            return false;
    for (const std::string& o : m_terms.origins) {
        std::string_view origin = typesys::originName(t->origin);
        if (origin.substr(0, o.size()) != o)
            return false;
    }
    for (const std::string& k : m_terms.kinds) {
        std::string_view kind = t->kind == typesys::TypeKind::Enum ? "enum" : "object";
        if (kind.substr(0, k.size()) != k)
            return false;
    }
    for (const std::string& f : m_terms.fields) {
        bool any = std::any_of(t->fields.begin(), t->fields.end(),
                               [&](const typesys::FieldInfo& fi) { return containsNoCase(fi.name, f); });
        if (!any)
            return false;
    }
    return true;
}

bool TypeFilterProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    // Groups stay above types whatever the column.
    const bool lg = left.data(TypeTreeModel::IsGroupRole).toBool();
    const bool rg = right.data(TypeTreeModel::IsGroupRole).toBool();
    if (lg != rg)
        return sortOrder() == Qt::AscendingOrder ? lg : rg;
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace typehost::ui
