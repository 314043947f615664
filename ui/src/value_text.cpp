#include "typehost/ui/value_text.h"

#include <typesys/error.h>
#include <typesys/json.h>
#include <typesys/object.h>

#include <QRegularExpression>

#include <charconv>
#include <cmath>

namespace typehost::ui {

namespace {

constexpr int kMaxText = 120;

const typesys::TypeInfo* enumOf(const typesys::Schema& s, const typesys::TypeResolver* registry)
{
    if (!registry)
        return nullptr;
    if (s.kind() == typesys::SchemaKind::Named) {
        typesys::TypeRef t = registry->resolve(s.key());
        return t && t->kind == typesys::TypeKind::Enum ? t.get() : nullptr;
    }
    if (s.kind() == typesys::SchemaKind::Optional)
        return enumOf(s.arg(), registry);
    return nullptr;
}

// Keeps the TypeRef alive for the caller (resolve() hands out a new reference).
typesys::TypeRef enumRef(const typesys::Schema& s, const typesys::TypeResolver* registry)
{
    if (!registry)
        return {};
    if (s.kind() == typesys::SchemaKind::Named) {
        typesys::TypeRef t = registry->resolve(s.key());
        return t && t->kind == typesys::TypeKind::Enum ? t : typesys::TypeRef();
    }
    if (s.kind() == typesys::SchemaKind::Optional)
        return enumRef(s.arg(), registry);
    return {};
}

QString floatText(double d)
{
    if (std::isnan(d))
        return QStringLiteral("nan");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    QString s = QString::fromLatin1(buf, int(r.ptr - buf));
    if (!s.contains(QLatin1Char('.')) && !s.contains(QLatin1Char('e')))
        s += QStringLiteral(".0");
    return s;
}

QString elide(QString s)
{
    if (s.size() > kMaxText)
        s = s.left(kMaxText - 1) + QChar(0x2026);
    return s;
}

QString quoted(std::string_view s)
{
    QString q = QString::fromUtf8(s.data(), qsizetype(std::min<size_t>(s.size(), kMaxText * 2)));
    q.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
    q.replace(QLatin1Char('\n'), QStringLiteral("\\n")).replace(QLatin1Char('\t'), QStringLiteral("\\t"));
    return elide(QLatin1Char('"') + q + QLatin1Char('"'));
}

QString shortKey(const std::string& key)
{
    auto dot = key.rfind('.');
    return QString::fromStdString(dot == std::string::npos ? key : key.substr(dot + 1));
}

QString summary(const typesys::Value& v, const typesys::Schema& schema, const typesys::TypeResolver* registry,
                int depth)
{
    using K = typesys::ValueKind;
    if (v.kind() == K::Int || v.kind() == K::Str) {
        if (typesys::TypeRef e = enumRef(schema, registry))
            if (const typesys::EnumMember* m = e->findMember(v))
                return shortKey(e->key) + QLatin1Char('.') + QString::fromStdString(m->name);
    }
    switch (v.kind()) {
    case K::None: return QStringLiteral("None");
    case K::Bool: return v.asBool() ? QStringLiteral("True") : QStringLiteral("False");
    case K::Int: return QString::number(v.asInt());
    case K::Float: return floatText(v.asFloat());
    case K::Str: return quoted(v.asStr());
    case K::Bytes: {
        std::string_view b = v.asStr();
        QByteArray head = QByteArray(b.data(), qsizetype(std::min<size_t>(b.size(), 16))).toHex(' ');
        return QObject::tr("bytes[%1] %2%3").arg(b.size()).arg(QString::fromLatin1(head),
                                                                b.size() > 16 ? QString(QChar(0x2026)) : QString());
    }
    case K::List: {
        size_t n = v.asList()->size();
        return QLatin1Char('[') + countText(int(n), QObject::tr("item"), QObject::tr("items")) + QLatin1Char(']');
    }
    case K::Dict: {
        size_t n = v.asDict()->size();
        return QLatin1Char('{') + countText(int(n), QObject::tr("item"), QObject::tr("items")) + QLatin1Char('}');
    }
    case K::Object: {
        const typesys::ObjectNode* o = v.asObject();
        const typesys::TypeInfo& t = o->type();
        QString s = QString::fromStdString(t.key);
        if (depth > 0)
            return s + QStringLiteral("(…)");
        QStringList parts;
        for (uint32_t i = 0; i < o->fieldCount() && i < t.fields.size(); ++i) {
            const typesys::FieldInfo& f = t.fields[i];
            if (!f.repr)
                continue;
            typesys::Value fv;
            QString text = o->get(i, &fv) ? summary(fv, f.schema, registry, depth + 1) : QStringLiteral("<unset>");
            parts << QString::fromStdString(f.name) + QLatin1Char('=') + text;
            if (parts.size() >= 4 && i + 1 < o->fieldCount()) {
                parts << QString(QChar(0x2026));
                break;
            }
        }
        return elide(s + QLatin1Char('(') + parts.join(QStringLiteral(", ")) + QLatin1Char(')'));
    }
    }
    return {};
}

bool schemaHas(const typesys::Schema& s, typesys::SchemaKind kind)
{
    if (s.kind() == kind)
        return true;
    if (s.kind() == typesys::SchemaKind::Optional || s.kind() == typesys::SchemaKind::Union) {
        for (const typesys::Schema& a : s.args())
            if (schemaHas(a, kind))
                return true;
    }
    if (kind == typesys::SchemaKind::Str && s.kind() == typesys::SchemaKind::Literal) {
        for (const typesys::Value& l : s.literals())
            if (l.kind() == typesys::ValueKind::Str)
                return true;
    }
    return false;
}

QString unquote(const QString& t, bool* ok)
{
    *ok = t.size() >= 2 && (t.front() == QLatin1Char('"') || t.front() == QLatin1Char('\''))
          && t.back() == t.front();
    if (!*ok)
        return t;
    QString s = t.mid(1, t.size() - 2);
    s.replace(QStringLiteral("\\n"), QStringLiteral("\n")).replace(QStringLiteral("\\t"), QStringLiteral("\t"));
    s.replace(QStringLiteral("\\\""), QStringLiteral("\"")).replace(QStringLiteral("\\'"), QStringLiteral("'"));
    s.replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
    return s;
}

} // namespace

QString displayValue(const typesys::Value& value, const typesys::Schema& schema,
                     const typesys::TypeResolver* registry)
{
    return summary(value, schema, registry, 0);
}

QString editText(const typesys::Value& value, const typesys::Schema& schema, const typesys::TypeResolver* registry)
{
    using K = typesys::ValueKind;
    if (value.kind() == K::Str && !enumOf(schema, registry))
        return QString::fromUtf8(value.asStr().data(), qsizetype(value.asStr().size()));
    if (value.isNode() && value.kind() != K::Str)
        return {};
    return summary(value, schema, registry, 0);
}

bool isScalarSchema(const typesys::Schema& s, const typesys::TypeResolver* registry)
{
    using S = typesys::SchemaKind;
    switch (s.kind()) {
    case S::Any: case S::None: case S::Bool: case S::Int: case S::Float: case S::Str: case S::Literal:
        return true;
    case S::Named:
        return enumOf(s, registry) != nullptr;
    case S::Optional:
    case S::Union:
        for (const typesys::Schema& a : s.args())
            if (!isScalarSchema(a, registry))
                return false;
        return true;
    default:
        return false;
    }
}

typesys::Value parseEditText(const QString& text, const typesys::Schema& schema,
                             const typesys::TypeResolver* registry)
{
    using S = typesys::SchemaKind;
    const QString t = text.trimmed();
    const bool allowsNone = schema.kind() == S::Optional || schemaHas(schema, S::None) || schema.kind() == S::Any;
    if (allowsNone && (t == QLatin1String("None") || t == QLatin1String("null")))
        return typesys::Value();
    if (typesys::TypeRef e = enumRef(schema, registry)) {
        QString name = t.section(QLatin1Char('.'), -1);
        for (const typesys::EnumMember& m : e->members)
            if (QString::fromStdString(m.name) == name)
                return m.value;
    }
    const bool wantsStr = schemaHas(schema, S::Str);
    const bool onlyStr = wantsStr && !schemaHas(schema, S::Int) && !schemaHas(schema, S::Float)
                         && !schemaHas(schema, S::Bool) && schema.kind() != S::Any && !enumOf(schema, registry);
    bool wasQuoted = false;
    QString unq = unquote(t, &wasQuoted);
    if (onlyStr)
        return typesys::Value::fromStr((wasQuoted ? unq : text).toStdString());
    if (wasQuoted)
        return typesys::Value::fromStr(unq.toStdString());
    if (t == QLatin1String("True") || t == QLatin1String("true"))
        return typesys::Value::fromBool(true);
    if (t == QLatin1String("False") || t == QLatin1String("false"))
        return typesys::Value::fromBool(false);
    if (t == QLatin1String("None") || t == QLatin1String("null"))
        return typesys::Value();
    const bool wantsFloat = schemaHas(schema, S::Float);
    bool ok = false;
    qlonglong i = t.toLongLong(&ok);
    if (ok)
        return wantsFloat && !schemaHas(schema, S::Int) ? typesys::Value::fromFloat(double(i))
                                                         : typesys::Value::fromInt(i);
    static const QRegularExpression intPattern(QStringLiteral("^[+-]?[0-9]+$"));
    if (intPattern.match(t).hasMatch())
        throw typesys::Error(typesys::ErrorKind::Overflow,
                             "integer " + t.toStdString() + " does not fit in 64 bits");
    double d = t.toDouble(&ok);
    if (ok)
        return typesys::Value::fromFloat(d);
    if (t == QLatin1String("nan") || t == QLatin1String("inf") || t == QLatin1String("-inf"))
        return typesys::Value::fromFloat(t == QLatin1String("nan") ? NAN : t == QLatin1String("inf") ? INFINITY : -INFINITY);
    return typesys::Value::fromStr(text.toStdString());
}

QString defaultText(const typesys::FieldInfo& field)
{
    if (field.defaultValue) {
        try {
            return elide(QString::fromStdString(typesys::toJson(*field.defaultValue)));
        } catch (const typesys::Error&) {
            return QStringLiteral("?");
        }
    }
    if (field.defaultFactory)
        return QStringLiteral("<factory>");
    return {};
}

QString flagsText(const typesys::FieldInfo& f)
{
    QStringList flags;
    if (f.kwOnly)
        flags << QStringLiteral("kw_only");
    if (!f.init)
        flags << QStringLiteral("init=False");
    if (!f.repr)
        flags << QStringLiteral("repr=False");
    if (!f.compare)
        flags << QStringLiteral("compare=False");
    if (f.hash)
        flags << (*f.hash ? QStringLiteral("hash=True") : QStringLiteral("hash=False"));
    return flags.join(QStringLiteral(", "));
}

} // namespace typehost::ui
