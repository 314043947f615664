// The geometry plugin: native value types (vectors, colours, transforms) that Python plugins
// can use as field types and subclass.

#include <typesys/error.h>
#include <typesys/object.h>
#include <typesys/native_plugin.h>
#include <typesys/type_builder.h>

#include <cstdio>

namespace {

using typesys::Schema;
using typesys::TypeBuilder;
using typesys::Value;

Value vec3(double x, double y, double z, const typesys::Registry& registry)
{
    auto o = typesys::ObjectNode::create(registry.get("geo.Vec3"));
    o->setRawFloat(0, x);
    o->setRawFloat(1, y);
    o->setRawFloat(2, z);
    return Value::fromObject(std::move(o));
}

int registerTypes(typesys::Registry* registry, const char* owner, char* error, size_t errorSize)
{
    try {
        auto unit = [] { return Value::fromFloat(1.0); };
        auto zero = [] { return Value::fromFloat(0.0); };
        std::vector<typesys::TypeRef> batch;
        batch.push_back(TypeBuilder("geo.Vec3")
                            .doc("A point or direction in 3-D space.")
                            .field("x", Schema::floating(), zero()).fieldDoc("X coordinate")
                            .field("y", Schema::floating(), zero()).fieldDoc("Y coordinate")
                            .field("z", Schema::floating(), zero()).fieldDoc("Z coordinate")
                            .source(__FILE__, __LINE__)
                            .build());
        batch.push_back(TypeBuilder("geo.Color")
                            .doc("An RGBA colour with components in [0, 1].")
                            .field("r", Schema::floating(), zero())
                            .field("g", Schema::floating(), zero())
                            .field("b", Schema::floating(), zero())
                            .field("a", Schema::floating(), unit()).fieldDoc("Opacity: 1 is opaque")
                            .source(__FILE__, __LINE__)
                            .build());
        typesys::Registry* reg = registry;
        batch.push_back(TypeBuilder("geo.Transform")
                            .doc("Translation, Euler rotation (radians) and scale.")
                            .field("translation", Schema::named("geo.Vec3"))
                            .factory([reg] { return vec3(0, 0, 0, *reg); })
                            .field("rotation", Schema::named("geo.Vec3"))
                            .factory([reg] { return vec3(0, 0, 0, *reg); })
                            .field("scale", Schema::named("geo.Vec3"))
                            .factory([reg] { return vec3(1, 1, 1, *reg); })
                            .source(__FILE__, __LINE__)
                            .build());
        registry->registerTypes(std::move(batch), owner);
        return 0;
    } catch (const std::exception& e) {
        std::snprintf(error, errorSize, "%s", e.what());
        return 1;
    }
}

} // namespace

TYPEHOST_PLUGIN_EXPORT const TypehostPluginInfo* typehost_plugin_v1()
{
    static const TypehostPluginInfo info{TYPEHOST_PLUGIN_ABI, TYPESYS_API_VERSION, "geometry", "1.0.0",
                                         "Native vectors, colours and transforms", &registerTypes};
    return &info;
}
