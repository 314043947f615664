#include "typehost/ui/json_error_list.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace typehost::ui {

namespace {

enum Column { PointerColumn, ReasonColumn };
constexpr int LineRole = Qt::UserRole + 1;   // the row as one "<pointer>: <reason>" line

QToolButton* button(QWidget* parent, const QString& text, const QString& tip)
{
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAccessibleName(QString(text).remove(QLatin1Char('&')));
    b->setAutoRaise(true);
    return b;
}

} // namespace

JsonErrorList::JsonErrorList(QWidget* parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_title->setAccessibleName(tr("JSON errors summary"));

    m_view = new QTreeWidget(this);
    m_view->setColumnCount(2);
    m_view->setHeaderLabels({tr("Pointer"), tr("Error")});
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAccessibleName(tr("JSON errors"));
    m_view->setToolTip(tr("Where each error is (a JSON pointer) and what is wrong; Ctrl+C copies the selected rows"));
    m_view->header()->setStretchLastSection(true);
    m_view->header()->resizeSection(PointerColumn, 160);

    auto* copy = new QAction(tr("Copy"), m_view);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(copy);
    connect(copy, &QAction::triggered, this, &JsonErrorList::copySelected);

    QToolButton* copyAll = button(this, tr("Copy &All"), tr("Copy every error as \"pointer: error\" lines"));
    QToolButton* close = button(this, tr("Clos&e"), tr("Hide the error list"));
    connect(copyAll, &QToolButton::clicked, this, &JsonErrorList::copyAll);
    connect(close, &QToolButton::clicked, this, &JsonErrorList::closeRequested);

    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(copyAll);
    top->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
}

void JsonErrorList::setErrors(const QString& title, const std::vector<typesys::Error>& errors, size_t total)
{
    m_title->setText(title);
    m_view->clear();
    QList<QTreeWidgetItem*> items;
    for (const typesys::Error& e : errors) {
        // Parse errors are about the text, not a place in the value: no pointer.
        const bool placed = e.kind() != typesys::ErrorKind::Parse;
        const QString pointer = placed ? QString::fromStdString(e.pointer()) : QString();
        const QString where = placed && pointer.isEmpty() ? QStringLiteral("/") : pointer;
        const QString reason = QString::fromStdString(e.reason().empty() ? std::string(e.what()) : e.reason());
        auto* item = new QTreeWidgetItem({where, reason});
        item->setToolTip(ReasonColumn, reason);
        item->setData(PointerColumn, LineRole, where.isEmpty() ? reason : where + QStringLiteral(": ") + reason);
        items << item;
    }
    if (total > errors.size()) {
        const size_t n = total - errors.size();
        const QString more = n == 1 ? tr("… and 1 more error, not listed") : tr("… and %1 more errors, not listed").arg(n);
        auto* item = new QTreeWidgetItem({QString(), more});
        item->setData(PointerColumn, LineRole, more);
        QFont italic = item->font(ReasonColumn);
        italic.setItalic(true);
        item->setFont(ReasonColumn, italic);
        items << item;
    }
    m_view->addTopLevelItems(items);
    if (!items.isEmpty())
        m_view->setCurrentItem(items.first());
}

QString JsonErrorList::text(bool selectedOnly) const
{
    QStringList lines;
    for (int i = 0; i < m_view->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_view->topLevelItem(i);
        if (!selectedOnly || item->isSelected())
            lines << item->data(PointerColumn, LineRole).toString();
    }
    return lines.join(QLatin1Char('\n'));
}

void JsonErrorList::copySelected()
{
    const QString t = text(true);
    QApplication::clipboard()->setText(t.isEmpty() ? text(false) : t);
}

void JsonErrorList::copyAll() { QApplication::clipboard()->setText(text(false)); }

} // namespace typehost::ui
