// Readers alongside one writer: objects, lists, dicts and the registry are read on several
// threads while one thread replaces strings, containers and types. Readers must only ever see
// a value that was written (never a torn one, never freed memory: run under ASan too).

#include "test_support.h"

#include "typesys/compare.h"
#include "typesys/json.h"
#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <QObject>
#include <QTest>

#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

using namespace typesys;
using testsupport::qs;

namespace {

Value str(std::string_view s) { return Value::fromStr(s); }
Value num(int64_t i) { return Value::fromInt(i); }

constexpr int kStrings = 8;
constexpr size_t kSharedListSize = 16;

// String k is one letter repeated: a torn read would mix letters or lengths.
size_t stringLength(int k) { return size_t(24 + 37 * k); }

bool isWrittenString(const Value& v)
{
    if (v.kind() != ValueKind::Str)
        return false;
    std::string_view s = v.asStr();
    if (s.empty() || s[0] < 'a' || s[0] >= 'a' + kStrings)
        return false;
    int k = s[0] - 'a';
    return s.size() == stringLength(k) && s.find_first_not_of(s[0]) == std::string_view::npos;
}

struct Failures {
    std::atomic<int> count{0};
    std::mutex mutex;
    std::string first;

    void add(std::string what)
    {
        if (count.fetch_add(1) == 0) {
            std::lock_guard g(mutex);
            first = std::move(what);
        }
    }
};

#define READER_CHECK(cond, what)                                                               \
    do {                                                                                       \
        if (!(cond))                                                                           \
            failures.add(std::string(what) + " (" #cond ")");                                  \
    } while (0)

int iterations()
{
    bool ok = false;
    int n = qEnvironmentVariableIntValue("TYPESYS_CONCURRENCY_ITERATIONS", &ok);
    return ok && n > 0 ? n : 200000;
}

} // namespace

class TestConcurrency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldNeverShowReadersATornOrFreedValue();
    void shouldCountReferencesExactlyAcrossThreads();
    void shouldKeepBothSetBitsWhenTwoWritersSetDifferentFields();
};

void TestConcurrency::shouldNeverShowReadersATornOrFreedValue()
{
    Registry reg;
    TypeRef record = TypeBuilder("cc.Record")
                         .field("name", Schema::str())
                         .field("items", Schema::parse("list[int]"))
                         .field("count", Schema::integer())
                         .field("ratio", Schema::floating())
                         .field("any", Schema::any())
                         .field("tags", Schema::parse("dict[str, str]"))
                         .build();
    reg.registerType(record, "tst_concurrency");
    reg.registerType(TypeBuilder("cc.Hot").field("g", Schema::integer(), num(0)).build(), "writer");
    const uint32_t fName = 0, fItems = 1, fCount = 2, fRatio = 3, fAny = 4, fTags = 5;

    std::vector<Value> strings;
    for (int k = 0; k < kStrings; ++k)
        strings.push_back(str(std::string(stringLength(k), char('a' + k))));

    auto rec = ObjectNode::create(record);
    rec->set(fName, strings[0]);
    rec->set(fItems, Value::fromList(ListNode::make({num(0)})));
    rec->set(fCount, num(0));
    rec->set(fRatio, Value::fromFloat(0.5));
    rec->set(fAny, num(0));
    rec->set(fTags, Value::fromDict(DictNode::make(DictNode::StrKeys)));
    auto shared = ListNode::make(std::vector<Value>(kSharedListSize, strings[0]));
    auto dict = DictNode::make(DictNode::StrKeys);
    for (int j = 0; j < 32; ++j)
        dict->set(str("k" + std::to_string(j)), strings[size_t(j % kStrings)]);

    const int total = iterations();
    std::atomic<bool> done{false};
    Failures failures;

    auto writer = [&] {
        for (int i = 1; i <= total; ++i) {
            int k = i % kStrings;
            rec->set(fName, strings[size_t(k)]);
            rec->set(fItems, Value::fromList(ListNode::make(std::vector<Value>(size_t(k + 1), num(k)))));
            rec->set(fCount, num(i));
            rec->set(fRatio, Value::fromFloat(i + 0.5));
            switch (i % 3) {
            case 0: rec->set(fAny, num(2 * int64_t(i))); break;
            case 1: rec->set(fAny, Value::fromFloat(i + 0.25)); break;
            default: rec->set(fAny, str("s" + std::to_string(i))); break;
            }
            if (i % 4 == 0) {
                auto tags = DictNode::make(DictNode::StrKeys);
                tags->set(str("k"), strings[size_t(k)]);
                rec->set(fTags, Value::fromDict(tags));
            }

            shared->set(size_t(i) % kSharedListSize, strings[size_t(k)]);
            if (i % 7 == 0) {   // grow and shrink at the front: elements move, size stays >= 16
                shared->insert(0, strings[size_t(k)]);
                shared->take(0);
            }
            if (i % 11 == 0) {
                shared->append(strings[size_t(k)]);
                shared->take(shared->size() - 1);
            }

            dict->set(str("k" + std::to_string(i % 32)), strings[size_t(k)]);
            if (i % 5 == 0)   // erase rebuilds the index under readers
                dict->erase(str("k" + std::to_string((i * 7) % 32)));

            if (i % 20 == 0)
                reg.registerType(TypeBuilder("cc.Hot").field("g", Schema::integer(), num(i)).build(), "writer");
            if (i % 50 == 0) {
                int n = i / 50;
                reg.registerTypes({TypeBuilder("cc.A" + std::to_string(n)).build(),
                                   TypeBuilder("cc.B" + std::to_string(n)).build()},
                                  "writer");
                if (n > 10)
                    reg.remove({"cc.A" + std::to_string(n - 10), "cc.B" + std::to_string(n - 10)}, "writer");
            }
        }
        done = true;
    };

    std::atomic<long> readerIterations{0};
    auto reader = [&](int id) {
        int64_t lastCount = 0;
        uint32_t lastGeneration = 0;
        uint64_t lastVersion = 0;
        long n = 0;
        for (; !done.load(std::memory_order_relaxed) || n < 100; ++n) {
            Value name = rec->get(fName);
            READER_CHECK(isWrittenString(name), "name");

            Value items = rec->get(fItems);
            READER_CHECK(items.kind() == ValueKind::List, "items kind");
            if (items.kind() == ValueKind::List) {
                std::vector<Value> snap = items.asList()->snapshot();
                READER_CHECK(!snap.empty() && snap[0].kind() == ValueKind::Int, "items[0]");
                if (!snap.empty() && snap[0].kind() == ValueKind::Int) {
                    int64_t k = snap[0].asInt();
                    READER_CHECK(snap.size() == size_t(k + 1), "items size");
                    for (const Value& e : snap)
                        READER_CHECK(e.kind() == ValueKind::Int && e.asInt() == k, "items element");
                }
            }

            int64_t count = rec->get(fCount).asInt();
            READER_CHECK(count >= lastCount && count <= total, "count monotonic");
            lastCount = count;
            double ratio = rec->get(fRatio).asFloat();
            READER_CHECK(ratio - std::floor(ratio) == 0.5 && ratio <= total + 0.5, "ratio");

            Value any = rec->get(fAny);
            switch (any.kind()) {
            case ValueKind::Int: READER_CHECK(any.asInt() % 2 == 0, "any int"); break;
            case ValueKind::Float: READER_CHECK(any.asFloat() - std::floor(any.asFloat()) == 0.25, "any float"); break;
            case ValueKind::Str: READER_CHECK(any.asStr().size() >= 2 && any.asStr()[0] == 's', "any str"); break;
            default: READER_CHECK(false, "any kind");
            }

            Value tags = rec->get(fTags);
            Value tag;
            if (tags.kind() == ValueKind::Dict && tags.asDict()->get(str("k"), &tag))
                READER_CHECK(isWrittenString(tag), "tags element");

            READER_CHECK(shared->size() >= kSharedListSize, "shared list size");
            READER_CHECK(isWrittenString(shared->at(size_t(n) % kSharedListSize)), "shared list element");
            Value entry;
            if (dict->get(str("k" + std::to_string(n % 32)), &entry))
                READER_CHECK(isWrittenString(entry), "dict entry");

            TypeRef hot = reg.find("cc.Hot");
            READER_CHECK(hot && hot->key == "cc.Hot", "registry find");
            if (hot) {
                READER_CHECK(hot->generation >= lastGeneration, "generation monotonic");
                lastGeneration = hot->generation;
                TypeRef byIndex = reg.at(hot->index);
                READER_CHECK(byIndex && byIndex->key == "cc.Hot", "registry at");
                READER_CHECK(hot->fields.size() == 1 && hot->fields[0].defaultValue->asInt() % 20 == 0,
                             "replaced type contents");
            }

            if (n % 64 == id) {
                uint64_t version = reg.version();
                READER_CHECK(version >= lastVersion, "version monotonic");
                lastVersion = version;
                std::set<std::string> keys;
                for (const TypeRef& t : reg.snapshot())
                    keys.insert(t->key);
                for (const std::string& k : keys) {
                    if (k.rfind("cc.A", 0) == 0)
                        READER_CHECK(keys.count("cc.B" + k.substr(4)), "batch half visible: " + k);
                    if (k.rfind("cc.B", 0) == 0)
                        READER_CHECK(keys.count("cc.A" + k.substr(4)), "batch half visible: " + k);
                }
                READER_CHECK(keys.count("cc.Record") && keys.count("cc.Hot"), "snapshot lost a type");
            }

            if (n % 256 == id) {
                // A whole-object read (writer and JSON) is consistent field by field.
                std::string text = toJson(Value::fromObject(rec));
                auto err = testsupport::errorOf([&] { fromJson(text, Schema::named("cc.Record"), reg); });
                READER_CHECK(!err, "JSON of a live object: " + std::string(err ? err->what() : ""));
                (void)hashValue(Value::fromObject(rec));
            }
        }
        readerIterations += n;
    };

    std::thread w(writer);
    std::vector<std::thread> readers;
    for (int id = 0; id < 2; ++id)
        readers.emplace_back(reader, id);
    w.join();
    for (std::thread& r : readers)
        r.join();

    QVERIFY2(failures.count == 0, qPrintable(QString("%1 failed reads, first: %2")
                                                 .arg(failures.count.load())
                                                 .arg(qs(failures.first))));
    qInfo("writer: %d iterations, readers: %ld iterations", total, readerIterations.load());
    QCOMPARE(rec->get(fCount).asInt(), int64_t(total));
    QVERIFY(reg.find("cc.Hot")->generation >= uint32_t(total / 20));

    // Every reference the threads took was given back.
    rec->unset(fName);
    rec->unset(fTags);
    shared->assign({});
    dict->assign({});
    for (const Value& s : strings)
        QCOMPARE(s.node()->refCount(), 1u);
}

void TestConcurrency::shouldCountReferencesExactlyAcrossThreads()
{
    // One writer swaps two shared values through an object field; readers take and drop
    // references to them (and to what they read) as fast as they can.
    TypeRef holder = TypeBuilder("cc.Holder").field("v", Schema::any()).build();
    auto obj = ObjectNode::create(holder);
    Value list = Value::fromList(ListNode::make({str("x")}));
    Value text = str("shared");
    obj->set(0, list);
    const int perThread = iterations() / 2;
    std::atomic<bool> done{false};
    std::atomic<int> wrong{0};
    auto writer = [&] {
        for (int i = 0; i < perThread; ++i)
            obj->set(0, i % 2 ? list : text);
        done = true;
    };
    auto reader = [&](int id) {
        std::vector<Value> mine;
        for (int i = 0; !done.load(std::memory_order_relaxed) || i < 1000; ++i) {
            mine.push_back((i + id) % 2 ? list : text);
            Value back = obj->get(0);
            if (back.node() != list.node() && back.node() != text.node())
                ++wrong;
            mine.push_back(std::move(back));
            if (mine.size() > 32)
                mine.erase(mine.begin(), mine.begin() + 16);
        }
    };
    std::thread w(writer);
    std::vector<std::thread> readers;
    for (int id = 0; id < 3; ++id)
        readers.emplace_back(reader, id);
    w.join();
    for (std::thread& r : readers)
        r.join();
    QCOMPARE(wrong.load(), 0);
    obj->unset(0);
    QCOMPARE(list.node()->refCount(), 1u);
    QCOMPARE(text.node()->refCount(), 1u);
    QCOMPARE(holder->refCount(), 2u);
}

void TestConcurrency::shouldKeepBothSetBitsWhenTwoWritersSetDifferentFields()
{
    // The host's Python thread and the UI's in-place edit may each set a field of the same
    // object at once. Setting a field marks a bit in a shared mask word: neither writer may
    // lose the other's bit. Two threads set their field of one object in lockstep, many times
    // over (the main thread unsets both between rounds), so that the writes really collide.
    Registry reg;
    TypeRef pair = TypeBuilder("cc.Pair").field("a", Schema::integer()).field("b", Schema::floating()).build();
    reg.registerType(pair, "test");
    auto o = ObjectNode::create(pair);
    constexpr int kRounds = 100000;
    std::atomic<int> round{0}, doneA{0}, doneB{0};
    auto waitFor = [](const std::atomic<int>& a, int value) {
        while (a.load(std::memory_order_acquire) != value)
            std::this_thread::yield();
    };
    std::thread first([&] {
        for (int r = 1; r <= kRounds; ++r) {
            waitFor(round, r);
            o->setRawInt(0, r);
            doneA.store(r, std::memory_order_release);
        }
    });
    std::thread second([&] {
        for (int r = 1; r <= kRounds; ++r) {
            waitFor(round, r);
            o->set(1, Value::fromFloat(r));
            doneB.store(r, std::memory_order_release);
        }
    });
    int lost = 0;
    for (int r = 1; r <= kRounds; ++r) {
        o->unset(0);
        o->unset(1);
        round.store(r, std::memory_order_release);
        waitFor(doneA, r);
        waitFor(doneB, r);
        lost += !(o->isSet(0) && o->isSet(1));
    }
    first.join();
    second.join();
    QCOMPARE(lost, 0);
}

QTEST_APPLESS_MAIN(TestConcurrency)
#include "tst_concurrency.moc"
