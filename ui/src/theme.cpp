#include "typehost/ui/theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace typehost::ui {

namespace {

Theme g_current = Theme::System;
bool g_forced = false;   // Light or Dark was applied at some point: System has to undo it
QString g_systemStyle;   // the style Qt chose (or -style / QT_STYLE_OVERRIDE), kept for System

} // namespace

Theme themeFromName(const QString& name, bool* ok)
{
    const QString n = name.trimmed().toLower();
    if (ok)
        *ok = true;
    if (n == QLatin1String("light"))
        return Theme::Light;
    if (n == QLatin1String("dark"))
        return Theme::Dark;
    if (ok)
        *ok = n == QLatin1String("system");
    return Theme::System;
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    case Theme::System: break;
    }
    return QStringLiteral("system");
}

QPalette darkPalette()
{
    const QColor window(0x2d, 0x2f, 0x33), base(0x1f, 0x21, 0x24), text(0xe4, 0xe6, 0xea);
    const QColor disabledText(0x80, 0x84, 0x8c);
    QPalette p(window);   // derives Light, Mid, Dark, Shadow... from the window colour
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9e, 0xa6));
    p.setColor(QPalette::Button, QColor(0x36, 0x39, 0x3e));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, QColor(0x3a, 0x6e, 0xc4));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7a, 0xb7, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xc0, 0x9c, 0xff));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    return p;
}

void applyTheme(Theme theme)
{
    if (theme == Theme::System && !g_forced)
        return;   // nothing to undo; the platform keeps full control of the palette
    g_forced = true;
    if (g_systemStyle.isEmpty())
        g_systemStyle = QApplication::style()->name();
    const QString style = theme == Theme::System ? g_systemStyle : QStringLiteral("fusion");
    if (QApplication::style()->name().compare(style, Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(style));
    // An empty palette resolves to the platform's (Qt 6), so System undoes a forced theme.
    switch (theme) {
    case Theme::System: QApplication::setPalette(QPalette()); break;
    case Theme::Light: QApplication::setPalette(QApplication::style()->standardPalette()); break;
    case Theme::Dark: QApplication::setPalette(darkPalette()); break;
    }
    g_current = theme;
}

Theme currentTheme() { return g_current; }

bool isDark(const QPalette& palette) { return palette.color(QPalette::Base).lightness() < 128; }

QColor errorTextColor(const QPalette& palette)
{
    return isDark(palette) ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x28);
}

} // namespace typehost::ui
