#pragma once
// Helpers for the UI tests: register small types from C++ (no plugin needed).

#include <typesys/registry.h>
#include <typesys/type_builder.h>

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace uitest {

// Object types with `fields` float fields each (f0, f1, ...), all for `owner`.
inline std::vector<typesys::TypeRef> registerPlain(typesys::Registry& registry, const std::vector<std::string>& keys,
                                                   const std::string& owner, int fields = 2,
                                                   typesys::TypeOrigin origin = typesys::TypeOrigin::Native)
{
    std::vector<typesys::TypeRef> types;
    for (const std::string& key : keys) {
        typesys::TypeBuilder b(key);
        b.origin(origin).doc("Test type " + key);
        for (int i = 0; i < fields; ++i)
            b.field("f" + std::to_string(i), typesys::Schema::floating(), typesys::Value::fromFloat(0.0));
        types.push_back(b.build());
    }
    return registry.registerTypes(std::move(types), owner);
}

// Delivers queued registry notifications (the watcher posts them to the event loop).
inline void deliver()
{
    QCoreApplication::processEvents();
    QCoreApplication::processEvents();
}

} // namespace uitest
