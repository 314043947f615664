#pragma once
// Equality, hashing, ordering and deep copy of values, with the semantics Python needs.
//
// - Numbers compare by value across int and float (1 == 1.0), as in Python.
// - NaN: equal to every NaN here (unlike IEEE and unlike Python's ==), so that equality is an
//   equivalence relation and a JSON round trip of a value holding NaN compares equal. It
//   orders after every other float. -0.0 == 0.0 and both hash alike.
// - Strings compare bytewise (UTF-8 order equals code point order, as in Python).
// - Objects are equal when they have the same type key and all compare=True fields are equal;
//   hash uses the hash=True fields. Lists, dicts and objects compare by contents.
// - A cyclic graph makes equals/hash/compare throw Error(Validation) "recursion" rather than
//   recurse forever; depth beyond 512 also throws.

#include "typesys/value.h"

#include <compare>
#include <cstddef>

namespace typesys {

bool equals(const Value& a, const Value& b);
size_t hashValue(const Value& v);
// Total order over values of comparable kinds; std::partial_ordering::unordered otherwise.
std::partial_ordering compareValues(const Value& a, const Value& b);
// Copies lists, dicts and objects recursively (shared sub-graphs and cycles preserved).
Value deepCopy(const Value& v);

} // namespace typesys
