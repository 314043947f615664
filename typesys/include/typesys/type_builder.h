#pragma once
// TypeBuilder: defines a type in a few readable lines, for C++ code and native plugins.
//
//   auto vec3 = TypeBuilder("geo.Vec3")
//                   .doc("A point or direction in 3-D space.")
//                   .field("x", Schema::floating(), Value::fromFloat(0.0))
//                   .field("y", Schema::floating(), Value::fromFloat(0.0))
//                   .field("z", Schema::floating(), Value::fromFloat(0.0))
//                   .build();
//   registry.registerTypes({vec3}, "geometry");
//
// Fields given here are the type's own; inherited ones are added by the registry.

#include "typesys/type_info.h"

namespace typesys {

class TypeBuilder {
public:
    explicit TypeBuilder(std::string key);

    TypeBuilder& doc(std::string text);
    TypeBuilder& parent(std::string key);
    TypeBuilder& origin(TypeOrigin origin);
    TypeBuilder& frozen(bool on = true);
    TypeBuilder& hashable(bool on);          // see TypeInfo::hashable
    TypeBuilder& source(std::string file, int line);
    TypeBuilder& field(std::string name, Schema schema);
    TypeBuilder& field(std::string name, Schema schema, Value defaultValue);
    TypeBuilder& field(FieldInfo info);
    // Adjusts the field added last.
    TypeBuilder& fieldDoc(std::string text);
    TypeBuilder& kwOnly(bool on = true);
    TypeBuilder& factory(std::function<Value()> make);
    // Makes this an enum type; members are added in order.
    TypeBuilder& member(std::string name, Value value);

    TypeRef build();

private:
    FieldInfo& last();
    TypeRef m_type;
};

} // namespace typesys
