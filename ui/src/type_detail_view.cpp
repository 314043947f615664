#include "typehost/ui/type_detail_view.h"

#include "typehost/ui/field_table_model.h"
#include "typehost/ui/registry_watcher.h"
#include "typehost/ui/type_tree_model.h"
#include "typehost/ui/value_text.h"

#include <typesys/registry.h>

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace typehost::ui {

namespace {

QLabel* selectableLabel(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextBrowserInteraction | Qt::LinksAccessibleByKeyboard);
    l->setWordWrap(true);
    return l;
}

} // namespace

TypeDetailView::TypeDetailView(RegistryWatcher& watcher, QWidget* parent) : QWidget(parent), m_watcher(watcher)
{
    m_stack = new QStackedWidget(this);
    auto* hint = new QLabel(tr("Select a type in the Types list to see its fields."), m_stack);
    hint->setAlignment(Qt::AlignCenter);
    hint->setEnabled(false);
    m_stack->addWidget(hint);

    auto* page = new QWidget(m_stack);
    m_title = new QLabel(page);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_title->setAccessibleName(tr("Type key"));
    m_badges = new QLabel(page);
    m_newInstance = new QPushButton(tr("&New instance"), page);
    m_newInstance->setToolTip(tr("Create an instance from the defaults and open it in Values"));
    m_newInstance->setAccessibleName(tr("New instance of this type"));
    connect(m_newInstance, &QPushButton::clicked, this, [this] { Q_EMIT newInstanceRequested(m_key); });

    auto* titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title);
    titleRow->addWidget(m_badges);
    titleRow->addStretch();
    titleRow->addWidget(m_newInstance);

    m_info = selectableLabel(page);
    m_info->setAccessibleName(tr("Type origin, plugin and source"));
    m_parents = selectableLabel(page);
    m_parents->setAccessibleName(tr("Parent types"));
    connect(m_parents, &QLabel::linkActivated, this, [this](const QString& link) {
        Q_EMIT typeActivated(link.mid(int(qstrlen("type:"))));
    });
    m_doc = selectableLabel(page);
    m_doc->setAccessibleName(tr("Type documentation"));
    m_members = selectableLabel(page);
    m_members->setAccessibleName(tr("Enum members"));

    auto* form = m_form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Parents:"), m_parents);
    form->addRow(tr("Defined:"), m_info);
    form->addRow(tr("Doc:"), m_doc);
    form->addRow(tr("Members:"), m_members);

    m_fields = new FieldTableModel(this);
    m_fields->setResolver(&watcher.registry());
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_fields);
    m_sorted->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_table = new QTableView(page);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);   // declaration order until a header is clicked
    m_table->setAccessibleName(tr("Fields"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->setToolTip(tr("Double-click (or Enter on) a \"Defined in\" cell to open that type"));
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        const QString key = index.data(FieldTableModel::DefinedInRole).toString();
        if (index.column() == FieldTableModel::DefinedInColumn && !key.isEmpty() && key != m_key)
            Q_EMIT typeActivated(key);
    });

    auto* fieldsLabel = new QLabel(tr("&Fields"), page);
    fieldsLabel->setBuddy(m_table);
    QFont bold = fieldsLabel->font();
    bold.setBold(true);
    fieldsLabel->setFont(bold);

    auto* v = new QVBoxLayout(page);
    v->addLayout(titleRow);
    v->addLayout(form);
    v->addWidget(fieldsLabel);
    v->addWidget(m_table, 1);
    m_stack->addWidget(page);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_stack);

    connect(&watcher, &RegistryWatcher::typesChanged, this, &TypeDetailView::typesChanged);
}

void TypeDetailView::showType(const QString& key)
{
    typesys::TypeRef t = key.isEmpty() ? typesys::TypeRef() : m_watcher.registry().find(key.toStdString());
    if (!t) {
        m_key.clear();
        m_type = nullptr;
        m_fields->setType(nullptr);
        m_stack->setCurrentIndex(0);
        return;
    }
    m_key = key;
    m_type = t;
    m_fields->setType(t);
    refreshHeader();
    m_stack->setCurrentIndex(1);
    m_table->resizeColumnsToContents();
    for (int c = 0; c < FieldTableModel::ColumnCount - 1; ++c)
        m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), 320));
}

void TypeDetailView::typesChanged(const QStringList& keys)
{
    if (m_key.isEmpty())
        return;
    // A parent in the chain may have changed too; the header is cheap to redo.
    typesys::TypeRef now = m_watcher.registry().find(m_key.toStdString());
    if (now && now.get() != m_type.get()) {
        m_type = now;
        m_fields->setType(now);
    }
    Q_UNUSED(keys);
    refreshHeader();
}

void TypeDetailView::refreshHeader()
{
    const typesys::TypeInfo& t = *m_type;
    const bool gone = !m_watcher.registry().find(t.key);
    m_title->setText(QString::fromStdString(t.key));
    QStringList badges;
    if (t.kind == typesys::TypeKind::Enum)
        badges << tr("enum");
    if (t.frozen)
        badges << tr("frozen");
    if (gone || t.isStale())
        badges << tr("stale: removed or replaced");
    m_badges->setText(badges.isEmpty() ? QString() : QStringLiteral("[") + badges.join(QStringLiteral("] [")) + QLatin1Char(']'));
    m_badges->setEnabled(!(gone || t.isStale()));
    m_title->setEnabled(!(gone || t.isStale()));

    QStringList chain;
    for (const typesys::TypeInfo* p = t.parent.get(); p; p = p->parent.get()) {
        const QString k = QString::fromStdString(p->key).toHtmlEscaped();
        chain << QStringLiteral("<a href=\"type:%1\">%1</a>").arg(k);
        if (chain.size() > 64)
            break;
    }
    if (chain.isEmpty() && !t.parentKey.empty())
        chain << tr("%1 (not registered)").arg(QString::fromStdString(t.parentKey).toHtmlEscaped());
    m_parents->setText(chain.isEmpty() ? tr("<i>none</i>") : chain.join(QStringLiteral(" &rarr; ")));

    QString info = tr("%1 type").arg(QString::fromLatin1(typesys::originName(t.origin)));
    info += tr(", plugin <b>%1</b>").arg(TypeTreeModel::pluginLabel(t.owner).toHtmlEscaped());
    if (!t.source.file.empty())
        info += tr(", at <tt>%1:%2</tt>").arg(QString::fromStdString(t.source.file).toHtmlEscaped()).arg(t.source.line);
    m_info->setText(info);

    m_doc->setText(t.doc.empty() ? tr("<i>no documentation</i>") : QString::fromStdString(t.doc).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    QStringList members;
    for (const typesys::EnumMember& m : t.members)
        members << QStringLiteral("%1 = %2").arg(QString::fromStdString(m.name),
                                                 displayValue(m.value, typesys::Schema::any()));
    m_members->setText(members.join(QStringLiteral(", ")));
    m_form->setRowVisible(m_members, !members.isEmpty());
    m_newInstance->setEnabled(t.kind == typesys::TypeKind::Object && !(gone || t.isStale()));
}

} // namespace typehost::ui
