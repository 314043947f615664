#pragma once
// The application's icons, from the compiled-in resources (resources/typehost.qrc).
// SVG needs Qt's svg image plugin at run time; without it these return painted stand-ins of
// the same colours, so the UI never shows blank icons.

#include <QIcon>
#include <QString>

namespace typehost::ui::icons {

QIcon application();
QIcon origin(bool python);            // python or native type
QIcon pluginState(const QString& state);   // "loaded", "warnings" (loaded, with warnings), "failed",
                                           // "disabled", "skipped", "unloaded"
QIcon group();                         // a namespace
QIcon plugin();                        // a plugin group

} // namespace typehost::ui::icons
