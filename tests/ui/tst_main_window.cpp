// MainWindow as a user drives it (offscreen): filter, selection and detail, parent links,
// in-place edit (good and bad value), open/export JSON, new instance, About, grouping kept in
// QSettings. One PythonThread for the process, created before the QApplication.

#include "ui_test_support.h"

#include <typehost/ui/console_widget.h>
#include <typehost/ui/field_table_model.h>
#include <typehost/ui/json_error_list.h>
#include <typehost/ui/theme.h>
#include <typehost/ui/main_window.h>
#include <typehost/ui/type_detail_view.h>
#include <typehost/ui/type_filter_proxy_model.h>
#include <typehost/ui/types_panel.h>
#include <typehost/ui/value_tree_model.h>
#include <typehost/ui/values_panel.h>

#include <typehost/host.h>
#include <typehost/published.h>
#include <typehost/python_thread.h>
#include <typesys/object.h>
#include <typesys/type_builder.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

using namespace typehost::ui;
using typesys::Schema;
using typesys::TypeBuilder;
using typesys::Value;

static typehost::PythonThread* g_python = nullptr;

class TstMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void shouldFilterAsYouType();
    void shouldFocusFilterWithCtrlF();
    void shouldShowSelectedTypeInDetail();
    void shouldFollowParentLink();
    void shouldShowNewTypesWithoutRescan();
    void shouldEditValueInPlace();
    void shouldRefuseBadEditAndShowError();
    void shouldOpenJsonAsTypedValue();
    void shouldListJsonErrorsWithPointer();
    void shouldListEveryErrorOfABadFile();
    void shouldCapTheErrorListAndSayHowManyMore();
    void shouldExportRegistryAsJson();
    void shouldCreateNewInstanceFromDefaults();
    void shouldNameVersionsInAbout();
    void shouldKeepGroupingInSettings();
    void shouldSwitchThemeFromViewMenu();

private:
    MainWindow* m_window = nullptr;
    QTemporaryDir m_dir;
};

void TstMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    typesys::Registry& r = typehost::registry();
    r.registerTypes({TypeBuilder("mw.geo.Base").doc("The base.").field("name", Schema::str(), Value::fromStr("b")).build(),
                     TypeBuilder("mw.geo.Point").parent("mw.geo.Base").doc("A point.")
                         .field("x", Schema::floating(), Value::fromFloat(0.0))
                         .field("y", Schema::floating(), Value::fromFloat(0.0)).build(),
                     TypeBuilder("mw.shop.Item").origin(typesys::TypeOrigin::Python)
                         .field("sku", Schema::str(), Value::fromStr("none"))
                         .field("price", Schema::floating(), Value::fromFloat(1.0)).build()},
                    "plugin:mwtest");
}

void TstMainWindow::init()
{
    m_window = new MainWindow(*g_python, typehost::registry(), typehost::PublishedValues::instance());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
}

void TstMainWindow::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

void TstMainWindow::shouldFilterAsYouType()
{
    TypesPanel* types = m_window->typesPanel();
    QTest::keyClicks(types->filterEdit(), "plugin:mwtest field:price");
    QAbstractItemModel* proxy = types->view()->model();
    QCOMPARE(proxy->rowCount(), 1);                 // "mw"
    const QModelIndex shop = proxy->index(0, 0, proxy->index(0, 0));
    QCOMPARE(shop.data().toString(), "shop");
    QVERIFY(types->view()->isExpanded(shop));      // matches expand
    QCOMPARE(proxy->index(0, 0, shop).data(TypeTreeModel::TypeKeyRole).toString(), "mw.shop.Item");
    QTest::keyClick(types->filterEdit(), Qt::Key_Escape);
    QCOMPARE(types->filterEdit()->text(), QString());
}

void TstMainWindow::shouldFocusFilterWithCtrlF()
{
    m_window->activateWindow();
    m_window->typesPanel()->view()->setFocus();
    QTest::keySequence(m_window, QKeySequence::Find);
    QTRY_VERIFY(m_window->typesPanel()->filterEdit()->hasFocus());
    QTest::keyClicks(m_window->typesPanel()->filterEdit(), "mw.geo.point");
    QTest::keyClick(m_window->typesPanel()->filterEdit(), Qt::Key_Down);   // to the list, first match current
    QVERIFY(m_window->typesPanel()->view()->hasFocus());
}

void TstMainWindow::shouldShowSelectedTypeInDetail()
{
    QVERIFY(m_window->selectType("mw.geo.Point"));
    TypeDetailView* detail = m_window->detailView();
    QCOMPARE(detail->key(), "mw.geo.Point");
    QCOMPARE(detail->titleLabel()->text(), "mw.geo.Point");
    QVERIFY(detail->parentsLabel()->text().contains("type:mw.geo.Base"));
    QCOMPARE(detail->fieldModel()->rowCount(), 3);
    QCOMPARE(detail->fieldView()->model()->index(0, FieldTableModel::DefinedInColumn).data().toString(), "mw.geo.Base");
    // Sortable: by name descending puts y first.
    detail->fieldView()->sortByColumn(FieldTableModel::NameColumn, Qt::DescendingOrder);
    QCOMPARE(detail->fieldView()->model()->index(0, 0).data().toString(), "y");
}

void TstMainWindow::shouldFollowParentLink()
{
    QVERIFY(m_window->selectType("mw.geo.Point"));
    Q_EMIT m_window->detailView()->parentsLabel()->linkActivated("type:mw.geo.Base");
    QCOMPARE(m_window->typesPanel()->currentKey(), "mw.geo.Base");
    QCOMPARE(m_window->detailView()->key(), "mw.geo.Base");
}

void TstMainWindow::shouldShowNewTypesWithoutRescan()
{
    QVERIFY(m_window->selectType("mw.geo.Point"));
    typehost::registry().registerType(TypeBuilder("mw.geo.Line").field("a", Schema::named("mw.geo.Point")).build(),
                                      "plugin:mwlate");
    QTRY_VERIFY(m_window->typesPanel()->model()->indexOfType("mw.geo.Line").isValid());
    QCOMPARE(m_window->typesPanel()->currentKey(), "mw.geo.Point");   // selection kept
    typehost::registry().removeOwner("plugin:mwlate");
    QTRY_VERIFY(!m_window->typesPanel()->model()->indexOfType("mw.geo.Line").isValid());
}

static QModelIndex openPoint(MainWindow* w)   // a new mw.geo.Point, expanded
{
    auto obj = typesys::ObjectNode::createWithDefaults(typehost::registry().get("mw.geo.Point"));
    w->valuesPanel()->openDocument("point", Value::fromObject(obj), Schema::named("mw.geo.Point"));
    QTreeView* view = w->valuesPanel()->view();
    const QModelIndex doc = view->currentIndex();
    if (!QTest::qWaitFor([&] { return view->model()->rowCount(doc) == 3; }))
        return {};   // callers check the index they get
    return doc;
}

// Opens a new mw.geo.Point, edits its x in place: types `text` and presses Return. False when
// the point did not open or no line editor came up; *x is the edited cell.
static bool typeIntoPointX(MainWindow* w, const QString& text, QModelIndex* x)
{
    const QModelIndex doc = openPoint(w);
    QTreeView* view = w->valuesPanel()->view();
    if (!doc.isValid() || view->model()->rowCount(doc) != 3)
        return false;
    *x = view->model()->index(1, ValueTreeModel::ValueColumn, doc);
    view->setCurrentIndex(*x);
    view->edit(*x);
    auto* editor = qobject_cast<QLineEdit*>(view->focusWidget());
    if (!editor)
        return false;
    editor->selectAll();
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    return true;
}

void TstMainWindow::shouldEditValueInPlace()
{
    QModelIndex x;
    QVERIFY(typeIntoPointX(m_window, "4.25", &x));
    QTRY_COMPARE(x.data().toString(), "4.25");
    QVERIFY(m_window->valuesPanel()->messageLabel()->isHidden());
    QTRY_VERIFY(m_window->valuesPanel()->jsonView()->toPlainText().contains("4.25"));
}

void TstMainWindow::shouldRefuseBadEditAndShowError()
{
    QModelIndex x;
    QVERIFY(typeIntoPointX(m_window, "not a number", &x));
    QLabel* message = m_window->valuesPanel()->messageLabel();
    QTRY_VERIFY(message->isVisible());
    QCOMPARE(message->text(), "Edit refused, the old value is kept: mw.geo.Point.x: expected float, got str");
    QCOMPARE(x.data().toString(), "0.0");
}

void TstMainWindow::shouldOpenJsonAsTypedValue()
{
    const QString path = m_dir.filePath("point.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"$type": "mw.geo.Point", "name": "p1", "x": 1.5, "y": 2.0})");
    f.close();
    QSignalSpy opened(m_window, &MainWindow::documentOpened);
    m_window->openJsonFile(path);
    QTRY_COMPARE(opened.count(), 1);   // read on the Python thread, shown when it comes back
    QTreeView* view = m_window->valuesPanel()->view();
    const QModelIndex doc = view->currentIndex();
    QCOMPARE(doc.data().toString(), "point.json");
    QCOMPARE(doc.siblingAtColumn(ValueTreeModel::TypeColumn).data().toString(), "mw.geo.Point");
}

void TstMainWindow::shouldListJsonErrorsWithPointer()
{
    const QString path = m_dir.filePath("bad.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"$type": "mw.geo.Point", "name": "p1", "x": "oops", "y": 2.0})");
    f.close();
    QSignalSpy failed(m_window, &MainWindow::documentFailed);
    m_window->openJsonFile(path);
    QTRY_COMPARE(failed.count(), 1);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.startsWith("bad.json is not a valid typed value:\n/x: "), qPrintable(message));
    QVERIFY(m_window->valuesPanel()->messageLabel()->isVisible());
}

void TstMainWindow::shouldListEveryErrorOfABadFile()
{
    const QString path = m_dir.filePath("three.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"([{"$type": "mw.geo.Point", "x": "oops", "y": 2.0, "z": 1},
                {"$type": "mw.shop.Item", "price": true},
                {"$type": "mw.geo.Nope"}])");
    f.close();
    QSignalSpy failed(m_window, &MainWindow::documentFailed);
    m_window->openJsonFile(path);
    QTRY_COMPARE(failed.count(), 1);
    const QStringList expected{"/0/x: expected float, got string", "/0/z: unknown field 'z' of mw.geo.Point",
                               "/1/price: expected float, got boolean",
                               "/2/$type: unknown type 'mw.geo.Nope'"};
    QCOMPARE(failed.first().first().toString(), "three.json is not a valid typed value:\n" + expected.join('\n'));

    JsonErrorList* list = m_window->valuesPanel()->errorList();
    QVERIFY(list->isVisible());
    QCOMPARE(list->titleLabel()->text(), "three.json: 4 errors");
    QTreeWidget* rows = list->view();
    QCOMPARE(rows->topLevelItemCount(), 4);
    QCOMPARE(rows->topLevelItem(0)->text(0), "/0/x");
    QCOMPARE(rows->topLevelItem(0)->text(1), "expected float, got string");
    QCOMPARE(rows->topLevelItem(3)->text(0), "/2/$type");
    QCOMPARE(list->text(false), expected.join('\n'));
    list->copyAll();
    QCOMPARE(QApplication::clipboard()->text(), expected.join('\n'));
    rows->clearSelection();
    rows->topLevelItem(1)->setSelected(true);
    rows->topLevelItem(2)->setSelected(true);
    rows->setFocus();
    QTest::keySequence(rows, QKeySequence::Copy);
    QCOMPARE(QApplication::clipboard()->text(), expected.mid(1, 2).join('\n'));

    // A good file replaces the list with the document.
    const QString good = m_dir.filePath("good.json");
    QFile g(good);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(R"({"$type": "mw.geo.Point", "x": 1.5})");
    g.close();
    QSignalSpy opened(m_window, &MainWindow::documentOpened);
    m_window->openJsonFile(good);
    QTRY_COMPARE(opened.count(), 1);
    QVERIFY(!list->isVisible());
}

void TstMainWindow::shouldCapTheErrorListAndSayHowManyMore()
{
    const QString path = m_dir.filePath("many.json");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray text = "[";
    for (int i = 0; i < 150; ++i)
        text += QByteArray(i ? ", " : "") + R"({"$type": "mw.geo.Point", "x": "no"})";
    text += "]";
    f.write(text);
    f.close();
    QSignalSpy failed(m_window, &MainWindow::documentFailed);
    m_window->openJsonFile(path);
    QTRY_COMPARE(failed.count(), 1);
    JsonErrorList* list = m_window->valuesPanel()->errorList();
    QCOMPARE(list->titleLabel()->text(), "many.json: 150 errors, the first 100 listed");
    QCOMPARE(list->view()->topLevelItemCount(), 101);
    QCOMPARE(list->view()->topLevelItem(99)->text(0), "/99/x");
    QCOMPARE(list->view()->topLevelItem(100)->text(1), "… and 50 more errors, not listed");
    QVERIFY(failed.first().first().toString().endsWith("/99/x: expected float, got string\n… and 50 more"));

    // Text that is not JSON is one error without a pointer.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("[1, 2");
    f.close();
    m_window->openJsonFile(path);
    QTRY_COMPARE(failed.count(), 2);
    QCOMPARE(list->titleLabel()->text(), "many.json: 1 error");
    QCOMPARE(list->view()->topLevelItemCount(), 1);
    QCOMPARE(list->view()->topLevelItem(0)->text(0), QString());
    QVERIFY(list->view()->topLevelItem(0)->text(1).startsWith("invalid JSON at line 1, column "));
}

void TstMainWindow::shouldExportRegistryAsJson()
{
    const QString path = m_dir.filePath("registry.json");
    QVERIFY(m_window->exportRegistry(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonArray types = QJsonDocument::fromJson(f.readAll()).object().value("types").toArray();
    QJsonObject point;
    for (const QJsonValue& t : types)
        if (t.toObject().value("key").toString() == "mw.geo.Point")
            point = t.toObject();
    QCOMPARE(point.value("parent").toString(), "mw.geo.Base");
    QCOMPARE(point.value("plugin").toString(), "mwtest");
    QCOMPARE(point.value("fields").toArray().size(), 3);
    const QJsonObject x = point.value("fields").toArray().at(1).toObject();
    // the shared description: the default as a JSON value and as Python writes it
    QVERIFY(x.value("default").isDouble());
    QCOMPARE(x.value("default").toDouble(), 0.0);
    QCOMPARE(x.value("default_repr").toString(), "0.0");
    QCOMPARE(x.value("has_default").toBool(), true);
    QCOMPARE(x.value("init").toBool(), true);
    QVERIFY(x.value("hash").isBool());
}

void TstMainWindow::shouldCreateNewInstanceFromDefaults()
{
    QSignalSpy opened(m_window, &MainWindow::documentOpened);
    m_window->newInstance("mw.shop.Item");
    QTRY_COMPARE(opened.count(), 1);
    const QModelIndex doc = m_window->valuesPanel()->view()->currentIndex();
    QCOMPARE(doc.data().toString(), "new mw.shop.Item");
    QCOMPARE(doc.siblingAtColumn(ValueTreeModel::ValueColumn).data().toString(), "mw.shop.Item(sku=\"none\", price=1.0)");
}

void TstMainWindow::shouldNameVersionsInAbout()
{
    QTRY_VERIFY(!m_window->pythonVersion().isEmpty());
    const QString about = m_window->aboutText();
    QVERIFY(about.contains("Typehost " TYPEHOST_VERSION));
    QVERIFY(about.contains(QString("Qt ") + qVersion()));
    QVERIFY(about.contains("Python 3."));
}

void TstMainWindow::shouldKeepGroupingInSettings()
{
    m_window->typesPanel()->setGrouping(TypeTreeModel::Grouping::Plugin);
    m_window->close();
    delete m_window;
    m_window = new MainWindow(*g_python, typehost::registry(), typehost::PublishedValues::instance());
    QCOMPARE(m_window->typesPanel()->grouping(), TypeTreeModel::Grouping::Plugin);
    QCOMPARE(m_window->typesPanel()->groupingBox()->currentText(), "Plugin");
    m_window->typesPanel()->setGrouping(TypeTreeModel::Grouping::Namespace);
    m_window->close();
}

void TstMainWindow::shouldSwitchThemeFromViewMenu()
{
    const QColor systemBase = QApplication::palette().color(QPalette::Base);
    auto* dark = m_window->findChild<QAction*>("theme-dark");
    auto* system = m_window->findChild<QAction*>("theme-system");
    QVERIFY(dark && system);
    dark->trigger();
    QCOMPARE(currentTheme(), Theme::Dark);
    QVERIFY(isDark(QApplication::palette()));
    QTRY_VERIFY(isDark(m_window->typesPanel()->view()->palette()));   // widgets follow
    QCOMPARE(QSettings().value("view/theme").toString(), "dark");
    // Error text keeps its contrast on either background.
    const QColor base = QApplication::palette().color(QPalette::Base);
    QVERIFY(qAbs(errorTextColor(QApplication::palette()).lightness() - base.lightness()) > 100);
    system->trigger();
    QCOMPARE(currentTheme(), Theme::System);
    QCOMPARE(QApplication::palette().color(QPalette::Base), systemBase);
    QVERIFY(qAbs(errorTextColor(QApplication::palette()).lightness() - systemBase.lightness()) > 100);
    QCOMPARE(QSettings().value("view/theme").toString(), "system");
}

int main(int argc, char** argv)
{
    // The interpreter before the QApplication; the window (in the test) dies before both.
    typehost::PythonThread python;
    g_python = &python;
    QApplication app(argc, argv);
    TstMainWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_main_window.moc"
