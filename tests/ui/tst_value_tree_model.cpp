// ValueTreeModel: lazy children (canFetchMore/fetchMore), live published values, in-place
// edits validated by the registry, JSON pointers.

#include <typehost/ui/value_tree_model.h>

#include <typehost/published.h>
#include <typesys/object.h>
#include <typesys/type_builder.h>

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using typehost::PublishedValues;
using typehost::ui::ValueTreeModel;
using typesys::Schema;
using typesys::TypeBuilder;
using typesys::Value;

namespace {

struct Fixture {
    typesys::Registry registry;
    Fixture()
    {
        registry.registerTypes({TypeBuilder("v.Color").member("RED", Value::fromStr("red")).member("BLUE", Value::fromStr("blue")).build(),
                                TypeBuilder("v.Point")
                                    .field("x", Schema::floating(), Value::fromFloat(1.0))
                                    .field("label", Schema::str(), Value::fromStr("p"))
                                    .field("count", Schema::integer(), Value::fromInt(0))
                                    .field("color", Schema::named("v.Color"), Value::fromStr("red"))
                                    .field("note", Schema::optional(Schema::str()), Value())
                                    .field("tags", Schema::list(Schema::str()))
                                    .build(),
                                TypeBuilder("v.Frozen").frozen().field("x", Schema::integer(), Value::fromInt(1)).build()},
                               "plugin:test");
    }
    Value point()
    {
        auto p = typesys::ObjectNode::createWithDefaults(registry.get("v.Point"));
        p->set(5, Value::fromList(typesys::ListNode::make({Value::fromStr("a"), Value::fromStr("b")})));
        return Value::fromObject(p);
    }
};

Value bigList(int n)
{
    std::vector<Value> items;
    items.reserve(size_t(n));
    for (int i = 0; i < n; ++i)
        items.push_back(Value::fromInt(i));
    return Value::fromList(typesys::ListNode::make(std::move(items)));
}

} // namespace

class TstValueTreeModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldFetchChildrenLazily();
    void shouldOpenHugeListQuickly();
    void shouldShowObjectFields();
    void shouldTrackPublishedValues();
    void shouldEditScalarField_data();
    void shouldEditScalarField();
    void shouldRefuseBadValueAndKeepOldOne_data();
    void shouldRefuseBadValueAndKeepOldOne();
    void shouldNotEditFrozenOrContainerFields();
    void shouldGiveJsonPointers();
    void shouldRemoveDocuments();
};

void TstValueTreeModel::shouldFetchChildrenLazily()
{
    Fixture f;
    ValueTreeModel model(f.registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex doc = model.addDocument("numbers", bigList(1000), Schema::list(Schema::integer()));
    QVERIFY(model.hasChildren(doc));
    QCOMPARE(model.rowCount(doc), 0);
    QVERIFY(model.canFetchMore(doc));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.fetchMore(doc);
    QCOMPARE(model.rowCount(doc), ValueTreeModel::fetchBatchSize());
    QCOMPARE(inserted.count(), 1);
    while (model.canFetchMore(doc))
        model.fetchMore(doc);
    QCOMPARE(model.rowCount(doc), 1000);
    QCOMPARE(model.index(999, ValueTreeModel::ValueColumn, doc).data().toString(), "999");
    QCOMPARE(model.index(999, ValueTreeModel::NameColumn, doc).data().toString(), "[999]");
}

void TstValueTreeModel::shouldOpenHugeListQuickly()
{
    Fixture f;
    ValueTreeModel model(f.registry);
    Value big = bigList(100000);
    QElapsedTimer t;
    t.start();
    const QModelIndex doc = model.addDocument("big", big, Schema::list(Schema::integer()));
    model.fetchMore(doc);
    QCOMPARE(model.rowCount(doc), ValueTreeModel::fetchBatchSize());
    qInfo("opened a 100,000-element list and fetched the first batch in %lld ms", t.elapsed());
    QVERIFY(t.elapsed() < 1000);   // the budget is 50 ms; this only catches eager loading
}

void TstValueTreeModel::shouldShowObjectFields()
{
    Fixture f;
    ValueTreeModel model(f.registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex doc = model.addDocument("p", f.point(), Schema::named("v.Point"));
    QCOMPARE(doc.siblingAtColumn(ValueTreeModel::TypeColumn).data().toString(), "v.Point");
    model.fetchMore(doc);
    QCOMPARE(model.rowCount(doc), 6);
    QStringList shown;
    for (int r = 0; r < 6; ++r)
        shown << model.index(r, 0, doc).data().toString() + '=' + model.index(r, 1, doc).data().toString();
    QCOMPARE(shown, (QStringList{"x=1.0", "label=\"p\"", "count=0", "color=Color.RED", "note=None", "tags=[2 items]"}));
}

void TstValueTreeModel::shouldTrackPublishedValues()
{
    Fixture f;
    PublishedValues values;
    values.publish("b.second", Value::fromInt(2), Schema::integer());
    ValueTreeModel model(f.registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.watchPublished(values);
    model.addDocument("doc", Value::fromInt(0), Schema::integer());
    QCOMPARE(model.rowCount(), 2);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    values.publish("a.first", f.point(), Schema::named("v.Point"));
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 0).data().toString(), "a.first");   // published values sorted, documents after
    QCOMPARE(model.index(2, 0).data().toString(), "doc");
    QCOMPARE(inserted.count(), 1);

    const QModelIndex first = model.index(0, 0);
    model.fetchMore(first);
    QCOMPARE(model.rowCount(first), 6);
    values.publish("a.first", Value::fromInt(7), Schema::integer());   // republish: children dropped
    QTRY_COMPARE(model.index(0, ValueTreeModel::ValueColumn).data().toString(), "7");
    QCOMPARE(model.rowCount(model.index(0, 0)), 0);
    QVERIFY(changed.count() >= 1);

    values.unpublish("b.second");
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(removed.count() >= 1, true);
    QCOMPARE(reset.count(), 0);
}

void TstValueTreeModel::shouldEditScalarField_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("shown");
    QTest::newRow("float") << 0 << "2.5" << "2.5";
    QTest::newRow("float from int text") << 0 << "3" << "3.0";
    QTest::newRow("str raw") << 1 << "hello world" << "\"hello world\"";
    QTest::newRow("str digits stay str") << 1 << "42" << "\"42\"";
    QTest::newRow("int") << 2 << "-17" << "-17";
    QTest::newRow("enum by name") << 3 << "BLUE" << "Color.BLUE";
    QTest::newRow("optional none") << 4 << "None" << "None";
    QTest::newRow("optional str") << 4 << "'quoted'" << "\"quoted\"";
}

void TstValueTreeModel::shouldEditScalarField()
{
    QFETCH(int, field);
    QFETCH(QString, text);
    QFETCH(QString, shown);
    Fixture f;
    ValueTreeModel model(f.registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QModelIndex doc = model.addDocument("p", f.point(), Schema::named("v.Point"));
    model.fetchMore(doc);
    const QModelIndex cell = model.index(field, ValueTreeModel::ValueColumn, doc);
    QVERIFY(model.flags(cell) & Qt::ItemIsEditable);
    QSignalSpy failed(&model, &ValueTreeModel::editFailed);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QVERIFY(model.setData(cell, text));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(cell.data().toString(), shown);
    QVERIFY(changed.count() >= 2);   // the field and the object's summary
    // The object itself changed (not a copy).
    Value stored;
    QVERIFY(model.valueAt(doc).asObject()->get(uint32_t(field), &stored));
}

void TstValueTreeModel::shouldRefuseBadValueAndKeepOldOne_data()
{
    QTest::addColumn<int>("field");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("float given text") << 0 << "abc" << "v.Point.x: expected float, got str";
    QTest::newRow("int given float") << 2 << "1.5" << "v.Point.count: expected int, got float";
    QTest::newRow("int overflow") << 2 << "99999999999999999999" << "integer 99999999999999999999 does not fit in 64 bits";
    QTest::newRow("enum unknown member") << 3 << "GREEN" << "v.Point.color: expected a member of v.Color, got str 'GREEN' (the members' values are 'red', 'blue')";
}

void TstValueTreeModel::shouldRefuseBadValueAndKeepOldOne()
{
    QFETCH(int, field);
    QFETCH(QString, text);
    QFETCH(QString, message);
    Fixture f;
    ValueTreeModel model(f.registry);
    const QModelIndex doc = model.addDocument("p", f.point(), Schema::named("v.Point"));
    model.fetchMore(doc);
    const QModelIndex cell = model.index(field, ValueTreeModel::ValueColumn, doc);
    const QString before = cell.data().toString();
    QSignalSpy failed(&model, &ValueTreeModel::editFailed);
    QVERIFY(!model.setData(cell, text));
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(1).toString(), message);
    QCOMPARE(cell.data().toString(), before);
}

void TstValueTreeModel::shouldNotEditFrozenOrContainerFields()
{
    Fixture f;
    ValueTreeModel model(f.registry);
    const QModelIndex frozen = model.addDocument("f", Value::fromObject(typesys::ObjectNode::createWithDefaults(f.registry.get("v.Frozen"))),
                                                 Schema::named("v.Frozen"));
    model.fetchMore(frozen);
    QVERIFY(!(model.flags(model.index(0, ValueTreeModel::ValueColumn, frozen)) & Qt::ItemIsEditable));
    const QModelIndex p = model.addDocument("p", f.point(), Schema::named("v.Point"));
    model.fetchMore(p);
    QVERIFY(!(model.flags(model.index(5, ValueTreeModel::ValueColumn, p)) & Qt::ItemIsEditable));   // tags: a list
    QVERIFY(!(model.flags(model.index(0, ValueTreeModel::NameColumn, p)) & Qt::ItemIsEditable));
}

void TstValueTreeModel::shouldGiveJsonPointers()
{
    Fixture f;
    ValueTreeModel model(f.registry);
    const QModelIndex p = model.addDocument("p", f.point(), Schema::named("v.Point"));
    model.fetchMore(p);
    const QModelIndex tags = model.index(5, 0, p);
    model.fetchMore(tags);
    QCOMPARE(model.jsonPointer(p), "");
    QCOMPARE(model.jsonPointer(tags), "/tags");
    QCOMPARE(model.index(1, 0, tags).data(ValueTreeModel::JsonPointerRole).toString(), "/tags/1");
    QCOMPARE(QString::fromStdString(model.jsonAt(model.index(1, 0, tags), -1)), "\"b\"");
    QVERIFY(QString::fromStdString(model.jsonAt(p, -1)).startsWith("{\"$type\":\"v.Point\""));
}

void TstValueTreeModel::shouldRemoveDocuments()
{
    Fixture f;
    ValueTreeModel model(f.registry);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addDocument("one", Value::fromInt(1), Schema::integer());
    const QModelIndex two = model.addDocument("two", f.point(), Schema::named("v.Point"));
    model.fetchMore(two);
    QVERIFY(!model.removeDocument(model.index(0, 0, two)));   // not a top-level document
    QVERIFY(model.removeDocument(model.index(0, 0)));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.index(0, 0).data().toString(), "two");
}

QTEST_MAIN(TstValueTreeModel)
#include "tst_value_tree_model.moc"
