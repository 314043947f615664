#pragma once
// Schema: the recursive, immutable type of a field or value.
//
// Canonical text (parse(toString()) == *this, toString(parse(t)) == t for canonical t):
//   Any  None  bool  int  float  str  bytes  Object
//   list[T]  dict[str, T]  dict[int, T]  tuple[T, ...]  tuple[A, B]  tuple[()]
//   Optional[T]  Union[A, B, ...]  Literal['a', 'b', 1]
//   geo.Point        a registered type by key: an object type or an enum type
//   Opaque['mod.Cls']             a Python class stored in its plain form: any list, or a
//                                 dict with str keys, holding Any values
//   Opaque['mod.Cls', tuple[A, B]]  the same with a known shape (e.g. a typing.NamedTuple)
// `Object` is any registered object. Keys are dotted identifiers; a key may name a type that
// is not registered yet (a forward reference resolved when validating).
// Schemas are cheap to copy (shared, immutable) and safe to share between threads.

#include "typesys/value.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace typesys {

enum class SchemaKind : uint8_t {
    Any, None, Bool, Int, Float, Str, Bytes,
    List, DictStr, DictInt, TupleVar, Tuple,
    Optional, Union, Literal,
    Named,      // a registered object or enum type, by key
    AnyObject,  // any registered object
    Opaque,     // a foreign (Python) class by name, held as its list/dict form; last, so
                // that the values above keep their numbers for native plugins
};

class Schema {
public:
    Schema();  // Any
    static Schema any();
    static Schema none();
    static Schema boolean();
    static Schema integer();
    static Schema floating();
    static Schema str();
    static Schema bytes();
    static Schema anyObject();
    static Schema list(Schema element);
    static Schema dictStr(Schema value);
    static Schema dictInt(Schema value);
    static Schema tupleVar(Schema element);
    static Schema tuple(std::vector<Schema> elements);
    static Schema optional(Schema inner);
    static Schema unionOf(std::vector<Schema> members);   // >= 2 members
    static Schema literal(std::vector<Value> values);     // str/int values, >= 1
    static Schema named(std::string key);                 // key validated (isValidKey)
    // className: non-empty, printed as a quoted literal; shape: what the value must match
    // (none: a list, or a dict with str keys). The class is a name only: typesys never
    // resolves it, the host maps it to a Python class.
    static Schema opaque(std::string className);
    static Schema opaque(std::string className, Schema shape);

    // Parses canonical text; throws Error(Parse) saying "at offset N" what was expected.
    static Schema parse(std::string_view text);

    SchemaKind kind() const noexcept;
    const std::vector<Schema>& args() const noexcept;      // element/value/members
    const Schema& arg(size_t i = 0) const noexcept { return args()[i]; }
    const std::vector<Value>& literals() const noexcept;
    const std::string& key() const noexcept;                // Named; Opaque: the class name
    bool hasShape() const noexcept;                          // Opaque with a shape (arg())
    const std::string& text() const noexcept;               // canonical text
    std::string toString() const { return text(); }

    // True for bool/int/float: such fields are stored inline in the object (no allocation).
    bool isInlineScalar() const noexcept;
    // Keys of Named schemas anywhere inside, in first-seen order, without duplicates.
    std::vector<std::string> references() const;

    friend bool operator==(const Schema& a, const Schema& b) noexcept;

    struct Data;
private:
    explicit Schema(std::shared_ptr<const Data> d) : m_d(std::move(d)) {}
    std::shared_ptr<const Data> m_d;
};

// Dotted identifier: [A-Za-z_][A-Za-z0-9_]* ('.' [A-Za-z_][A-Za-z0-9_]*)*, at most 255
// chars, not one of the schema words (Any, None, bool, ...).
bool isValidKey(std::string_view key) noexcept;

} // namespace typesys
