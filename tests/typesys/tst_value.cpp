// Value, StrNode, ListNode, DictNode: kinds, sharing, list and dict operations, dict order
// and the hashed index of large dicts.

#include "test_support.h"

#include "typesys/value.h"

#include <QObject>
#include <QTest>

#include <climits>
#include <cmath>
#include <string>

using namespace typesys;
using testsupport::qs;

Q_DECLARE_METATYPE(typesys::ValueKind)

namespace {

Value str(std::string_view s) { return Value::fromStr(s); }
Value num(int64_t i) { return Value::fromInt(i); }

std::vector<std::string> strKeys(const DictNode& d)
{
    std::vector<std::string> out;
    for (auto& [k, v] : d.snapshot())
        out.emplace_back(k.asStr());
    return out;
}

std::vector<int64_t> intKeys(const DictNode& d)
{
    std::vector<int64_t> out;
    for (auto& [k, v] : d.snapshot())
        out.push_back(k.asInt());
    return out;
}

} // namespace

class TestValue : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldReportKind_data();
    void shouldReportKind();
    void shouldHoldScalarsInSixteenBytes();
    void shouldKeepEmbeddedNulInStrings();
    void shouldShareStringOnCopy();
    void shouldShareListOnCopy();
    void shouldShareDictOnCopy();
    void shouldLeaveMovedFromValueNone();
    void shouldReleaseElementsWithContainer();
    void shouldUnwrapBoxAndShareNodes();
    void shouldAppendInsertSetAndTake();
    void shouldRejectListIndexOutOfRange();
    void shouldAssignListAtOnce();
    void shouldReturnIndependentListSnapshot();
    void shouldKeepDictInsertionOrder();
    void shouldKeepPositionWhenOverwritingKey();
    void shouldSupportIntKeys();
    void shouldRejectKeyOfWrongKind();
    void shouldKeepOrderAfterErase();
    void shouldDeduplicateOnAssignKeepingFirstPosition();
    void shouldFindEveryKeyInLargeDict_data();
    void shouldFindEveryKeyInLargeDict();
    void shouldReleaseVeryDeepNestingWithoutRecursing();
};

void TestValue::shouldReportKind_data()
{
    QTest::addColumn<Value>("value");
    QTest::addColumn<ValueKind>("kind");
    QTest::addColumn<QString>("name");

    QTest::newRow("default") << Value() << ValueKind::None << "none";
    QTest::newRow("nullptr") << Value(nullptr) << ValueKind::None << "none";
    QTest::newRow("bool") << Value::fromBool(true) << ValueKind::Bool << "bool";
    QTest::newRow("int") << Value::fromInt(-3) << ValueKind::Int << "int";
    QTest::newRow("float") << Value::fromFloat(0.5) << ValueKind::Float << "float";
    QTest::newRow("str") << Value::fromStr("x") << ValueKind::Str << "str";
    QTest::newRow("bytes") << Value::fromBytes("x") << ValueKind::Bytes << "bytes";
    QTest::newRow("list") << Value::fromList(ListNode::make()) << ValueKind::List << "list";
    QTest::newRow("dict") << Value::fromDict(DictNode::make(DictNode::StrKeys)) << ValueKind::Dict << "dict";
}

void TestValue::shouldReportKind()
{
    QFETCH(Value, value);
    QFETCH(ValueKind, kind);
    QFETCH(QString, name);

    QCOMPARE(value.kind(), kind);
    QCOMPARE(qs(kindName(value.kind())), name);
    QCOMPARE(value.isNone(), kind == ValueKind::None);
    QCOMPARE(value.isNode(), kind >= ValueKind::Str);
    QCOMPARE(value.node() != nullptr, value.isNode());
}

void TestValue::shouldHoldScalarsInSixteenBytes()
{
    static_assert(sizeof(Value) == 16);
    QCOMPARE(Value::fromInt(INT64_MIN).asInt(), INT64_MIN);
    QCOMPARE(Value::fromInt(INT64_MAX).asInt(), INT64_MAX);
    QCOMPARE(Value::fromBool(false).asBool(), false);
    QVERIFY(std::isnan(Value::fromFloat(NAN).asFloat()));
    QVERIFY(std::signbit(Value::fromFloat(-0.0).asFloat()));
    QCOMPARE(Value::fromFloat(1e-310).asFloat(), 1e-310);
    QVERIFY(Value::fromInt(1).node() == nullptr);
}

void TestValue::shouldKeepEmbeddedNulInStrings()
{
    const std::string_view raw("a\0b\xff", 4);
    Value s = Value::fromStr(raw);
    Value b = Value::fromBytes(raw);
    QCOMPARE(s.asStr().size(), size_t(4));
    QVERIFY(s.asStr() == raw);
    QVERIFY(b.asStr() == raw);
    QCOMPARE(Value::fromStr("").asStr().size(), size_t(0));
}

void TestValue::shouldShareStringOnCopy()
{
    Value a = str("shared text");
    QCOMPARE(a.node()->refCount(), 1u);
    {
        Value b = a;
        QCOMPARE(b.node(), a.node());
        QCOMPARE(a.node()->refCount(), 2u);
    }
    QCOMPARE(a.node()->refCount(), 1u);
}

void TestValue::shouldShareListOnCopy()
{
    Value a = Value::fromList(ListNode::make());
    Value b = a;
    QCOMPARE(b.asList(), a.asList());
    b.asList()->append(num(1));
    QCOMPARE(a.asList()->size(), size_t(1));
    QCOMPARE(a.asList()->at(0).asInt(), int64_t(1));

    Value c;
    c = b;   // copy assignment shares too
    c.asList()->append(num(2));
    QCOMPARE(a.asList()->size(), size_t(2));
    QCOMPARE(a.node()->refCount(), 3u);
}

void TestValue::shouldShareDictOnCopy()
{
    Value a = Value::fromDict(DictNode::make(DictNode::StrKeys));
    Value b = a;
    b.asDict()->set(str("k"), num(7));
    Value out;
    QVERIFY(a.asDict()->get(str("k"), &out));
    QCOMPARE(out.asInt(), int64_t(7));
}

void TestValue::shouldLeaveMovedFromValueNone()
{
    Value a = str("x");
    Node* n = a.node();
    Value b = std::move(a);
    QVERIFY(a.isNone());
    QCOMPARE(b.node(), n);
    QCOMPARE(n->refCount(), 1u);
    Value c;
    c = std::move(b);
    QVERIFY(b.isNone());
    QCOMPARE(n->refCount(), 1u);
}

void TestValue::shouldReleaseElementsWithContainer()
{
    Value s = str("element");
    {
        auto list = ListNode::make({s, s});
        auto dict = DictNode::make(DictNode::StrKeys);
        dict->set(str("a"), s);
        QCOMPARE(s.node()->refCount(), 4u);
        list->take(0);
        QCOMPARE(s.node()->refCount(), 3u);
    }
    QCOMPARE(s.node()->refCount(), 1u);
}

void TestValue::shouldUnwrapBoxAndShareNodes()
{
    auto* box = new BoxNode(Value::fromFloat(2.5));
    Value v = Value::fromNode(box);
    QCOMPARE(v.kind(), ValueKind::Float);
    QCOMPARE(v.asFloat(), 2.5);
    box->decRef();

    auto list = ListNode::make();
    Value l = Value::fromNode(list.get());
    QCOMPARE(l.kind(), ValueKind::List);
    QCOMPARE(list->refCount(), 2u);

    auto bytes = StrNode::make("b", NodeKind::Bytes);
    QCOMPARE(Value::fromNode(bytes.get()).kind(), ValueKind::Bytes);
    QCOMPARE(Value::fromStrNode(bytes).kind(), ValueKind::Bytes);
}

void TestValue::shouldAppendInsertSetAndTake()
{
    auto l = ListNode::make({num(1), num(2)});
    l->append(num(3));             // 1 2 3
    l->insert(0, num(0));          // 0 1 2 3
    l->insert(2, str("mid"));      // 0 1 mid 2 3
    l->insert(100, num(9));        // clamped: 0 1 mid 2 3 9
    l->set(1, Value::fromBool(true));
    QCOMPARE(l->size(), size_t(6));
    QCOMPARE(l->at(0).asInt(), int64_t(0));
    QCOMPARE(l->at(1).kind(), ValueKind::Bool);
    QCOMPARE(qs(l->at(2).asStr()), QString("mid"));
    QCOMPARE(l->at(5).asInt(), int64_t(9));

    Value taken = l->take(2);
    QCOMPARE(qs(taken.asStr()), QString("mid"));
    QCOMPARE(l->size(), size_t(5));
    QCOMPARE(l->at(2).asInt(), int64_t(2));
    l->reserve(100);
    QCOMPARE(l->size(), size_t(5));
}

void TestValue::shouldRejectListIndexOutOfRange()
{
    auto l = ListNode::make({num(1), num(2), num(3)});
    TYPESYS_VERIFY_ERROR(l->at(3), ErrorKind::Lookup, "list index 3 out of range (size 3)");
    TYPESYS_VERIFY_ERROR(l->set(5, num(0)), ErrorKind::Lookup, "list index 5 out of range (size 3)");
    TYPESYS_VERIFY_ERROR(l->take(SIZE_MAX), ErrorKind::Lookup,
                         "list index 18446744073709551615 out of range (size 3)");
    TYPESYS_VERIFY_ERROR(ListNode::make()->at(0), ErrorKind::Lookup, "list index 0 out of range (size 0)");
    QCOMPARE(l->size(), size_t(3));
}

void TestValue::shouldAssignListAtOnce()
{
    Value s = str("old");
    auto l = ListNode::make({s});
    l->assign({num(4), num(5)});
    QCOMPARE(l->size(), size_t(2));
    QCOMPARE(l->at(1).asInt(), int64_t(5));
    QCOMPARE(s.node()->refCount(), 1u);   // the replaced element was released
}

void TestValue::shouldReturnIndependentListSnapshot()
{
    auto l = ListNode::make({num(1)});
    std::vector<Value> snap = l->snapshot();
    l->append(num(2));
    l->set(0, num(10));
    QCOMPARE(snap.size(), size_t(1));
    QCOMPARE(snap[0].asInt(), int64_t(1));
}

void TestValue::shouldKeepDictInsertionOrder()
{
    auto d = DictNode::make(DictNode::StrKeys);
    QCOMPARE(d->keyKind(), DictNode::StrKeys);
    for (const char* k : {"zeta", "alpha", "mid", ""})
        d->set(str(k), str(k));
    QCOMPARE(strKeys(*d), (std::vector<std::string>{"zeta", "alpha", "mid", ""}));
    QCOMPARE(d->size(), size_t(4));
    QVERIFY(d->contains(str("")));
    QVERIFY(!d->contains(str("beta")));
    Value out = num(42);
    QVERIFY(!d->get(str("beta"), &out));
    QCOMPARE(out.asInt(), int64_t(42));   // untouched when absent
}

void TestValue::shouldKeepPositionWhenOverwritingKey()
{
    auto d = DictNode::make(DictNode::StrKeys);
    d->set(str("a"), num(1));
    d->set(str("b"), num(2));
    d->set(str("a"), num(3));
    QCOMPARE(strKeys(*d), (std::vector<std::string>{"a", "b"}));
    Value out;
    QVERIFY(d->get(str("a"), &out));
    QCOMPARE(out.asInt(), int64_t(3));
}

void TestValue::shouldSupportIntKeys()
{
    auto d = DictNode::make(DictNode::IntKeys);
    QCOMPARE(d->keyKind(), DictNode::IntKeys);
    for (int64_t k : {int64_t(5), int64_t(-1), INT64_MIN, INT64_MAX, int64_t(0)})
        d->set(num(k), str(std::to_string(k)));
    QCOMPARE(intKeys(*d), (std::vector<int64_t>{5, -1, INT64_MIN, INT64_MAX, 0}));
    Value out;
    QVERIFY(d->get(num(INT64_MIN), &out));
    QCOMPARE(qs(out.asStr()), QString("-9223372036854775808"));
    QVERIFY(!d->contains(num(6)));
    QVERIFY(!d->contains(str("5")));   // a str never matches an int key
}

void TestValue::shouldRejectKeyOfWrongKind()
{
    auto ints = DictNode::make(DictNode::IntKeys);
    auto strs = DictNode::make(DictNode::StrKeys);
    TYPESYS_VERIFY_ERROR(ints->set(str("1"), num(1)), ErrorKind::Internal,
                         "internal error: dict key kind does not match the dict");
    TYPESYS_VERIFY_ERROR(strs->set(num(1), num(1)), ErrorKind::Internal,
                         "internal error: dict key kind does not match the dict");
    TYPESYS_VERIFY_ERROR(strs->set(Value::fromBytes("b"), num(1)), ErrorKind::Internal,
                         "internal error: dict key kind does not match the dict");
    QCOMPARE(ints->size(), size_t(0));
    QCOMPARE(strs->size(), size_t(0));
}

void TestValue::shouldKeepOrderAfterErase()
{
    auto d = DictNode::make(DictNode::StrKeys);
    for (const char* k : {"a", "b", "c", "d"})
        d->set(str(k), num(0));
    QVERIFY(d->erase(str("b")));
    QVERIFY(!d->erase(str("b")));
    QVERIFY(!d->erase(str("zz")));
    QCOMPARE(strKeys(*d), (std::vector<std::string>{"a", "c", "d"}));
    d->set(str("b"), num(1));   // re-added keys go to the end
    QCOMPARE(strKeys(*d), (std::vector<std::string>{"a", "c", "d", "b"}));
    QVERIFY(d->erase(str("a")));
    QVERIFY(d->erase(str("b")));
    QCOMPARE(strKeys(*d), (std::vector<std::string>{"c", "d"}));
}

void TestValue::shouldDeduplicateOnAssignKeepingFirstPosition()
{
    auto d = DictNode::make(DictNode::StrKeys);
    d->set(str("old"), num(0));
    d->assign({{str("x"), num(1)}, {str("y"), num(2)}, {str("x"), num(3)}});
    QCOMPARE(strKeys(*d), (std::vector<std::string>{"x", "y"}));
    Value out;
    QVERIFY(d->get(str("x"), &out));
    QCOMPARE(out.asInt(), int64_t(3));
    QVERIFY(!d->contains(str("old")));

    // Large enough for the index: lookups still work after assign.
    std::vector<std::pair<Value, Value>> many;
    for (int i = 0; i < 40; ++i)
        many.emplace_back(str("k" + std::to_string(i % 30)), num(i));
    d->assign(std::move(many));
    QCOMPARE(d->size(), size_t(30));
    QVERIFY(d->get(str("k5"), &out));
    QCOMPARE(out.asInt(), int64_t(35));
    QVERIFY(d->get(str("k29"), &out));
    QCOMPARE(out.asInt(), int64_t(29));
}

void TestValue::shouldFindEveryKeyInLargeDict_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("ints");

    for (int n : {0, 1, 7, 8, 9, 16, 17, 100, 1000, 5000}) {
        QTest::addRow("%d str keys", n) << n << false;
        QTest::addRow("%d int keys", n) << n << true;
    }
}

void TestValue::shouldFindEveryKeyInLargeDict()
{
    QFETCH(int, count);
    QFETCH(bool, ints);

    // Int keys spread over the int64 range and clustered; str keys share long prefixes.
    auto key = [&](int i) {
        return ints ? num(i % 2 ? int64_t(i) * 0x100000001LL : -int64_t(i)) : str("key-" + std::to_string(i));
    };
    auto d = DictNode::make(ints ? DictNode::IntKeys : DictNode::StrKeys);
    for (int i = 0; i < count; ++i)
        d->set(key(i), num(i));
    QCOMPARE(d->size(), size_t(count));
    for (int i = 0; i < count; ++i) {
        Value out;
        QVERIFY(d->get(key(i), &out));
        QCOMPARE(out.asInt(), int64_t(i));
    }
    QVERIFY(!d->contains(ints ? num(INT64_MAX) : str("missing")));

    // Erase every third key; the rest keep their order and stay findable.
    for (int i = 0; i < count; i += 3)
        QVERIFY(d->erase(key(i)));
    std::vector<std::pair<Value, Value>> snap = d->snapshot();
    size_t pos = 0;
    for (int i = 0; i < count; ++i) {
        Value out;
        if (i % 3 == 0) {
            QVERIFY(!d->get(key(i), &out));
            continue;
        }
        QVERIFY(d->get(key(i), &out));
        QCOMPARE(out.asInt(), int64_t(i));
        QCOMPARE(snap[pos++].second.asInt(), int64_t(i));
    }
    QCOMPARE(pos, snap.size());

    // Overwrites in the indexed dict keep the size.
    for (int i = 1; i < count; i += 3)
        d->set(key(i), num(-i));
    QCOMPARE(d->size(), snap.size());
    if (count > 1) {
        Value out;
        QVERIFY(d->get(key(1), &out));
        QCOMPARE(out.asInt(), int64_t(-1));
    }
}

void TestValue::shouldReleaseVeryDeepNestingWithoutRecursing()
{
    // Dropping the outermost value releases a chain a million levels deep: that must not take
    // a million stack frames.
    Value leaf = str("leaf");
    {
        Value v = leaf;
        for (int i = 0; i < 1000000; ++i) {
            if (i % 2) {
                v = Value::fromList(ListNode::make({v}));
            } else {
                auto d = DictNode::make(DictNode::StrKeys);
                d->set(str("k"), v);
                v = Value::fromDict(d);
            }
        }
        QCOMPARE(leaf.node()->refCount(), 2u);
    }
    QCOMPARE(leaf.node()->refCount(), 1u);   // everything in between was freed
}

QTEST_APPLESS_MAIN(TestValue)
#include "tst_value.moc"
