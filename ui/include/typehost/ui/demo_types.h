#pragma once
// A small, realistic set of native types and published values (`typehost --demo`), so the
// browser has something to show without any plugin, for screenshots and tests.
// Keys live under "demo."; the owner is "plugin:demo".

namespace typesys { class Registry; }
namespace typehost { class PublishedValues; }

namespace typehost::ui {

// Registers the demo types (a no-op when they are registered already).
void registerDemoTypes(typesys::Registry& registry);
// Publishes "demo.scene" (an object with a list of shapes) and "demo.readings" (a list of
// `count` floats). Call after registerDemoTypes.
void publishDemoValues(typesys::Registry& registry, PublishedValues& values, int count = 1000);

} // namespace typehost::ui
