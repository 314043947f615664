#pragma once
// MainWindow: the Typehost browser. Types (dock), type detail (centre), Values (dock),
// Plugins (dock) and the Python console (dock); File > Open JSON / Export registry as JSON,
// Help > About.
//
// Threading: the window never calls Python and never waits for the PythonThread. Work that may
// run Python (reading JSON, whose defaults may be Python factories; new instances; the
// console) is submitted as a job and its result comes back through the event queue. A busy
// indicator shows while the Python thread works.
// Lifetime: destroy the window before the PythonThread and the PluginManager it was given.

#include "typehost/ui/type_tree_model.h"
#include "typehost/ui/ui_relay.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QProgressBar;
class QTimer;

namespace typesys { class Registry; }
namespace typehost {
class PluginManager;
class PublishedValues;
class PythonThread;
}

namespace typehost::ui {

class ConsoleWidget;
class RegistryWatcher;
class TypeDetailView;
class TypesPanel;
class ValuesPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // plugins may be null (no plugin manager in this build or in this test).
    MainWindow(PythonThread& python, typesys::Registry& registry, PublishedValues& published,
               PluginManager* plugins = nullptr, QWidget* parent = nullptr);
    ~MainWindow() override;

    TypesPanel* typesPanel() const { return m_types; }
    TypeDetailView* detailView() const { return m_detail; }
    ValuesPanel* valuesPanel() const { return m_values; }
    ConsoleWidget* console() const { return m_console; }
    QWidget* pluginsPanel() const { return m_plugins; }
    QProgressBar* busyIndicator() const { return m_busy; }
    QString pythonVersion() const { return m_pythonVersion; }
    QString aboutText() const;

    // Selects a type in the tree (and so shows it); false when it is not registered.
    bool selectType(const QString& key);
    // Selects the first type row (expanding groups); false when there is none.
    bool selectFirstType();
    // Grabs the window into a PNG.
    bool saveScreenshot(const QString& path);

public Q_SLOTS:
    void openJsonFile(const QString& path);
    bool exportRegistry(const QString& path);
    void newInstance(const QString& key);
    void showAbout();
    // Shows and raises the console dock and focuses its input.
    void showConsole();

Q_SIGNALS:
    void documentOpened(const QString& name);
    void documentFailed(const QString& message);
    void pythonVersionKnown(const QString& version);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area);
    void createActions();
    void restoreSettings();
    void saveSettings() const;
    void updateBusy();
    void openJsonDialog();
    void exportDialog();
    template <class Job, class Done>
    void runInPython(Job job, Done done);

    PythonThread& m_python;
    typesys::Registry& m_registry;
    PluginManager* m_pluginManager;
    std::shared_ptr<UiRelay> m_relay;
    RegistryWatcher* m_watcher;
    TypesPanel* m_types;
    TypeDetailView* m_detail;
    ValuesPanel* m_values;
    ConsoleWidget* m_console;
    QWidget* m_plugins;
    QDockWidget* m_typesDock;
    QDockWidget* m_valuesDock;
    QDockWidget* m_pluginsDock;
    QDockWidget* m_consoleDock;
    QActionGroup* m_groupingActions = nullptr;
    QProgressBar* m_busy;
    QLabel* m_busyLabel;
    QLabel* m_countLabel;
    QTimer* m_busyTimer;
    QString m_pythonVersion;
    int m_jobs = 0;
};

} // namespace typehost::ui
