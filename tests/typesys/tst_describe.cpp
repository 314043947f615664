// The shared type description (typesys/describe.h): its keys and flags, defaults as JSON
// values and as Python text, and pythonRepr's edges (quoting, floats, tuples, objects, cycles).

#include "test_support.h"

#include "typesys/describe.h"
#include "typesys/object.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QTest>

#include <cmath>

using namespace typesys;
using testsupport::qs;
using testsupport::str;

namespace {

QJsonObject parsed(const std::string& text)
{
    QJsonParseError error;
    QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text.data(), qsizetype(text.size())), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("not JSON: %s", text.c_str());
    return doc.object();
}

Value strList(std::initializer_list<const char*> items)
{
    std::vector<Value> v;
    for (const char* s : items)
        v.push_back(str(s));
    return Value::fromNode(ListNode::make(std::move(v)).get());
}

} // namespace

class TstDescribe : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldDescribeTypeKeysFlagsAndSource();
    void shouldWriteDefaultsAsJsonAndAsPythonText();
    void shouldPreferTheHostsReprOfADefault();
    void shouldFoldTheClassHashRuleIntoFieldHash();
    void shouldDescribeEnumMembers();
    void shouldQuoteStrAsPythonDoes();
    void shouldWriteFloatsAsPythonDoes();
    void shouldWriteTuplesListsDictsAndObjects();
    void shouldStopAtACycle();
    void shouldWriteAllTypesUnderTypes();
};

void TstDescribe::shouldDescribeTypeKeysFlagsAndSource()
{
    Registry reg;
    TypeRef t = reg.registerType(TypeBuilder("d.Point").doc("A point.").source("/src/p.cpp", 12)
                                     .field("x", Schema::floating())
                                     .fieldDoc("across")
                                     .build(),
                                 "plugin:geo");
    QJsonObject d = parsed(describeJson(*t));
    QCOMPARE(d.value("key").toString(), "d.Point");
    QCOMPARE(d.value("kind").toString(), "object");
    QCOMPARE(d.value("origin").toString(), "native");
    QCOMPARE(d.value("plugin").toString(), "geo");
    QCOMPARE(d.value("owner").toString(), "plugin:geo");
    QVERIFY(d.value("parent").isNull());
    QCOMPARE(d.value("doc").toString(), "A point.");
    QCOMPARE(d.value("file").toString(), "/src/p.cpp");
    QCOMPARE(d.value("line").toInt(), 12);
    QCOMPARE(d.value("frozen").toBool(), false);
    QCOMPARE(d.value("hashable").toBool(), false);   // eq without frozen: not hashable
    QCOMPARE(d.value("stale").toBool(), false);
    QJsonObject x = d.value("fields").toArray().at(0).toObject();
    QCOMPARE(x.value("type").toString(), "float");
    QCOMPARE(x.value("defined_in").toString(), "d.Point");
    QCOMPARE(x.value("required").toBool(), true);
    QCOMPARE(x.value("has_default").toBool(), false);
    QVERIFY(x.value("default").isNull());
    QVERIFY(x.value("default_repr").isNull());
    QCOMPARE(x.value("doc").toString(), "across");
    for (const char* flag : {"init", "repr", "compare", "hash", "kw_only", "default_factory"})
        QVERIFY2(x.value(flag).isBool(), flag);
}

void TstDescribe::shouldWriteDefaultsAsJsonAndAsPythonText()
{
    Registry reg;
    TypeRef t = reg.registerType(TypeBuilder("d.Defaults")
                                     .field("n", Schema::integer(), Value::fromInt(-3))
                                     .field("f", Schema::floating(), Value::fromFloat(2.0))
                                     .field("s", Schema::str(), str("it's"))
                                     .field("tags", Schema::list(Schema::str()), strList({"a", "b"}))
                                     .field("made", Schema::list(Schema::str()))
                                     .factory([] { return strList({}); })
                                     .build(),
                                 "");
    QJsonArray fields = parsed(describeJson(*t)).value("fields").toArray();
    QCOMPARE(fields.at(0).toObject().value("default").toInt(), -3);
    QCOMPARE(fields.at(0).toObject().value("default_repr").toString(), "-3");
    QCOMPARE(fields.at(1).toObject().value("default").toDouble(), 2.0);
    QCOMPARE(fields.at(1).toObject().value("default_repr").toString(), "2.0");
    QCOMPARE(fields.at(2).toObject().value("default").toString(), "it's");
    QCOMPARE(fields.at(2).toObject().value("default_repr").toString(), "\"it's\"");
    QCOMPARE(fields.at(3).toObject().value("default").toArray(), (QJsonArray{"a", "b"}));
    QCOMPARE(fields.at(3).toObject().value("default_repr").toString(), "['a', 'b']");
    QJsonObject made = fields.at(4).toObject();
    QCOMPARE(made.value("default_factory").toBool(), true);
    QCOMPARE(made.value("has_default").toBool(), false);
    QCOMPARE(made.value("required").toBool(), false);
    QVERIFY(made.value("default").isNull());
}

void TstDescribe::shouldPreferTheHostsReprOfADefault()
{
    FieldInfo f;
    f.name = "mode";
    f.schema = Schema::str();
    f.defaultValue = str("fast");
    f.defaultRepr = "<Mode.FAST: 'fast'>";
    f.metadataJson = R"({"unit": "m"})";
    Registry reg;
    TypeRef t = reg.registerType(TypeBuilder("d.Repr").field(std::move(f)).build(), "");
    QJsonObject mode = parsed(describeJson(*t)).value("fields").toArray().at(0).toObject();
    QCOMPARE(mode.value("default").toString(), "fast");
    QCOMPARE(mode.value("default_repr").toString(), "<Mode.FAST: 'fast'>");
    QCOMPARE(mode.value("metadata").toObject().value("unit").toString(), "m");
}

void TstDescribe::shouldFoldTheClassHashRuleIntoFieldHash()
{
    Registry reg;
    FieldInfo skipped;
    skipped.name = "cache";
    skipped.schema = Schema::integer();
    skipped.hash = false;
    TypeRef frozen = reg.registerType(
        TypeBuilder("d.Frozen").frozen().field("a", Schema::integer()).field(skipped).build(), "");
    TypeRef unhashable = reg.registerType(
        TypeBuilder("d.Frozen2").frozen().hashable(false).field("a", Schema::integer()).build(), "");
    QJsonObject d = parsed(describeJson(*frozen));
    QCOMPARE(d.value("hashable").toBool(), true);
    QCOMPARE(d.value("fields").toArray().at(0).toObject().value("hash").toBool(), true);
    QCOMPARE(d.value("fields").toArray().at(1).toObject().value("hash").toBool(), false);
    d = parsed(describeJson(*unhashable));
    QCOMPARE(d.value("hashable").toBool(), false);
    QCOMPARE(d.value("fields").toArray().at(0).toObject().value("hash").toBool(), false);
}

void TstDescribe::shouldDescribeEnumMembers()
{
    Registry reg;
    TypeRef e = reg.registerType(TypeBuilder("d.Kind").member("A", str("a")).member("B", Value::fromInt(2)).build(), "");
    QJsonObject d = parsed(describeJson(*e));
    QCOMPARE(d.value("kind").toString(), "enum");
    QCOMPARE(d.value("hashable").toBool(), true);
    QCOMPARE(d.value("members").toArray(), (QJsonArray{QJsonArray{"A", "a"}, QJsonArray{"B", 2}}));
}

void TstDescribe::shouldQuoteStrAsPythonDoes()
{
    QCOMPARE(qs(pythonRepr(str("plain"), Schema::str())), "'plain'");
    QCOMPARE(qs(pythonRepr(str("it's"), Schema::str())), "\"it's\"");
    QCOMPARE(qs(pythonRepr(str("both ' and \""), Schema::str())), "'both \\' and \"'");
    QCOMPARE(qs(pythonRepr(str("a\\b\n\t\x01"), Schema::str())), "'a\\\\b\\n\\t\\x01'");
    QCOMPARE(qs(pythonRepr(str("caf\xc3\xa9"), Schema::str())), "'caf\xc3\xa9'");
    Value bytes = Value::fromStrNode(StrNode::make(std::string_view("\x00\xff" "a", 3), NodeKind::Bytes));
    QCOMPARE(qs(pythonRepr(bytes, Schema::bytes())), "b'\\x00\\xffa'");
}

void TstDescribe::shouldWriteFloatsAsPythonDoes()
{
    QCOMPARE(qs(pythonRepr(Value::fromFloat(1.0), Schema::floating())), "1.0");
    QCOMPARE(qs(pythonRepr(Value::fromFloat(0.1), Schema::floating())), "0.1");
    QCOMPARE(qs(pythonRepr(Value::fromFloat(1e16), Schema::floating())), "1e+16");
    QCOMPARE(qs(pythonRepr(Value::fromFloat(-2.5e-7), Schema::floating())), "-2.5e-07");
    QCOMPARE(qs(pythonRepr(Value::fromFloat(INFINITY), Schema::floating())), "inf");
    QCOMPARE(qs(pythonRepr(Value::fromFloat(NAN), Schema::floating())), "nan");
    QCOMPARE(qs(pythonRepr(Value::fromBool(true), Schema::boolean())), "True");
    QCOMPARE(qs(pythonRepr(Value(), Schema::none())), "None");
}

void TstDescribe::shouldWriteTuplesListsDictsAndObjects()
{
    Value one = Value::fromNode(ListNode::make({Value::fromInt(1)}).get());
    QCOMPARE(qs(pythonRepr(one, Schema::tuple({Schema::integer()}))), "(1,)");
    QCOMPARE(qs(pythonRepr(one, Schema::list(Schema::integer()))), "[1]");
    Value pair = Value::fromNode(ListNode::make({Value::fromFloat(0.0), Value::fromFloat(1.5)}).get());
    QCOMPARE(qs(pythonRepr(pair, Schema::tupleVar(Schema::floating()))), "(0.0, 1.5)");
    auto dict = DictNode::make(DictNode::StrKeys);
    dict->set(str("k"), Value::fromInt(1));
    QCOMPARE(qs(pythonRepr(Value::fromNode(dict.get()), Schema::dictStr(Schema::integer()))), "{'k': 1}");

    Registry reg;
    TypeRef vec = reg.registerType(TypeBuilder("d.geo.Vec").field("x", Schema::floating()).field("label", Schema::str()).build(), "");
    auto o = ObjectNode::create(vec);
    o->initField(0, Value::fromFloat(1.0));
    QCOMPARE(qs(pythonRepr(Value::fromNode(o.get()), Schema::named("d.geo.Vec"))), "Vec(x=1.0, label=<unset>)");
}

void TstDescribe::shouldStopAtACycle()
{
    auto list = ListNode::make();
    list->append(Value::fromNode(list.get()));
    std::string text = pythonRepr(Value::fromNode(list.get()), Schema::list(Schema::any()));
    QVERIFY(text.find("...") != std::string::npos);
    QVERIFY(text.size() < 200);
    list->take(0);   // break the cycle so the node is freed
}

void TstDescribe::shouldWriteAllTypesUnderTypes()
{
    Registry reg;
    TypeRef a = reg.registerType(TypeBuilder("d.A").build(), "");
    TypeRef b = reg.registerType(TypeBuilder("d.B").parent("d.A").build(), "");
    QJsonObject all = parsed(describeTypesJson({a, b}));
    QJsonArray types = all.value("types").toArray();
    QCOMPARE(types.size(), 2);
    QCOMPARE(types.at(1).toObject().value("parent").toString(), "d.A");
    QCOMPARE(types.at(0).toObject(), parsed(describeJson(*a)));
}

QTEST_GUILESS_MAIN(TstDescribe)
#include "tst_describe.moc"
