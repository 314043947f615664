// equals / hashValue / compareValues / deepCopy: Python-like numbers, NaN and -0.0, objects
// with compare=False fields, cycles, and sharing preserved by deep copies.

#include "test_support.h"

#include "typesys/compare.h"
#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <QObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace typesys;
using testsupport::qs;
using testsupport::flt;
using testsupport::intDict;
using testsupport::list;
using testsupport::nested;
using testsupport::num;
using testsupport::str;
using testsupport::strDict;

namespace {


const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
const double k2p53 = 9007199254740992.0;
const double k2p63 = 9223372036854775808.0;

const char* const kCycleMessage = "maximum recursion depth exceeded in comparison (the value may contain a cycle)";

// -1 less, 0 equivalent, 1 greater, 2 unordered
int orderCode(std::partial_ordering o)
{
    if (o == std::partial_ordering::less)
        return -1;
    if (o == std::partial_ordering::equivalent)
        return 0;
    if (o == std::partial_ordering::greater)
        return 1;
    return 2;
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldCompareEqualAndHashAlike_data();
    void shouldCompareEqualAndHashAlike();
    void shouldOrderValues_data();
    void shouldOrderValues();
    void shouldIgnoreFieldsWithCompareFalse();
    void shouldThrowOnCyclesInsteadOfOverflowing();
    void shouldThrowBeyondDepthLimit();
    void shouldDeepCopySharedSubGraphsOnce();
    void shouldDeepCopyCycles();
    void shouldDeepCopyObjects();

private:
    Value item(int64_t id, const char* name, Value cache, double weight);
    Value node(int64_t value);

    Registry m_registry;
    TypeRef m_item, m_other, m_node;
};

void TestCompare::initTestCase()
{
    FieldInfo cache;
    cache.name = "cache";
    cache.schema = Schema::any();
    cache.compare = false;   // and so hash follows: excluded from both
    FieldInfo weight;
    weight.name = "weight";
    weight.schema = Schema::floating();
    weight.hash = false;     // compared, not hashed
    m_item = TypeBuilder("cmp.Item")
                 .field("id", Schema::integer())
                 .field("name", Schema::str())
                 .field(cache)
                 .field(weight)
                 .build();
    m_other = TypeBuilder("cmp.Other")
                  .field("id", Schema::integer())
                  .field("name", Schema::str())
                  .field(cache)
                  .field(weight)
                  .build();
    m_node = TypeBuilder("cmp.Node")
                 .field("value", Schema::integer())
                 .field("next", Schema::parse("Optional[cmp.Node]"), Value())
                 .build();
    m_registry.registerTypes({m_item, m_other, m_node}, "tst_compare");
}

Value TestCompare::item(int64_t id, const char* name, Value cache, double weight)
{
    auto o = ObjectNode::create(m_item);
    o->set(0, num(id));
    o->set(1, str(name));
    o->set(2, std::move(cache));
    o->set(3, flt(weight));
    return Value::fromObject(o);
}

Value TestCompare::node(int64_t value)
{
    auto o = ObjectNode::createWithDefaults(m_node);
    o->set(0, num(value));
    return Value::fromObject(o);
}

void TestCompare::shouldCompareEqualAndHashAlike_data()
{
    QTest::addColumn<Value>("a");
    QTest::addColumn<Value>("b");
    QTest::addColumn<bool>("equal");

    QTest::newRow("1 == 1.0") << num(1) << flt(1.0) << true;
    QTest::newRow("NaN == NaN") << flt(kNaN) << flt(-std::nan("7")) << true;
    QTest::newRow("-0.0 == 0.0") << flt(-0.0) << flt(0.0) << true;
    QTest::newRow("0 == -0.0") << num(0) << flt(-0.0) << true;
    QTest::newRow("true == 1") << Value::fromBool(true) << num(1) << true;
    QTest::newRow("false == 0.0") << Value::fromBool(false) << flt(0.0) << true;
    QTest::newRow("INT64_MIN == -2.0**63") << num(INT64_MIN) << flt(-k2p63) << true;
    QTest::newRow("2**53 + 1 != 2.0**53") << num(9007199254740993) << flt(k2p53) << false;
    QTest::newRow("INT64_MAX != 2.0**63") << num(INT64_MAX) << flt(k2p63) << false;
    QTest::newRow("1 != 1.5") << num(1) << flt(1.5) << false;
    QTest::newRow("NaN != 0") << flt(kNaN) << num(0) << false;
    QTest::newRow("inf != INT64_MAX") << flt(kInf) << num(INT64_MAX) << false;
    QTest::newRow("inf == inf") << flt(kInf) << flt(kInf) << true;
    QTest::newRow("inf != -inf") << flt(kInf) << flt(-kInf) << false;
    QTest::newRow("str == str") << str("h\xc3\xa9") << str("h\xc3\xa9") << true;
    QTest::newRow("str != str") << str("a") << str("b") << false;
    QTest::newRow("str != bytes") << str("a") << Value::fromBytes("a") << false;
    QTest::newRow("bytes == bytes") << Value::fromBytes(std::string_view("\0\1", 2))
                                    << Value::fromBytes(std::string_view("\0\1", 2)) << true;
    QTest::newRow("None == None") << Value() << Value() << true;
    QTest::newRow("None != 0") << Value() << num(0) << false;
    QTest::newRow("None != False") << Value() << Value::fromBool(false) << false;
    QTest::newRow("'1' != 1") << str("1") << num(1) << false;
    QTest::newRow("lists by value") << list({num(1), flt(2.0)}) << list({flt(1.0), num(2)}) << true;
    QTest::newRow("lists of NaN") << list({list({flt(kNaN)})}) << list({list({flt(kNaN)})}) << true;
    QTest::newRow("list length") << list({num(1)}) << list({num(1), num(1)}) << false;
    QTest::newRow("empty lists") << list({}) << list({}) << true;
    QTest::newRow("list != dict") << list({}) << strDict({}) << false;
    QTest::newRow("dict order ignored") << strDict({{"a", num(1)}, {"b", num(2)}})
                                        << strDict({{"b", num(2)}, {"a", num(1)}}) << true;
    QTest::newRow("dict value") << strDict({{"a", num(1)}}) << strDict({{"a", num(2)}}) << false;
    QTest::newRow("dict extra key") << strDict({{"a", num(1)}}) << strDict({{"a", num(1)}, {"b", num(1)}}) << false;
    QTest::newRow("dict other key") << strDict({{"a", num(1)}}) << strDict({{"b", num(1)}}) << false;
    QTest::newRow("int keys") << intDict({{1, str("x")}, {-5, Value()}}) << intDict({{-5, Value()}, {1, str("x")}})
                              << true;
    QTest::newRow("int vs str keys") << intDict({}) << strDict({}) << false;
    QTest::newRow("object, cache ignored") << item(1, "a", num(1), 1.0) << item(1, "a", str("other"), 1.0) << true;
    QTest::newRow("object, 1 == 1.0 in fields") << item(1, "a", Value(), 2.0) << item(1, "a", Value(), 2) << true;
    QTest::newRow("object weight") << item(1, "a", Value(), 1.0) << item(1, "a", Value(), 1.5) << false;
    QTest::newRow("object name") << item(1, "a", Value(), 1.0) << item(1, "b", Value(), 1.0) << false;
    QTest::newRow("object, unset vs set") << Value::fromObject(ObjectNode::create(m_item))
                                          << item(1, "a", Value(), 1.0) << false;
    QTest::newRow("object, both unset") << Value::fromObject(ObjectNode::create(m_item))
                                        << Value::fromObject(ObjectNode::create(m_item)) << true;
    QTest::newRow("object chains") << [this] {
        Value a = node(1);
        a.asObject()->set(1, node(2));
        return a;
    }() << [this] {
        Value b = node(1);
        b.asObject()->set(1, node(2));
        return b;
    }() << true;
}

void TestCompare::shouldCompareEqualAndHashAlike()
{
    QFETCH(Value, a);
    QFETCH(Value, b);
    QFETCH(bool, equal);

    QCOMPARE(equals(a, b), equal);
    QCOMPARE(equals(b, a), equal);
    QVERIFY(equals(a, a));
    QVERIFY(equals(b, b));
    QCOMPARE(hashValue(a), hashValue(a));
    if (equal)
        QCOMPARE(hashValue(a), hashValue(b));
}

void TestCompare::shouldOrderValues_data()
{
    QTest::addColumn<Value>("a");
    QTest::addColumn<Value>("b");
    QTest::addColumn<int>("order");   // -1 less, 0 equivalent, 1 greater, 2 unordered

    QTest::newRow("1 < 2") << num(1) << num(2) << -1;
    QTest::newRow("INT64_MIN < INT64_MAX") << num(INT64_MIN) << num(INT64_MAX) << -1;
    QTest::newRow("2 > 1.5") << num(2) << flt(1.5) << 1;
    QTest::newRow("1 ~ 1.0") << num(1) << flt(1.0) << 0;
    QTest::newRow("-1 > -1.5") << num(-1) << flt(-1.5) << 1;
    QTest::newRow("-2 < -1.5") << num(-2) << flt(-1.5) << -1;
    QTest::newRow("2**53 + 1 > 2.0**53") << num(9007199254740993) << flt(k2p53) << 1;
    QTest::newRow("2.0**53 < 2**53 + 1") << flt(k2p53) << num(9007199254740993) << -1;
    QTest::newRow("INT64_MAX < 2.0**63") << num(INT64_MAX) << flt(k2p63) << -1;
    QTest::newRow("INT64_MIN ~ -2.0**63") << num(INT64_MIN) << flt(-k2p63) << 0;
    QTest::newRow("INT64_MIN > -inf") << num(INT64_MIN) << flt(-kInf) << 1;
    QTest::newRow("1 < NaN") << num(1) << flt(kNaN) << -1;
    QTest::newRow("NaN > 1") << flt(kNaN) << num(1) << 1;
    QTest::newRow("true > 0") << Value::fromBool(true) << num(0) << 1;
    QTest::newRow("true ~ 1.0") << Value::fromBool(true) << flt(1.0) << 0;
    QTest::newRow("-0.0 ~ 0.0") << flt(-0.0) << flt(0.0) << 0;
    QTest::newRow("-inf < -1e308") << flt(-kInf) << flt(-1e308) << -1;
    QTest::newRow("inf < NaN") << flt(kInf) << flt(kNaN) << -1;
    QTest::newRow("NaN ~ NaN") << flt(kNaN) << flt(kNaN) << 0;
    QTest::newRow("'a' < 'b'") << str("a") << str("b") << -1;
    QTest::newRow("'' < 'a'") << str("") << str("a") << -1;
    QTest::newRow("'\xc3\xa9' > 'z' (code points)") << str("\xc3\xa9") << str("z") << 1;
    QTest::newRow("bytes") << Value::fromBytes("\x01") << Value::fromBytes("\xff") << -1;
    QTest::newRow("str vs bytes") << str("a") << Value::fromBytes("a") << 2;
    QTest::newRow("str vs int") << str("1") << num(1) << 2;
    QTest::newRow("None ~ None") << Value() << Value() << 0;
    QTest::newRow("None vs 0") << Value() << num(0) << 2;
    QTest::newRow("[1, 2] < [1, 3]") << list({num(1), num(2)}) << list({num(1), num(3)}) << -1;
    QTest::newRow("[1] < [1, 0]") << list({num(1)}) << list({num(1), num(0)}) << -1;
    QTest::newRow("[2] > [1, 5]") << list({num(2)}) << list({num(1), num(5)}) << 1;
    QTest::newRow("[] ~ []") << list({}) << list({}) << 0;
    QTest::newRow("[1, 'a'] vs [1, 2]") << list({num(1), str("a")}) << list({num(1), num(2)}) << 2;
    QTest::newRow("dicts") << strDict({}) << strDict({}) << 2;
    QTest::newRow("objects by field") << item(1, "b", Value(), 0) << item(2, "a", Value(), 0) << -1;
    QTest::newRow("objects, cache ignored") << item(1, "a", num(9), 0) << item(1, "a", num(1), 0) << 0;
    QTest::newRow("objects of other types") << item(1, "a", Value(), 0)
                                            << [this] {
                                                   auto o = ObjectNode::create(m_other);
                                                   o->set(0, num(1));
                                                   o->set(1, str("a"));
                                                   o->set(3, flt(0));
                                                   return Value::fromObject(o);
                                               }() << 2;
}

void TestCompare::shouldOrderValues()
{
    QFETCH(Value, a);
    QFETCH(Value, b);
    QFETCH(int, order);

    QCOMPARE(orderCode(compareValues(a, b)), order);
    QCOMPARE(orderCode(compareValues(b, a)), order == 2 ? 2 : -order);
    // Ordering agrees with equality wherever both are defined.
    if (order != 2)
        QCOMPARE(order == 0, equals(a, b));
}

void TestCompare::shouldIgnoreFieldsWithCompareFalse()
{
    Value a = item(7, "same", list({num(1)}), 3.0);
    Value b = item(7, "same", strDict({{"x", num(2)}}), 3.0);
    QVERIFY(equals(a, b));
    QCOMPARE(hashValue(a), hashValue(b));
    QCOMPARE(orderCode(compareValues(a, b)), 0);
    QVERIFY(!m_item->fields[2].compare);
    QVERIFY(!m_item->fields[2].hashes());
    QVERIFY(m_item->fields[3].compare);
    QVERIFY(!m_item->fields[3].hashes());
    QVERIFY(m_item->fields[0].hashes());
}

void TestCompare::shouldThrowOnCyclesInsteadOfOverflowing()
{
    auto la = ListNode::make();
    auto lb = ListNode::make();
    la->append(Value::fromList(la));
    lb->append(Value::fromList(lb));
    Value a = Value::fromList(la), b = Value::fromList(lb);
    QVERIFY(equals(a, a));   // the same node is equal without descending
    TYPESYS_VERIFY_ERROR(equals(a, b), ErrorKind::Validation, kCycleMessage);
    TYPESYS_VERIFY_ERROR(hashValue(a), ErrorKind::Validation, kCycleMessage);
    TYPESYS_VERIFY_ERROR(compareValues(a, b), ErrorKind::Validation, kCycleMessage);

    auto d = DictNode::make(DictNode::StrKeys);
    d->set(str("self"), Value::fromDict(d));
    TYPESYS_VERIFY_ERROR(hashValue(Value::fromDict(d)), ErrorKind::Validation, kCycleMessage);

    Value n1 = node(1), n2 = node(1);
    n1.asObject()->set(1, n1);
    n2.asObject()->set(1, n2);
    TYPESYS_VERIFY_ERROR(equals(n1, n2), ErrorKind::Validation, kCycleMessage);
    TYPESYS_VERIFY_ERROR(hashValue(n1), ErrorKind::Validation, kCycleMessage);
    TYPESYS_VERIFY_ERROR(compareValues(n1, n2), ErrorKind::Validation, kCycleMessage);

    // Break the cycles so that reference counting frees them.
    la->assign({});
    lb->assign({});
    d->erase(str("self"));
    n1.asObject()->unset(1);
    n2.asObject()->unset(1);
}

void TestCompare::shouldThrowBeyondDepthLimit()
{
    QVERIFY(equals(nested(500, num(1)), nested(500, flt(1.0))));
    QCOMPARE(hashValue(nested(500, num(1))), hashValue(nested(500, flt(1.0))));
    TYPESYS_VERIFY_ERROR(equals(nested(600, num(1)), nested(600, num(1))), ErrorKind::Validation, kCycleMessage);
    TYPESYS_VERIFY_ERROR(hashValue(nested(600, num(1))), ErrorKind::Validation, kCycleMessage);
}

void TestCompare::shouldDeepCopySharedSubGraphsOnce()
{
    Value shared = list({num(1)});
    Value v = list({shared, shared, strDict({{"k", shared}}), str("text")});
    Value c = deepCopy(v);
    QVERIFY(equals(c, v));
    QVERIFY(c.node() != v.node());
    std::vector<Value> items = c.asList()->snapshot();
    QCOMPARE(items[0].node(), items[1].node());
    QVERIFY(items[0].node() != shared.node());
    Value inDict;
    QVERIFY(items[2].asDict()->get(str("k"), &inDict));
    QCOMPARE(inDict.node(), items[0].node());
    QCOMPARE(items[3].node(), v.asList()->at(3).node());   // immutable strings are shared

    items[0].asList()->append(num(2));
    QCOMPARE(shared.asList()->size(), size_t(1));   // the copy is independent
    QCOMPARE(inDict.asList()->size(), size_t(2));

    QVERIFY(deepCopy(num(5)).asInt() == 5);
    QVERIFY(deepCopy(Value()).isNone());
    QCOMPARE(deepCopy(intDict({{3, num(4)}})).asDict()->keyKind(), DictNode::IntKeys);
}

void TestCompare::shouldDeepCopyCycles()
{
    auto l = ListNode::make({num(1)});
    l->append(Value::fromList(l));
    Value c = deepCopy(Value::fromList(l));
    QVERIFY(c.node() != l.get());
    QCOMPARE(c.asList()->size(), size_t(2));
    QCOMPARE(c.asList()->at(0).asInt(), int64_t(1));
    QCOMPARE(c.asList()->at(1).node(), c.node());   // the copy cycles onto itself

    Value n = node(1);
    n.asObject()->set(1, n);
    Value cn = deepCopy(n);
    QVERIFY(cn.node() != n.node());
    QCOMPARE(cn.asObject()->get(1).node(), cn.node());

    l->assign({});
    c.asList()->assign({});
    n.asObject()->unset(1);
    cn.asObject()->unset(1);
}

void TestCompare::shouldDeepCopyObjects()
{
    Value a = item(3, "name", list({num(1)}), 0.25);
    Value c = deepCopy(a);
    QVERIFY(c.node() != a.node());
    QCOMPARE(c.asObject()->typePtr(), a.asObject()->typePtr());
    QVERIFY(equals(c, a));
    QCOMPARE(c.asObject()->get(3).asFloat(), 0.25);
    QVERIFY(c.asObject()->get(2).node() != a.asObject()->get(2).node());   // even compare=False fields
    QVERIFY(equals(c.asObject()->get(2), a.asObject()->get(2)));

    auto partial = ObjectNode::create(m_item);
    partial->set(1, str("only name"));
    Value cp = deepCopy(Value::fromObject(partial));
    QVERIFY(!cp.asObject()->isSet(0));
    QVERIFY(cp.asObject()->isSet(1));
}

QTEST_APPLESS_MAIN(TestCompare)
#include "tst_compare.moc"
