// ObjectNode: defaults, unset fields, inline scalars, pointer slots, stale types.

#include "test_support.h"

#include "typesys/compare.h"
#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <QObject>
#include <QTest>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>

using namespace typesys;
using testsupport::qs;

// Counts operator new calls while enabled, to show that inline scalar fields never allocate.
namespace {
std::atomic<bool> g_countNews{false};
std::atomic<size_t> g_news{0};
} // namespace

void* operator new(std::size_t n)
{
    if (g_countNews.load(std::memory_order_relaxed))
        g_news.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

struct NewCounter {
    NewCounter() { g_news = 0; g_countNews = true; }
    ~NewCounter() { g_countNews = false; }
    size_t count() const { return g_news.load(); }
};

Value str(std::string_view s) { return Value::fromStr(s); }

} // namespace

class TestObject : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldCreateWithDefaults();
    void shouldCallFactoryForEachInstance();
    void shouldNotShareMutableDefaultBetweenInstances();
    void shouldPropagateFactoryError();
    void shouldLeaveEveryFieldUnsetOnCreate();
    void shouldThrowNamingTypeAndFieldWhenUnset();
    void shouldKeepHeaderSmall();
    void shouldStoreScalarsInlineWithoutAllocation();
    void shouldConvertIntStoredInFloatField();
    void shouldRefuseNonScalarInInlineSlot();
    void shouldReplaceStringAndKeepOldValueAlive();
    void shouldStoreNoneAndBoxedScalarsInPointerSlots();
    void shouldUnsetFields();
    void shouldTrackMoreThan64Fields();
    void shouldKeepStaleTypeAliveAfterRegistryRemoval();
    void shouldReleaseTypeWithLastInstance();
    void shouldCountHostedInstancesWithoutTypeReferences();
    void shouldListPointerSlotsInTheLayout();
    void shouldInitFieldOfFreshObjectAndReleaseWhatItReplaces();
    void shouldNeverCountOrFreeImmortalNodes();
    void shouldReuseStorageFreedOnAnotherThread();
    void shouldRefuseEnumOrMissingType();
    void shouldFindFieldIndexByName();
    void shouldReleaseLongLinkedListWithoutRecursing();

private:
    Registry m_registry;
    TypeRef m_shape;
    TypeRef m_point;
    TypeRef m_wide;
    TypeRef m_color;
    int m_factoryCalls = 0;
};

void TestObject::initTestCase()
{
    m_point = TypeBuilder("obj.Point")
                  .field("x", Schema::floating(), Value::fromFloat(0.0))
                  .field("y", Schema::floating(), Value::fromFloat(0.0))
                  .build();
    m_shape = TypeBuilder("obj.Shape")
                  .doc("A named shape.")
                  .field("name", Schema::str())
                  .field("tags", Schema::parse("list[str]"))
                  .factory([this] {
                      ++m_factoryCalls;
                      return Value::fromList(ListNode::make({str("new")}));
                  })
                  .field("visible", Schema::boolean(), Value::fromBool(true))
                  .field("count", Schema::integer(), Value::fromInt(0))
                  .field("ratio", Schema::floating(), Value::fromFloat(0.5))
                  .field("extra", Schema::any())
                  .field("note", Schema::parse("Optional[str]"), Value())
                  .field("weights", Schema::parse("list[int]"),
                         Value::fromList(ListNode::make({Value::fromInt(1), Value::fromInt(2)})))
                  .field("origin", Schema::parse("Optional[obj.Point]"), Value())
                  .build();
    TypeBuilder wide("obj.Wide");
    for (int i = 0; i < 70; ++i)
        wide.field("f" + std::to_string(i), i % 2 ? Schema::integer() : Schema::str());
    m_wide = wide.build();
    m_color = TypeBuilder("obj.Color").member("RED", str("red")).member("BLUE", str("blue")).build();
    m_registry.registerTypes({m_point, m_shape, m_wide, m_color}, "tst_object");
}

void TestObject::shouldCreateWithDefaults()
{
    auto o = ObjectNode::createWithDefaults(m_shape);
    const TypeInfo& t = o->type();
    QCOMPARE(&t, m_shape.get());
    QCOMPARE(o->fieldCount(), uint32_t(9));
    QVERIFY(!o->isSet(uint32_t(t.fieldIndex("name"))));    // no default
    QVERIFY(!o->isSet(uint32_t(t.fieldIndex("extra"))));   // no default
    QCOMPARE(o->get(uint32_t(t.fieldIndex("visible"))).asBool(), true);
    QCOMPARE(o->get(uint32_t(t.fieldIndex("count"))).kind(), ValueKind::Int);
    QCOMPARE(o->get(uint32_t(t.fieldIndex("count"))).asInt(), int64_t(0));
    QCOMPARE(o->get(uint32_t(t.fieldIndex("ratio"))).asFloat(), 0.5);
    QVERIFY(o->isSet(uint32_t(t.fieldIndex("note"))));
    QVERIFY(o->get(uint32_t(t.fieldIndex("note"))).isNone());
    Value tags = o->get(uint32_t(t.fieldIndex("tags")));
    QCOMPARE(tags.kind(), ValueKind::List);
    QCOMPARE(qs(tags.asList()->at(0).asStr()), QString("new"));
    QCOMPARE(o->get(uint32_t(t.fieldIndex("weights"))).asList()->size(), size_t(2));
}

void TestObject::shouldCallFactoryForEachInstance()
{
    int before = m_factoryCalls;
    auto a = ObjectNode::createWithDefaults(m_shape);
    auto b = ObjectNode::createWithDefaults(m_shape);
    QCOMPARE(m_factoryCalls, before + 2);
    uint32_t tags = uint32_t(m_shape->fieldIndex("tags"));
    QVERIFY(a->get(tags).node() != b->get(tags).node());
    auto c = ObjectNode::create(m_shape);   // no defaults, no factory call
    QCOMPARE(m_factoryCalls, before + 2);
}

void TestObject::shouldNotShareMutableDefaultBetweenInstances()
{
    // A list default must not become one list shared by every instance (and by the type).
    uint32_t weights = uint32_t(m_shape->fieldIndex("weights"));
    auto a = ObjectNode::createWithDefaults(m_shape);
    auto b = ObjectNode::createWithDefaults(m_shape);
    a->get(weights).asList()->append(Value::fromInt(3));
    QCOMPARE(a->get(weights).asList()->size(), size_t(3));
    QCOMPARE(b->get(weights).asList()->size(), size_t(2));
    QCOMPARE(m_shape->fields[weights].defaultValue->asList()->size(), size_t(2));
    QVERIFY(equals(b->get(weights), *m_shape->fields[weights].defaultValue));
}

void TestObject::shouldPropagateFactoryError()
{
    auto t = TypeBuilder("obj.Failing")
                 .field("name", Schema::str(), str("n"))
                 .field("data", Schema::any())
                 .factory([]() -> Value { throw Error(ErrorKind::Validation, "factory failed"); })
                 .build();
    Registry local;
    local.registerType(t, "tst_object");
    TYPESYS_VERIFY_ERROR(ObjectNode::createWithDefaults(t), ErrorKind::Validation, "factory failed");
    QCOMPARE(t->refCount(), 2u);   // the half-built instance released its type
}

void TestObject::shouldLeaveEveryFieldUnsetOnCreate()
{
    auto o = ObjectNode::create(m_shape);
    for (uint32_t i = 0; i < o->fieldCount(); ++i) {
        QVERIFY(!o->isSet(i));
        Value out = Value::fromInt(99);
        QVERIFY(!o->get(i, &out));
        QCOMPARE(out.asInt(), int64_t(99));   // untouched
    }
}

void TestObject::shouldThrowNamingTypeAndFieldWhenUnset()
{
    auto o = ObjectNode::create(m_shape);
    TYPESYS_VERIFY_ERROR(o->get(uint32_t(m_shape->fieldIndex("name"))), ErrorKind::Lookup,
                         "obj.Shape.name: field is not set");
    TYPESYS_VERIFY_ERROR(o->get(uint32_t(m_shape->fieldIndex("count"))), ErrorKind::Lookup,
                         "obj.Shape.count: field is not set");
}

void TestObject::shouldKeepHeaderSmall()
{
    // A small header (node header, type, host binding, the mask word of fields 0-63), then one
    // 8-byte slot per field and one more mask word per 64 fields past 64, in one allocation.
    QCOMPARE(sizeof(Node), size_t(8));
    QCOMPARE(sizeof(ObjectNode), size_t(32));
    const size_t header = sizeof(ObjectNode);
    QCOMPARE(ObjectNode::allocationSize(0), header);
    QCOMPARE(ObjectNode::allocationSize(2), header + 2 * 8);
    QCOMPARE(ObjectNode::allocationSize(64), header + 64 * 8);
    QCOMPARE(ObjectNode::allocationSize(65), header + 65 * 8 + 8);
    QCOMPARE(ObjectNode::allocationSize(129), header + 129 * 8 + 16);
}

void TestObject::shouldStoreScalarsInlineWithoutAllocation()
{
    auto o = ObjectNode::create(m_shape);
    uint32_t visible = uint32_t(m_shape->fieldIndex("visible"));
    uint32_t count = uint32_t(m_shape->fieldIndex("count"));
    uint32_t ratio = uint32_t(m_shape->fieldIndex("ratio"));
    uint32_t extra = uint32_t(m_shape->fieldIndex("extra"));
    size_t inlineNews;
    {
        NewCounter c;
        for (int i = 0; i < 100; ++i) {
            o->set(visible, Value::fromBool(i % 2));
            o->set(count, Value::fromInt(-i));
            o->set(ratio, Value::fromFloat(i * 0.25));
            Value v;
            QVERIFY(o->get(ratio, &v));
        }
        inlineNews = c.count();
    }
    QCOMPARE(inlineNews, size_t(0));
    QCOMPARE(o->get(visible).asBool(), true);
    QCOMPARE(o->get(count).asInt(), int64_t(-99));
    QCOMPARE(o->get(ratio).asFloat(), 99 * 0.25);

    // An Any field holds a scalar in a box: that one allocates.
    size_t boxedNews;
    {
        NewCounter c;
        o->set(extra, Value::fromInt(5));
        boxedNews = c.count();
    }
    QCOMPARE(boxedNews, size_t(1));
    QCOMPARE(o->get(extra).asInt(), int64_t(5));
}

void TestObject::shouldConvertIntStoredInFloatField()
{
    auto o = ObjectNode::create(m_shape);
    uint32_t ratio = uint32_t(m_shape->fieldIndex("ratio"));
    o->set(ratio, Value::fromInt(3));
    QCOMPARE(o->get(ratio).kind(), ValueKind::Float);
    QCOMPARE(o->get(ratio).asFloat(), 3.0);
    QCOMPARE(o->rawFloat(ratio), 3.0);
}

void TestObject::shouldRefuseNonScalarInInlineSlot()
{
    auto o = ObjectNode::create(m_shape);
    uint32_t count = uint32_t(m_shape->fieldIndex("count"));
    TYPESYS_VERIFY_ERROR(o->set(count, str("x")), ErrorKind::Internal,
                         "internal error: obj.Shape.count: str stored in an inline slot");
    QVERIFY(!o->isSet(count));
}

void TestObject::shouldReplaceStringAndKeepOldValueAlive()
{
    auto o = ObjectNode::create(m_shape);
    uint32_t name = uint32_t(m_shape->fieldIndex("name"));
    o->set(name, str("first"));
    Value old = o->get(name);
    QCOMPARE(old.node()->refCount(), 2u);   // the slot and `old`
    o->set(name, str("second"));
    QCOMPARE(old.node()->refCount(), 1u);   // the slot let go, `old` keeps it alive
    QCOMPARE(qs(old.asStr()), QString("first"));
    QCOMPARE(qs(o->get(name).asStr()), QString("second"));
}

void TestObject::shouldStoreNoneAndBoxedScalarsInPointerSlots()
{
    auto o = ObjectNode::create(m_shape);
    uint32_t extra = uint32_t(m_shape->fieldIndex("extra"));
    o->set(extra, Value());
    QVERIFY(o->isSet(extra));
    QVERIFY(o->get(extra).isNone());
    o->set(extra, Value::fromBool(false));
    QCOMPARE(o->get(extra).kind(), ValueKind::Bool);
    QCOMPARE(o->get(extra).asBool(), false);
    o->set(extra, Value::fromFloat(-0.0));
    QCOMPARE(o->get(extra).kind(), ValueKind::Float);
    QVERIFY(std::signbit(o->get(extra).asFloat()));
    o->set(extra, Value::fromInt(INT64_MIN));
    QCOMPARE(o->get(extra).asInt(), INT64_MIN);

    auto list = ListNode::make();
    o->set(extra, Value::fromList(list));
    QCOMPARE(o->get(extra).asList(), list.get());   // shared, not copied
    QCOMPARE(list->refCount(), 2u);
}

void TestObject::shouldUnsetFields()
{
    auto o = ObjectNode::createWithDefaults(m_shape);
    uint32_t count = uint32_t(m_shape->fieldIndex("count"));
    uint32_t tags = uint32_t(m_shape->fieldIndex("tags"));
    Value list = o->get(tags);
    QCOMPARE(list.node()->refCount(), 2u);
    o->unset(count);
    o->unset(tags);
    QVERIFY(!o->isSet(count));
    QVERIFY(!o->isSet(tags));
    QCOMPARE(list.node()->refCount(), 1u);
    o->unset(tags);   // twice is harmless
    o->set(count, Value::fromInt(8));
    QCOMPARE(o->get(count).asInt(), int64_t(8));
}

void TestObject::shouldTrackMoreThan64Fields()
{
    auto o = ObjectNode::create(m_wide);
    QCOMPARE(o->fieldCount(), uint32_t(70));
    o->set(65, Value::fromInt(65));   // f65: int, inline, mask word 1
    o->set(64, str("sixty-four"));    // f64: str, pointer slot
    o->setRawInt(69, -69);
    o->setRawInt(1, 1);               // f1: mask word 0 (in the header); must not alias f65
    for (uint32_t i = 0; i < 70; ++i)
        QCOMPARE(o->isSet(i), i == 1 || i == 64 || i == 65 || i == 69);
    o->unset(1);
    QVERIFY(!o->isSet(1));
    QVERIFY(o->isSet(65));
    QCOMPARE(o->get(65).asInt(), int64_t(65));
    QCOMPARE(o->rawInt(69), int64_t(-69));
    QCOMPARE(qs(o->get(64).asStr()), QString("sixty-four"));
    o->unset(65);
    QVERIFY(!o->isSet(65));
    QVERIFY(o->isSet(69));
}

void TestObject::shouldKeepStaleTypeAliveAfterRegistryRemoval()
{
    Ref<ObjectNode> o;
    TypeInfo* info = nullptr;
    {
        Registry local;
        TypeRef t = TypeBuilder("obj.Temp").field("label", Schema::str()).build();
        local.registerType(t, "plugin");
        o = ObjectNode::create(local.get("obj.Temp"));
        o->set(0, str("still here"));
        info = t.get();
        local.removeOwner("plugin");
        QVERIFY(info->isStale());
        QVERIFY(!local.find("obj.Temp"));
    }   // the registry and every TypeRef but the object's are gone
    QCOMPARE(info->refCount(), 1u);
    QCOMPARE(&o->type(), info);
    QCOMPARE(qs(o->type().key), QString("obj.Temp"));
    QCOMPARE(qs(o->type().fields[0].name), QString("label"));
    QCOMPARE(qs(o->get(0).asStr()), QString("still here"));
}

void TestObject::shouldReleaseTypeWithLastInstance()
{
    TypeRef t = TypeBuilder("obj.Counted").field("n", Schema::integer()).build();
    QCOMPARE(t->refCount(), 1u);
    {
        auto a = ObjectNode::create(t);
        auto b = ObjectNode::create(t);
        QCOMPARE(t->refCount(), 3u);
        Value shared = Value::fromObject(a);
        QCOMPARE(t->refCount(), 3u);
    }
    QCOMPARE(t->refCount(), 1u);
}

void TestObject::shouldCountHostedInstancesWithoutTypeReferences()
{
    TypeRef t = TypeBuilder("obj.Hosted").field("n", Schema::integer()).field("s", Schema::str()).build();
    QCOMPARE(t->liveInstances(), 0);
    {
        auto hosted = ObjectNode::createHosted(t.get());
        QVERIFY(hosted->isHosted());
        QCOMPARE(t->refCount(), 1u);   // the host keeps the type alive, not the node
        auto ordinary = ObjectNode::create(t);
        QVERIFY(!ordinary->isHosted());
        QCOMPARE(t->refCount(), 2u);
        QCOMPARE(t->liveInstances(), 2);

        hosted->set(1, str("kept"));
        Ref<ObjectNode> other = hosted;   // someone else shares it, then the host lets go
        hosted->unhost();
        QVERIFY(!hosted->isHosted());
        QCOMPARE(t->refCount(), 3u);
        QCOMPARE(t->liveInstances(), 2);
        hosted->unhost();   // idempotent
        QCOMPARE(t->refCount(), 3u);
        hosted = nullptr;
        QCOMPARE(other->get(1).asStr(), std::string_view("kept"));
    }
    QCOMPARE(t->liveInstances(), 0);
    QCOMPARE(t->refCount(), 1u);
    {
        auto hosted = ObjectNode::createHosted(t.get());
        QCOMPARE(t->liveInstances(), 1);
    }
    QCOMPARE(t->liveInstances(), 0);
    QCOMPARE(t->refCount(), 1u);
}

void TestObject::shouldListPointerSlotsInTheLayout()
{
    QVERIFY(m_shape->hasLayout());
    // name, tags, extra, note, weights, origin hold nodes; visible, count, ratio are inline.
    QCOMPARE(m_shape->pointerSlots(), (std::vector<uint32_t>{0, 1, 5, 6, 7, 8}));
    QVERIFY(m_point->pointerSlots().empty());
    // An info that was never registered gets its layout when its first instance is made.
    TypeRef loose = TypeBuilder("obj.Loose").field("a", Schema::integer()).field("b", Schema::str()).build();
    QVERIFY(!loose->hasLayout());
    auto o = ObjectNode::create(loose);
    QVERIFY(loose->hasLayout());
    QCOMPARE(loose->pointerSlots(), (std::vector<uint32_t>{1}));
}

void TestObject::shouldInitFieldOfFreshObjectAndReleaseWhatItReplaces()
{
    auto o = ObjectNode::create(m_shape);
    Value first = str("first");
    o->initField(0, first);
    QCOMPARE(first.node()->refCount(), 2u);   // the slot took its own reference
    o->initField(0, str("second"));
    QCOMPARE(first.node()->refCount(), 1u);   // replaced and released
    QCOMPARE(o->get(0).asStr(), std::string_view("second"));
    o->initField(2, Value::fromBool(false));  // inline slots go through set()
    QVERIFY(o->isSet(2));
    QCOMPARE(o->get(2).asBool(), false);
}

void TestObject::shouldNeverCountOrFreeImmortalNodes()
{
    Ref<StrNode> s = StrNode::make("forever");
    StrNode* raw = s.release();
    raw->makeImmortal();
    QVERIFY(raw->isImmortal());
    const uint32_t before = raw->refCount();
    {
        std::vector<Value> copies(100, Value::fromStrNode(Ref<StrNode>::adopt(raw)));
        auto o = ObjectNode::create(m_shape);
        o->set(0, copies.front());
        QCOMPARE(raw->refCount(), before);
    }
    QCOMPARE(raw->refCount(), before);   // every copy released, and the node is still there
    QCOMPARE(raw->view(), std::string_view("forever"));
    raw->refs.store(1);                  // a test may end immortality to free it (LeakSanitizer)
    raw->decRef();
}

void TestObject::shouldReuseStorageFreedOnAnotherThread()
{
    // Objects of three sizes made here and dropped on another thread, three rounds: the pool's
    // per-thread caches spill to the shared pool and come back; no object sees another's slots.
    for (int round = 0; round < 3; ++round) {
        std::vector<Ref<ObjectNode>> made;
        for (int i = 0; i < 3000; ++i) {
            auto o = ObjectNode::create(i % 3 == 0 ? m_point : i % 3 == 1 ? m_shape : m_wide);
            if (i % 3 != 1)
                o->setRawInt(1, i);   // Point.y and Wide.f1 are inline (Shape's field 1 is not)
            made.push_back(std::move(o));
        }
        for (int i = 0; i < 3000; ++i) {
            if (i % 3 == 1)
                continue;
            QCOMPARE(made[size_t(i)]->rawInt(1), int64_t(i));
        }
        std::thread dropper([&made] { made.clear(); });
        dropper.join();
        QCOMPARE(m_point->liveInstances(), 0);
        QCOMPARE(m_wide->liveInstances(), 0);
    }
}

void TestObject::shouldRefuseEnumOrMissingType()
{
    TYPESYS_VERIFY_ERROR(ObjectNode::create(m_color), ErrorKind::Internal,
                         "internal error: ObjectNode::create needs an object type");
    TYPESYS_VERIFY_ERROR(ObjectNode::create(TypeRef()), ErrorKind::Internal,
                         "internal error: ObjectNode::create needs an object type");
}

void TestObject::shouldFindFieldIndexByName()
{
    QCOMPARE(m_shape->fieldIndex("name"), 0);
    QCOMPARE(m_shape->fieldIndex("origin"), 8);
    QCOMPARE(m_shape->fieldIndex("nope"), -1);
    QCOMPARE(m_shape->fields[8].slot, uint32_t(8));
}

void TestObject::shouldReleaseLongLinkedListWithoutRecursing()
{
    // A linked list of a million objects, each holding the next: dropping the head must not
    // recurse a million deep (nor leak).
    TypeRef node = TypeBuilder("obj.Link").field("next", Schema::parse("Optional[obj.Link]"), Value()).build();
    {
        Value head;
        for (int i = 0; i < 1000000; ++i) {
            auto o = ObjectNode::create(node);
            o->set(0, std::move(head));
            head = Value::fromObject(o);
        }
        QCOMPARE(node->refCount(), 1000001u);
    }
    QCOMPARE(node->refCount(), 1u);
}

QTEST_APPLESS_MAIN(TestObject)
#include "tst_object.moc"
