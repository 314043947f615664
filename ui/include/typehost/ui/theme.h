#pragma once
// Light and dark appearance. Typehost draws with the application palette everywhere (greyed
// stale rows are the Disabled Text role, links the Link role, hints PlaceholderText), so a
// theme is only a palette:
//   System  the platform's palette and style, as Qt found them at start (a dark desktop theme
//           gives a dark window where the platform theme plugin reports it)
//   Light   the Fusion style with its standard light palette
//   Dark    the Fusion style with darkPalette()
// Colours that have no palette role (error text) come from the functions below, which look at
// the palette they are given, so they read on light and dark backgrounds.

#include <QColor>
#include <QPalette>
#include <QString>

namespace typehost::ui {

enum class Theme { System, Light, Dark };

// "system", "light", "dark" (any case); anything else gives System and *ok false.
Theme themeFromName(const QString& name, bool* ok = nullptr);
QString themeName(Theme theme);

QPalette darkPalette();
// Applies the theme to the whole application (a live switch is fine: widgets repaint).
// Must be called on the UI thread after the QApplication exists.
void applyTheme(Theme theme);
Theme currentTheme();

// True when the palette's Base (text background) is dark.
bool isDark(const QPalette& palette);
// Error text that stays readable on the palette's Base.
QColor errorTextColor(const QPalette& palette);

} // namespace typehost::ui
