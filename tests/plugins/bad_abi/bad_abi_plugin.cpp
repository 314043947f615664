// A native plugin built for a plugin ABI this host does not have: the host must refuse it
// with a plugin error before calling anything but the entry point.

#include <typesys/native_plugin.h>

#include <cstdio>

namespace {

int registerTypes(typesys::Registry*, const char*, char* error, size_t errorSize)
{
    std::snprintf(error, errorSize, "registerTypes of an ABI 999 plugin must never be called");
    return 1;
}

} // namespace

TYPEHOST_PLUGIN_EXPORT const TypehostPluginInfo* typehost_plugin_v1()
{
    static const TypehostPluginInfo info{999u, TYPESYS_API_VERSION, "bad_abi", "0.0.1",
                                         "Built for plugin ABI 999", &registerTypes};
    return &info;
}
