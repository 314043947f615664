// validate / validateObject / setField: every schema kind, good and bad, with exact paths.

#include "test_support.h"

#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"
#include "typesys/validate.h"

#include <QObject>
#include <QTest>

#include <cmath>

using namespace typesys;
using testsupport::qs;
using testsupport::flt;
using testsupport::intDict;
using testsupport::list;
using testsupport::nested;
using testsupport::num;
using testsupport::str;
using testsupport::strDict;
using testsupport::ss;

namespace {


} // namespace

class TestValidate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldAcceptMatchingValue_data();
    void shouldAcceptMatchingValue();
    void shouldRejectMismatchWithPath_data();
    void shouldRejectMismatchWithPath();
    void shouldPushAndPopPathSteps();
    void shouldAcceptSubtypeWhereParentExpected();
    void shouldSetFieldAfterValidating();
    void shouldKeepOldValueWhenSetFieldFails();
    void shouldNameTypeFieldAndPathInSetFieldError();
    void shouldRejectUnknownFieldNumber();
    void shouldValidateWholeObject();
    void shouldDescribeKinds();
    void shouldReportPathsThroughNestedObjects();
    void shouldNotLoopOnCyclicObjects();

private:
    Value point(double x, double y);
    Value point3(double x, double y, double z);

    Registry m_registry;
    TypeRef m_point, m_point3, m_line, m_poly;
};

void TestValidate::initTestCase()
{
    m_point = TypeBuilder("val.Point").field("x", Schema::floating()).field("y", Schema::floating()).build();
    m_point3 = TypeBuilder("val.Point3").parent("val.Point").field("z", Schema::floating(), flt(0)).build();
    m_line = TypeBuilder("val.Line")
                 .field("points", Schema::parse("list[val.Point]"))
                 .field("label", Schema::parse("Optional[str]"), Value())
                 .field("width", Schema::floating(), flt(1.0))
                 .build();
    m_poly = TypeBuilder("val.Poly")
                 .field("points", Schema::parse("list[dict[str, Optional[float]]]"))
                 .build();
    TypeRef color = TypeBuilder("val.Color")
                        .member("RED", str("red"))
                        .member("GREEN", str("green"))
                        .member("ONE", num(1))
                        .build();
    m_registry.registerTypes({m_point, m_point3, m_line, m_poly, color}, "tst_validate");
}

Value TestValidate::point(double x, double y)
{
    auto o = ObjectNode::create(m_point);
    o->set(0, flt(x));
    o->set(1, flt(y));
    return Value::fromObject(o);
}

Value TestValidate::point3(double x, double y, double z)
{
    auto o = ObjectNode::create(m_point3);
    o->set(0, flt(x));
    o->set(1, flt(y));
    o->set(2, flt(z));
    return Value::fromObject(o);
}

void TestValidate::shouldAcceptMatchingValue_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<Value>("value");

    Value line = Value::fromObject(ObjectNode::createWithDefaults(m_line));
    QTest::newRow("Any none") << "Any" << Value();
    QTest::newRow("Any list") << "Any" << list({num(1), str("x")});
    QTest::newRow("Any object") << "Any" << point(1, 2);
    QTest::newRow("None") << "None" << Value();
    QTest::newRow("bool") << "bool" << Value::fromBool(false);
    QTest::newRow("int") << "int" << num(INT64_MIN);
    QTest::newRow("float") << "float" << flt(NAN);
    QTest::newRow("float takes int") << "float" << num(3);
    QTest::newRow("str") << "str" << str("");
    QTest::newRow("bytes") << "bytes" << Value::fromBytes("\x00\xff");
    QTest::newRow("list empty") << "list[int]" << list({});
    QTest::newRow("list") << "list[Optional[int]]" << list({num(1), Value(), num(3)});
    QTest::newRow("dict str") << "dict[str, float]" << strDict({{"a", flt(1)}, {"$b", num(2)}});
    QTest::newRow("dict int") << "dict[int, str]" << intDict({{-1, str("a")}});
    QTest::newRow("dict empty int") << "dict[int, str]" << intDict({});
    QTest::newRow("tuple var") << "tuple[int, ...]" << list({num(1), num(2), num(3)});
    QTest::newRow("tuple fixed") << "tuple[int, str]" << list({num(1), str("a")});
    QTest::newRow("tuple empty") << "tuple[()]" << list({});
    QTest::newRow("optional none") << "Optional[val.Point]" << Value();
    QTest::newRow("optional value") << "Optional[val.Point]" << point(0, 0);
    QTest::newRow("union first") << "Union[int, str]" << num(1);
    QTest::newRow("union second") << "Union[int, str]" << str("a");
    QTest::newRow("union nested") << "Union[None, list[Union[int, bytes]]]" << list({Value::fromBytes("b"), num(2)});
    QTest::newRow("literal str") << "Literal['a', 1]" << str("a");
    QTest::newRow("literal int") << "Literal['a', 1]" << num(1);
    QTest::newRow("literal negative") << "Literal[-2]" << num(-2);
    QTest::newRow("named") << "val.Point" << point(1, 2);
    QTest::newRow("named subtype") << "val.Point" << point3(1, 2, 3);
    QTest::newRow("object") << "Object" << line;
    QTest::newRow("enum str member") << "val.Color" << str("green");
    QTest::newRow("enum int member") << "val.Color" << num(1);
    QTest::newRow("optional enum") << "Optional[val.Color]" << Value();
    QTest::newRow("list of subtypes") << "list[val.Point]" << list({point(0, 0), point3(0, 0, 0)});
    QTest::newRow("opaque dict") << "Opaque['m.C']" << strDict({{"a", list({point(0, 0), Value()})}});
    QTest::newRow("opaque list") << "Opaque['m.C']" << list({num(1), str("x")});
    QTest::newRow("opaque empty dict") << "Opaque['m.C']" << strDict({});
    QTest::newRow("opaque with shape") << "Opaque['m.P', tuple[int, str]]" << list({num(1), str("a")});
}

void TestValidate::shouldAcceptMatchingValue()
{
    QFETCH(QString, schema);
    QFETCH(Value, value);

    auto err = testsupport::errorOf([&] { validate(value, Schema::parse(ss(schema)), m_registry); });
    QVERIFY2(!err, err ? err->what() : "");
}

void TestValidate::shouldRejectMismatchWithPath_data()
{
    QTest::addColumn<QString>("schema");
    QTest::addColumn<Value>("value");
    QTest::addColumn<QString>("message");

    Value line = Value::fromObject(ObjectNode::createWithDefaults(m_line));
    QTest::newRow("None") << "None" << num(1) << "expected None, got int";
    QTest::newRow("bool from int") << "bool" << num(1) << "expected bool, got int";
    QTest::newRow("int from bool") << "int" << Value::fromBool(true) << "expected int, got bool";
    QTest::newRow("int from float") << "int" << flt(1.0) << "expected int, got float";
    QTest::newRow("float from str") << "float" << str("1.5") << "expected float, got str";
    QTest::newRow("float from bool") << "float" << Value::fromBool(true) << "expected float, got bool";
    QTest::newRow("float from none") << "float" << Value() << "expected float, got none";
    QTest::newRow("str from bytes") << "str" << Value::fromBytes("a") << "expected str, got bytes";
    QTest::newRow("bytes from str") << "bytes" << str("a") << "expected bytes, got str";
    QTest::newRow("list from int") << "list[int]" << num(1) << "expected list[int], got int";
    QTest::newRow("list from dict") << "list[int]" << strDict({}) << "expected list[int], got dict";
    QTest::newRow("list element") << "list[int]" << list({num(1), str("a")}) << "[1]: expected int, got str";
    QTest::newRow("nested lists") << "list[list[int]]" << list({list({num(1)}), list({num(2), str("x")})})
                                  << "[1][1]: expected int, got str";
    QTest::newRow("dict value") << "dict[str, int]" << strDict({{"a", num(1)}, {"b", str("x")}})
                                << "['b']: expected int, got str";
    QTest::newRow("dict key quoted") << "dict[str, int]" << strDict({{"it's", str("x")}})
                                     << "['it\\'s']: expected int, got str";
    QTest::newRow("dict from list") << "dict[str, int]" << list({}) << "expected dict[str, int], got list";
    QTest::newRow("dict int keys for str") << "dict[str, int]" << intDict({})
                                           << "expected dict[str, int], got a dict with int keys";
    QTest::newRow("dict str keys for int") << "dict[int, int]" << strDict({})
                                           << "expected dict[int, int], got a dict with str keys";
    QTest::newRow("tuple var element") << "tuple[int, ...]" << list({str("a")}) << "[0]: expected int, got str";
    QTest::newRow("tuple too short") << "tuple[int, str]" << list({num(1)})
                                     << "expected tuple[int, str], got a sequence of length 1";
    QTest::newRow("tuple too long") << "tuple[()]" << list({num(1)})
                                    << "expected tuple[()], got a sequence of length 1";
    QTest::newRow("tuple element") << "tuple[int, str]" << list({num(1), num(2)}) << "[1]: expected str, got int";
    QTest::newRow("optional inner") << "Optional[int]" << str("a") << "expected int, got str";
    QTest::newRow("union") << "Union[int, str]" << flt(1.5) << "expected Union[int, str], got float";
    QTest::newRow("union of containers") << "Union[int, list[int]]" << list({str("a")})
                                         << "expected Union[int, list[int]], got list";
    QTest::newRow("literal str") << "Literal['a', 1]" << str("b") << "expected Literal['a', 1], got str 'b'";
    QTest::newRow("literal int") << "Literal['a', 1]" << num(2) << "expected Literal['a', 1], got int 2";
    QTest::newRow("literal bool") << "Literal[1]" << Value::fromBool(true) << "expected Literal[1], got bool";
    QTest::newRow("literal bytes") << "Literal['a']" << Value::fromBytes("a") << "expected Literal['a'], got bytes";
    QTest::newRow("named other type") << "val.Point" << line << "expected val.Point, got val.Line";
    QTest::newRow("opaque int") << "Opaque['m.C']" << num(1) << "expected Opaque['m.C'], got int";
    QTest::newRow("opaque object") << "Opaque['m.C']" << line << "expected Opaque['m.C'], got val.Line";
    QTest::newRow("opaque int keys") << "Opaque['m.C']" << intDict({})
                                     << "expected Opaque['m.C'], got a dict with int keys";
    QTest::newRow("opaque shape") << "Opaque['m.P', tuple[int, str]]" << list({num(1)})
                                  << "expected tuple[int, str], got a sequence of length 1";
    QTest::newRow("opaque shape element") << "Opaque['m.P', tuple[int, str]]" << list({num(1), num(2)})
                                          << "[1]: expected str, got int";
    QTest::newRow("named parent for child") << "val.Point3" << point(1, 2) << "expected val.Point3, got val.Point";
    QTest::newRow("named from int") << "val.Point" << num(1) << "expected val.Point, got int";
    QTest::newRow("named from none") << "val.Point" << Value() << "expected val.Point, got none";
    QTest::newRow("named from dict") << "val.Point" << strDict({{"x", flt(1)}}) << "expected val.Point, got dict";
    QTest::newRow("object from int") << "Object" << num(1) << "expected Object, got int";
    QTest::newRow("enum unknown value") << "val.Color" << str("blue") << "expected a member of val.Color, got str 'blue' (the members' values are 'red', 'green', 1)";
    QTest::newRow("enum member name") << "val.Color" << str("RED") << "expected a member of val.Color, got str 'RED' ('RED' is the name of member RED, whose value is 'red')";
    QTest::newRow("enum int") << "val.Color" << num(2) << "expected a member of val.Color, got int 2 (the members' values are 'red', 'green', 1)";
    QTest::newRow("enum float") << "val.Color" << flt(1.0) << "expected a member of val.Color, got float (the members' values are 'red', 'green', 1)";
    QTest::newRow("unregistered") << "val.Missing" << num(1) << "type 'val.Missing' is not registered";
    QTest::newRow("deep path") << "dict[str, list[Optional[float]]]"
                               << strDict({{"k", list({flt(1.0), Value(), str("x")})}})
                               << "['k'][2]: expected float, got str";
    QTest::newRow("points[2].x") << "list[dict[str, float]]"
                                 << list({strDict({{"x", flt(0)}}), strDict({{"x", flt(0)}}),
                                          strDict({{"x", str("a")}})})
                                 << "[2]['x']: expected float, got str";
}

void TestValidate::shouldRejectMismatchWithPath()
{
    QFETCH(QString, schema);
    QFETCH(Value, value);
    QFETCH(QString, message);

    Schema s = Schema::parse(ss(schema));
    TYPESYS_VERIFY_ERROR(validate(value, s, m_registry), ErrorKind::Validation, message);

    // The message is the formatted path, then the reason.
    auto err = testsupport::errorOf([&] { validate(value, s, m_registry); });
    QVERIFY(err);
    QString where = qs(formatPath(err->path()));
    QCOMPARE(where.isEmpty() ? qs(err->reason()) : where + ": " + qs(err->reason()), message);
}

void TestValidate::shouldPushAndPopPathSteps()
{
    Schema s = Schema::parse("list[float]");
    Path path{{PathStep::Field, "points", 0}, {PathStep::Index, {}, 2}};
    validate(list({flt(1)}), s, m_registry, path);
    QCOMPARE(path.size(), size_t(2));   // balanced after success

    auto err = testsupport::errorOf([&] { validate(list({flt(1), str("a")}), s, m_registry, path); });
    QVERIFY(err);
    QCOMPARE(qs(err->what()), QString("points[2][1]: expected float, got str"));
    QCOMPARE(qs(err->pointer()), QString("/points/2/1"));
    QCOMPARE(qs(err->reason()), QString("expected float, got str"));

    Path xy{{PathStep::Field, "points", 0}, {PathStep::Index, {}, 2}, {PathStep::Field, "x", 0}};
    QCOMPARE(qs(formatPath(xy)), QString("points[2].x"));
    QCOMPARE(qs(formatPointer(xy)), QString("/points/2/x"));
    Path odd{{PathStep::Key, "a/b~c", 0}, {PathStep::Key, "q'\\", 0}};
    QCOMPARE(qs(formatPath(odd)), QString("['a/b~c']['q\\'\\\\']"));
    QCOMPARE(qs(formatPointer(odd)), QString("/a~1b~0c/q'\\"));
    QCOMPARE(qs(formatPointer({})), QString(""));
    Path intKey{{PathStep::Field, "byId", 0}, {PathStep::IntKey, "-7", 0}, {PathStep::Field, "x", 0}};
    QCOMPARE(qs(formatPath(intKey)), QString("byId[-7].x"));   // as Python subscripts it
    QCOMPARE(qs(formatPointer(intKey)), QString("/byId/-7/x"));
    Path fresh;
    auto keyed = testsupport::errorOf([&] {
        validate(intDict({{7, str("a")}}), Schema::parse("dict[int, int]"), m_registry, fresh);
    });
    QVERIFY(keyed);
    QCOMPARE(qs(keyed->what()), QString("[7]: expected int, got str"));
}

void TestValidate::shouldAcceptSubtypeWhereParentExpected()
{
    auto line = ObjectNode::createWithDefaults(m_line);
    Value pts = list({point(0, 0), point3(1, 2, 3)});
    setField(*line, 0, pts, m_registry);
    QCOMPARE(line->get(0).asList(), pts.asList());
    validate(point3(0, 0, 0), Schema::parse("Optional[val.Point]"), m_registry);
    validate(point3(0, 0, 0), Schema::anyObject(), m_registry);
}

void TestValidate::shouldSetFieldAfterValidating()
{
    auto line = ObjectNode::createWithDefaults(m_line);
    setField(*line, 2, num(4), m_registry);   // int into a float field
    QCOMPARE(line->get(2).kind(), ValueKind::Float);
    QCOMPARE(line->get(2).asFloat(), 4.0);
    setField(*line, 1, str("main"), m_registry);
    QCOMPARE(qs(line->get(1).asStr()), QString("main"));
    setField(*line, 1, Value(), m_registry);
    QVERIFY(line->get(1).isNone());
}

void TestValidate::shouldKeepOldValueWhenSetFieldFails()
{
    auto line = ObjectNode::createWithDefaults(m_line);
    Value pts = list({point(0, 0)});
    setField(*line, 0, pts, m_registry);
    setField(*line, 2, flt(2.5), m_registry);

    QVERIFY(testsupport::errorOf([&] { setField(*line, 0, list({point(1, 1), num(3)}), m_registry); }));
    QCOMPARE(line->get(0).asList(), pts.asList());
    QVERIFY(testsupport::errorOf([&] { setField(*line, 2, str("wide"), m_registry); }));
    QCOMPARE(line->get(2).asFloat(), 2.5);

    auto fresh = ObjectNode::create(m_line);
    QVERIFY(testsupport::errorOf([&] { setField(*fresh, 0, num(1), m_registry); }));
    QVERIFY(!fresh->isSet(0));   // an unset field stays unset
}

void TestValidate::shouldNameTypeFieldAndPathInSetFieldError()
{
    auto line = ObjectNode::createWithDefaults(m_line);
    TYPESYS_VERIFY_ERROR(setField(*line, 0, list({point(0, 0), point(1, 1), num(2)}), m_registry),
                         ErrorKind::Validation, "val.Line.points[2]: expected val.Point, got int");
    TYPESYS_VERIFY_ERROR(setField(*line, 2, str("x"), m_registry), ErrorKind::Validation,
                         "val.Line.width: expected float, got str");
    TYPESYS_VERIFY_ERROR(setField(*line, 1, num(1), m_registry), ErrorKind::Validation,
                         "val.Line.label: expected str, got int");

    auto poly = ObjectNode::create(m_poly);
    Value pts = list({strDict({{"x", flt(0)}}), strDict({{"x", Value()}}), strDict({{"x", str("a")}})});
    auto err = testsupport::errorOf([&] { setField(*poly, 0, pts, m_registry); });
    QVERIFY(err);
    QCOMPARE(qs(err->what()), QString("val.Poly.points[2]['x']: expected float, got str"));
    QCOMPARE(qs(err->pointer()), QString("/points/2/x"));
    QCOMPARE(qs(err->reason()), QString("expected float, got str"));
    QCOMPARE(err->path().size(), size_t(3));
    QCOMPARE(err->path()[0].kind, PathStep::Field);
    QCOMPARE(err->path()[1].kind, PathStep::Index);
    QCOMPARE(err->path()[2].kind, PathStep::Key);
}

void TestValidate::shouldRejectUnknownFieldNumber()
{
    auto p = ObjectNode::create(m_point);
    TYPESYS_VERIFY_ERROR(setField(*p, 2, flt(1), m_registry), ErrorKind::Lookup, "val.Point: no field number 2");
}

void TestValidate::shouldValidateWholeObject()
{
    Path path;
    auto line = ObjectNode::createWithDefaults(m_line);
    // "points" has no default and is unset; "label" and "width" have defaults.
    TYPESYS_VERIFY_ERROR(validateObject(*line, m_registry, path), ErrorKind::Validation,
                         "points: field is not set");
    path.clear();

    line->set(0, list({point(0, 0)}));
    validateObject(*line, m_registry, path);
    QVERIFY(path.empty());

    // Unset fields that have a default are fine (the default applies).
    line->unset(1);
    line->unset(2);
    validateObject(*line, m_registry, path);

    // set() does not validate; validateObject finds what slipped in.
    line->set(1, num(5));
    Path outer{{PathStep::Field, "shape", 0}};
    TYPESYS_VERIFY_ERROR(validateObject(*line, m_registry, outer), ErrorKind::Validation,
                         "shape.label: expected str, got int");
}

void TestValidate::shouldDescribeKinds()
{
    QCOMPARE(qs(describeKind(point(0, 0))), QString("val.Point"));
    QCOMPARE(qs(describeKind(Value())), QString("none"));
    QCOMPARE(qs(describeKind(list({}))), QString("list"));
    QCOMPARE(qs(describeKind(Value::fromBytes(""))), QString("bytes"));
}

QTEST_APPLESS_MAIN(TestValidate)
void TestValidate::shouldReportPathsThroughNestedObjects()
{
    Registry reg;
    reg.registerTypes({TypeBuilder("nest.Point").field("x", Schema::floating()).field("label", Schema::str()).build(),
                       TypeBuilder("nest.Line").field("points", Schema::parse("list[nest.Point]")).build()},
                      "test");
    auto point = [&](Value label) {
        auto p = ObjectNode::create(reg.get("nest.Point"));
        p->set(0, flt(0.0));
        p->set(1, std::move(label));   // set() does not validate: a bad value deep inside
        return Value::fromObject(p);
    };
    Value points = list({point(str("a")), point(str("b")), point(num(7))});
    auto line = ObjectNode::create(reg.get("nest.Line"));
    TYPESYS_VERIFY_ERROR(setField(*line, 0, points, reg), ErrorKind::Validation,
                         "nest.Line.points[2].label: expected str, got int");
    QVERIFY(!line->isSet(0));
    Path path;
    TYPESYS_VERIFY_ERROR(validate(points, Schema::parse("list[nest.Point]"), reg, path), ErrorKind::Validation,
                         "[2].label: expected str, got int");
}

void TestValidate::shouldNotLoopOnCyclicObjects()
{
    Registry reg;
    reg.registerType(TypeBuilder("nest.Node").field("next", Schema::parse("Optional[nest.Node]")).build(), "test");
    auto a = ObjectNode::create(reg.get("nest.Node"));
    auto b = ObjectNode::create(reg.get("nest.Node"));
    a->set(0, Value::fromObject(b));
    b->set(0, Value::fromObject(a));
    validate(Value::fromObject(a), Schema::named("nest.Node"), reg);   // terminates, no error
    a->unset(0);   // break the cycle so both are freed
}

#include "tst_validate.moc"
