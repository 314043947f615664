// TypeTreeModel: grouping, live inserts/removes/changes from the registry (never a reset),
// selection kept, stale rows greyed.

#include "ui_test_support.h"

#include <typehost/ui/registry_watcher.h>
#include <typehost/ui/type_tree_model.h>

#include <typesys/object.h>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QItemSelectionModel>
#include <QPalette>
#include <QSignalSpy>
#include <QTest>

#include <thread>

using typehost::ui::RegistryWatcher;
using typehost::ui::TypeTreeModel;
using Grouping = TypeTreeModel::Grouping;

namespace {

// Every row as "parent/child" labels, depth first.
QStringList rows(const QAbstractItemModel& m, const QModelIndex& parent = {}, const QString& prefix = {})
{
    QStringList out;
    for (int r = 0; r < m.rowCount(parent); ++r) {
        const QModelIndex i = m.index(r, 0, parent);
        const QString path = prefix.isEmpty() ? i.data().toString() : prefix + QLatin1Char('/') + i.data().toString();
        out << path << rows(m, i, path);
    }
    return out;
}

struct Fixture {
    typesys::Registry registry;
    RegistryWatcher watcher{registry};
};

} // namespace

class TstTypeTreeModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldGroupTypes_data();
    void shouldGroupTypes();
    void shouldShowColumns();
    void shouldInsertRowsWhenTypesAreRegistered();
    void shouldRemoveRowsAndEmptyGroupsWhenOwnerIsRemoved();
    void shouldChangeRowInPlaceWhenTypeIsReplaced();
    void shouldKeepSelectionOnInsertAndRemove();
    void shouldMoveSubtypesToTopLevelWhenParentIsRemoved();
    void shouldDeliverChangesFromOtherThreads();
    void shouldGreyStaleTypes();
    void shouldInsertLargeBatchInFewSignals();
    void shouldCountLiveInstancesWithDataChangedOnly();
};

void TstTypeTreeModel::shouldGroupTypes_data()
{
    QTest::addColumn<Grouping>("grouping");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("namespace") << Grouping::Namespace
                               << QStringList{"geo", "geo/shapes", "geo/shapes/Circle", "geo/Base", "geo/Point", "Top"};
    QTest::newRow("plugin") << Grouping::Plugin
                            << QStringList{"(core)", "(core)/Top", "alpha", "alpha/geo.Base", "alpha/geo.Point",
                                           "alpha/geo.shapes.Circle"};
    QTest::newRow("inheritance") << Grouping::Inheritance
                                 << QStringList{"geo.Base", "geo.Base/geo.shapes.Circle", "geo.Point", "Top"};
}

void TstTypeTreeModel::shouldGroupTypes()
{
    QFETCH(Grouping, grouping);
    QFETCH(QStringList, expected);
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point", "geo.Base"}, "plugin:alpha");
    f.registry.registerType(typesys::TypeBuilder("geo.shapes.Circle").parent("geo.Base").build(), "plugin:alpha");
    uitest::registerPlain(f.registry, {"Top"}, "");
    TypeTreeModel model(f.watcher, grouping);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(rows(model), expected);
}

void TstTypeTreeModel::shouldShowColumns()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point"}, "plugin:alpha", 3, typesys::TypeOrigin::Python);
    TypeTreeModel model(f.watcher);
    const QModelIndex key = model.indexOfType("geo.Point");
    QVERIFY(key.isValid());
    QCOMPARE(key.data().toString(), "Point");
    QCOMPARE(key.data(TypeTreeModel::TypeKeyRole).toString(), "geo.Point");
    QCOMPARE(key.siblingAtColumn(TypeTreeModel::OriginColumn).data().toString(), "python");
    QCOMPARE(key.siblingAtColumn(TypeTreeModel::PluginColumn).data().toString(), "alpha");
    QCOMPARE(key.siblingAtColumn(TypeTreeModel::FieldsColumn).data().toInt(), 3);
    QCOMPARE(key.parent().data(TypeTreeModel::IsGroupRole).toBool(), true);
}

void TstTypeTreeModel::shouldInsertRowsWhenTypesAreRegistered()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point"}, "plugin:alpha");
    TypeTreeModel model(f.watcher);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    uitest::registerPlain(f.registry, {"geo.Line", "net.Host"}, "plugin:beta");
    uitest::deliver();

    QCOMPARE(reset.count(), 0);
    QVERIFY(inserted.count() >= 2);
    QCOMPARE(rows(model), (QStringList{"geo", "geo/Line", "geo/Point", "net", "net/Host"}));
}

void TstTypeTreeModel::shouldRemoveRowsAndEmptyGroupsWhenOwnerIsRemoved()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point", "geo.Line"}, "plugin:alpha");
    uitest::registerPlain(f.registry, {"geo.Mesh", "net.Host"}, "plugin:beta");
    TypeTreeModel model(f.watcher);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    f.registry.removeOwner("plugin:beta");
    uitest::deliver();

    QCOMPARE(reset.count(), 0);
    QVERIFY(removed.count() >= 2);
    QCOMPARE(rows(model), (QStringList{"geo", "geo/Line", "geo/Point"}));
    QCOMPARE(model.typeCount(), 2);
}

void TstTypeTreeModel::shouldChangeRowInPlaceWhenTypeIsReplaced()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point"}, "plugin:alpha", 2);
    TypeTreeModel model(f.watcher);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    uitest::registerPlain(f.registry, {"geo.Point"}, "plugin:alpha", 5);   // same owner: replaces
    uitest::deliver();

    QCOMPARE(inserted.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex(), model.indexOfType("geo.Point"));
    QCOMPARE(model.indexOfType("geo.Point", TypeTreeModel::FieldsColumn).data().toInt(), 5);
}

void TstTypeTreeModel::shouldKeepSelectionOnInsertAndRemove()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point", "geo.Zeta"}, "plugin:alpha");
    uitest::registerPlain(f.registry, {"geo.Mesh"}, "plugin:beta");
    TypeTreeModel model(f.watcher);
    QItemSelectionModel selection(&model);
    selection.setCurrentIndex(model.indexOfType("geo.Point"), QItemSelectionModel::ClearAndSelect);

    uitest::registerPlain(f.registry, {"geo.Alpha", "geo.Beta"}, "plugin:gamma");   // rows above it
    uitest::deliver();
    QCOMPARE(selection.currentIndex().data(TypeTreeModel::TypeKeyRole).toString(), "geo.Point");
    QCOMPARE(selection.selectedIndexes().size(), 1);

    f.registry.removeOwner("plugin:beta");   // geo.Mesh, also above it
    uitest::deliver();
    QCOMPARE(selection.currentIndex().data(TypeTreeModel::TypeKeyRole).toString(), "geo.Point");
    QCOMPARE(selection.selectedIndexes().first().data(TypeTreeModel::TypeKeyRole).toString(), "geo.Point");
}

void TstTypeTreeModel::shouldMoveSubtypesToTopLevelWhenParentIsRemoved()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Base"}, "plugin:alpha");
    f.registry.registerType(typesys::TypeBuilder("geo.Circle").parent("geo.Base").build(), "plugin:beta");
    TypeTreeModel model(f.watcher, Grouping::Inheritance);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(rows(model), (QStringList{"geo.Base", "geo.Base/geo.Circle"}));

    f.registry.removeOwner("plugin:alpha");
    uitest::deliver();
    QCOMPARE(rows(model), (QStringList{"geo.Circle"}));
}

void TstTypeTreeModel::shouldDeliverChangesFromOtherThreads()
{
    Fixture f;
    TypeTreeModel model(f.watcher);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::thread writer([&] {
        for (int i = 0; i < 50; ++i)
            uitest::registerPlain(f.registry, {"bulk.T" + std::to_string(i)}, "plugin:writer");
    });
    writer.join();
    QTRY_COMPARE(model.typeCount(), 50);
    QCOMPARE(model.rowCount(model.index(0, 0)), 50);
}

void TstTypeTreeModel::shouldGreyStaleTypes()
{
    Fixture f;
    auto types = uitest::registerPlain(f.registry, {"geo.Point"}, "plugin:alpha");
    TypeTreeModel model(f.watcher);
    const QModelIndex i = model.indexOfType("geo.Point");
    QVERIFY(!i.data(Qt::ForegroundRole).isValid());
    types.front()->markStale();
    QCOMPARE(i.data(TypeTreeModel::StaleRole).toBool(), true);
    QCOMPARE(i.data(Qt::ForegroundRole).value<QColor>(), QApplication::palette().color(QPalette::Disabled, QPalette::Text));
}

void TstTypeTreeModel::shouldInsertLargeBatchInFewSignals()
{
    Fixture f;
    TypeTreeModel model(f.watcher);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    std::vector<std::string> keys;
    for (int i = 0; i < 2000; ++i)
        keys.push_back("big.ns" + std::to_string(i % 4) + ".T" + std::to_string(i));
    uitest::registerPlain(f.registry, keys, "plugin:big");
    uitest::deliver();
    QCOMPARE(model.typeCount(), 2000);
    // One signal per new group and one per sorted run of types: not one per type.
    QVERIFY2(inserted.count() <= 10, qPrintable(QString::number(inserted.count())));
}

QTEST_MAIN(TstTypeTreeModel)
void TstTypeTreeModel::shouldCountLiveInstancesWithDataChangedOnly()
{
    Fixture f;
    uitest::registerPlain(f.registry, {"geo.Point"}, "plugin:alpha", 2, typesys::TypeOrigin::Python);
    TypeTreeModel model(f.watcher);
    QAbstractItemModelTester tester(&model);
    const QModelIndex key = model.indexOfType("geo.Point");
    const QModelIndex count = key.sibling(key.row(), TypeTreeModel::InstancesColumn);
    QCOMPARE(model.headerData(TypeTreeModel::InstancesColumn, Qt::Horizontal).toString(), "Instances");
    QCOMPARE(count.data().toLongLong(), 0);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    std::vector<typesys::Ref<typesys::ObjectNode>> objects;
    for (int i = 0; i < 3; ++i)
        objects.push_back(typesys::ObjectNode::create(f.registry.get("geo.Point")));
    QTRY_VERIFY(!changed.isEmpty());   // the once-a-second refresh noticed the new instances
    QCOMPARE(changed.first().at(0).toModelIndex(), count);
    QCOMPARE(count.data().toLongLong(), 3);
    objects.clear();
    QTRY_VERIFY(changed.count() >= 2);
    QCOMPARE(changed.last().at(0).toModelIndex(), count);
    QCOMPARE(count.data().toLongLong(), 0);
    QCOMPARE(reset.count(), 0);
}

#include "tst_type_tree_model.moc"
