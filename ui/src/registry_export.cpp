#include "typehost/ui/registry_export.h"

#include <typesys/json.h>
#include <typesys/registry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace typehost::ui {

namespace {

QJsonValue str(const std::string& s) { return QJsonValue(QString::fromStdString(s)); }

QJsonValue scalar(const typesys::Value& v)
{
    switch (v.kind()) {
    case typesys::ValueKind::Int: return QJsonValue(qint64(v.asInt()));
    case typesys::ValueKind::Str: return QJsonValue(QString::fromUtf8(v.asStr().data(), qsizetype(v.asStr().size())));
    default: return QJsonValue(QString::fromStdString(typesys::toJson(v)));
    }
}

} // namespace

QByteArray registryToJson(const typesys::Registry& registry)
{
    std::vector<typesys::TypeRef> types = registry.snapshot();
    std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a->key < b->key; });
    QJsonArray out;
    for (const typesys::TypeRef& t : types) {
        QJsonObject o;
        o[QStringLiteral("key")] = str(t->key);
        o[QStringLiteral("kind")] = t->kind == typesys::TypeKind::Enum ? QStringLiteral("enum") : QStringLiteral("object");
        o[QStringLiteral("index")] = qint64(t->index);
        o[QStringLiteral("parent")] = t->parentKey.empty() ? QJsonValue() : str(t->parentKey);
        o[QStringLiteral("origin")] = QString::fromLatin1(typesys::originName(t->origin));
        const std::string& owner = t->owner;
        o[QStringLiteral("plugin")] = owner.rfind("plugin:", 0) == 0 ? str(owner.substr(7)) : QJsonValue();
        o[QStringLiteral("owner")] = str(owner);
        o[QStringLiteral("doc")] = str(t->doc);
        o[QStringLiteral("frozen")] = t->frozen;
        o[QStringLiteral("file")] = str(t->source.file);
        o[QStringLiteral("line")] = t->source.line;
        QJsonArray fields;
        for (const typesys::FieldInfo& f : t->fields) {
            QJsonObject fo;
            fo[QStringLiteral("name")] = str(f.name);
            fo[QStringLiteral("type")] = str(f.schema.text());
            fo[QStringLiteral("default")] = f.defaultValue ? str(typesys::toJson(*f.defaultValue))
                                            : f.defaultFactory ? QJsonValue(QStringLiteral("<factory>"))
                                                               : QJsonValue();
            fo[QStringLiteral("init")] = f.init;
            fo[QStringLiteral("repr")] = f.repr;
            fo[QStringLiteral("compare")] = f.compare;
            fo[QStringLiteral("hash")] = f.hash ? QJsonValue(*f.hash) : QJsonValue();
            fo[QStringLiteral("kw_only")] = f.kwOnly;
            fo[QStringLiteral("doc")] = str(f.doc);
            fo[QStringLiteral("defined_in")] = str(f.definedIn);
            fields.append(fo);
        }
        o[QStringLiteral("fields")] = fields;
        QJsonArray members;
        for (const typesys::EnumMember& m : t->members)
            members.append(QJsonArray{str(m.name), scalar(m.value)});
        o[QStringLiteral("members")] = members;
        out.append(o);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("types"), out}}).toJson(QJsonDocument::Indented);
}

} // namespace typehost::ui
