#include "typehost/ui/types_panel.h"

#include "typehost/ui/type_filter_proxy_model.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace typehost::ui {

TypesPanel::TypesPanel(RegistryWatcher& watcher, QWidget* parent) : QWidget(parent)
{
    m_model = new TypeTreeModel(watcher, TypeTreeModel::Grouping::Namespace, this);
    m_proxy = new TypeFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);

    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter (Ctrl+F): text, plugin:NAME, field:NAME, origin:native"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Filter types"));
    m_filter->setToolTip(tr("Words match the key; plugin:NAME, field:NAME, origin:native|python and "
                            "kind:enum narrow the list. Down moves to the list, Escape clears."));
    m_filter->installEventFilter(this);

    m_grouping = new QComboBox(this);
    m_grouping->addItem(tr("Namespace"), int(TypeTreeModel::Grouping::Namespace));
    m_grouping->addItem(tr("Plugin"), int(TypeTreeModel::Grouping::Plugin));
    m_grouping->addItem(tr("Inheritance"), int(TypeTreeModel::Grouping::Inheritance));
    m_grouping->setAccessibleName(tr("Group types by"));
    m_grouping->setToolTip(tr("Group types by namespace, plugin or inheritance"));
    auto* groupLabel = new QLabel(tr("&Group:"), this);
    groupLabel->setBuddy(m_grouping);

    m_view = new QTreeView(this);
    m_view->setModel(m_proxy);
    m_view->setAccessibleName(tr("Registered types"));
    m_view->setUniformRowHeights(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TypeTreeModel::KeyColumn, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    // No ResizeToContents: it measures up to 1,000 rows on every layout, i.e. on every filter
    // keystroke. The other columns get widths from their possible texts (fitColumns()).
    QHeaderView* header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(TypeTreeModel::KeyColumn, QHeaderView::Stretch);
    fitColumns();
    m_view->expandToDepth(0);

    auto* top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(groupLabel);
    top->addWidget(m_grouping);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &TypesPanel::filterChanged);
    connect(m_grouping, &QComboBox::activated, this, [this](int i) {
        setGrouping(TypeTreeModel::Grouping(m_grouping->itemData(i).toInt()));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                const QString key = current.data(TypeTreeModel::TypeKeyRole).toString();
                if (key != m_lastKey) {
                    m_lastKey = key;
                    Q_EMIT currentTypeChanged(key);
                }
            });
    // New namespaces and plugins show their types without a click.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent, int first, int last) {
        if (parent.isValid() && !m_proxy->isFiltering())
            return;
        for (int row = first; row <= last; ++row)
            m_view->expand(m_proxy->index(row, 0, parent));
    });
    // A new plugin may need a wider Plugin column: checked once per event-loop turn.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_fitPending) {
            m_fitPending = true;
            QMetaObject::invokeMethod(this, &TypesPanel::fitColumns, Qt::QueuedConnection);
        }
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &TypesPanel::fitColumns);
    setFocusProxy(m_view);
}

QString TypesPanel::currentKey() const { return m_view->currentIndex().data(TypeTreeModel::TypeKeyRole).toString(); }

bool TypesPanel::selectType(const QString& key)
{
    QModelIndex source = m_model->indexOfType(key);
    if (!source.isValid())
        return false;
    QModelIndex proxyIndex = m_proxy->mapFromSource(source);
    if (!proxyIndex.isValid()) {
        m_filter->clear();
        proxyIndex = m_proxy->mapFromSource(source);
    }
    for (QModelIndex p = proxyIndex.parent(); p.isValid(); p = p.parent())
        m_view->expand(p);
    m_view->setCurrentIndex(proxyIndex);
    m_view->scrollTo(proxyIndex);
    return true;
}

void TypesPanel::setGrouping(TypeTreeModel::Grouping grouping)
{
    if (grouping == m_model->grouping())
        return;
    const QString key = currentKey();
    m_model->setGrouping(grouping);
    m_grouping->setCurrentIndex(m_grouping->findData(int(grouping)));
    m_view->expandToDepth(grouping == TypeTreeModel::Grouping::Inheritance ? 1 : 0);
    if (m_proxy->isFiltering())
        expandMatches();
    if (!key.isEmpty())
        selectType(key);
    Q_EMIT groupingChanged(grouping);
}

void TypesPanel::focusFilter()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

void TypesPanel::filterChanged(const QString& text)
{
    m_proxy->setFilterText(text);
    if (m_proxy->isFiltering())
        expandMatches();
    // The selected type stays selected while it matches, and is selected again when a later
    // keystroke shows it again (the detail view kept showing it meanwhile).
    QModelIndex current = m_view->currentIndex();
    if (!current.isValid() && !m_lastKey.isEmpty()) {
        current = m_proxy->mapFromSource(m_model->indexOfType(m_lastKey));
        if (current.isValid()) {
            for (QModelIndex p = current.parent(); p.isValid(); p = p.parent())
                m_view->expand(p);
            m_view->selectionModel()->setCurrentIndex(current, QItemSelectionModel::ClearAndSelect);
        }
    }
    if (current.isValid())
        m_view->scrollTo(current);
}

void TypesPanel::expandMatches()
{
    // Only the rows that have children, found in the source model: expandAll() would walk and
    // lay out every visible row (10 ms at 10,000 types). After a filter change the view has a
    // layout pending, so expand() only records the index.
    for (const QModelIndex& source : m_model->rowsWithChildren()) {
        const QModelIndex index = m_proxy->mapFromSource(source);
        if (index.isValid() && !m_view->isExpanded(index))
            m_view->expand(index);
    }
}

void TypesPanel::fitColumns()
{
    m_fitPending = false;
    QHeaderView* header = m_view->header();
    const QFontMetrics fm = m_view->fontMetrics();
    const QFontMetrics headerFm = header->fontMetrics();
    const int pad = 2 * m_view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 8;
    auto width = [&](int column, const QStringList& texts) {
        // The header text, its sort indicator, and the widest cell text.
        int w = headerFm.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString()) + pad + 16;
        for (const QString& t : texts)
            w = std::max(w, fm.horizontalAdvance(t) + pad);
        return w;
    };
    // The first time every column gets its width; later only the plugin column widens (a
    // new plugin), so a width the user chose stays.
    auto fit = [&](int column, int w) {
        if (!m_fitted || header->sectionSize(column) < w)
            header->resizeSection(column, w);
    };
    fit(TypeTreeModel::OriginColumn,
        width(TypeTreeModel::OriginColumn, {QString::fromLatin1(typesys::originName(typesys::TypeOrigin::Native)),
                                            QString::fromLatin1(typesys::originName(typesys::TypeOrigin::Python))}));
    fit(TypeTreeModel::PluginColumn, std::min(width(TypeTreeModel::PluginColumn, m_model->pluginLabels()), 200));
    fit(TypeTreeModel::FieldsColumn, width(TypeTreeModel::FieldsColumn, {QStringLiteral("999")}));
    fit(TypeTreeModel::InstancesColumn, width(TypeTreeModel::InstancesColumn, {QStringLiteral("99999")}));
    m_fitted = true;
}

bool TypesPanel::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Down || key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            m_view->setFocus(Qt::TabFocusReason);
            if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
                m_view->setCurrentIndex(m_proxy->index(0, 0));
            return true;
        }
        if (key->key() == Qt::Key_Escape && !m_filter->text().isEmpty()) {
            m_filter->clear();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace typehost::ui
