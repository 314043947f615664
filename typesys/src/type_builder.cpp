#include "typesys/type_builder.h"

#include "typesys/error.h"

namespace typesys {

TypeBuilder::TypeBuilder(std::string key) : m_type(TypeRef::adopt(new TypeInfo()))
{
    m_type->key = std::move(key);
}

TypeBuilder& TypeBuilder::doc(std::string text) { m_type->doc = std::move(text); return *this; }
TypeBuilder& TypeBuilder::parent(std::string key) { m_type->parentKey = std::move(key); return *this; }
TypeBuilder& TypeBuilder::origin(TypeOrigin o) { m_type->origin = o; return *this; }
TypeBuilder& TypeBuilder::frozen(bool on) { m_type->frozen = on; return *this; }
TypeBuilder& TypeBuilder::hashable(bool on) { m_type->hashable = on; return *this; }

TypeBuilder& TypeBuilder::source(std::string file, int line)
{
    m_type->source = {std::move(file), line};
    return *this;
}

TypeBuilder& TypeBuilder::field(std::string name, Schema schema)
{
    FieldInfo f;
    f.name = std::move(name);
    f.schema = std::move(schema);
    return field(std::move(f));
}

TypeBuilder& TypeBuilder::field(std::string name, Schema schema, Value defaultValue)
{
    FieldInfo f;
    f.name = std::move(name);
    f.schema = std::move(schema);
    f.defaultValue = std::move(defaultValue);
    return field(std::move(f));
}

TypeBuilder& TypeBuilder::field(FieldInfo info)
{
    m_type->fields.push_back(std::move(info));
    return *this;
}

FieldInfo& TypeBuilder::last()
{
    TYPESYS_CHECK(!m_type->fields.empty(), "TypeBuilder: no field to adjust yet");
    return m_type->fields.back();
}

TypeBuilder& TypeBuilder::fieldDoc(std::string text) { last().doc = std::move(text); return *this; }
TypeBuilder& TypeBuilder::kwOnly(bool on) { last().kwOnly = on; return *this; }
TypeBuilder& TypeBuilder::factory(std::function<Value()> make) { last().defaultFactory = std::move(make); return *this; }

TypeBuilder& TypeBuilder::member(std::string name, Value value)
{
    m_type->kind = TypeKind::Enum;
    m_type->members.push_back({std::move(name), std::move(value)});
    return *this;
}

TypeRef TypeBuilder::build()
{
    TYPESYS_CHECK(m_type, "TypeBuilder::build called twice");
    return std::move(m_type);
}

} // namespace typesys
