#pragma once
// The registry as JSON, in the shape of `typehost-headless dump`:
//   {"types": [{"key", "kind", "index", "parent", "origin", "plugin", "doc", "frozen", "file",
//               "line", "fields": [{"name", "type", "default", "init", "repr", "compare",
//               "hash", "kw_only", "doc", "defined_in"}], "members": [[name, value]]}]}
// "default" is the default's JSON text, "<factory>" or null. No Python: safe on the UI thread.

#include <QByteArray>

namespace typesys { class Registry; }

namespace typehost::ui {

QByteArray registryToJson(const typesys::Registry& registry);

} // namespace typehost::ui
