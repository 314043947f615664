#pragma once
// The entry point of a native Typehost plugin: a shared library built against typesys that
// exports one C function, typehost_plugin_v1, returning a static TypehostPluginInfo.
//
//   extern "C" TYPEHOST_PLUGIN_EXPORT const TypehostPluginInfo* typehost_plugin_v1()
//   {
//       static const TypehostPluginInfo info{TYPEHOST_PLUGIN_ABI, TYPESYS_API_VERSION,
//                                            "geometry", "1.0", "Vectors and colours", &registerTypes};
//       return &info;
//   }
//
// The host checks abi and api before calling anything else and reports a mismatch as a plugin
// error. registerTypes gets the host registry and the owner string to register under; it
// returns 0, or non-zero with a message in error (NUL-terminated, at most errorSize bytes).
// Exceptions must not escape it. The host never unloads the library (types may point into it).

#include "typesys/registry.h"

#include <cstddef>
#include <cstdint>

#define TYPEHOST_PLUGIN_ABI 1u
// Bumped whenever a typesys class layout or the meaning of an entry changes.
#define TYPESYS_API_VERSION 1u
#define TYPEHOST_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))

struct TypehostPluginInfo {
    uint32_t abi;          // TYPEHOST_PLUGIN_ABI the plugin was built with
    uint32_t api;          // TYPESYS_API_VERSION the plugin was built with
    const char* name;
    const char* version;
    const char* description;
    int (*registerTypes)(typesys::Registry* registry, const char* owner, char* error, size_t errorSize);
};

using TypehostPluginEntry = const TypehostPluginInfo* (*)();
#define TYPEHOST_PLUGIN_ENTRY "typehost_plugin_v1"
