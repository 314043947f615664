// Schema: canonical text, parsing (with whitespace and errors), keys and references.

#include "test_support.h"

#include "typesys/schema.h"

#include <QObject>
#include <QTest>

using namespace typesys;
using testsupport::qs;
using testsupport::ss;

Q_DECLARE_METATYPE(typesys::SchemaKind)

class TestSchema : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shouldPrintCanonicalTextBack_data();
    void shouldPrintCanonicalTextBack();
    void shouldBuildCanonicalTextFromFactories();
    void shouldTolerateWhitespace_data();
    void shouldTolerateWhitespace();
    void shouldRejectMalformedTextWithOffset_data();
    void shouldRejectMalformedTextWithOffset();
    void shouldRejectTooDeepNesting();
    void shouldRejectInvalidFactoryArguments();
    void shouldRoundTripStringLiteralEscapes();
    void shouldValidateKeys_data();
    void shouldValidateKeys();
    void shouldListReferencesOnceInFirstSeenOrder();
    void shouldCompareByCanonicalText();
    void shouldMarkOnlyBoolIntFloatAsInline();
    void shouldExposeStructure();
    void shouldParseOpaqueWithOptionalShape();
    void shouldRejectMalformedOpaque_data();
    void shouldRejectMalformedOpaque();
};

void TestSchema::shouldPrintCanonicalTextBack_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<SchemaKind>("kind");

    QTest::newRow("list of optional key") << "list[Optional[geo.Point]]" << SchemaKind::List;
    QTest::newRow("dict str") << "dict[str, int]" << SchemaKind::DictStr;
    QTest::newRow("dict int") << "dict[int, list[float]]" << SchemaKind::DictInt;
    QTest::newRow("literal str") << "Literal['a', 'b']" << SchemaKind::Literal;
    QTest::newRow("literal escaped quote") << "Literal['it\\'s', 1, -2]" << SchemaKind::Literal;
    QTest::newRow("literal escapes") << "Literal['a\\\\b', '\\n\\t\\r', '\\x01\\x7f', 'caf\xc3\xa9']"
                                     << SchemaKind::Literal;
    QTest::newRow("literal int64 range") << "Literal[-9223372036854775808, 9223372036854775807]"
                                         << SchemaKind::Literal;
    QTest::newRow("union") << "Union[int, str]" << SchemaKind::Union;
    QTest::newRow("union of three") << "Union[None, bytes, geo.Point]" << SchemaKind::Union;
    QTest::newRow("tuple var") << "tuple[int, ...]" << SchemaKind::TupleVar;
    QTest::newRow("tuple fixed") << "tuple[int, str]" << SchemaKind::Tuple;
    QTest::newRow("tuple of one") << "tuple[float]" << SchemaKind::Tuple;
    QTest::newRow("tuple empty") << "tuple[()]" << SchemaKind::Tuple;
    QTest::newRow("optional union") << "Optional[Union[int, str]]" << SchemaKind::Optional;
    QTest::newRow("Any") << "Any" << SchemaKind::Any;
    QTest::newRow("None") << "None" << SchemaKind::None;
    QTest::newRow("Object") << "Object" << SchemaKind::AnyObject;
    QTest::newRow("bool") << "bool" << SchemaKind::Bool;
    QTest::newRow("int") << "int" << SchemaKind::Int;
    QTest::newRow("float") << "float" << SchemaKind::Float;
    QTest::newRow("str") << "str" << SchemaKind::Str;
    QTest::newRow("bytes") << "bytes" << SchemaKind::Bytes;
    QTest::newRow("plain key") << "Point" << SchemaKind::Named;
    QTest::newRow("dotted key") << "geo.shapes.Polygon_2" << SchemaKind::Named;
    QTest::newRow("locals key") << "tests.test_it.<locals>.Point" << SchemaKind::Named;
    QTest::newRow("locals twice") << "m.f.<locals>.g.<locals>.C" << SchemaKind::Named;
    QTest::newRow("key starting with a word") << "list[integer.Value]" << SchemaKind::List;
    QTest::newRow("opaque") << "Opaque['app.Money']" << SchemaKind::Opaque;
    QTest::newRow("opaque locals") << "Opaque['tests.f.<locals>.C']" << SchemaKind::Opaque;
    QTest::newRow("opaque escaped name") << "Opaque['it\\'s']" << SchemaKind::Opaque;
    QTest::newRow("opaque with shape") << "Opaque['app.Pair', tuple[float, float]]" << SchemaKind::Opaque;
    QTest::newRow("optional opaque") << "Optional[Opaque['app.Money']]" << SchemaKind::Optional;
    QTest::newRow("key starting with Opaque") << "Opaque2.X" << SchemaKind::Named;
    QTest::newRow("deep") << "dict[str, list[tuple[Optional[geo.Point], Union[int, Literal['x']]]]]"
                          << SchemaKind::DictStr;
}

void TestSchema::shouldPrintCanonicalTextBack()
{
    QFETCH(QString, text);
    QFETCH(SchemaKind, kind);

    Schema s = Schema::parse(ss(text));
    QCOMPARE(qs(s.text()), text);
    QCOMPARE(qs(s.toString()), text);
    QCOMPARE(s.kind(), kind);
    QVERIFY(Schema::parse(s.toString()) == s);
}

void TestSchema::shouldBuildCanonicalTextFromFactories()
{
    QCOMPARE(qs(Schema::list(Schema::optional(Schema::named("geo.Point"))).text()),
             QString("list[Optional[geo.Point]]"));
    QCOMPARE(qs(Schema::dictStr(Schema::integer()).text()), QString("dict[str, int]"));
    QCOMPARE(qs(Schema::dictInt(Schema::list(Schema::floating())).text()), QString("dict[int, list[float]]"));
    QCOMPARE(qs(Schema::tupleVar(Schema::integer()).text()), QString("tuple[int, ...]"));
    QCOMPARE(qs(Schema::tuple({Schema::integer(), Schema::str()}).text()), QString("tuple[int, str]"));
    QCOMPARE(qs(Schema::tuple({}).text()), QString("tuple[()]"));
    QCOMPARE(qs(Schema::unionOf({Schema::integer(), Schema::str()}).text()), QString("Union[int, str]"));
    QCOMPARE(qs(Schema::literal({Value::fromStr("it's"), Value::fromInt(1), Value::fromInt(-2)}).text()),
             QString("Literal['it\\'s', 1, -2]"));
    QCOMPARE(qs(Schema().text()), QString("Any"));
    QCOMPARE(qs(Schema::any().text()), QString("Any"));
    QCOMPARE(qs(Schema::none().text()), QString("None"));
    QCOMPARE(qs(Schema::boolean().text()), QString("bool"));
    QCOMPARE(qs(Schema::bytes().text()), QString("bytes"));
    QCOMPARE(qs(Schema::anyObject().text()), QString("Object"));
    QCOMPARE(qs(Schema::opaque("app.Money").text()), QString("Opaque['app.Money']"));
    QCOMPARE(qs(Schema::opaque("a.P", Schema::tuple({Schema::integer(), Schema::str()})).text()),
             QString("Opaque['a.P', tuple[int, str]]"));
}

void TestSchema::shouldTolerateWhitespace_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("around everything") << "  list [ Optional [ geo.Point ] ]  " << "list[Optional[geo.Point]]";
    QTest::newRow("no space after comma") << "dict[str,int]" << "dict[str, int]";
    QTest::newRow("tabs and newlines") << "\tUnion[int,\n\r str ]\n" << "Union[int, str]";
    QTest::newRow("tuple var") << "tuple[ int , ... ]" << "tuple[int, ...]";
    QTest::newRow("tuple empty") << "tuple[ ( ) ]" << "tuple[()]";
    QTest::newRow("literal, double quotes") << "Literal[ \"it's\" ,-2 ]" << "Literal['it\\'s', -2]";
    QTest::newRow("dict int key") << "dict[ int ,str]" << "dict[int, str]";
    QTest::newRow("opaque") << "Opaque[ \"app.Money\" ]" << "Opaque['app.Money']";
    QTest::newRow("opaque with shape") << "Opaque['a.P',tuple[int,int]]" << "Opaque['a.P', tuple[int, int]]";
}

void TestSchema::shouldTolerateWhitespace()
{
    QFETCH(QString, text);
    QFETCH(QString, canonical);

    Schema s = Schema::parse(ss(text));
    QCOMPARE(qs(s.text()), canonical);
    QVERIFY(s == Schema::parse(ss(canonical)));
}

void TestSchema::shouldRejectMalformedTextWithOffset_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << ""
                           << "schema '': at offset 0: expected a type, found end of text";
    QTest::newRow("blank") << "   "
                           << "schema '   ': at offset 3: expected a type, found end of text";
    QTest::newRow("unclosed") << "list[int"
                              << "schema 'list[int': at offset 8: expected ']', found end of text";
    QTest::newRow("trailing") << "list[int]]"
                              << "schema 'list[int]]': at offset 9: expected end of schema, found ']'";
    QTest::newRow("no bracket") << "list"
                                << "schema 'list': at offset 4: expected '[', found end of text";
    QTest::newRow("dict key type")
        << "dict[float, int]"
        << "schema 'dict[float, int]': at offset 5: expected dict key type 'str' or 'int', found 'float, int]'";
    QTest::newRow("dict no comma") << "dict[str int]"
                                   << "schema 'dict[str int]': at offset 9: expected ',', found 'int]'";
    QTest::newRow("union of one")
        << "Union[int]"
        << "schema 'Union[int]': at offset 0: Union needs at least two members, found 'Union[int]'";
    QTest::newRow("optional of two")
        << "Optional[int, str]"
        << "schema 'Optional[int, str]': at offset 12: expected ']', found ', str]'";
    QTest::newRow("literal empty")
        << "Literal[]"
        << "schema 'Literal[]': at offset 8: expected a str or int literal, found ']'";
    QTest::newRow("literal float")
        << "Literal[1.5]"
        << "schema 'Literal[1.5]': at offset 9: expected ']', found '.5]'";
    QTest::newRow("literal unterminated")
        << "Literal['abc"
        << "schema 'Literal['abc': at offset 12: unterminated string literal, found end of text";
    QTest::newRow("literal bad escape")
        << "Literal['a\\q']"
        << "schema 'Literal['a\\q']': at offset 11: unknown escape in string literal, found 'q']'";
    QTest::newRow("literal bad hex")
        << "Literal['\\xg0']"
        << "schema 'Literal['\\xg0']': at offset 11: expected two hex digits after \\x, found 'g0']'";
    QTest::newRow("literal int overflow")
        << "Literal[99999999999999999999]"
        << "schema 'Literal[99999999999999999999]': at offset 8: integer literal outside int64, found '999999999999'";
    QTest::newRow("digit first")
        << "list[1nt]"
        << "schema 'list[1nt]': at offset 5: expected a type name or a dotted type key, found '1nt]'";
    QTest::newRow("double dot")
        << "geo..Point"
        << "schema 'geo..Point': at offset 0: expected a type name or a dotted type key, found 'geo..Point'";
    QTest::newRow("symbol") << "list[$]"
                            << "schema 'list[$]': at offset 5: expected a type, found '$]'";
    QTest::newRow("tuple ellipsis not last")
        << "tuple[int, ..., str]"
        << "schema 'tuple[int, ..., str]': at offset 14: expected ']', found ', str]'";
    QTest::newRow("ellipsis after two")
        << "tuple[int, str, ...]"
        << "schema 'tuple[int, str, ...]': at offset 16: expected a type name or a dotted type key, found '...]'";
}

void TestSchema::shouldRejectMalformedTextWithOffset()
{
    QFETCH(QString, text);
    QFETCH(QString, message);

    TYPESYS_VERIFY_ERROR(Schema::parse(ss(text)), ErrorKind::Parse, message);
}

void TestSchema::shouldRejectTooDeepNesting()
{
    std::string ok, deep;
    for (int i = 0; i < 200; ++i)
        ok += "list[";
    ok += "int" + std::string(200, ']');
    QCOMPARE(Schema::parse(ok).text(), ok);

    for (int i = 0; i < 300; ++i)
        deep += "list[";
    deep += "int" + std::string(300, ']');
    // Depth 257 starts at offset 5 * 257.
    TYPESYS_VERIFY_ERROR(Schema::parse(deep), ErrorKind::Parse,
                         "schema '" + deep + "': at offset 1285: schema nested too deeply, found 'list[list[li'");
}

void TestSchema::shouldRejectInvalidFactoryArguments()
{
    TYPESYS_VERIFY_ERROR(Schema::unionOf({Schema::integer()}), ErrorKind::Parse,
                         "Union needs at least two members");
    TYPESYS_VERIFY_ERROR(Schema::literal({}), ErrorKind::Parse, "Literal needs at least one value");
    TYPESYS_VERIFY_ERROR(Schema::literal({Value::fromFloat(1.5)}), ErrorKind::Parse,
                         "Literal values must be str or int, not float");
    TYPESYS_VERIFY_ERROR(Schema::named("geo point"), ErrorKind::Parse, "invalid type key 'geo point'");
    TYPESYS_VERIFY_ERROR(Schema::named("int"), ErrorKind::Parse, "invalid type key 'int'");
    TYPESYS_VERIFY_ERROR(Schema::opaque(""), ErrorKind::Parse, "Opaque needs a class name");
    TYPESYS_VERIFY_ERROR(Schema::opaque("", Schema::integer()), ErrorKind::Parse, "Opaque needs a class name");
}

void TestSchema::shouldRoundTripStringLiteralEscapes()
{
    static const char kRaw[] = "q'uote\\back\nnl\ttab\rcr\x01\x1f\x7f nul:\0 utf8:\xe2\x82\xac";
    const std::string raw(kRaw, sizeof kRaw - 1);
    Schema s = Schema::literal({Value::fromStr(raw), Value::fromInt(0)});
    QCOMPARE(qs(s.text()),
             QString("Literal['q\\'uote\\\\back\\nnl\\ttab\\rcr\\x01\\x1f\\x7f nul:\\x00 utf8:\xe2\x82\xac', 0]"));
    Schema back = Schema::parse(s.text());
    QCOMPARE(back.literals().size(), size_t(2));
    QCOMPARE(back.literals()[0].kind(), ValueKind::Str);
    QCOMPARE(back.literals()[0].asStr().size(), raw.size());
    QVERIFY(back.literals()[0].asStr() == raw);
    QCOMPARE(back.literals()[1].asInt(), int64_t(0));
    QVERIFY(back == s);
}

void TestSchema::shouldValidateKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("valid");

    QTest::newRow("single") << "Point" << true;
    QTest::newRow("dotted") << "geo.Point" << true;
    QTest::newRow("underscores and digits") << "_geo_2.Point_3d" << true;
    QTest::newRow("three parts") << "a.b.c" << true;
    QTest::newRow("locals") << "tests.test_x.<locals>.Point" << true;
    QTest::newRow("word inside key") << "my.int" << true;
    QTest::newRow("255 chars") << QString(255, 'a') << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("256 chars") << QString(256, 'a') << false;
    QTest::newRow("leading dot") << ".geo" << false;
    QTest::newRow("trailing dot") << "geo." << false;
    QTest::newRow("double dot") << "geo..Point" << false;
    QTest::newRow("digit first") << "1geo" << false;
    QTest::newRow("digit after dot") << "geo.3d" << false;
    QTest::newRow("dash") << "geo-point" << false;
    QTest::newRow("space") << "geo Point" << false;
    QTest::newRow("dollar") << "$type" << false;
    QTest::newRow("non-ascii") << "g\xc3\xa9o.Point" << false;
    QTest::newRow("misspelled locals") << "f.<local>.X" << false;
    QTest::newRow("locals glued") << "f<locals>.X" << false;
    QTest::newRow("word Any") << "Any" << false;
    QTest::newRow("word None") << "None" << false;
    QTest::newRow("word int") << "int" << false;
    QTest::newRow("word list") << "list" << false;
    QTest::newRow("word Object") << "Object" << false;
    QTest::newRow("word Literal") << "Literal" << false;
    QTest::newRow("word True") << "True" << false;
    QTest::newRow("word Opaque") << "Opaque" << false;
}

void TestSchema::shouldValidateKeys()
{
    QFETCH(QString, key);
    QFETCH(bool, valid);

    QCOMPARE(isValidKey(ss(key)), valid);
}

void TestSchema::shouldListReferencesOnceInFirstSeenOrder()
{
    Schema s = Schema::parse(
        "Union[geo.Point, list[geo.Line], dict[str, geo.Point], Optional[app.<locals>.X], int]");
    QCOMPARE(s.references(), (std::vector<std::string>{"geo.Point", "geo.Line", "app.<locals>.X"}));
    QCOMPARE(Schema::parse("geo.Point").references(), (std::vector<std::string>{"geo.Point"}));
    QVERIFY(Schema::parse("dict[int, list[Optional[float]]]").references().empty());
    QVERIFY(Schema::parse("Object").references().empty());
    QVERIFY(Schema::parse("Literal['geo.Point']").references().empty());
    QVERIFY(Schema::parse("Opaque['geo.Point']").references().empty());
    QCOMPARE(Schema::parse("Opaque['a.P', tuple[geo.Point, int]]").references(),
             (std::vector<std::string>{"geo.Point"}));
}

void TestSchema::shouldCompareByCanonicalText()
{
    QVERIFY(Schema::parse("dict[str,int]") == Schema::dictStr(Schema::integer()));
    QVERIFY(Schema::parse(" Optional[ geo.P ]") == Schema::optional(Schema::named("geo.P")));
    QVERIFY(!(Schema::parse("list[int]") == Schema::parse("tuple[int, ...]")));
    QVERIFY(!(Schema::parse("dict[str, int]") == Schema::parse("dict[int, int]")));
    QVERIFY(!(Schema::parse("Literal['1']") == Schema::parse("Literal[1]")));
    QVERIFY(!(Schema::parse("Opaque['a.B']") == Schema::parse("Opaque['a.C']")));
    QVERIFY(!(Schema::parse("Opaque['a.B']") == Schema::parse("Opaque['a.B', list[int]]")));
}

void TestSchema::shouldMarkOnlyBoolIntFloatAsInline()
{
    QVERIFY(Schema::boolean().isInlineScalar());
    QVERIFY(Schema::integer().isInlineScalar());
    QVERIFY(Schema::floating().isInlineScalar());
    for (const char* text : {"Any", "None", "str", "bytes", "Optional[int]", "Union[int, float]",
                             "Literal[1]", "list[int]", "geo.Point", "Object", "Opaque['a.B']",
                             "Opaque['a.B', tuple[int]]"})
        QVERIFY2(!Schema::parse(text).isInlineScalar(), text);
}

void TestSchema::shouldExposeStructure()
{
    Schema d = Schema::parse("dict[int, tuple[str, bytes]]");
    QCOMPARE(d.kind(), SchemaKind::DictInt);
    QCOMPARE(d.args().size(), size_t(1));
    QCOMPARE(d.arg().kind(), SchemaKind::Tuple);
    QCOMPARE(d.arg().args().size(), size_t(2));
    QCOMPARE(d.arg().arg(1).kind(), SchemaKind::Bytes);

    Schema u = Schema::parse("Union[int, str, None]");
    QCOMPARE(u.args().size(), size_t(3));
    QCOMPARE(u.arg(2).kind(), SchemaKind::None);

    Schema n = Schema::parse("geo.Point");
    QCOMPARE(qs(n.key()), QString("geo.Point"));

    Schema l = Schema::parse("Literal['a', -7]");
    QCOMPARE(l.literals().size(), size_t(2));
    QCOMPARE(qs(l.literals()[0].asStr()), QString("a"));
    QCOMPARE(l.literals()[1].asInt(), int64_t(-7));
}

void TestSchema::shouldParseOpaqueWithOptionalShape()
{
    Schema plain = Schema::parse("Opaque['app.Money']");
    QCOMPARE(plain.kind(), SchemaKind::Opaque);
    QCOMPARE(qs(plain.key()), QString("app.Money"));
    QVERIFY(!plain.hasShape());
    QVERIFY(plain.args().empty());

    Schema shaped = Schema::parse("Opaque['app.Pair', tuple[float, str]]");
    QVERIFY(shaped.hasShape());
    QCOMPARE(qs(shaped.key()), QString("app.Pair"));
    QCOMPARE(shaped.arg().kind(), SchemaKind::Tuple);
    QCOMPARE(qs(shaped.arg().text()), QString("tuple[float, str]"));

    QVERIFY(!Schema::parse("geo.Point").hasShape());
    QVERIFY(!Schema::parse("list[int]").hasShape());
}

void TestSchema::shouldRejectMalformedOpaque_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");

    QTest::newRow("no bracket") << "Opaque" << "schema 'Opaque': at offset 6: expected '[', found end of text";
    QTest::newRow("bare name")
        << "Opaque[app.Money]"
        << "schema 'Opaque[app.Money]': at offset 7: expected a str or int literal, found 'app.Money]'";
    QTest::newRow("int name")
        << "Opaque[1]"
        << "schema 'Opaque[1]': at offset 7: expected the class name as a non-empty string, found '1]'";
    QTest::newRow("empty name")
        << "Opaque['']"
        << "schema 'Opaque['']': at offset 7: expected the class name as a non-empty string, found '\'\']'";
    QTest::newRow("bad shape")
        << "Opaque['a.B', ]"
        << "schema 'Opaque['a.B', ]': at offset 14: expected a type, found ']'";
    QTest::newRow("two shapes")
        << "Opaque['a.B', int, str]"
        << "schema 'Opaque['a.B', int, str]': at offset 17: expected ']', found ', str]'";
}

void TestSchema::shouldRejectMalformedOpaque()
{
    QFETCH(QString, text);
    QFETCH(QString, message);

    TYPESYS_VERIFY_ERROR(Schema::parse(ss(text)), ErrorKind::Parse, message);
}

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_schema.moc"
