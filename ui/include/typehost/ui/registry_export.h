#pragma once
// The registry as JSON, sorted by key: {"types": [<description>...]}, each element the type
// description of typesys/describe.h, the same object `typehost-headless dump` and
// `show --json` print. No Python: safe on the UI thread.

#include <QByteArray>

namespace typesys { class Registry; }

namespace typehost::ui {

QByteArray registryToJson(const typesys::Registry& registry);

} // namespace typehost::ui
