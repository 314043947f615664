#include "typehost/ui/demo_types.h"

#include <typehost/published.h>
#include <typesys/object.h>
#include <typesys/registry.h>
#include <typesys/type_builder.h>

namespace typehost::ui {

using typesys::Schema;
using typesys::TypeBuilder;
using typesys::Value;

void registerDemoTypes(typesys::Registry& registry)
{
    if (registry.find("demo.geo.Vec3"))
        return;
    auto f = [](double d) { return Value::fromFloat(d); };
    std::vector<typesys::TypeRef> types;
    types.push_back(TypeBuilder("demo.geo.Vec3")
                        .doc("A point or direction in 3-D space.")
                        .source("demo_types.cpp", 20)
                        .field("x", Schema::floating(), f(0)).fieldDoc("X coordinate")
                        .field("y", Schema::floating(), f(0)).fieldDoc("Y coordinate")
                        .field("z", Schema::floating(), f(0)).fieldDoc("Z coordinate")
                        .build());
    types.push_back(TypeBuilder("demo.geo.Color")
                        .doc("Named display colours.")
                        .member("RED", Value::fromStr("red"))
                        .member("GREEN", Value::fromStr("green"))
                        .member("BLUE", Value::fromStr("blue"))
                        .build());
    types.push_back(TypeBuilder("demo.shapes.Shape")
                        .doc("Base of every shape: a name, a position and a colour.")
                        .source("demo_types.cpp", 34)
                        .field("name", Schema::str(), Value::fromStr("shape")).fieldDoc("Display name")
                        .field("position", Schema::named("demo.geo.Vec3")).fieldDoc("Centre in world space")
                        .field("color", Schema::named("demo.geo.Color"), Value::fromStr("blue"))
                        .field("visible", Schema::boolean(), Value::fromBool(true)).kwOnly()
                        .field("tags", Schema::list(Schema::str())).factory([] { return Value::fromList(typesys::ListNode::make()); })
                        .build());
    types.push_back(TypeBuilder("demo.shapes.Circle")
                        .doc("A circle in the XY plane.")
                        .parent("demo.shapes.Shape")
                        .source("demo_types.cpp", 44)
                        .field("radius", Schema::floating(), f(1.0)).fieldDoc("Radius in metres")
                        .build());
    types.push_back(TypeBuilder("demo.shapes.Box")
                        .doc("An axis-aligned box.")
                        .parent("demo.shapes.Shape")
                        .frozen()
                        .field("size", Schema::named("demo.geo.Vec3")).fieldDoc("Edge lengths")
                        .build());
    types.push_back(TypeBuilder("demo.scene.Scene")
                        .doc("A named collection of shapes with per-layer settings.")
                        .source("demo_types.cpp", 57)
                        .field("title", Schema::str(), Value::fromStr("Untitled"))
                        .field("shapes", Schema::list(Schema::named("demo.shapes.Shape")))
                        .factory([] { return Value::fromList(typesys::ListNode::make()); })
                        .field("layers", Schema::dictStr(Schema::integer()))
                        .factory([] { return Value::fromDict(typesys::DictNode::make(typesys::DictNode::StrKeys)); })
                        .field("thumbnail", Schema::optional(Schema::bytes()), Value())
                        .field("scale", Schema::floating(), f(1.0)).fieldDoc("World units per metre")
                        .build());
    registry.registerTypes(std::move(types), "plugin:demo");
}

void publishDemoValues(typesys::Registry& registry, PublishedValues& values, int count)
{
    auto vec = [&](double x, double y, double z) {
        auto v = typesys::ObjectNode::createWithDefaults(registry.get("demo.geo.Vec3"));
        v->set(0, Value::fromFloat(x));
        v->set(1, Value::fromFloat(y));
        v->set(2, Value::fromFloat(z));
        return Value::fromObject(v);
    };
    auto circle = [&](const char* name, double r, const char* color, double x) {
        typesys::TypeRef t = registry.get("demo.shapes.Circle");
        auto c = typesys::ObjectNode::createWithDefaults(t);
        c->set(uint32_t(t->fieldIndex("name")), Value::fromStr(name));
        c->set(uint32_t(t->fieldIndex("position")), vec(x, 0.5, 0));
        c->set(uint32_t(t->fieldIndex("color")), Value::fromStr(color));
        c->set(uint32_t(t->fieldIndex("radius")), Value::fromFloat(r));
        return Value::fromObject(c);
    };
    typesys::TypeRef sceneType = registry.get("demo.scene.Scene");
    auto scene = typesys::ObjectNode::createWithDefaults(sceneType);
    scene->set(uint32_t(sceneType->fieldIndex("title")), Value::fromStr("Demo scene"));
    auto shapes = typesys::ListNode::make({circle("sun", 4.0, "red", 0), circle("planet", 1.25, "blue", 12.5),
                                           circle("moon", 0.3, "green", 14.0)});
    scene->set(uint32_t(sceneType->fieldIndex("shapes")), Value::fromList(shapes));
    auto layers = typesys::DictNode::make(typesys::DictNode::StrKeys);
    layers->set(Value::fromStr("background"), Value::fromInt(0));
    layers->set(Value::fromStr("bodies"), Value::fromInt(1));
    scene->set(uint32_t(sceneType->fieldIndex("layers")), Value::fromDict(layers));
    values.publish("demo.scene", Value::fromObject(scene), Schema::named("demo.scene.Scene"));

    std::vector<Value> readings;
    readings.reserve(size_t(count));
    for (int i = 0; i < count; ++i)
        readings.push_back(Value::fromFloat(20.0 + (i % 17) * 0.25));
    values.publish("demo.readings", Value::fromList(typesys::ListNode::make(std::move(readings))),
                   Schema::list(Schema::floating()));
}

} // namespace typehost::ui
