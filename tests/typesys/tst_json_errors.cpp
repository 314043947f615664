// collectJsonErrors: every error of a document with its JSON pointer, in document order; the
// first is the one fromJson throws; the list is capped and the total counted; no factories.

#include "test_support.h"

#include "typesys/json.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <QObject>
#include <QTest>

#include <random>

using namespace typesys;
using testsupport::flt;
using testsupport::list;
using testsupport::num;
using testsupport::qs;
using testsupport::ss;
using testsupport::str;

namespace {

QStringList messages(const JsonErrorReport& r)
{
    QStringList out;
    for (const Error& e : r.errors)
        out << qs(e.what());
    return out;
}

} // namespace

class TestJsonErrors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shouldListEveryErrorInDocumentOrder();
    void shouldGiveEachErrorItsPointerAndReason();
    void shouldStartWithTheErrorFromJsonThrows_data();
    void shouldStartWithTheErrorFromJsonThrows();
    void shouldFindNothingInValidDocuments_data();
    void shouldFindNothingInValidDocuments();
    void shouldCapTheListAndCountTheRest();
    void shouldReportTextThatIsNotJsonOnce();
    void shouldReportAFailedUnionOnce();
    void shouldNotDescendBeyondTheDepthLimit();
    void shouldNotCallDefaultFactories();
    void shouldAgreeWithFromJsonOnMutatedDocuments();

private:
    Registry m_registry;
    int m_factoryCalls = 0;
};

void TestJsonErrors::initTestCase()
{
    m_registry.registerTypes(
        {TypeBuilder("je.Point").field("x", Schema::floating()).field("y", Schema::floating(), flt(0)).build(),
         TypeBuilder("je.Point3").parent("je.Point").field("z", Schema::floating()).build(),
         TypeBuilder("je.Color").member("RED", str("red")).member("ONE", num(1)).build(),
         TypeBuilder("je.Line")
             .field("name", Schema::str())
             .field("points", Schema::parse("list[je.Point]"))
             .field("color", Schema::parse("je.Color"), str("red"))
             .field("weights", Schema::parse("dict[int, float]"), Value::fromDict(DictNode::make(DictNode::IntKeys)))
             .field("span", Schema::parse("tuple[int, int]"), list({num(0), num(0)}))
             .field("either", Schema::parse("Union[int, str]"), num(0))
             .field("blob", Schema::parse("Optional[bytes]"), Value())
             .field("serial", Schema::integer())
             .factory([this] { return num(++m_factoryCalls); })
             .field("next", Schema::parse("Optional[je.Line]"), Value())
             .build()},
        "tst_json_errors");
}

void TestJsonErrors::shouldListEveryErrorInDocumentOrder()
{
    const char* text = R"({
        "$type": "je.Line",
        "name": 7,
        "points": [{"x": 1.5}, {"x": "a", "y": true}, {"y": 2}, {"$type": "je.Point3", "x": 1}, 3],
        "colour": "red",
        "color": "blue",
        "weights": {"1": 0.5, "01": 1.0, "2": "heavy", "1": 2.0},
        "span": [1, "2", 3],
        "either": 1.5,
        "blob": {"$bytes": "A"},
        "next": {"points": [], "serial": "x"}
    })";
    const JsonErrorReport r = collectJsonErrors(text, Schema::parse("je.Line"), m_registry);
    const QStringList expected{
        "/name: expected str, got integer",
        "/points/1/x: expected float, got string",
        "/points/1/y: expected float, got boolean",
        "/points/2: missing field 'x' of je.Point",
        "/points/3: missing field 'z' of je.Point3",
        "/points/4: expected je.Point, got integer",
        "/colour: unknown field 'colour' of je.Line",
        "/color: expected a member of je.Color, got 'blue' (the members' values are 'red', 1)",
        "/weights/01: dict key \"01\" is not a decimal int",
        "/weights/2: expected float, got string",
        "/weights/1: duplicate key",
        "/span: expected tuple[int, int], got an array of length 3",
        "/span/1: expected int, got string",
        "/either: expected Union[int, str], got number",
        "/blob/$bytes: invalid base64: length is not a multiple of 4",
        "/next/serial: expected int, got string",
        "/next: missing field 'name' of je.Line",
    };
    QCOMPARE(messages(r), expected);
    QCOMPARE(r.total, size_t(expected.size()));
    QVERIFY(!r.ok());
}

void TestJsonErrors::shouldGiveEachErrorItsPointerAndReason()
{
    const JsonErrorReport r = collectJsonErrors(R"({"next": {"name": 1, "points": [{"x": []}], "a/b~": 0}})",
                                                Schema::parse("je.Line"), m_registry);
    QCOMPARE(r.errors.size(), size_t(5));
    QCOMPARE(qs(r.errors[0].pointer()), QString("/next/name"));
    QCOMPARE(qs(r.errors[0].reason()), QString("expected str, got integer"));
    QCOMPARE(qs(r.errors[1].pointer()), QString("/next/points/0/x"));
    QCOMPARE(qs(formatPath(r.errors[1].path())), QString("next.points[0].x"));
    QCOMPARE(qs(r.errors[2].pointer()), QString("/next/a~1b~0"));
    QCOMPARE(qs(r.errors[2].reason()), QString("unknown field 'a/b~' of je.Line"));
    QCOMPARE(qs(r.errors[3].pointer()), QString(""));   // the document root: missing fields
    QCOMPARE(qs(r.errors[3].what()), QString("/: missing field 'name' of je.Line"));
    QCOMPARE(qs(r.errors[4].what()), QString("/: missing field 'points' of je.Line"));
    for (const Error& e : r.errors)
        QCOMPARE(e.kind(), ErrorKind::Validation);
}

void TestJsonErrors::shouldStartWithTheErrorFromJsonThrows_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("schema");
    QTest::newRow("nested field") << R"({"name":"a","points":[{"x":1},{"x":"a"}]})" << "je.Line";
    QTest::newRow("unknown $type") << R"({"$type":"je.Nope","x":1})" << "je.Point";
    QTest::newRow("enum as $type") << R"({"$type":"je.Color"})" << "Object";
    QTest::newRow("not a subtype") << R"({"$type":"je.Line"})" << "je.Point";
    QTest::newRow("$type not a string") << R"({"$type":1})" << "Object";
    QTest::newRow("$type twice") << R"({"$type":"je.Point","x":1,"$type":"je.Point3"})" << "je.Point";
    QTest::newRow("field twice") << R"({"x":1,"x":"a"})" << "je.Point";
    QTest::newRow("dict key twice") << R"({"$$a":1,"$$a":"b"})" << "dict[str, int]";
    QTest::newRow("unescaped $ key") << R"({"$a":1})" << "Any";
    QTest::newRow("int key") << R"({"-0":1})" << "dict[int, int]";
    QTest::newRow("float word") << R"([{"$float":"NaN"}])" << "list[float]";
    QTest::newRow("bytes not a string") << R"({"$bytes":1})" << "Any";
    QTest::newRow("tuple length") << "[1]" << "tuple[int, str]";
    QTest::newRow("union in list") << R"([1,"a",null])" << "list[Union[int, str]]";
    QTest::newRow("literal") << R"("c")" << "Literal['a', 'b']";
    QTest::newRow("enum") << "1.5" << "je.Color";
    QTest::newRow("object without $type") << "{}" << "Object";
    QTest::newRow("unregistered type") << "1" << "je.Missing";
    QTest::newRow("int above int64") << R"({"n":9223372036854775808})" << "dict[str, int]";
    QTest::newRow("opaque $type key") << R"({"$type":"je.Point"})" << "Opaque['m.C']";
    QTest::newRow("control character in key") << "{\"a\\u0000b\":1}" << "je.Point";
    QTest::newRow("depth") << "[[[[1]]]]" << "Any";
}

void TestJsonErrors::shouldStartWithTheErrorFromJsonThrows()
{
    QFETCH(QString, text);
    QFETCH(QString, schema);
    JsonReadOptions options;
    options.maxDepth = QByteArray(QTest::currentDataTag()) == "depth" ? 3 : 512;
    const Schema s = Schema::parse(ss(schema));
    auto thrown = testsupport::errorOf([&] { fromJson(ss(text), s, m_registry, options); });
    QVERIFY(thrown);
    const JsonErrorReport r = collectJsonErrors(ss(text), s, m_registry, options);
    QVERIFY(!r.errors.empty());
    QCOMPARE(qs(r.errors.front().what()), qs(thrown->what()));
    QCOMPARE(qs(r.errors.front().pointer()), qs(thrown->pointer()));
    QCOMPARE(qs(r.errors.front().reason()), qs(thrown->reason()));
}

void TestJsonErrors::shouldFindNothingInValidDocuments_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("schema");
    QTest::newRow("object with defaults") << R"({"name":"a","points":[{"x":1},{"$type":"je.Point3","x":1,"z":2}]})"
                                          << "je.Line";
    QTest::newRow("every field") << R"({"$type":"je.Line","name":"a","points":[],"color":1,"weights":{"-3":1},
                                       "span":[1,2],"either":"s","blob":{"$bytes":"AA=="},"serial":4,
                                       "next":{"name":"b","points":[]}})"
                                 << "je.Line";
    QTest::newRow("any") << R"({"a":[1,2.5,{"$float":"inf"},{"$$type":1},{"$type":"je.Point","x":0}]})" << "Any";
    QTest::newRow("union members") << R"([1,"a",2])" << "list[Union[je.Point, int, str]]";
    QTest::newRow("optional") << "null" << "Optional[je.Line]";
}

void TestJsonErrors::shouldFindNothingInValidDocuments()
{
    QFETCH(QString, text);
    QFETCH(QString, schema);
    const Schema s = Schema::parse(ss(schema));
    fromJson(ss(text), s, m_registry);   // throws (and fails the test) if the document is invalid
    const JsonErrorReport r = collectJsonErrors(ss(text), s, m_registry);
    QCOMPARE(messages(r), QStringList{});
    QCOMPARE(r.total, size_t(0));
    QVERIFY(r.ok());
}

void TestJsonErrors::shouldCapTheListAndCountTheRest()
{
    std::string text = "[";
    for (int i = 0; i < 250; ++i)
        text += i ? ",\"x\"" : "\"x\"";
    text += "]";
    const Schema s = Schema::parse("list[int]");
    const JsonErrorReport r = collectJsonErrors(text, s, m_registry);
    QCOMPARE(r.errors.size(), size_t(100));
    QCOMPARE(r.total, size_t(250));
    QCOMPARE(qs(r.errors.front().what()), QString("/0: expected int, got string"));
    QCOMPARE(qs(r.errors.back().what()), QString("/99: expected int, got string"));

    const JsonErrorReport five = collectJsonErrors(text, s, m_registry, {}, 5);
    QCOMPARE(five.errors.size(), size_t(5));
    QCOMPARE(five.total, size_t(250));
    const JsonErrorReport none = collectJsonErrors(text, s, m_registry, {}, 0);
    QCOMPARE(none.errors.size(), size_t(0));
    QCOMPARE(none.total, size_t(250));
}

void TestJsonErrors::shouldReportTextThatIsNotJsonOnce()
{
    for (const char* bad : {"", "[1,", "{\"a\":}", "1 2", "[\"x\", 1,]"}) {
        const JsonErrorReport r = collectJsonErrors(bad, Schema::parse("list[int]"), m_registry);
        QCOMPARE(r.total, size_t(1));
        QCOMPARE(r.errors.size(), size_t(1));
        QCOMPARE(r.errors[0].kind(), ErrorKind::Parse);
        auto thrown = testsupport::errorOf([&] { fromJson(bad, Schema::parse("list[int]"), m_registry); });
        QVERIFY(thrown);
        QCOMPARE(qs(r.errors[0].what()), qs(thrown->what()));
    }
}

void TestJsonErrors::shouldReportAFailedUnionOnce()
{
    // The members' own errors are dropped (as in fromJson); a member that fits deep inside wins.
    const JsonErrorReport r = collectJsonErrors(R"([{"x":"a"}, {"x":1}, [true], "s", 1.5])",
                                                Schema::parse("list[Union[je.Point, list[Union[int, bool]], str]]"),
                                                m_registry);
    QCOMPARE(messages(r), (QStringList{"/0: expected Union[je.Point, list[Union[int, bool]], str], got object",
                                       "/4: expected Union[je.Point, list[Union[int, bool]], str], got number"}));
}

void TestJsonErrors::shouldNotDescendBeyondTheDepthLimit()
{
    JsonReadOptions options;
    options.maxDepth = 2;
    const JsonErrorReport r = collectJsonErrors(R"([[["a", "b"]], [1, ["c"]], [[[]]]])", Schema::parse("Any"),
                                                m_registry, options);
    QCOMPARE(messages(r), (QStringList{"/0/0: nesting deeper than 2 levels", "/1/1: nesting deeper than 2 levels",
                                       "/2/0: nesting deeper than 2 levels"}));
    // Beyond the parser's own limit the text is one error at the root, as in fromJson.
    const JsonErrorReport deep = collectJsonErrors("[[[[[[1]]]]]]", Schema::parse("Any"), m_registry, options);
    QCOMPARE(messages(deep), QStringList{"/: nesting deeper than 2 levels"});
}

void TestJsonErrors::shouldNotCallDefaultFactories()
{
    const int before = m_factoryCalls;
    const JsonErrorReport r = collectJsonErrors(R"([{"name":"a","points":[]}, {"name":1,"points":[]}])",
                                                Schema::parse("list[je.Line]"), m_registry);
    QCOMPARE(messages(r), QStringList{"/1/name: expected str, got integer"});
    QCOMPARE(m_factoryCalls, before);
}

void TestJsonErrors::shouldAgreeWithFromJsonOnMutatedDocuments()
{
    // Small random edits of valid documents: fromJson fails exactly when errors are found, and
    // the first error is the one it throws.
    const std::vector<std::pair<std::string, Schema>> seeds{
        {R"({"$type":"je.Line","name":"a","points":[{"x":1,"y":2},{"$type":"je.Point3","x":1,"z":3}],"color":"red",)"
         R"("weights":{"1":0.5,"-2":1},"span":[1,2],"either":"s","blob":{"$bytes":"AAAA"},"serial":1,)"
         R"("next":{"name":"b","points":[]}})",
         Schema::parse("je.Line")},
        {R"([1,"a",{"$float":"nan"},{"$type":"je.Point","x":1.5},{"$$k":[true,null]},2.5])", Schema::parse("Any")},
        {R"([[1,"a"],[2,"b"]])", Schema::parse("list[tuple[int, Union[str, je.Color]]]")},
    };
    const std::string alphabet = R"({}[]:,"$01aexyz-.)";
    std::mt19937 rng(20240917);
    int checked = 0, invalid = 0;
    for (int round = 0; round < 4000; ++round) {
        const auto& [seed, schema] = seeds[size_t(round) % seeds.size()];
        std::string text = seed;
        const int edits = 1 + int(rng() % 3);
        for (int k = 0; k < edits && !text.empty(); ++k) {
            const size_t at = rng() % text.size();
            switch (rng() % 3) {
            case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
            case 1: text.erase(at, 1 + rng() % 4); break;
            default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
            }
        }
        auto thrown = testsupport::errorOf([&] { fromJson(text, schema, m_registry); });
        const JsonErrorReport r = collectJsonErrors(text, schema, m_registry);
        QVERIFY2(bool(thrown) == !r.ok(), text.c_str());
        if (thrown) {
            QCOMPARE(qs(r.errors.front().what()), qs(thrown->what()));
            if (thrown->kind() == ErrorKind::Validation)
                ++invalid;
        }
        ++checked;
    }
    qInfo("%d mutated documents, %d valid JSON that failed validation", checked, invalid);
    QVERIFY(invalid > 100);   // the edits reach validation, not only the parser
}

QTEST_MAIN(TestJsonErrors)
#include "tst_json_errors.moc"
