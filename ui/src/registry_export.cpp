#include "typehost/ui/registry_export.h"

#include <typesys/describe.h>
#include <typesys/registry.h>

#include <algorithm>

namespace typehost::ui {

QByteArray registryToJson(const typesys::Registry& registry)
{
    std::vector<typesys::TypeRef> types = registry.snapshot();
    std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a->key < b->key; });
    std::string text = typesys::describeTypesJson(types, 2);
    text += '\n';
    return QByteArray(text.data(), qsizetype(text.size()));
}

} // namespace typehost::ui
