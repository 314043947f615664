// FieldTableModel: columns, inherited fields, flags and defaults; a replaced type syncs rows.

#include <typehost/ui/field_table_model.h>

#include <typesys/registry.h>
#include <typesys/type_builder.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using typehost::ui::FieldTableModel;
using typesys::Schema;
using typesys::TypeBuilder;
using typesys::Value;

class TstFieldTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldShowFieldColumns_data();
    void shouldShowFieldColumns();
    void shouldMarkInheritedFields();
    void shouldSyncRowsWhenSameTypeIsReplaced();
    void shouldResetForAnotherType();
};

namespace {

typesys::TypeRef makeShape(typesys::Registry& registry)
{
    registry.registerTypes(
        {TypeBuilder("t.Base").field("name", Schema::str(), Value::fromStr("n")).fieldDoc("Display name\nmore").build(),
         TypeBuilder("t.Shape")
             .parent("t.Base")
             .field("size", Schema::floating(), Value::fromFloat(1.5))
             .field("tags", Schema::list(Schema::str())).factory([] { return Value::fromList(typesys::ListNode::make()); })
             .field("id", Schema::integer()).kwOnly()
             .build()},
        "plugin:test");
    return registry.get("t.Shape");
}

} // namespace

void TstFieldTableModel::shouldShowFieldColumns_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<QStringList>("expected");   // name, type, default, flags, doc, defined in
    QTest::newRow("inherited str") << 0 << QStringList{"name", "str", "\"n\"", "", "Display name", "t.Base"};
    QTest::newRow("float default") << 1 << QStringList{"size", "float", "1.5", "", "", "t.Shape"};
    QTest::newRow("factory") << 2 << QStringList{"tags", "list[str]", "<factory>", "", "", "t.Shape"};
    QTest::newRow("required kw_only") << 3 << QStringList{"id", "int", "", "kw_only", "", "t.Shape"};
}

void TstFieldTableModel::shouldShowFieldColumns()
{
    QFETCH(int, row);
    QFETCH(QStringList, expected);
    typesys::Registry registry;
    FieldTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setType(makeShape(registry));
    QCOMPARE(model.rowCount(), 4);
    QStringList actual;
    for (int c = 0; c < FieldTableModel::ColumnCount; ++c)
        actual << model.index(row, c).data().toString();
    QCOMPARE(actual, expected);
}

void TstFieldTableModel::shouldMarkInheritedFields()
{
    typesys::Registry registry;
    FieldTableModel model;
    model.setType(makeShape(registry));
    QCOMPARE(model.index(0, 0).data(Qt::FontRole).value<QFont>().italic(), true);
    QVERIFY(!model.index(1, 0).data(Qt::FontRole).isValid());
    QCOMPARE(model.index(0, FieldTableModel::DefinedInColumn).data(FieldTableModel::DefinedInRole).toString(), "t.Base");
}

void TstFieldTableModel::shouldSyncRowsWhenSameTypeIsReplaced()
{
    typesys::Registry registry;
    registry.registerType(TypeBuilder("t.P").field("a", Schema::integer()).field("b", Schema::integer())
                              .field("c", Schema::integer()).build(), "plugin:test");
    FieldTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setType(registry.get("t.P"));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    registry.registerType(TypeBuilder("t.P").field("a", Schema::floating()).field("c", Schema::integer())
                              .field("d", Schema::str()).build(), "plugin:test");   // b removed, d added, a retyped
    model.setType(registry.get("t.P"));

    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QStringList names;
    for (int r = 0; r < model.rowCount(); ++r)
        names << model.index(r, 0).data().toString() + ':' + model.index(r, 1).data().toString();
    QCOMPARE(names, (QStringList{"a:float", "c:int", "d:str"}));
}

void TstFieldTableModel::shouldResetForAnotherType()
{
    typesys::Registry registry;
    FieldTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setType(makeShape(registry));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setType(registry.get("t.Base"));
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    model.setType(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TstFieldTableModel)
#include "tst_field_table_model.moc"
