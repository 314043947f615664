// TypeFilterProxyModel: free text and plugin:/field:/origin:/kind: terms; groups shown only
// with matching types; live inserts pass through the filter.

#include "ui_test_support.h"

#include <typehost/ui/registry_watcher.h>
#include <typehost/ui/type_filter_proxy_model.h>
#include <typehost/ui/type_tree_model.h>
#include <typehost/ui/types_panel.h>

#include <QLineEdit>
#include <QTreeView>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using typehost::ui::RegistryWatcher;
using typehost::ui::TypeFilterProxyModel;
using typehost::ui::TypeTreeModel;

namespace {

QStringList visibleKeys(const QAbstractItemModel& m, const QModelIndex& parent = {})
{
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        const QModelIndex i = m.index(r, 0, parent);
        const QString key = i.data(TypeTreeModel::TypeKeyRole).toString();
        if (!key.isEmpty())
            out << key;
        out << visibleKeys(m, i);
    }
    out.sort();
    return out;
}

int countRows(const QAbstractItemModel& m, const QModelIndex& parent = {})
{
    int n = m.rowCount(parent);
    for (int r = 0, rows = n; r < rows; ++r)
        n += countRows(m, m.index(r, 0, parent));
    return n;
}

void registerFixture(typesys::Registry& registry)
{
    registry.registerTypes({typesys::TypeBuilder("geo.Point").field("x", typesys::Schema::floating()).build(),
                            typesys::TypeBuilder("geo.Line").field("start", typesys::Schema::named("geo.Point")).build()},
                           "plugin:geometry");
    registry.registerTypes({typesys::TypeBuilder("shop.Item").origin(typesys::TypeOrigin::Python)
                                .field("sku", typesys::Schema::str()).field("price", typesys::Schema::floating()).build(),
                            typesys::TypeBuilder("shop.Status").origin(typesys::TypeOrigin::Python)
                                .member("OPEN", typesys::Value::fromInt(1)).build()},
                           "plugin:inventory");
}

} // namespace

class TstTypeFilterProxyModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldFilterByTerms_data();
    void shouldFilterByTerms();
    void shouldHideGroupsWithoutMatches();
    void shouldFilterTypesRegisteredLater();
    void shouldSortByColumnWithGroupsFirst();
    void shouldKeepSelectedTypeAcrossFilterChanges();
    void shouldFillAndFilterTenThousandTypesQuickly();
};

void TstTypeFilterProxyModel::shouldFilterByTerms_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("expected");
    const QStringList all{"geo.Line", "geo.Point", "shop.Item", "shop.Status"};
    QTest::newRow("empty") << "" << all;
    QTest::newRow("word") << "point" << QStringList{"geo.Point"};
    QTest::newRow("word matches namespace") << "GEO" << QStringList{"geo.Line", "geo.Point"};
    QTest::newRow("two words") << "geo lin" << QStringList{"geo.Line"};
    QTest::newRow("plugin") << "plugin:inv" << QStringList{"shop.Item", "shop.Status"};
    QTest::newRow("field") << "field:price" << QStringList{"shop.Item"};
    QTest::newRow("field partial") << "field:s" << QStringList{"geo.Line", "shop.Item"};
    QTest::newRow("origin native") << "origin:native" << QStringList{"geo.Line", "geo.Point"};
    QTest::newRow("origin py") << "origin:py" << QStringList{"shop.Item", "shop.Status"};
    QTest::newRow("kind enum") << "kind:enum" << QStringList{"shop.Status"};
    QTest::newRow("combined") << "plugin:geometry field:x" << QStringList{"geo.Point"};
    QTest::newRow("no match") << "nothing" << QStringList{};
}

// The fixture types, watched, in a tree model behind the filter proxy.
struct FilteredFixture {
    typesys::Registry registry;
    const bool registered = (registerFixture(registry), true);   // before the watcher reads it
    RegistryWatcher watcher{registry};
    TypeTreeModel model{watcher};
    TypeFilterProxyModel proxy;
    FilteredFixture() { proxy.setSourceModel(&model); }
};

void TstTypeFilterProxyModel::shouldFilterByTerms()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, expected);
    FilteredFixture f;
    auto& [registry, registered, watcher, model, proxy] = f;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setFilterText(filter);
    QCOMPARE(visibleKeys(proxy), expected);
}

void TstTypeFilterProxyModel::shouldHideGroupsWithoutMatches()
{
    FilteredFixture f;
    auto& [registry, registered, watcher, model, proxy] = f;
    proxy.setFilterText("plugin:inventory");
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data().toString(), "shop");
}

void TstTypeFilterProxyModel::shouldFilterTypesRegisteredLater()
{
    FilteredFixture f;
    auto& [registry, registered, watcher, model, proxy] = f;
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setFilterText("field:radius");
    QCOMPARE(visibleKeys(proxy), QStringList{});
    QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
    registry.registerTypes({typesys::TypeBuilder("geo.Circle").field("radius", typesys::Schema::floating()).build(),
                            typesys::TypeBuilder("geo.Square").field("side", typesys::Schema::floating()).build()},
                           "plugin:more");
    uitest::deliver();
    QVERIFY(inserted.count() >= 1);
    QCOMPARE(visibleKeys(proxy), QStringList{"geo.Circle"});
}

void TstTypeFilterProxyModel::shouldSortByColumnWithGroupsFirst()
{
    typesys::Registry registry;
    registerFixture(registry);
    registry.registerTypes({typesys::TypeBuilder("shop.sub.Cart").field("items", typesys::Schema::any()).build()},
                           "plugin:inventory");
    RegistryWatcher watcher(registry);
    TypeTreeModel model(watcher);
    TypeFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto labels = [&](const QModelIndex& parent) {
        QStringList out;
        for (int r = 0; r < proxy.rowCount(parent); ++r)
            out << proxy.index(r, 0, parent).data().toString();
        return out;
    };
    proxy.sort(TypeTreeModel::KeyColumn, Qt::AscendingOrder);   // the source order
    QCOMPARE(proxy.sortColumn(), -1);
    const QModelIndex shop = proxy.index(1, 0);
    QCOMPARE(labels(shop), (QStringList{"sub", "Item", "Status"}));
    proxy.sort(TypeTreeModel::FieldsColumn, Qt::DescendingOrder);   // Item 2 fields, Status 1 member
    QCOMPARE(labels(proxy.index(1, 0)), (QStringList{"sub", "Item", "Status"}));
    proxy.sort(TypeTreeModel::FieldsColumn, Qt::AscendingOrder);
    QCOMPARE(labels(proxy.index(1, 0)), (QStringList{"sub", "Status", "Item"}));
    proxy.sort(TypeTreeModel::KeyColumn, Qt::DescendingOrder);
    QCOMPARE(labels(proxy.index(0, 0)), (QStringList{"sub", "Status", "Item"}));
    QCOMPARE(labels(QModelIndex()), (QStringList{"shop", "geo"}));
    proxy.setFilterText("field:");   // any type with a field; enums have none
    QCOMPARE(visibleKeys(proxy), (QStringList{"geo.Line", "geo.Point", "shop.Item", "shop.sub.Cart"}));
}

void TstTypeFilterProxyModel::shouldKeepSelectedTypeAcrossFilterChanges()
{
    typesys::Registry registry;
    registerFixture(registry);
    RegistryWatcher watcher(registry);
    typehost::ui::TypesPanel panel(watcher);
    panel.show();
    QVERIFY(panel.selectType("geo.Point"));
    QSignalSpy changed(&panel, &typehost::ui::TypesPanel::currentTypeChanged);
    panel.filterEdit()->setText("poi");
    QCOMPARE(panel.currentKey(), "geo.Point");
    panel.filterEdit()->setText("shop");   // hides it: nothing current, the detail keeps showing it
    QCOMPARE(panel.currentKey(), QString());
    panel.filterEdit()->setText("");       // shown again: selected again
    QCOMPARE(panel.currentKey(), "geo.Point");
    QVERIFY(panel.view()->selectionModel()->isSelected(panel.view()->currentIndex()));
    QCOMPARE(changed.count(), 0);
}

void TstTypeFilterProxyModel::shouldFillAndFilterTenThousandTypesQuickly()
{
    // The scale budget (a benchmark, not a timed test): fill <= 100 ms, keystroke <= 16 ms.
    // The assertions only catch gross regressions; the timings are printed.
    typesys::Registry registry;
    std::vector<typesys::TypeRef> types;
    for (int i = 0; i < 10000; ++i) {
        typesys::TypeBuilder b("scale.ns" + std::to_string(i % 50) + ".Type" + std::to_string(i));
        for (int f = 0; f < 10; ++f)
            b.field("field" + std::to_string(f), typesys::Schema::floating(), typesys::Value::fromFloat(0));
        types.push_back(b.build());
    }
    registry.registerTypes(std::move(types), "plugin:scale");
    RegistryWatcher watcher(registry);
    QElapsedTimer clock;
    clock.start();
    TypeTreeModel model(watcher);
    TypeFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QCOMPARE(proxy.rowCount(proxy.index(0, 0)), 50);
    const qint64 fill = clock.elapsed();
    // The proxy filters lazily: count every visible row, as a fully expanded view would.
    qint64 worst = 0;
    QString typed;
    for (QChar c : QStringLiteral("type123")) {
        typed += c;
        clock.restart();
        proxy.setFilterText(typed);
        countRows(proxy);
        worst = std::max(worst, clock.elapsed());
    }
    QCOMPARE(visibleKeys(proxy).size(), 11);   // Type123, Type1230..Type1239
    clock.restart();
    proxy.setFilterText("field:field9 plugin:scale");
    const int rows = countRows(proxy);
    const qint64 terms = clock.elapsed();
    QCOMPARE(rows, 10000 + 50 + 1);   // the types, their namespaces and "scale"
    qInfo("10,000 types x 10 fields: fill %lld ms, worst keystroke %lld ms, terms %lld ms (all rows visited)",
          fill, worst, terms);
    QVERIFY(fill < 2000);
    QVERIFY(worst < 1000);

    // The same through the Types panel: a sorted tree view that expands matches. Each keystroke
    // is timed from the text change through layout and paint; typed forward, then erased with
    // Backspace, under the default sort (key) and sorted by field count and by plugin grouping.
    clock.restart();
    typehost::ui::TypesPanel panel(watcher);
    panel.resize(400, 600);
    panel.show();
    QCoreApplication::processEvents();
    const qint64 panelFill = clock.elapsed();
    qint64 panelWorst = 0;
    auto keystroke = [&](const QString& text, const char* what) {
        clock.restart();
        panel.filterEdit()->setText(text);     // filter, expand matches
        const qint64 filtered = clock.restart();
        QCoreApplication::processEvents();     // layout and paint
        const qint64 painted = clock.elapsed();
        qInfo("  %s '%s': filter+expand %lld ms, layout+paint %lld ms", what, qPrintable(text), filtered, painted);
        panelWorst = std::max(panelWorst, filtered + painted);
    };
    auto typeAndErase = [&](const QString& word) {
        for (int n = 1; n <= word.size(); ++n)
            keystroke(word.left(n), "type");
        for (int n = int(word.size()) - 1; n >= 0; --n)
            keystroke(word.left(n), "erase");
    };
    typeAndErase(QStringLiteral("type123"));
    keystroke(QStringLiteral("field:field9"), "paste");
    keystroke(QString(), "clear");
    qInfo("Types panel (sorted by key): shown in %lld ms, worst keystroke %lld ms", panelFill, panelWorst);
    const qint64 byKey = panelWorst;

    panelWorst = 0;
    panel.view()->sortByColumn(TypeTreeModel::FieldsColumn, Qt::DescendingOrder);
    QCoreApplication::processEvents();
    typeAndErase(QStringLiteral("type12"));
    qInfo("Types panel (sorted by field count): worst keystroke %lld ms", panelWorst);
    const qint64 byFields = panelWorst;

    panelWorst = 0;
    panel.view()->sortByColumn(TypeTreeModel::KeyColumn, Qt::AscendingOrder);
    panel.setGrouping(TypeTreeModel::Grouping::Plugin);   // 10,000 rows under one group
    QCoreApplication::processEvents();
    typeAndErase(QStringLiteral("type12"));
    qInfo("Types panel (grouped by plugin): worst keystroke %lld ms", panelWorst);
    QVERIFY(std::max({byKey, byFields, panelWorst}) < 2000);
}

QTEST_MAIN(TstTypeFilterProxyModel)
#include "tst_type_filter_proxy_model.moc"
