// PluginPanel with a real PluginManager and a plugin written by the test: status table,
// reload report (types changed, a published value migrated), a failed reload keeps the old version and shows the
// traceback, unload removes the types. The panel never blocks on the manager's futures.

#include <Python.h>   // first: the test runs a line of Python on the host's thread

#include <typehost/ui/plugin_panel.h>
#include <typehost/ui/plugin_status_model.h>

#include <typehost/host.h>
#include <typehost/plugin_manager.h>
#include <typehost/python_thread.h>
#include <typesys/registry.h>

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace typehost::ui;

static typehost::PythonThread* g_python = nullptr;

namespace {

const char* kVersion1 = R"(__plugin__ = {"name": "uitest_plug", "version": "1.0"}
from typehost import Object, py_class

@py_class("uitest.Thing")
class Thing(Object):
    a: int = 0
)";

const char* kVersion2 = R"(__plugin__ = {"name": "uitest_plug", "version": "2.0"}
from typehost import Object, py_class

@py_class("uitest.Thing")
class Thing(Object):
    a: int = 0
    b: str = ""
)";

const char* kVersion3 = R"(__plugin__ = {"name": "uitest_plug", "version": "3.0"}
from typehost import Object, py_class

@py_class("uitest.Thing")
class Thing(Object):
    a: int = 0
    b: str = ""
    c: float = 1.0
)";

const char* kBroken = R"(__plugin__ = {"name": "uitest_plug", "version": "3.0"}

def helper():
    raise RuntimeError("broken on purpose")

helper()
)";

void write(const QString& path, const char* text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

} // namespace

class TstPluginPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void shouldListLoadedPlugin();
    void shouldReportTypeChangesOnReload();
    void shouldAutoReloadWhenFileChanges();
    void shouldKeepOldVersionAndShowTracebackWhenReloadFails();
    void shouldRemoveTypesOnUnload();

private:
    int selectPlugin();
    QTemporaryDir m_dir;
    QString m_file;
    typehost::PluginManager* m_manager = nullptr;
    PluginPanel* m_panel = nullptr;
};

void TstPluginPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_file = m_dir.filePath("uitest_plug.py");
    write(m_file, kVersion1);
    QFile::setPermissions(m_dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    typehost::PluginOptions options;
    options.dirs = {m_dir.path().toStdString()};
    m_manager = new typehost::PluginManager(*g_python, options);
    m_panel = new PluginPanel(*m_manager);
    m_panel->show();
    auto loaded = m_manager->loadAll();
    Q_UNUSED(loaded);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->model()->rowOf("uitest_plug") >= 0, 30000);
}

void TstPluginPanel::cleanupTestCase()
{
    delete m_panel;
    delete m_manager;
}

int TstPluginPanel::selectPlugin()
{
    const int row = m_panel->model()->rowOf("uitest_plug");
    m_panel->view()->setCurrentIndex(m_panel->model()->index(row, 0));
    return row;
}

void TstPluginPanel::shouldListLoadedPlugin()
{
    QTRY_COMPARE(m_panel->model()->index(selectPlugin(), PluginStatusModel::StateColumn).data().toString(), "loaded");
    const int row = selectPlugin();
    QCOMPARE(m_panel->model()->index(row, PluginStatusModel::VersionColumn).data().toString(), "1.0");
    QVERIFY(m_panel->details()->toPlainText().contains("uitest.Thing"));
    QVERIFY(typehost::registry().find("uitest.Thing"));
}

void TstPluginPanel::shouldReportTypeChangesOnReload()
{
    // A value published from a script, of the plugin's type: the reload migrates it.
    g_python->submit([] {
        PyRun_SimpleString("import typehost\n"
                           "typehost.publish('uitest.thing', typehost.get_class('uitest.Thing')(a=5))\n");
    }).get();
    write(m_file, kVersion2);
    selectPlugin();
    QTRY_VERIFY(m_panel->findChild<QPushButton*>() && m_panel->reportLabel());
    QPushButton* reload = nullptr;
    for (QPushButton* b : m_panel->findChildren<QPushButton*>())
        if (b->accessibleName() == "Reload")
            reload = b;
    QVERIFY(reload);
    QTRY_VERIFY(reload->isEnabled());
    QTest::mouseClick(reload, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->reportLabel()->isVisible(), 30000);
    QCOMPARE(m_panel->reportLabel()->text(),
             "reloaded uitest_plug: changed uitest.Thing (+b), migrated value uitest.thing (1 object)");
    QTRY_COMPARE(m_panel->model()->index(selectPlugin(), PluginStatusModel::VersionColumn).data().toString(), "2.0");
    QCOMPARE(typehost::registry().get("uitest.Thing")->fields.size(), size_t(2));
}

void TstPluginPanel::shouldAutoReloadWhenFileChanges()
{
    m_panel->setAutoReload(true);
    m_panel->reportLabel()->hide();
    QTest::qWait(200);   // the watcher is armed
    write(m_file, kVersion3);
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->reportLabel()->isVisible(), 30000);
    QCOMPARE(m_panel->reportLabel()->text(),
             "Auto-reload: reloaded uitest_plug: changed uitest.Thing (+c), migrated value uitest.thing (1 object)");
    QCOMPARE(typehost::registry().get("uitest.Thing")->fields.size(), size_t(3));
    m_panel->setAutoReload(false);
}

void TstPluginPanel::shouldKeepOldVersionAndShowTracebackWhenReloadFails()
{
    const size_t fieldsBefore = typehost::registry().get("uitest.Thing")->fields.size();
    write(m_file, kBroken);
    selectPlugin();
    m_panel->reportLabel()->hide();
    m_panel->reloadCurrent();
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->reportLabel()->isVisible(), 30000);
    QVERIFY2(m_panel->reportLabel()->text().startsWith("reload of uitest_plug failed, the old version stays active: "),
             qPrintable(m_panel->reportLabel()->text()));
    // The full traceback, file:line of each frame, is in the details.
    const QString details = m_panel->details()->toPlainText();
    QVERIFY2(details.contains("Last reload failed"), qPrintable(details));
    QVERIFY2(details.contains("uitest_plug.py\", line 4, in helper"), qPrintable(details));
    QVERIFY(details.contains("RuntimeError: broken on purpose"));
    // The old version's types are untouched.
    QCOMPARE(typehost::registry().get("uitest.Thing")->fields.size(), fieldsBefore);
    write(m_file, kVersion2);
}

void TstPluginPanel::shouldRemoveTypesOnUnload()
{
    selectPlugin();
    m_panel->reportLabel()->hide();
    m_panel->unloadCurrent();
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->reportLabel()->isVisible(), 30000);
    QCOMPARE(m_panel->reportLabel()->text(), "unloaded uitest_plug");
    QVERIFY(!typehost::registry().find("uitest.Thing"));
}

int main(int argc, char** argv)
{
    typehost::PythonThread python;
    g_python = &python;
    QApplication app(argc, argv);
    TstPluginPanel test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_plugin_panel.moc"
