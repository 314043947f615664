#include "typehost/ui/values_panel.h"

#include "typehost/ui/json_error_list.h"
#include "typehost/ui/value_tree_model.h"

#include <typesys/error.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace typehost::ui {

namespace {

QToolButton* toolButton(QWidget* parent, QAction* action)
{
    auto* b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setAccessibleName(action->text().remove(QLatin1Char('&')));
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setAutoRaise(true);
    return b;
}

QAction* panelAction(QWidget* parent, const QString& text, const QKeySequence& key, const QString& tip)
{
    auto* a = new QAction(text, parent);
    a->setShortcut(key);
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    a->setToolTip(tip + (key.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(key.toString(QKeySequence::NativeText))));
    parent->addAction(a);
    return a;
}

} // namespace

ValuesPanel::ValuesPanel(const typesys::Registry& registry, QWidget* parent) : QWidget(parent)
{
    m_model = new ValueTreeModel(registry, this);
    m_view = new QTreeView(this);
    m_view->setModel(m_model);
    m_view->setAccessibleName(tr("Values"));
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_view->header()->setSectionResizeMode(ValueTreeModel::NameColumn, QHeaderView::Interactive);
    m_view->header()->resizeSection(ValueTreeModel::NameColumn, 160);
    m_view->header()->resizeSection(ValueTreeModel::ValueColumn, 220);

    m_json = new QPlainTextEdit(this);
    m_json->setReadOnly(true);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setAccessibleName(tr("JSON text of the selected value"));
    m_json->setPlaceholderText(tr("JSON of the selected value"));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_message->setAccessibleName(tr("Values message"));
    m_message->hide();

    m_errors = new JsonErrorList(this);
    m_errors->hide();
    connect(m_errors, &JsonErrorList::closeRequested, this, &ValuesPanel::hideErrors);

    QAction* copyJson = panelAction(this, tr("Copy &JSON"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
                                    tr("Copy the selected value as JSON"));
    QAction* copyPointer = panelAction(this, tr("Copy &Pointer"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C),
                                       tr("Copy the JSON pointer of the selected value"));
    QAction* edit = panelAction(this, tr("&Edit"), QKeySequence(Qt::Key_F2), tr("Edit the selected scalar field"));
    QAction* close = panelAction(this, tr("C&lose"), QKeySequence(QKeySequence::Delete), tr("Close the selected document"));
    QAction* refresh = panelAction(this, tr("&Refresh"), QKeySequence(QKeySequence::Refresh), tr("Re-read all values"));
    connect(copyJson, &QAction::triggered, this, &ValuesPanel::copyJson);
    connect(copyPointer, &QAction::triggered, this, &ValuesPanel::copyPointer);
    connect(edit, &QAction::triggered, this, &ValuesPanel::editCurrent);
    connect(close, &QAction::triggered, this, &ValuesPanel::closeCurrent);
    connect(refresh, &QAction::triggered, this, &ValuesPanel::refresh);

    auto* bar = new QHBoxLayout;
    bar->setSpacing(2);
    for (QAction* a : {copyJson, copyPointer, edit, close, refresh})
        bar->addWidget(toolButton(this, a));
    bar->addStretch();

    auto* split = m_split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(m_json);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    // The error list under the values, in a splitter so that a long list can be given room.
    auto* outer = new QSplitter(Qt::Vertical, this);
    outer->addWidget(split);
    outer->addWidget(m_errors);
    outer->setStretchFactor(0, 3);
    outer->setStretchFactor(1, 2);
    outer->setChildrenCollapsible(false);
    layout->addWidget(outer, 1);
    layout->addWidget(m_message);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        hideMessage();
        updateJson();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& tl) {
        const QModelIndex cur = m_view->currentIndex();
        for (QModelIndex p = cur; p.isValid(); p = p.parent())
            if (p.row() == tl.row() && p.internalPointer() == tl.internalPointer()) {
                updateJson();
                return;
            }
    });
    connect(m_model, &ValueTreeModel::editFailed, this, [this](const QModelIndex&, const QString& message) {
        showMessage(tr("Edit refused, the old value is kept: %1").arg(message), true);
    });
    setFocusProxy(m_view);
}

void ValuesPanel::openDocument(const QString& name, typesys::Value value, typesys::Schema schema)
{
    hideErrors();
    const QModelIndex index = m_model->addDocument(name, std::move(value), std::move(schema));
    m_view->setCurrentIndex(index);
    m_view->expand(index);
    m_view->scrollTo(index);
}

void ValuesPanel::showMessage(const QString& text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("QLabel { background: rgba(208, 59, 59, 45); border: 1px solid rgba(208, 59, 59, 170); border-radius: 3px; padding: 4px; }")
                                   : QStringLiteral("QLabel { background: rgba(46, 158, 91, 40); border: 1px solid rgba(46, 158, 91, 160); border-radius: 3px; padding: 4px; }"));
    m_message->show();
}

void ValuesPanel::showErrors(const QString& name, const std::vector<typesys::Error>& errors, size_t total)
{
    showMessage(tr("%1 is not a valid typed value.").arg(name), true);
    QString title = total == 1 ? tr("%1: 1 error").arg(name) : tr("%1: %2 errors").arg(name).arg(total);
    if (total > errors.size())
        title += tr(", the first %1 listed").arg(errors.size());
    m_errors->setErrors(title, errors, total);
    m_errors->show();
}

void ValuesPanel::hideErrors() { m_errors->hide(); }

void ValuesPanel::resizeEvent(QResizeEvent* event)
{
    // Side by side when there is room, tree above JSON in a narrow dock.
    const Qt::Orientation want = width() >= 640 ? Qt::Horizontal : Qt::Vertical;
    if (m_split->orientation() != want)
        m_split->setOrientation(want);
    QWidget::resizeEvent(event);
}

void ValuesPanel::hideMessage() { m_message->hide(); }

void ValuesPanel::updateJson()
{
    const QModelIndex cur = m_view->currentIndex();
    if (!cur.isValid()) {
        m_json->clear();
        return;
    }
    try {
        std::string json = m_model->jsonAt(cur, 2);
        QString text;
        if (json.size() > size_t(maxJsonChars()))
            text = QString::fromUtf8(json.data(), maxJsonChars())
                   + tr("\n… (%1 more bytes; use Copy JSON for all of it)").arg(json.size() - size_t(maxJsonChars()));
        else
            text = QString::fromStdString(json);
        m_json->setPlainText(text);
    } catch (const typesys::Error& e) {
        m_json->setPlainText(tr("(no JSON: %1)").arg(QString::fromStdString(e.what())));
    }
}

void ValuesPanel::copyJson()
{
    const QModelIndex cur = m_view->currentIndex();
    if (!cur.isValid())
        return;
    try {
        QApplication::clipboard()->setText(QString::fromStdString(m_model->jsonAt(cur, 2)));
    } catch (const typesys::Error& e) {
        showMessage(QString::fromStdString(e.what()), true);
    }
}

void ValuesPanel::copyPointer()
{
    const QModelIndex cur = m_view->currentIndex();
    if (cur.isValid())
        QApplication::clipboard()->setText(m_model->jsonPointer(cur));
}

void ValuesPanel::closeCurrent()
{
    QModelIndex cur = m_view->currentIndex();
    while (cur.parent().isValid())
        cur = cur.parent();
    m_model->removeDocument(cur);
}

void ValuesPanel::refresh() { m_model->refresh(); }

void ValuesPanel::editCurrent()
{
    const QModelIndex cur = m_view->currentIndex();
    if (!cur.isValid())
        return;
    const QModelIndex value = cur.siblingAtColumn(ValueTreeModel::ValueColumn);
    m_view->setCurrentIndex(value);
    m_view->edit(value);
}

} // namespace typehost::ui
