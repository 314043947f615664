#include "typesys/type_info.h"

#include "typesys/compare.h"

#include "schema_internal.h"

#include <fmt/format.h>

namespace typesys {

const char* originName(TypeOrigin o) noexcept
{
    return o == TypeOrigin::Native ? "native" : "python";
}

std::optional<Value> FieldInfo::makeDefault() const
{
    if (defaultFactory)
        return defaultFactory();
    if (!defaultValue)
        return std::nullopt;
    ValueKind k = defaultValue->kind();
    if (k == ValueKind::List || k == ValueKind::Dict || k == ValueKind::Object)
        return deepCopy(*defaultValue);
    return defaultValue;
}

void TypeInfo::computeLayout()
{
    m_pointerSlots.clear();
    for (uint32_t i = 0; i < fields.size(); ++i)
        if (!fields[i].schema.isInlineScalar())
            m_pointerSlots.push_back(i);
    m_layoutFields = fields.size();
}

std::string TypeInfo::staleInstanceText() const
{
    return fmt::format("a stale instance of a previous version of {} (generation {}: the type was redefined, "
                       "or its plugin reloaded or unloaded, since it was made)", key, generation);
}

int TypeInfo::fieldIndex(std::string_view name) const noexcept
{
    for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == name)
            return int(i);
    return -1;
}

bool TypeInfo::isSubtypeOf(std::string_view k) const noexcept
{
    for (const TypeInfo* t = this; t; t = t->parent.get())
        if (t->key == k)
            return true;
    return false;
}

std::string TypeInfo::enumHint(const Value& got) const
{
    if (got.kind() == ValueKind::Str)
        for (const EnumMember& m : members)
            if (m.name == got.asStr())
                return fmt::format(" ({} is the name of member {}, whose value is {})", formatLiteral(got), m.name,
                                   formatLiteral(m.value));
    std::string values;
    size_t shown = 0;
    for (const EnumMember& m : members) {
        if (shown == 10) {
            values += fmt::format(", ... ({} in all)", members.size());
            break;
        }
        values += (shown++ ? ", " : "") + formatLiteral(m.value);
    }
    return members.empty() ? std::string() : fmt::format(" (the members' values are {})", values);
}

const EnumMember* TypeInfo::findMember(const Value& value) const noexcept
{
    for (const EnumMember& m : members) {
        if (m.value.kind() != value.kind())
            continue;
        if (value.kind() == ValueKind::Int ? m.value.asInt() == value.asInt()
                                           : m.value.asStr() == value.asStr())
            return &m;
    }
    return nullptr;
}

} // namespace typesys
