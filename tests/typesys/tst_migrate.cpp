// Stale instances without Python: validation refuses them, the JSON writer writes them only
// when the current version reads them back, and Migrator carries them over (all or nothing,
// sharing and cycles kept, current containers changed in place).

#include "test_support.h"

#include "typesys/json.h"
#include "typesys/migrate.h"
#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"
#include "typesys/validate.h"

#include <QObject>
#include <QTest>

using namespace typesys;
using testsupport::qs;
using testsupport::str;

namespace {

// mig.Item v1 (name, weight), one instance of it, then mig.Item registered again by `second`.
struct Setup {
    Registry reg;
    TypeRef v1;
    Ref<ObjectNode> old;

    explicit Setup(TypeBuilder second)
    {
        v1 = reg.registerType(TypeBuilder("mig.Item")
                                  .field("name", Schema::str())
                                  .field("weight", Schema::floating(), Value::fromFloat(1.0))
                                  .build(),
                              "p");
        reg.registerType(TypeBuilder("mig.Box").field("items", Schema::list(Schema::anyObject())).build(), "p");
        old = ObjectNode::create(v1);
        old->initField(0, str("a"));
        old->initField(1, Value::fromFloat(2.5));
        reg.registerType(second.build(), "p");
    }
    Value oldValue() const { return Value::fromObject(old); }
    Ref<ObjectNode> box(std::vector<Value> items) const
    {
        Ref<ObjectNode> b = ObjectNode::create(reg.get("mig.Box"));
        b->initField(0, Value::fromList(ListNode::make(std::move(items))));
        return b;
    }
};

TypeBuilder itemWithColour()
{
    return std::move(TypeBuilder("mig.Item")
                         .field("name", Schema::str())
                         .field("weight", Schema::floating(), Value::fromFloat(1.0))
                         .field("colour", Schema::str(), str("red")));
}

} // namespace

class TstMigrate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void validationRefusesAStaleInstance()
    {
        Setup s(itemWithColour());
        QVERIFY(s.v1->isStale());
        auto err = testsupport::errorOf([&] { validate(s.oldValue(), Schema::named("mig.Item"), s.reg); });
        QVERIFY(err);
        QVERIFY(qs(err->what()).contains("a stale instance of a previous version of mig.Item (generation "));
    }

    void writerWritesAStaleInstanceTheCurrentVersionReadsBack()
    {
        Setup s(itemWithColour());
        JsonWriteOptions o;
        o.current = &s.reg;
        QCOMPARE(qs(toJson(s.oldValue(), o)), QString(R"({"$type":"mig.Item","name":"a","weight":2.5})"));
        Value back = fromJson(toJson(s.oldValue(), o), Schema::any(), s.reg);
        QCOMPARE(back.asObject()->typePtr(), s.reg.get("mig.Item").get());
        // Without a registry to check against, a stale instance is never written.
        QVERIFY(testsupport::errorOf([&] { toJson(s.oldValue()); }));
    }

    void writerRefusesAStaleInstanceWithADroppedField()
    {
        Setup s(std::move(TypeBuilder("mig.Item").field("name", Schema::str())));
        JsonWriteOptions o;
        o.current = &s.reg;
        Value box = Value::fromObject(s.box({s.oldValue()}));
        auto err = testsupport::errorOf([&] { toJson(box, o); });
        QVERIFY(err);
        QCOMPARE(qs(err->pointer()), QString("/items/0"));
        QVERIFY(qs(err->what()).contains("whose field 'weight' the current version does not have"));
    }

    void migratorCarriesFieldsAndTakesDefaults()
    {
        Setup s(itemWithColour());
        Migrator m(s.reg);
        MigrationResult r = m.migrate(s.oldValue());
        QVERIFY(r.ok());
        QCOMPARE(r.migrated, size_t(1));
        const ObjectNode& now = *r.value.asObject();
        QCOMPARE(now.typePtr(), s.reg.get("mig.Item").get());
        QCOMPARE(qs(now.get(0).asStr()), QString("a"));
        QCOMPARE(now.get(1).asFloat(), 2.5);
        QCOMPARE(qs(now.get(2).asStr()), QString("red"));
    }

    void migratorKeepsSharingAndChangesCurrentContainersInPlace()
    {
        Setup s(itemWithColour());
        Ref<ObjectNode> box = s.box({s.oldValue(), s.oldValue()});
        ListNode* items = box->get(0).asList();
        Migrator m(s.reg);
        MigrationResult r = m.migrate(Value::fromObject(box));
        QVERIFY(r.ok());
        QCOMPARE(r.value.asObject(), box.get());
        QCOMPARE(box->get(0).asList(), items);
        QCOMPARE(items->at(0).asObject(), items->at(1).asObject());
        QVERIFY(!items->at(0).asObject()->type().isStale());
        // A later call of the same Migrator reuses the object it made.
        MigrationResult again = m.migrate(s.oldValue());
        QVERIFY(again.ok());
        QCOMPARE(again.value.asObject(), items->at(0).asObject());
        QCOMPARE(again.migrated, size_t(0));
    }

    void migratorChangesNothingWhenAValueDoesNotFit()
    {
        Setup s(std::move(TypeBuilder("mig.Item").field("name", Schema::str()).field("weight", Schema::str())));
        Ref<ObjectNode> box = s.box({s.oldValue()});
        Migrator m(s.reg);
        MigrationResult r = m.migrate(Value::fromObject(box));
        QVERIFY(!r.ok());
        QCOMPARE(int(r.issues.size()), 1);
        QCOMPARE(qs(formatPointer(r.issues[0].path)), QString("/items/0/weight"));
        QVERIFY(qs(r.issues[0].reason).contains("the field's type changed"));
        QCOMPARE(box->get(0).asList()->at(0).asObject(), s.old.get());   // undone
    }

    void migratorReportsANewRequiredFieldAndARemovedType()
    {
        Setup s(std::move(TypeBuilder("mig.Item")
                              .field("name", Schema::str())
                              .field("weight", Schema::floating())
                              .field("count", Schema::integer())));
        MigrationResult r = Migrator(s.reg).migrate(s.oldValue());
        QVERIFY(!r.ok());
        QCOMPARE(qs(r.issues[0].reason), QString("mig.Item: field 'count' is new and has no default"));
        s.reg.remove({"mig.Item"}, "p");
        r = Migrator(s.reg).migrate(s.oldValue());
        QCOMPARE(qs(r.issues.at(0).reason), QString("mig.Item is no longer registered"));
    }

    void migratorKeepsACycleBetweenStaleObjects()
    {
        Registry reg;
        TypeRef v1 = reg.registerType(
            TypeBuilder("mig.Node").field("other", Schema::optional(Schema::anyObject()), Value()).build(), "p");
        Ref<ObjectNode> a = ObjectNode::create(v1), b = ObjectNode::create(v1);
        a->initField(0, Value::fromObject(b));
        b->initField(0, Value::fromObject(a));
        reg.registerType(TypeBuilder("mig.Node")
                             .field("other", Schema::optional(Schema::anyObject()), Value())
                             .field("tag", Schema::str(), str(""))
                             .build(),
                         "p");
        MigrationResult r = Migrator(reg).migrate(Value::fromObject(a));
        QVERIFY(r.ok());
        QCOMPARE(r.migrated, size_t(2));
        ObjectNode* na = r.value.asObject();
        ObjectNode* nb = na->get(0).asObject();
        QCOMPARE(nb->get(0).asObject(), na);
        QVERIFY(!nb->type().isStale());
        // Break the cycles so that the test leaks nothing.
        na->unset(0);
        a->unset(0);
    }
};

QTEST_GUILESS_MAIN(TstMigrate)
#include "tst_migrate.moc"
