// libFuzzer target for the JSON reader. Each input is read against several schemas; any
// outcome other than a value or a Parse/Validation error is a bug, and so is a value that
// does not survive a write and a second read:
//   - the error message is "<JSON pointer>: <reason>" with a non-empty reason;
//   - fromJson(toJson(v)) equals v (typesys::equals), compact and pretty;
//   - toJson is a fixed point: writing the value read back gives the same text.
// Run with scripts/fuzz.sh; the seed corpus is tests/fuzz/corpus/.

#include "typesys/compare.h"
#include "typesys/json.h"
#include "typesys/registry.h"
#include "typesys/type_builder.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace typesys;

namespace {

struct Fixture {
    Registry registry;
    std::vector<Schema> schemas;

    Fixture()
    {
        auto s = [](const char* text) { return Schema::parse(text); };
        registry.registerTypes(
            {TypeBuilder("fz.Color")
                 .member("RED", Value::fromStr("red"))
                 .member("GREEN", Value::fromStr("green"))
                 .build(),
             TypeBuilder("fz.Level").member("LOW", Value::fromInt(1)).member("HIGH", Value::fromInt(10)).build(),
             TypeBuilder("fz.Point")
                 .field("x", Schema::floating())
                 .field("y", Schema::floating(), Value::fromFloat(0.0))
                 .build(),
             TypeBuilder("fz.Base")
                 .field("id", Schema::integer())
                 .field("name", Schema::str(), Value::fromStr("base"))
                 .build(),
             // Every field kind, a parent, a recursive field and a factory default.
             TypeBuilder("fz.Record")
                 .parent("fz.Base")
                 .field("flag", Schema::boolean(), Value::fromBool(false))
                 .field("score", Schema::floating(), Value::fromFloat(0.5))
                 .field("data", Schema::bytes(), Value::fromBytes(""))
                 .field("any", Schema::any(), Value())
                 .field("nothing", Schema::none(), Value())
                 .field("ints", s("list[int]"), Value::fromList(ListNode::make()))
                 .field("scores", s("dict[str, float]"), Value::fromDict(DictNode::make(DictNode::StrKeys)))
                 .field("names", s("dict[int, str]"), Value::fromDict(DictNode::make(DictNode::IntKeys)))
                 .field("many", s("tuple[int, ...]"), Value::fromList(ListNode::make()))
                 .field("pair", s("tuple[str, float]"),
                        Value::fromList(ListNode::make({Value::fromStr(""), Value::fromFloat(0.0)})))
                 .field("empty", s("tuple[()]"), Value::fromList(ListNode::make()))
                 .field("where", s("Optional[fz.Point]"), Value())
                 .field("either", s("Union[int, str, fz.Point]"), Value::fromInt(0))
                 .field("choice", s("Literal['a', 'b', 1]"), Value::fromStr("a"))
                 .field("color", s("fz.Color"), Value::fromStr("red"))
                 .field("level", s("fz.Level"), Value::fromInt(1))
                 .field("thing", s("Optional[Object]"), Value())
                 .field("points", s("list[fz.Point]"))
                 .factory([] { return Value::fromList(ListNode::make()); })
                 .field("next", s("Optional[fz.Record]"), Value())
                 .build(),
             // The factory reads JSON itself, in the middle of the outer read.
             TypeBuilder("fz.Child")
                 .parent("fz.Record")
                 .field("extra", s("dict[str, Any]"))
                 .factory([this] {
                     return fromJson(R"({"k": [1, {"$bytes": "AA=="}], "$$x": null})",
                                     Schema::parse("dict[str, Any]"), registry);
                 })
                 .build()},
            "fuzz");
        for (const char* text :
             {"Any", "fz.Record", "fz.Base", "list[fz.Record]", "dict[int, Optional[fz.Point]]",
              "Union[int, float, str, list[Any]]", "Object", "tuple[fz.Color, fz.Level, bytes]",
              "dict[str, Union[fz.Point, Literal['x', 2]]]", "list[float]", "Optional[bytes]"})
            schemas.push_back(Schema::parse(text));
    }
};

[[noreturn]] void bug(const char* what, const Schema& schema, std::string_view a, std::string_view b)
{
    std::fprintf(stderr, "fuzz_json_reader: %s (schema %s)\n--- first\n%.*s\n--- second\n%.*s\n",
                 what, schema.text().c_str(), int(a.size()), a.data(), int(b.size()), b.data());
    std::abort();
}

void checkError(const Error& e, const Schema& schema, std::string_view input)
{
    if (e.kind() == ErrorKind::Parse)
        return;
    if (e.kind() != ErrorKind::Validation)
        bug("error of an unexpected kind", schema, e.what(), input);
    std::string pointer = e.pointer();
    std::string expected = (pointer.empty() ? "/" : pointer) + ": " + e.reason();
    if (e.reason().empty() || expected != e.what())
        bug("error message is not '<pointer>: <reason>'", schema, e.what(), expected);
}

void roundTrip(const Value& v, const Schema& schema, const Registry& registry)
{
    std::string text = toJson(v);
    Value back;
    try {
        back = fromJson(text, schema, registry);
    } catch (const Error& e) {
        bug(e.what(), schema, text, "");
    }
    if (!equals(v, back))
        bug("value read back differs", schema, text, toJson(back));
    if (std::string again = toJson(back); again != text)
        bug("writing the value read back gives other text", schema, text, again);

    JsonWriteOptions pretty;
    pretty.indent = 2;
    std::string prettyText = toJson(v, pretty);
    try {
        back = fromJson(prettyText, schema, registry);
    } catch (const Error& e) {
        bug(e.what(), schema, prettyText, "");
    }
    if (!equals(v, back))
        bug("pretty value read back differs", schema, prettyText, toJson(back));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static Fixture fixture;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    for (const Schema& schema : fixture.schemas) {
        Value v;
        try {
            v = fromJson(input, schema, fixture.registry);
        } catch (const Error& e) {
            checkError(e, schema, input);
            continue;
        }
        roundTrip(v, schema, fixture.registry);
    }
    return 0;
}
