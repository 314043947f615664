#pragma once
// Text for values and fields as the UI shows them, and parsing of edited scalar text.
// No Python: these run on the UI thread.

#include <typesys/registry.h>
#include <typesys/type_info.h>

#include <QString>

namespace typehost::ui {

// A one-line summary: 1.5, "text", True, None, [3 items], geo.Vec3(x=1.0, y=2.0, …).
// Enum members (when schema names an enum type) read "Color.RED". Long text is elided.
QString displayValue(const typesys::Value& value, const typesys::Schema& schema,
                     const typesys::TypeResolver* registry = nullptr);

// The text an editor starts with: scalars as typed (str unquoted), "" for containers.
QString editText(const typesys::Value& value, const typesys::Schema& schema,
                 const typesys::TypeResolver* registry = nullptr);

// True for schemas whose values are edited as one line of text: bool, int, float, str,
// Literal, enum types, Optional/Union of those, Any.
bool isScalarSchema(const typesys::Schema& schema, const typesys::TypeResolver* registry);

// Builds the value the user typed for `schema`. Strings stay strings where the schema wants
// str; otherwise None/True/False/numbers/'quoted' text are recognised, and enum member names
// map to their values. The result is not validated: typesys::setField does that.
typesys::Value parseEditText(const QString& text, const typesys::Schema& schema,
                             const typesys::TypeResolver* registry);

// "1 item", "3 items": English plurals without a loaded translation.
inline QString countText(qsizetype n, const QString& one, const QString& many)
{
    return QString::number(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

// Field columns of the type detail.
QString defaultText(const typesys::FieldInfo& field);   // JSON of the default, "<factory>", ""
QString flagsText(const typesys::FieldInfo& field);     // non-default flags: "kw_only, repr=False"

} // namespace typehost::ui
