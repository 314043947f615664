#include "typehost/ui/plugin_panel.h"

#include "typehost/ui/plugin_status_model.h"

#include <QCheckBox>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <thread>

namespace typehost::ui {

namespace {

// Waits for fut on a thread of its own and hands the result (or the error text) to done on
// the relay's thread. The relay drops it if the panel is gone by then.
template <class T, class Done>
void whenReady(std::future<T> fut, std::shared_ptr<UiRelay> relay, Done done)
{
    std::thread([fut = std::move(fut), relay = std::move(relay), done = std::move(done)]() mutable {
        try {
            if constexpr (std::is_void_v<T>) {
                fut.get();
                relay->post([done] { done(QString()); });
            } else {
                T value = fut.get();
                relay->post([done, value] { done(value, QString()); });
            }
        } catch (const std::exception& e) {
            QString error = QString::fromUtf8(e.what());
            if constexpr (std::is_void_v<T>)
                relay->post([done, error] { done(error); });
            else
                relay->post([done, error] { done(T{}, error); });
        }
    }).detach();
}

QString joined(const std::vector<std::string>& items)
{
    QStringList l;
    for (const std::string& s : items)
        l << QString::fromStdString(s);
    return l.join(QStringLiteral(", "));
}

} // namespace

PluginPanel::PluginPanel(PluginManager& manager, QWidget* parent)
    : QWidget(parent), m_manager(manager), m_relay(UiRelay::create(this))
{
    m_model = new PluginStatusModel(this);
    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setAccessibleName(tr("Plugins"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setWordWrap(false);

    m_details = new QPlainTextEdit(this);
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setAccessibleName(tr("Plugin details and traceback"));
    m_details->setPlaceholderText(tr("Select a plugin to see its details; a failed plugin shows its full traceback here."));
    m_details->setLineWrapMode(QPlainTextEdit::NoWrap);

    m_report = new QLabel(this);
    m_report->setWordWrap(true);
    m_report->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_report->setAccessibleName(tr("Plugin operation report"));
    m_report->hide();

    auto button = [this](const QString& text, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setToolTip(tip);
        b->setAccessibleName(QString(text).remove(QLatin1Char('&')));
        return b;
    };
    m_reload = button(tr("&Reload"), tr("Load the new version, then swap; the old one stays if it fails"));
    m_unload = button(tr("&Unload"), tr("Remove the plugin's types (and its dependents)"));
    m_enable = button(tr("&Enable"), tr("Enable and load the plugin"));
    m_disable = button(tr("&Disable"), tr("Unload the plugin and keep it off"));
    m_reloadAll = button(tr("Reload &All"), tr("Reload every loaded plugin"));
    m_auto = new QCheckBox(tr("Auto-reload on c&hange"), this);
    m_auto->setToolTip(tr("Reload a plugin when its files change"));
    m_auto->setAccessibleName(tr("Auto-reload plugins when their files change"));
    connect(m_reload, &QPushButton::clicked, this, &PluginPanel::reloadCurrent);
    connect(m_unload, &QPushButton::clicked, this, &PluginPanel::unloadCurrent);
    connect(m_enable, &QPushButton::clicked, this, &PluginPanel::enableCurrent);
    connect(m_disable, &QPushButton::clicked, this, &PluginPanel::disableCurrent);
    connect(m_reloadAll, &QPushButton::clicked, this, &PluginPanel::reloadAll);
    connect(m_auto, &QCheckBox::toggled, this, &PluginPanel::setAutoReload);

    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {m_reload, m_unload, m_enable, m_disable, m_reloadAll})
        buttons->addWidget(b);
    buttons->addStretch();
    buttons->addWidget(m_auto);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(buttons);
    layout->addWidget(split, 1);
    layout->addWidget(m_report);

    m_autoTimer = new QTimer(this);
    m_autoTimer->setSingleShot(true);
    m_autoTimer->setInterval(300);
    connect(m_autoTimer, &QTimer::timeout, this, [this] {
        const QStringList names = std::exchange(m_changedPlugins, {});
        for (const QString& name : names) {
            ++m_pending;
            whenReady(m_manager.reload(name.toStdString()), m_relay, [this](const ReloadReport& r, const QString& error) {
                --m_pending;
                if (error.isEmpty())
                    noteReload(r);
                showReport(error.isEmpty() ? tr("Auto-reload: %1").arg(reportText(r)) : error, !error.isEmpty() || !r.ok);
                refresh();
            });
        }
    });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showDetails();
        updateButtons();
    });
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        showDetails();
        updateButtons();
    });

    m_subscription = manager.subscribe([relay = m_relay, self = this] { relay->post([self] { self->refresh(); }); });
    refresh();
    setFocusProxy(m_view);
}

PluginPanel::~PluginPanel()
{
    m_relay->detach();
    m_manager.unsubscribe(m_subscription);
}

QString PluginPanel::currentPlugin() const
{
    const QModelIndex cur = m_view->currentIndex();
    return cur.isValid() ? cur.siblingAtColumn(0).data(PluginStatusModel::NameRole).toString() : QString();
}

void PluginPanel::refresh()
{
    m_model->setStatuses(m_manager.statuses());
    m_view->resizeColumnsToContents();
    if (m_auto->isChecked())
        watchFiles();
    updateButtons();
}

void PluginPanel::showDetails()
{
    const QModelIndex cur = m_view->currentIndex();
    const PluginStatus* s = cur.isValid() ? m_model->statusAt(cur.row()) : nullptr;
    if (!s) {
        m_details->clear();
        return;
    }
    QString text = QStringLiteral("%1 %2 (%3, %4)\n").arg(QString::fromStdString(s->name), QString::fromStdString(s->version),
                                                          s->native ? tr("native") : tr("python"),
                                                          QString::fromLatin1(pluginStateName(s->state)));
    if (!s->description.empty())
        text += QString::fromStdString(s->description) + QLatin1Char('\n');
    text += tr("Path: %1\n").arg(QString::fromStdString(s->path));
    if (!s->dependencies.empty())
        text += tr("Requires: %1\n").arg(joined(s->dependencies));
    if (!s->types.empty())
        text += tr("Types (%1): %2\n").arg(s->types.size()).arg(joined(s->types));
    if (!s->warnings.empty()) {
        text += tr("\nWarnings (the plugin loaded, these parts of it did not):\n");
        for (const std::string& w : s->warnings)
            text += QStringLiteral("  %1\n").arg(QString::fromStdString(w));
    }
    if (!s->error.empty())
        text += tr("\nError: %1\n").arg(QString::fromStdString(s->error));
    if (!s->traceback.empty())
        text += QLatin1Char('\n') + QString::fromStdString(s->traceback);
    const QString failedReload = m_reloadFailures.value(QString::fromStdString(s->name));
    if (!failedReload.isEmpty())
        text += tr("\nLast reload failed (the version above stays active):\n") + failedReload;
    if (m_details->toPlainText() != text)
        m_details->setPlainText(text);
}

void PluginPanel::updateButtons()
{
    const QModelIndex cur = m_view->currentIndex();
    const PluginStatus* s = cur.isValid() ? m_model->statusAt(cur.row()) : nullptr;
    const bool idle = m_pending == 0;
    m_reload->setEnabled(idle && s && (s->state == PluginState::Loaded || s->state == PluginState::Failed));
    m_unload->setEnabled(idle && s && s->state == PluginState::Loaded);
    m_enable->setEnabled(idle && s && s->state == PluginState::Disabled);
    m_disable->setEnabled(idle && s && s->state != PluginState::Disabled);
    m_reloadAll->setEnabled(idle && m_model->rowCount() > 0);
}

void PluginPanel::showReport(const QString& text, bool error)
{
    m_report->setText(text);
    m_report->setStyleSheet(error ? QStringLiteral("QLabel { background: rgba(208, 59, 59, 45); border: 1px solid rgba(208, 59, 59, 170); border-radius: 3px; padding: 4px; }")
                                  : QStringLiteral("QLabel { background: rgba(46, 158, 91, 40); border: 1px solid rgba(46, 158, 91, 160); border-radius: 3px; padding: 4px; }"));
    m_report->show();
    Q_EMIT operationFinished(text);
}

QString PluginPanel::reportText(const ReloadReport& r)
{
    if (!r.ok)
        return tr("reload of %1 failed, the old version stays active: %2")
            .arg(QString::fromStdString(r.plugin), QString::fromStdString(r.error));
    QStringList parts;
    if (!r.added.empty())
        parts << tr("added %1").arg(joined(r.added));
    if (!r.removed.empty())
        parts << tr("removed %1").arg(joined(r.removed));
    for (const TypeChange& c : r.changed) {
        QStringList what;
        if (!c.fieldsAdded.empty())
            what << tr("+%1").arg(joined(c.fieldsAdded));
        if (!c.fieldsRemoved.empty())
            what << tr("-%1").arg(joined(c.fieldsRemoved));
        if (!c.fieldsRetyped.empty())
            what << tr("retyped %1").arg(joined(c.fieldsRetyped));
        if (!c.defaultsChanged.empty())
            what << tr("defaults %1").arg(joined(c.defaultsChanged));
        parts << tr("changed %1 (%2)").arg(QString::fromStdString(c.key), what.join(QStringLiteral("; ")));
    }
    if (!r.alsoReloaded.empty())
        parts << tr("also reloaded %1").arg(joined(r.alsoReloaded));
    for (const ValueMigration& v : r.values) {
        if (v.migrated) {
            parts << (v.objects == 1 ? tr("migrated value %1 (1 object)").arg(QString::fromStdString(v.name))
                                     : tr("migrated value %1 (%2 objects)").arg(QString::fromStdString(v.name)).arg(v.objects));
            continue;
        }
        QStringList why;
        for (const auto& [pointer, reason] : v.issues)
            why << (pointer.empty() ? QString::fromStdString(reason)
                                    : QStringLiteral("%1: %2").arg(QString::fromStdString(pointer), QString::fromStdString(reason)));
        parts << tr("value %1 stays stale (%2)").arg(QString::fromStdString(v.name), why.join(QStringLiteral("; ")));
    }
    return tr("reloaded %1: %2").arg(QString::fromStdString(r.plugin),
                                     parts.isEmpty() ? tr("no type changes") : parts.join(QStringLiteral(", ")));
}

void PluginPanel::noteReload(const ReloadReport& r)
{
    const QString name = QString::fromStdString(r.plugin);
    if (r.ok)
        m_reloadFailures.remove(name);
    else
        m_reloadFailures.insert(name, QString::fromStdString(r.traceback.empty() ? r.error + "\n" : r.traceback));
}

void PluginPanel::reloadCurrent()
{
    const QString name = currentPlugin();
    if (name.isEmpty())
        return;
    ++m_pending;
    updateButtons();
    whenReady(m_manager.reload(name.toStdString()), m_relay, [this](const ReloadReport& r, const QString& error) {
        --m_pending;
        if (!error.isEmpty()) {
            showReport(error, true);
        } else {
            noteReload(r);
            showReport(reportText(r), !r.ok);
        }
        refresh();
        showDetails();
    });
}

void PluginPanel::unloadCurrent()
{
    const QString name = currentPlugin();
    if (name.isEmpty())
        return;
    ++m_pending;
    updateButtons();
    whenReady(m_manager.unload(name.toStdString()), m_relay, [this, name](const std::vector<std::string>& gone, const QString& error) {
        --m_pending;
        if (!error.isEmpty())
            showReport(error, true);
        else
            showReport(tr("unloaded %1").arg(gone.empty() ? name : joined(gone)), false);
        refresh();
    });
}

void PluginPanel::enableCurrent()
{
    const QString name = currentPlugin();
    if (name.isEmpty())
        return;
    ++m_pending;
    updateButtons();
    whenReady(m_manager.enable(name.toStdString()), m_relay, [this, name](const QString& error) {
        --m_pending;
        showReport(error.isEmpty() ? tr("enabled %1").arg(name) : error, !error.isEmpty());
        refresh();
    });
}

void PluginPanel::disableCurrent()
{
    const QString name = currentPlugin();
    if (name.isEmpty())
        return;
    ++m_pending;
    updateButtons();
    whenReady(m_manager.disable(name.toStdString()), m_relay, [this, name](const QString& error) {
        --m_pending;
        showReport(error.isEmpty() ? tr("disabled %1").arg(name) : error, !error.isEmpty());
        refresh();
    });
}

void PluginPanel::reloadAll()
{
    ++m_pending;
    updateButtons();
    whenReady(m_manager.reloadAll(), m_relay, [this](const std::vector<ReloadReport>& reports, const QString& error) {
        --m_pending;
        if (!error.isEmpty()) {
            showReport(error, true);
        } else {
            QStringList lines;
            bool failed = false;
            for (const ReloadReport& r : reports) {
                noteReload(r);
                lines << reportText(r);
                failed |= !r.ok;
            }
            showReport(lines.isEmpty() ? tr("nothing to reload") : lines.join(QLatin1Char('\n')), failed);
        }
        refresh();
    });
}

void PluginPanel::setAutoReload(bool on)
{
    if (m_auto->isChecked() != on)
        m_auto->setChecked(on);
    if (!on) {
        delete m_watcher;
        m_watcher = nullptr;
        return;
    }
    watchFiles();
}

void PluginPanel::watchFiles()
{
    if (!m_watcher) {
        m_watcher = new QFileSystemWatcher(this);
        connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &PluginPanel::fileChanged);
        connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, &PluginPanel::fileChanged);
    }
    QStringList paths;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const PluginStatus* s = m_model->statusAt(row);
        if (!s || s->native || s->path.empty())
            continue;
        const QString path = QString::fromStdString(s->path);
        paths << path;
        if (QFileInfo(path).isDir()) {
            QDirIterator it(path, {QStringLiteral("*.py")}, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                paths << it.next();
        }
    }
    // Editors often replace a file: watch again whatever is not watched any more.
    const QStringList watched = m_watcher->files() + m_watcher->directories();
    QStringList add;
    for (const QString& p : paths)
        if (!watched.contains(p) && QFileInfo::exists(p))
            add << p;
    if (!add.isEmpty())
        m_watcher->addPaths(add);
}

void PluginPanel::fileChanged(const QString& path)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const PluginStatus* s = m_model->statusAt(row);
        const QString root = s ? QString::fromStdString(s->path) : QString();
        if (!root.isEmpty() && (path == root || path.startsWith(root + QLatin1Char('/')))
            && (s->state == PluginState::Loaded || s->state == PluginState::Failed)) {
            const QString name = QString::fromStdString(s->name);
            if (!m_changedPlugins.contains(name))
                m_changedPlugins << name;
        }
    }
    if (!m_changedPlugins.isEmpty())
        m_autoTimer->start();
    QTimer::singleShot(100, this, &PluginPanel::watchFiles);
}

} // namespace typehost::ui
