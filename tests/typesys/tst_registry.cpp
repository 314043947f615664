// Registry and TypeBuilder: batches, replacement, owners, removal, inheritance, enums,
// validation of definitions, forward references, notifications, snapshots, lookups.

#include "test_support.h"

#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <QObject>
#include <QTest>

using namespace typesys;
using testsupport::qs;
using testsupport::ss;

namespace {

Value str(std::string_view s) { return Value::fromStr(s); }

TypeRef simple(const std::string& key, const std::string& parent = {})
{
    TypeBuilder b(key);
    if (!parent.empty())
        b.parent(parent);
    return b.field("v", Schema::integer(), Value::fromInt(0)).build();
}

std::vector<std::string> fieldNames(const TypeInfo& t)
{
    std::vector<std::string> out;
    for (const FieldInfo& f : t.fields)
        out.push_back(f.name);
    return out;
}

std::vector<std::string> keysOf(const std::vector<TypeRef>& types)
{
    std::vector<std::string> out;
    for (const TypeRef& t : types)
        out.push_back(t->key);
    return out;
}

using Strings = std::vector<std::string>;

struct Recorder {
    std::vector<RegistryChange> changes;
    Registry::Listener listener()
    {
        return [this](const RegistryChange& c) { changes.push_back(c); };
    }
};

} // namespace

class TestRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldRegisterAndDescribeType();
    void shouldRegisterBatchAllOrNothing();
    void shouldRetryFailedBatchWithSameTypeRefs();
    void shouldRestoreBatchInfosWhenLaterCheckFails();
    void shouldReplaceTypeOfSameOwner();
    void shouldRefuseKeyOfOtherOwner();
    void shouldRefuseRegisteringSameInfoTwice();
    void shouldRemoveTypesAndMarkThemStale();
    void shouldRemoveAllOrNothing();
    void shouldRemoveEveryTypeOfOwner();
    void shouldPutInheritedFieldsFirst();
    void shouldInheritFromParentEarlierInBatch();
    void shouldRegisterEnumTypes();
    void shouldRejectBadDefinitions_data();
    void shouldRejectBadDefinitions();
    void shouldValidateDefaultAgainstSchema();
    void shouldAllowForwardReferences();
    void shouldNotifyAddedRemovedAndReplaced();
    void shouldCallListenersOutsideTheLock();
    void shouldKeepSnapshotConsistent();
    void shouldLookUpByKeyAndIndexInLargeRegistry();
    void shouldRefuseBuilderMisuse();
};

void TestRegistry::shouldRegisterAndDescribeType()
{
    Registry reg;
    QCOMPARE(reg.size(), size_t(0));
    QCOMPARE(reg.version(), uint64_t(0));
    TypeRef t = TypeBuilder("reg.Vec3")
                    .doc("A point or direction in 3-D space.")
                    .origin(TypeOrigin::Python)
                    .frozen()
                    .source("vec.py", 12)
                    .field("x", Schema::floating(), Value::fromFloat(0.0))
                    .fieldDoc("The x coordinate.")
                    .field("y", Schema::floating(), Value::fromFloat(0.0))
                    .kwOnly()
                    .field("z", Schema::floating())
                    .build();
    TypeRef r = reg.registerType(t, "geometry");
    QCOMPARE(r.get(), t.get());
    QCOMPARE(reg.size(), size_t(1));
    QCOMPARE(reg.version(), uint64_t(1));
    QCOMPARE(reg.find("reg.Vec3").get(), t.get());
    QCOMPARE(reg.get("reg.Vec3").get(), t.get());
    QCOMPARE(reg.at(t->index).get(), t.get());
    QCOMPARE(t->generation, uint32_t(1));
    QCOMPARE(qs(t->owner), QString("geometry"));
    QCOMPARE(qs(originName(t->origin)), QString("python"));
    QCOMPARE(qs(originName(TypeOrigin::Native)), QString("native"));
    QCOMPARE(t->kind, TypeKind::Object);
    QVERIFY(t->frozen);
    QCOMPARE(qs(t->doc), QString("A point or direction in 3-D space."));
    QCOMPARE(qs(t->source.file), QString("vec.py"));
    QCOMPARE(t->source.line, 12);
    QCOMPARE(fieldNames(*t), (Strings{"x", "y", "z"}));
    QCOMPARE(qs(t->fields[0].doc), QString("The x coordinate."));
    QVERIFY(t->fields[1].kwOnly);
    QVERIFY(!t->fields[0].kwOnly);
    QVERIFY(t->fields[0].hasDefault());
    QVERIFY(!t->fields[2].hasDefault());
    QCOMPARE(qs(t->fields[2].definedIn), QString("reg.Vec3"));
    QCOMPARE(t->fields[2].slot, uint32_t(2));
    QVERIFY(!t->isStale());
    QVERIFY(!reg.find("reg.Nope"));
    TYPESYS_VERIFY_ERROR(reg.get("reg.Nope"), ErrorKind::Lookup, "unknown type key 'reg.Nope'");
    QVERIFY(!reg.at(1));
    QVERIFY(!reg.at(UINT32_MAX));
}

void TestRegistry::shouldRegisterBatchAllOrNothing()
{
    Registry reg;
    Recorder rec;
    reg.subscribe(rec.listener());
    reg.registerType(simple("reg.Existing"), "p");
    uint64_t version = reg.version();

    TypeRef a = simple("reg.A");
    TypeRef b = simple("reg.B", "reg.Missing");
    TYPESYS_VERIFY_ERROR(reg.registerTypes({a, b}, "p"), ErrorKind::Registration,
                         "cannot register 'reg.B': parent type 'reg.Missing' is not registered");
    QCOMPARE(reg.size(), size_t(1));
    QCOMPARE(reg.version(), version);
    QVERIFY(!reg.find("reg.A"));
    QVERIFY(!reg.find("reg.B"));
    QCOMPARE(reg.keys(), (Strings{"reg.Existing"}));
    QCOMPARE(rec.changes.size(), size_t(1));   // only the first, successful registration
    QCOMPARE(a->generation, uint32_t(0));
    QVERIFY(a->owner.empty());
}

void TestRegistry::shouldRetryFailedBatchWithSameTypeRefs()
{
    Registry reg;
    std::vector<TypeRef> batch = {
        TypeBuilder("reg.Child").parent("reg.Base").field("c", Schema::str(), str("c")).build(),
        TypeBuilder("reg.Grandchild").parent("reg.Child").field("g", Schema::integer()).build(),
    };
    QVERIFY(testsupport::errorOf([&] { reg.registerTypes(batch, "p"); }));
    QCOMPARE(fieldNames(*batch[0]), (Strings{"c"}));
    QCOMPARE(fieldNames(*batch[1]), (Strings{"g"}));

    reg.registerType(TypeBuilder("reg.Base").field("b", Schema::boolean()).build(), "q");
    std::vector<TypeRef> done = reg.registerTypes(batch, "p");
    QCOMPARE(keysOf(done), (Strings{"reg.Child", "reg.Grandchild"}));
    QCOMPARE(fieldNames(*batch[0]), (Strings{"b", "c"}));
    QCOMPARE(fieldNames(*batch[1]), (Strings{"b", "c", "g"}));
    QCOMPARE(qs(batch[1]->fields[1].definedIn), QString("reg.Child"));
    QCOMPARE(batch[1]->parent.get(), batch[0].get());
    QCOMPARE(reg.size(), size_t(3));
}

void TestRegistry::shouldRestoreBatchInfosWhenLaterCheckFails()
{
    // The parent is completed (fields, parent pointer) before the child's bad default is seen;
    // after the failure both are as built, and fixing the default lets the same batch in.
    Registry reg;
    reg.registerType(TypeBuilder("reg.Root").field("r", Schema::integer(), Value::fromInt(1)).build(), "p");
    TypeRef mid = TypeBuilder("reg.Mid").parent("reg.Root").field("m", Schema::str(), str("m")).build();
    TypeRef leaf = TypeBuilder("reg.Leaf").parent("reg.Mid").field("n", Schema::integer(), str("oops")).build();
    TYPESYS_VERIFY_ERROR(reg.registerTypes({mid, leaf}, "p"), ErrorKind::Registration,
                         "cannot register 'reg.Leaf': default of field 'n': expected int, got str");
    QCOMPARE(fieldNames(*mid), (Strings{"m"}));
    QCOMPARE(fieldNames(*leaf), (Strings{"n"}));
    QVERIFY(!mid->parent);
    QVERIFY(!leaf->parent);

    leaf->fields[0].defaultValue = Value::fromInt(7);
    reg.registerTypes({mid, leaf}, "p");
    QCOMPARE(fieldNames(*leaf), (Strings{"r", "m", "n"}));
    QCOMPARE(leaf->fields[2].defaultValue->asInt(), int64_t(7));
    QCOMPARE(reg.size(), size_t(3));
}

void TestRegistry::shouldReplaceTypeOfSameOwner()
{
    Registry reg;
    Recorder rec;
    reg.registerType(simple("reg.Other"), "p");
    TypeRef first = reg.registerType(simple("reg.Point"), "geometry");
    reg.subscribe(rec.listener());
    uint64_t version = reg.version();

    TypeRef second = TypeBuilder("reg.Point").field("x", Schema::floating()).build();
    reg.registerType(second, "geometry");
    QCOMPARE(second->index, first->index);
    QCOMPARE(second->generation, uint32_t(2));
    QVERIFY(first->isStale());
    QVERIFY(!second->isStale());
    QCOMPARE(reg.find("reg.Point").get(), second.get());
    QCOMPARE(reg.at(first->index).get(), second.get());
    QCOMPARE(reg.size(), size_t(2));
    QCOMPARE(reg.version(), version + 1);
    QCOMPARE(rec.changes.size(), size_t(1));
    QCOMPARE(rec.changes[0].replaced, (Strings{"reg.Point"}));
    QVERIFY(rec.changes[0].added.empty());
    QVERIFY(rec.changes[0].removed.empty());
    QCOMPARE(rec.changes[0].version, version + 1);
    QCOMPARE(fieldNames(*first), (Strings{"v"}));   // the old info is intact for old instances

    TypeRef third = reg.registerTypes({simple("reg.Point"), simple("reg.New")}, "geometry").front();
    QCOMPARE(third->generation, uint32_t(3));
    QCOMPARE(third->index, first->index);
    QVERIFY(second->isStale());
    QCOMPARE(rec.changes.back().replaced, (Strings{"reg.Point"}));
    QCOMPARE(rec.changes.back().added, (Strings{"reg.New"}));
}

void TestRegistry::shouldRefuseKeyOfOtherOwner()
{
    Registry reg;
    reg.registerType(simple("reg.Point"), "geometry");
    reg.registerType(simple("reg.Core"), "");
    uint64_t version = reg.version();
    TYPESYS_VERIFY_ERROR(reg.registerTypes({simple("reg.Fine"), simple("reg.Point")}, "intruder"),
                         ErrorKind::Registration,
                         "cannot register 'reg.Point': the key is owned by 'geometry'");
    TYPESYS_VERIFY_ERROR(reg.registerType(simple("reg.Core"), "intruder"), ErrorKind::Registration,
                         "cannot register 'reg.Core': the key is owned by the core");
    TYPESYS_VERIFY_ERROR(reg.registerType(simple("reg.Point"), ""), ErrorKind::Registration,
                         "cannot register 'reg.Point': the key is owned by 'geometry'");
    QVERIFY(!reg.find("reg.Fine"));
    QCOMPARE(reg.version(), version);
    QCOMPARE(reg.find("reg.Point")->generation, uint32_t(1));
}

void TestRegistry::shouldRefuseRegisteringSameInfoTwice()
{
    Registry reg;
    TypeRef t = reg.registerType(simple("reg.Once"), "p");
    TYPESYS_VERIFY_ERROR(reg.registerType(t, "p"), ErrorKind::Registration,
                         "cannot register 'reg.Once': this TypeInfo is registered already; build a new one");
    Registry other;
    TYPESYS_VERIFY_ERROR(other.registerType(t, "p"), ErrorKind::Registration,
                         "cannot register 'reg.Once': this TypeInfo is registered already; build a new one");
    QVERIFY(!t->isStale());
}

void TestRegistry::shouldRemoveTypesAndMarkThemStale()
{
    Registry reg;
    Recorder rec;
    reg.registerTypes({simple("reg.A"), simple("reg.B"), simple("reg.C")}, "p");
    uint32_t indexA = reg.get("reg.A")->index;
    reg.subscribe(rec.listener());
    uint64_t version = reg.version();

    std::vector<TypeRef> removed = reg.remove({"reg.A", "reg.C"}, "p");
    QCOMPARE(keysOf(removed), (Strings{"reg.A", "reg.C"}));
    QVERIFY(removed[0]->isStale());
    QVERIFY(removed[1]->isStale());
    QVERIFY(!reg.find("reg.A"));
    QVERIFY(!reg.at(indexA));
    QCOMPARE(reg.size(), size_t(1));
    QCOMPARE(reg.keys(), (Strings{"reg.B"}));
    QCOMPARE(keysOf(reg.snapshot()), (Strings{"reg.B"}));
    QCOMPARE(reg.version(), version + 1);
    QCOMPARE(rec.changes.size(), size_t(1));
    QCOMPARE(rec.changes[0].removed, (Strings{"reg.A", "reg.C"}));

    // A removed key may be registered again; the removed slot stays empty.
    TypeRef again = reg.registerType(simple("reg.A"), "someone-else");
    QCOMPARE(again->generation, uint32_t(1));
    QVERIFY(!reg.at(indexA) || reg.at(indexA).get() == again.get());
    QCOMPARE(reg.find("reg.A").get(), again.get());
    QCOMPARE(rec.changes.back().added, (Strings{"reg.A"}));
}

void TestRegistry::shouldRemoveAllOrNothing()
{
    Registry reg;
    reg.registerType(simple("reg.A"), "p1");
    reg.registerType(simple("reg.B"), "p2");
    uint64_t version = reg.version();
    TYPESYS_VERIFY_ERROR(reg.remove({"reg.A", "reg.Nope"}, "p1"), ErrorKind::Lookup,
                         "cannot remove 'reg.Nope': no such type");
    TYPESYS_VERIFY_ERROR(reg.remove({"reg.A", "reg.B"}, "p1"), ErrorKind::Registration,
                         "cannot remove 'reg.B': the key is owned by 'p2'");
    TYPESYS_VERIFY_ERROR(reg.remove({"reg.A"}, ""), ErrorKind::Registration,
                         "cannot remove 'reg.A': the key is owned by 'p1'");
    QCOMPARE(reg.size(), size_t(2));
    QVERIFY(!reg.find("reg.A")->isStale());
    QCOMPARE(reg.version(), version);
}

void TestRegistry::shouldRemoveEveryTypeOfOwner()
{
    Registry reg;
    reg.registerTypes({simple("reg.A"), simple("reg.B")}, "plugin");
    reg.registerType(simple("reg.C"), "other");
    std::vector<TypeRef> removed = reg.removeOwner("plugin");
    QCOMPARE(keysOf(removed), (Strings{"reg.A", "reg.B"}));
    QCOMPARE(reg.keys(), (Strings{"reg.C"}));
    uint64_t version = reg.version();
    QVERIFY(reg.removeOwner("plugin").empty());
    QVERIFY(reg.removeOwner("nobody").empty());
    QCOMPARE(reg.version(), version);
}

void TestRegistry::shouldPutInheritedFieldsFirst()
{
    Registry reg;
    TypeRef base = TypeBuilder("reg.Base")
                       .field("id", Schema::integer())
                       .field("name", Schema::str(), str("base"))
                       .field("size", Schema::floating(), Value::fromFloat(1.0))
                       .build();
    TypeRef derived = TypeBuilder("reg.Derived")
                          .parent("reg.Base")
                          .field("extra", Schema::boolean(), Value::fromBool(false))
                          .field("name", Schema::str(), str("derived"))
                          .build();
    reg.registerType(base, "p");
    reg.registerType(derived, "p");
    QCOMPARE(fieldNames(*derived), (Strings{"id", "name", "size", "extra"}));
    QCOMPARE(qs(derived->fields[0].definedIn), QString("reg.Base"));
    QCOMPARE(qs(derived->fields[1].definedIn), QString("reg.Derived"));   // redefined in place
    QCOMPARE(qs(derived->fields[1].defaultValue->asStr()), QString("derived"));
    QCOMPARE(qs(derived->fields[2].definedIn), QString("reg.Base"));
    QCOMPARE(qs(derived->fields[3].definedIn), QString("reg.Derived"));
    for (uint32_t i = 0; i < derived->fields.size(); ++i)
        QCOMPARE(derived->fields[i].slot, i);
    QCOMPARE(derived->parent.get(), base.get());
    QCOMPARE(qs(derived->parentKey), QString("reg.Base"));
    QCOMPARE(fieldNames(*base), (Strings{"id", "name", "size"}));   // the parent is untouched
    QCOMPARE(qs(base->fields[1].defaultValue->asStr()), QString("base"));
    QVERIFY(derived->isSubtypeOf("reg.Derived"));
    QVERIFY(derived->isSubtypeOf("reg.Base"));
    QVERIFY(!base->isSubtypeOf("reg.Derived"));
    QVERIFY(!derived->isSubtypeOf("reg.Bas"));
}

void TestRegistry::shouldInheritFromParentEarlierInBatch()
{
    Registry reg;
    TypeRef a = TypeBuilder("reg.A").field("a", Schema::integer()).build();
    TypeRef b = TypeBuilder("reg.B").parent("reg.A").field("b", Schema::integer()).build();
    TypeRef c = TypeBuilder("reg.C").parent("reg.B").field("c", Schema::integer()).build();
    reg.registerTypes({a, b, c}, "p");
    QCOMPARE(fieldNames(*c), (Strings{"a", "b", "c"}));
    QVERIFY(c->isSubtypeOf("reg.A"));

    Registry later;
    TypeRef x = TypeBuilder("reg.X").parent("reg.Y").build();
    TypeRef y = TypeBuilder("reg.Y").build();
    TYPESYS_VERIFY_ERROR(later.registerTypes({x, y}, "p"), ErrorKind::Registration,
                         "cannot register 'reg.X': parent type 'reg.Y' is not registered");
    QCOMPARE(later.size(), size_t(0));
}

void TestRegistry::shouldRegisterEnumTypes()
{
    Registry reg;
    TypeRef color = TypeBuilder("reg.Color")
                        .doc("Colours.")
                        .member("RED", str("red"))
                        .member("GREEN", str("green"))
                        .member("ANSWER", Value::fromInt(42))
                        .build();
    reg.registerType(color, "p");
    QCOMPARE(color->kind, TypeKind::Enum);
    QCOMPARE(color->members.size(), size_t(3));
    QCOMPARE(qs(color->members[1].name), QString("GREEN"));
    QVERIFY(color->fields.empty());
    QCOMPARE(qs(color->findMember(str("green"))->name), QString("GREEN"));
    QCOMPARE(qs(color->findMember(Value::fromInt(42))->name), QString("ANSWER"));
    QVERIFY(!color->findMember(str("GREEN")));             // by value, not by name
    QVERIFY(!color->findMember(str("42")));
    QVERIFY(!color->findMember(Value::fromFloat(42.0)));
}

void TestRegistry::shouldRejectBadDefinitions_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("message");

    QTest::newRow("key with space") << 0 << "invalid type key 'geo point': use dotted identifiers such as 'geo.Point'";
    QTest::newRow("empty key") << 1 << "invalid type key '': use dotted identifiers such as 'geo.Point'";
    QTest::newRow("reserved key") << 2 << "invalid type key 'int': use dotted identifiers such as 'geo.Point'";
    QTest::newRow("field name with space") << 3 << "cannot register 'reg.T': field name 'not valid' is not an identifier";
    QTest::newRow("field name digit first") << 4 << "cannot register 'reg.T': field name '1x' is not an identifier";
    QTest::newRow("field name $type") << 5 << "cannot register 'reg.T': field name '$type' is not an identifier";
    QTest::newRow("duplicate field") << 6 << "cannot register 'reg.T': field 'x' is declared twice";
    QTest::newRow("duplicate key in batch") << 7 << "cannot register 'reg.T': the key appears twice in one batch";
    QTest::newRow("enum without members") << 8 << "cannot register 'reg.E': an enum needs at least one member";
    QTest::newRow("enum with field") << 9 << "cannot register 'reg.E': an enum has members, not fields or a parent";
    QTest::newRow("enum with parent") << 10 << "cannot register 'reg.E': an enum has members, not fields or a parent";
    QTest::newRow("enum float member") << 11 << "cannot register 'reg.E': enum member 'PI' must have a str or int value";
    QTest::newRow("enum duplicate member") << 12 << "cannot register 'reg.E': enum member 'RED' appears twice";
    QTest::newRow("enum parent") << 13 << "cannot register 'reg.T': parent 'reg.Color' is an enum, not an object type";
}

void TestRegistry::shouldRejectBadDefinitions()
{
    QFETCH(int, which);
    QFETCH(QString, message);

    Registry reg;
    reg.registerType(TypeBuilder("reg.Color").member("RED", str("red")).build(), "p");
    reg.registerType(simple("reg.Base"), "p");
    uint64_t version = reg.version();
    std::vector<TypeRef> batch;
    switch (which) {
    case 0: batch = {simple("geo point")}; break;
    case 1: batch = {simple("")}; break;
    case 2: batch = {simple("int")}; break;
    case 3: batch = {TypeBuilder("reg.T").field("not valid", Schema::integer()).build()}; break;
    case 4: batch = {TypeBuilder("reg.T").field("1x", Schema::integer()).build()}; break;
    case 5: batch = {TypeBuilder("reg.T").field("$type", Schema::str()).build()}; break;
    case 6:
        batch = {TypeBuilder("reg.T").field("x", Schema::integer()).field("x", Schema::str()).build()};
        break;
    case 7: batch = {simple("reg.U"), simple("reg.T"), simple("reg.T")}; break;
    case 8: {
        TypeRef e = TypeBuilder("reg.E").build();
        e->kind = TypeKind::Enum;
        batch = {e};
        break;
    }
    case 9: batch = {TypeBuilder("reg.E").field("x", Schema::integer()).member("A", str("a")).build()}; break;
    case 10: batch = {TypeBuilder("reg.E").parent("reg.Base").member("A", str("a")).build()}; break;
    case 11: batch = {TypeBuilder("reg.E").member("PI", Value::fromFloat(3.14)).build()}; break;
    case 12:
        batch = {TypeBuilder("reg.E").member("RED", str("r")).member("RED", str("red")).build()};
        break;
    case 13: batch = {TypeBuilder("reg.T").parent("reg.Color").build()}; break;
    }
    TYPESYS_VERIFY_ERROR(reg.registerTypes(batch, "p"), ErrorKind::Registration, message);
    QCOMPARE(reg.size(), size_t(2));
    QCOMPARE(reg.version(), version);
}

void TestRegistry::shouldValidateDefaultAgainstSchema()
{
    Registry reg;
    TYPESYS_VERIFY_ERROR(
        reg.registerType(TypeBuilder("reg.T").field("n", Schema::integer(), str("1")).build(), "p"),
        ErrorKind::Registration, "cannot register 'reg.T': default of field 'n': expected int, got str");
    TYPESYS_VERIFY_ERROR(
        reg.registerType(TypeBuilder("reg.T")
                             .field("xs", Schema::parse("list[int]"),
                                    Value::fromList(ListNode::make({Value::fromInt(1), str("a")})))
                             .build(),
                         "p"),
        ErrorKind::Registration, "cannot register 'reg.T': default of field 'xs': [1]: expected int, got str");
    TYPESYS_VERIFY_ERROR(
        reg.registerType(TypeBuilder("reg.T").field("c", Schema::parse("reg.Shade"), str("red")).build(), "p"),
        ErrorKind::Registration,
        "cannot register 'reg.T': default of field 'c': type 'reg.Shade' is not registered");
    QCOMPARE(reg.size(), size_t(0));

    // An enum defined earlier in the same batch resolves for the default.
    TypeRef shade = TypeBuilder("reg.Shade").member("DARK", str("dark")).build();
    TypeRef t = TypeBuilder("reg.T")
                    .field("c", Schema::parse("reg.Shade"), str("dark"))
                    .field("f", Schema::floating(), Value::fromInt(1))   // int is a valid float
                    .field("o", Schema::parse("Optional[reg.Later]"), Value())
                    .build();
    reg.registerTypes({shade, t}, "p");
    QCOMPARE(reg.size(), size_t(2));

    TYPESYS_VERIFY_ERROR(
        reg.registerType(TypeBuilder("reg.T2").field("c", Schema::parse("reg.Shade"), str("light")).build(), "p"),
        ErrorKind::Registration,
        "cannot register 'reg.T2': default of field 'c': expected a member of reg.Shade, got str 'light' (the members' values are 'dark')");
}

void TestRegistry::shouldAllowForwardReferences()
{
    Registry reg;
    TypeRef node = TypeBuilder("reg.Node")
                       .field("children", Schema::parse("list[reg.Node]"))
                       .field("next", Schema::parse("Optional[reg.Later]"), Value())
                       .field("map", Schema::parse("dict[str, Union[reg.Later, reg.Other]]"))
                       .build();
    reg.registerType(node, "p");
    QCOMPARE(reg.unresolvedReferences(*node), (Strings{"reg.Later", "reg.Other"}));
    reg.registerType(simple("reg.Later"), "p");
    QCOMPARE(reg.unresolvedReferences(*node), (Strings{"reg.Other"}));
    reg.registerType(simple("reg.Other"), "q");
    QVERIFY(reg.unresolvedReferences(*node).empty());

    TypeRef orphan = TypeBuilder("reg.Orphan").parent("reg.Gone").field("x", Schema::parse("reg.Other")).build();
    QCOMPARE(reg.unresolvedReferences(*orphan), (Strings{"reg.Gone"}));
}

void TestRegistry::shouldNotifyAddedRemovedAndReplaced()
{
    Registry reg;
    Recorder rec, other;
    int id = reg.subscribe(rec.listener());
    int otherId = reg.subscribe(other.listener());
    QVERIFY(id != otherId);

    reg.registerTypes({simple("reg.A"), simple("reg.B")}, "p");
    reg.registerTypes({simple("reg.A"), simple("reg.C")}, "p");
    reg.remove({"reg.B"}, "p");
    reg.unsubscribe(otherId);
    reg.removeOwner("p");

    QCOMPARE(rec.changes.size(), size_t(4));
    QCOMPARE(rec.changes[0].added, (Strings{"reg.A", "reg.B"}));
    QCOMPARE(rec.changes[0].version, uint64_t(1));
    QCOMPARE(rec.changes[1].added, (Strings{"reg.C"}));
    QCOMPARE(rec.changes[1].replaced, (Strings{"reg.A"}));
    QCOMPARE(rec.changes[1].version, uint64_t(2));
    QCOMPARE(rec.changes[2].removed, (Strings{"reg.B"}));
    QVERIFY(rec.changes[2].added.empty());
    QCOMPARE(rec.changes[3].removed, (Strings{"reg.A", "reg.C"}));
    QCOMPARE(rec.changes[3].version, uint64_t(4));
    QCOMPARE(other.changes.size(), size_t(3));

    reg.unsubscribe(id);
    reg.registerType(simple("reg.D"), "p");
    QCOMPARE(rec.changes.size(), size_t(4));
}

void TestRegistry::shouldCallListenersOutsideTheLock()
{
    Registry reg;
    std::vector<size_t> seenSizes;
    Strings seenKeys;
    reg.subscribe([&](const RegistryChange& c) {
        // Reading (and even writing) the registry from a listener must not deadlock.
        seenSizes.push_back(reg.snapshot().size());
        for (const std::string& k : c.added)
            seenKeys.push_back(reg.get(k)->key);
        if (!reg.find("reg.FromListener"))
            reg.registerType(simple("reg.FromListener"), "listener");
    });
    reg.registerType(simple("reg.A"), "p");
    QCOMPARE(seenSizes, (std::vector<size_t>{1, 2}));
    QCOMPARE(seenKeys, (Strings{"reg.A", "reg.FromListener"}));
    QCOMPARE(reg.size(), size_t(2));
}

void TestRegistry::shouldKeepSnapshotConsistent()
{
    Registry reg;
    reg.registerTypes({simple("reg.C"), simple("reg.A"), simple("reg.B")}, "p");
    std::vector<TypeRef> snap = reg.snapshot();
    QCOMPARE(keysOf(snap), (Strings{"reg.C", "reg.A", "reg.B"}));   // by index
    for (size_t i = 1; i < snap.size(); ++i)
        QVERIFY(snap[i - 1]->index < snap[i]->index);
    QCOMPARE(reg.keys(), (Strings{"reg.A", "reg.B", "reg.C"}));      // sorted

    reg.remove({"reg.A"}, "p");
    reg.registerType(simple("reg.C"), "p");
    QCOMPARE(keysOf(snap), (Strings{"reg.C", "reg.A", "reg.B"}));   // the copy did not move
    QVERIFY(snap[0]->isStale());
    QVERIFY(snap[1]->isStale());
    QVERIFY(!snap[2]->isStale());
    std::vector<TypeRef> now = reg.snapshot();
    QCOMPARE(keysOf(now), (Strings{"reg.C", "reg.B"}));
    QCOMPARE(now[0]->generation, uint32_t(2));
}

void TestRegistry::shouldLookUpByKeyAndIndexInLargeRegistry()
{
    Registry reg;
    const int n = 20000;
    std::vector<TypeRef> batch;
    batch.reserve(n);
    for (int i = 0; i < n; ++i)
        batch.push_back(TypeBuilder("big.m" + std::to_string(i % 97) + ".T" + std::to_string(i)).build());
    reg.registerTypes(batch, "bulk");
    QCOMPARE(reg.size(), size_t(n));
    for (int i = 0; i < n; ++i) {
        const std::string key = "big.m" + std::to_string(i % 97) + ".T" + std::to_string(i);
        TypeRef t = reg.find(key);
        QVERIFY(t);
        QCOMPARE(t.get(), batch[size_t(i)].get());
        QCOMPARE(reg.at(t->index).get(), t.get());
    }
    QVERIFY(!reg.find("big.m0.T1"));
    QCOMPARE(reg.snapshot().size(), size_t(n));
}

void TestRegistry::shouldRefuseBuilderMisuse()
{
    TypeBuilder b("reg.Built");
    b.field("x", Schema::integer());
    TypeRef t = b.build();
    QVERIFY(t);
    TYPESYS_VERIFY_ERROR(b.build(), ErrorKind::Internal, "internal error: TypeBuilder::build called twice");
    TYPESYS_VERIFY_ERROR(TypeBuilder("reg.NoField").fieldDoc("doc"), ErrorKind::Internal,
                         "internal error: TypeBuilder: no field to adjust yet");
    TYPESYS_VERIFY_ERROR(TypeBuilder("reg.NoField").kwOnly(), ErrorKind::Internal,
                         "internal error: TypeBuilder: no field to adjust yet");
}

QTEST_APPLESS_MAIN(TestRegistry)
#include "tst_registry.moc"
