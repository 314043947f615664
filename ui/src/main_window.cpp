#include "typehost/ui/main_window.h"

#include "typehost/ui/console_widget.h"
#include "typehost/ui/icons.h"
#include "typehost/ui/python_console.h"
#include "typehost/ui/registry_export.h"
#include "typehost/ui/registry_watcher.h"
#include "typehost/ui/theme.h"
#include "typehost/ui/type_detail_view.h"
#include "typehost/ui/types_panel.h"
#include "typehost/ui/value_tree_model.h"
#include "typehost/ui/value_text.h"
#include "typehost/ui/values_panel.h"
#include "typehost/ui/plugin_panel.h"

#include <typehost/published.h>
#include <typehost/python_thread.h>
#include <typesys/json.h>
#include <typesys/object.h>
#include <typesys/registry.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QTreeView>

namespace typehost::ui {

namespace {

struct JobResult {
    bool ok = false;
    typesys::Value value;
    QString error;
    std::vector<typesys::Error> errors;   // all errors of a JSON file (capped), when known
    size_t errorTotal = 0;
};

} // namespace

template <class Job, class Done>
void MainWindow::runInPython(Job job, Done done)
{
    ++m_jobs;
    updateBusy();
    auto relay = m_relay;
    // The future is dropped: the result comes back through the event queue, never by waiting.
    (void)m_python.submit([job = std::move(job), done = std::move(done), relay, self = this]() mutable {
        JobResult result;
        try {
            result = job();
        } catch (const std::exception& e) {
            result.ok = false;
            result.error = QString::fromUtf8(e.what());
        } catch (...) {
            result.ok = false;
            result.error = QStringLiteral("unknown error");
        }
        relay->post([self, done, result] {
            --self->m_jobs;
            done(result);
            self->updateBusy();
        });
    });
}

MainWindow::MainWindow(PythonThread& python, typesys::Registry& registry, PublishedValues& published,
                       PluginManager* plugins, QWidget* parent)
    : QMainWindow(parent), m_python(python), m_registry(registry), m_pluginManager(plugins),
      m_relay(UiRelay::create(this))
{
    setWindowTitle(tr("Typehost"));
    setWindowIcon(icons::application());
    setAcceptDrops(true);
    setDockNestingEnabled(true);

    m_watcher = new RegistryWatcher(registry, this);
    m_types = new TypesPanel(*m_watcher, this);
    m_detail = new TypeDetailView(*m_watcher, this);
    m_values = new ValuesPanel(registry, this);
    m_values->model()->watchPublished(published);
    m_console = new ConsoleWidget(python, this);
    if (plugins) {
        m_plugins = new PluginPanel(*plugins, this);
    } else {
        auto* none = new QLabel(tr("No plugin manager in this session."), this);
        none->setAlignment(Qt::AlignCenter);
        none->setEnabled(false);
        m_plugins = none;
    }

    setCentralWidget(m_detail);
    m_typesDock = addDock(tr("Types"), QStringLiteral("TypesDock"), m_types, Qt::LeftDockWidgetArea);
    m_valuesDock = addDock(tr("Values"), QStringLiteral("ValuesDock"), m_values, Qt::RightDockWidgetArea);
    m_pluginsDock = addDock(tr("Plugins"), QStringLiteral("PluginsDock"), m_plugins, Qt::BottomDockWidgetArea);
    m_consoleDock = addDock(tr("Python Console"), QStringLiteral("ConsoleDock"), m_console, Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_pluginsDock, m_consoleDock);
    m_pluginsDock->raise();
    resizeDocks({m_typesDock, m_valuesDock}, {470, 420}, Qt::Horizontal);
    resizeDocks({m_pluginsDock}, {220}, Qt::Vertical);

    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(14);
    m_busy->setTextVisible(false);
    m_busy->setAccessibleName(tr("Python is busy"));
    m_busyLabel = new QLabel(tr("Python is running…"), this);
    m_countLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_busyLabel);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_countLabel);
    m_busy->hide();
    m_busyLabel->hide();
    m_busyTimer = new QTimer(this);
    m_busyTimer->setInterval(100);
    connect(m_busyTimer, &QTimer::timeout, this, &MainWindow::updateBusy);
    m_busyTimer->start();

    connect(m_types, &TypesPanel::currentTypeChanged, m_detail, &TypeDetailView::showType);
    connect(m_detail, &TypeDetailView::typeActivated, this, [this](const QString& key) { selectType(key); });
    connect(m_detail, &TypeDetailView::newInstanceRequested, this, &MainWindow::newInstance);
    auto updateCount = [this] { m_countLabel->setText(countText(m_types->model()->typeCount(), tr("type"), tr("types"))); };
    connect(m_watcher, &RegistryWatcher::typesChanged, this, updateCount);
    updateCount();

    createActions();
    restoreSettings();

    runInPython([] {
        JobResult r;
        const std::string problem = prepareConsoleNamespace();
        r.ok = problem.empty();
        r.value = typesys::Value::fromStr(typehost::ui::pythonVersion());
        r.error = QString::fromStdString(problem);
        return r;
    }, [this](const JobResult& r) {
        m_pythonVersion = QString::fromStdString(std::string(r.value.asStr()));
        m_console->showBanner(r.ok ? tr("Python %1 in Typehost %2; the typehost module is imported. Enter runs, Shift+Enter adds a line.")
                                         .arg(m_pythonVersion, QStringLiteral(TYPEHOST_VERSION))
                                   : tr("Python %1; importing typehost failed: %2").arg(m_pythonVersion, r.error));
        Q_EMIT pythonVersionKnown(m_pythonVersion);
    });
}

MainWindow::~MainWindow() { m_relay->detach(); }

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setWidget(widget);
    dock->setAccessibleName(title);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open JSON…"), this, &MainWindow::openJsonDialog);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Read a JSON file as a typed value and show it in Values"));
    QAction* exportAction = file->addAction(tr("&Export Registry as JSON…"), this, &MainWindow::exportDialog);
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* find = edit->addAction(tr("&Find Type"), this, [this] {
        m_typesDock->show();
        m_typesDock->raise();
        m_types->focusFilter();
    });
    find->setShortcut(QKeySequence::Find);
    edit->addSeparator();
    for (QAction* a : m_values->actions())
        edit->addAction(a);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QMenu* groupBy = view->addMenu(tr("&Group Types By"));
    m_groupingActions = new QActionGroup(this);
    const std::pair<QString, TypeTreeModel::Grouping> groupings[] = {
        {tr("&Namespace"), TypeTreeModel::Grouping::Namespace},
        {tr("&Plugin"), TypeTreeModel::Grouping::Plugin},
        {tr("&Inheritance"), TypeTreeModel::Grouping::Inheritance},
    };
    int n = 0;
    for (const auto& [text, g] : groupings) {
        QAction* a = groupBy->addAction(text);
        a->setCheckable(true);
        a->setData(int(g));
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | (Qt::Key_1 + n++)));
        m_groupingActions->addAction(a);
        connect(a, &QAction::triggered, this, [this, g = g] { m_types->setGrouping(g); });
    }
    auto syncGrouping = [this](TypeTreeModel::Grouping g) {
        for (QAction* a : m_groupingActions->actions())
            a->setChecked(a->data().toInt() == int(g));
    };
    connect(m_types, &TypesPanel::groupingChanged, this, syncGrouping);
    syncGrouping(m_types->grouping());
    QMenu* themes = view->addMenu(tr("&Theme"));
    auto* themeActions = new QActionGroup(this);
    const std::pair<QString, Theme> themeChoices[] = {
        {tr("&System"), Theme::System}, {tr("&Light"), Theme::Light}, {tr("&Dark"), Theme::Dark}};
    for (const auto& [text, t] : themeChoices) {
        QAction* a = themes->addAction(text);
        a->setCheckable(true);
        a->setChecked(t == currentTheme());
        a->setObjectName(QStringLiteral("theme-") + themeName(t));
        themeActions->addAction(a);
        connect(a, &QAction::triggered, this, [t = t] {
            applyTheme(t);
            QSettings().setValue(QStringLiteral("view/theme"), themeName(t));
        });
    }
    themes->setToolTip(tr("System follows the desktop; Light and Dark use the Fusion style"));
    view->addSeparator();
    const std::pair<QDockWidget*, int> docks[] = {
        {m_typesDock, Qt::Key_1}, {m_valuesDock, Qt::Key_2}, {m_pluginsDock, Qt::Key_3}, {m_consoleDock, Qt::Key_4}};
    for (const auto& [dock, key] : docks) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(Qt::ALT | Qt::SHIFT | key));
        view->addAction(toggle);
    }

    QMenu* python = menuBar()->addMenu(tr("&Python"));
    QAction* console = python->addAction(tr("Go to &Console"), this, &MainWindow::showConsole);
    console->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_QuoteLeft));
    QAction* interrupt = python->addAction(tr("&Interrupt"), this, [this] { m_python.interrupt(); });
    interrupt->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Pause), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X)});
    interrupt->setToolTip(tr("Raise KeyboardInterrupt in the Python code running now"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* about = help->addAction(tr("&About Typehost"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    const QByteArray geometry = s.value(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1280, 800);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    const int g = s.value(QStringLiteral("types/grouping"), int(TypeTreeModel::Grouping::Namespace)).toInt();
    if (g >= 0 && g <= int(TypeTreeModel::Grouping::Inheritance))
        m_types->setGrouping(TypeTreeModel::Grouping(g));
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("types/grouping"), int(m_types->grouping()));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    event->accept();
}

void MainWindow::updateBusy()
{
    const bool busy = m_jobs > 0 || m_console->isRunning() || m_python.busy();
    if (busy != m_busy->isVisible()) {
        m_busy->setVisible(busy);
        m_busyLabel->setVisible(busy);
    }
}

bool MainWindow::selectType(const QString& key)
{
    return m_types->selectType(key);
}

bool MainWindow::selectFirstType()
{
    QTreeView* view = m_types->view();
    QAbstractItemModel* model = view->model();
    QModelIndex i = model->index(0, 0);
    while (i.isValid() && i.data(TypeTreeModel::IsGroupRole).toBool()) {
        view->expand(i);
        i = model->index(0, 0, i);
    }
    if (!i.isValid())
        return false;
    view->setCurrentIndex(i);
    return true;
}

bool MainWindow::saveScreenshot(const QString& path)
{
    return grab().save(path, "PNG");
}

void MainWindow::openJsonDialog()
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("paths/open")).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open JSON"), dir,
                                                      tr("JSON files (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("paths/open"), QFileInfo(path).absolutePath());
    openJsonFile(path);
}

void MainWindow::openJsonFile(const QString& path)
{
    QFile f(path);
    const QString name = QFileInfo(path).fileName();
    if (!f.open(QIODevice::ReadOnly)) {
        const QString message = tr("Cannot read %1: %2").arg(path, f.errorString());
        m_values->showMessage(message, true);
        Q_EMIT documentFailed(message);
        return;
    }
    std::string text = f.readAll().toStdString();
    statusBar()->showMessage(tr("Reading %1…").arg(name));
    // Reading may call default factories written in Python: a job on the Python thread.
    runInPython([text = std::move(text), &registry = m_registry] {
        JobResult r;
        try {
            r.value = typesys::fromJson(text, typesys::Schema::any(), registry);
            r.ok = true;
        } catch (const typesys::Error& e) {
            // The fast reader stops at the first error; a second, slower pass lists them all.
            if (e.kind() == typesys::ErrorKind::Validation || e.kind() == typesys::ErrorKind::Parse) {
                try {
                    typesys::JsonErrorReport all = typesys::collectJsonErrors(text, typesys::Schema::any(), registry);
                    r.errorTotal = all.total;
                    r.errors = std::move(all.errors);
                } catch (const std::exception&) {
                    r.errors.clear();   // the first error alone is still shown
                }
            }
            if (r.errors.empty()) {
                r.errors.push_back(e);
                r.errorTotal = 1;
            }
        }
        return r;
    }, [this, name](const JobResult& r) {
        m_valuesDock->show();
        m_valuesDock->raise();
        if (r.ok) {
            m_values->openDocument(name, r.value, typesys::Schema::any());
            statusBar()->showMessage(tr("Opened %1").arg(name), 5000);
            Q_EMIT documentOpened(name);
        } else {
            // Every error with its pointer, or what else went wrong (a default factory, say).
            QStringList lines;
            for (const typesys::Error& e : r.errors)
                lines << QString::fromStdString(e.what());
            if (r.errorTotal > r.errors.size())
                lines << tr("… and %1 more").arg(r.errorTotal - r.errors.size());
            if (lines.isEmpty())
                lines << r.error;
            const QString message = tr("%1 is not a valid typed value:\n%2").arg(name, lines.join(QLatin1Char('\n')));
            if (r.errors.empty())
                m_values->showMessage(message, true);
            else
                m_values->showErrors(name, r.errors, r.errorTotal);
            statusBar()->showMessage(tr("Could not read %1").arg(name), 5000);
            Q_EMIT documentFailed(message);
        }
    });
}

void MainWindow::exportDialog()
{
    QSettings s;
    const QString dir = s.value(QStringLiteral("paths/export")).toString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Registry as JSON"),
                                                      dir.isEmpty() ? QStringLiteral("registry.json") : dir + QStringLiteral("/registry.json"),
                                                      tr("JSON files (*.json)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("paths/export"), QFileInfo(path).absolutePath());
    exportRegistry(path);
}

bool MainWindow::exportRegistry(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(registryToJson(m_registry)) < 0) {
        QMessageBox::warning(this, tr("Export Registry"), tr("Cannot write %1: %2").arg(path, f.errorString()));
        return false;
    }
    statusBar()->showMessage(tr("Exported %1 to %2").arg(countText(int(m_registry.size()), tr("type"), tr("types")), path), 5000);
    return true;
}

void MainWindow::newInstance(const QString& key)
{
    typesys::TypeRef type = m_registry.find(key.toStdString());
    if (!type)
        return;
    // Default factories may be Python callables: build the instance on the Python thread.
    runInPython([type] {
        JobResult r;
        r.value = typesys::Value::fromObject(typesys::ObjectNode::createWithDefaults(type));
        r.ok = true;
        return r;
    }, [this, key](const JobResult& r) {
        m_valuesDock->show();
        m_valuesDock->raise();
        if (r.ok) {
            m_values->openDocument(tr("new %1").arg(key), r.value, typesys::Schema::named(key.toStdString()));
            Q_EMIT documentOpened(key);
        } else {
            m_values->showMessage(tr("Cannot create %1: %2").arg(key, r.error), true);
            Q_EMIT documentFailed(r.error);
        }
    });
}

QString MainWindow::aboutText() const
{
    return tr("<h3>Typehost %1</h3>"
              "<p>A live browser for the type registry of an embedded Python host.</p>"
              "<p>Qt %2 (built with %3)<br>Python %4</p>")
        .arg(QStringLiteral(TYPEHOST_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             m_pythonVersion.isEmpty() ? tr("(starting)") : m_pythonVersion);
}

void MainWindow::showConsole()
{
    m_consoleDock->show();
    m_consoleDock->raise();
    m_console->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::showAbout() { QMessageBox::about(this, tr("About Typehost"), aboutText()); }

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        for (const QUrl& url : event->mimeData()->urls())
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            openJsonFile(url.toLocalFile());
    event->acceptProposedAction();
}

} // namespace typehost::ui
