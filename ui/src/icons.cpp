#include "typehost/ui/icons.h"

#include <QFile>
#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPixmap>

static void initTypehostResources() { Q_INIT_RESOURCE(typehost); }

namespace typehost::ui::icons {

namespace {

bool svgSupported()
{
    static const bool yes = QImageReader::supportedImageFormats().contains("svg");
    return yes;
}

// A filled circle with a letter: what the SVG shows, roughly.
QIcon painted(const QColor& color, QChar letter)
{
    QPixmap pm(32, 32);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawRoundedRect(QRectF(2, 2, 28, 28), 7, 7);
    p.setPen(Qt::white);
    QFont f = p.font();
    f.setBold(true);
    f.setPixelSize(18);
    p.setFont(f);
    p.drawText(pm.rect(), Qt::AlignCenter, QString(letter));
    return QIcon(pm);
}

QIcon load(const QString& name, const QColor& fallbackColor, QChar fallbackLetter)
{
    static QHash<QString, QIcon> cache;
    if (auto it = cache.constFind(name); it != cache.constEnd())
        return *it;
    static const bool once = (initTypehostResources(), true);
    Q_UNUSED(once);
    QString path = QStringLiteral(":/typehost/icons/%1.svg").arg(name);
    QIcon icon = svgSupported() && QFile::exists(path) ? QIcon(path) : painted(fallbackColor, fallbackLetter);
    cache.insert(name, icon);
    return icon;
}

} // namespace

QIcon application() { return load(QStringLiteral("typehost"), QColor(0x2b, 0x6c, 0xb0), QLatin1Char('T')); }

QIcon origin(bool python)
{
    return python ? load(QStringLiteral("origin-python"), QColor(0x30, 0x69, 0x98), QLatin1Char('P'))
                  : load(QStringLiteral("origin-native"), QColor(0x5d, 0x6d, 0x7e), QLatin1Char('C'));
}

QIcon pluginState(const QString& state)
{
    if (state == QLatin1String("warnings"))   // loaded, with warnings
        return load(QStringLiteral("state-warnings"), QColor(0xe0, 0xa1, 0x00), QLatin1Char('!'));
    if (state == QLatin1String("loaded"))
        return load(QStringLiteral("state-loaded"), QColor(0x2e, 0x9e, 0x5b), QLatin1Char('+'));
    if (state == QLatin1String("failed"))
        return load(QStringLiteral("state-failed"), QColor(0xd0, 0x3b, 0x3b), QLatin1Char('!'));
    if (state == QLatin1String("disabled"))
        return load(QStringLiteral("state-disabled"), QColor(0x8a, 0x8a, 0x8a), QLatin1Char('-'));
    if (state == QLatin1String("skipped"))
        return load(QStringLiteral("state-skipped"), QColor(0xd9, 0x8c, 0x1f), QLatin1Char('s'));
    return load(QStringLiteral("state-unloaded"), QColor(0xa0, 0xa0, 0xa0), QLatin1Char('o'));
}

QIcon group() { return load(QStringLiteral("namespace"), QColor(0xc9, 0x9a, 0x2e), QLatin1Char('N')); }

QIcon plugin() { return load(QStringLiteral("plugin"), QColor(0x7b, 0x4f, 0xa8), QLatin1Char('P')); }

} // namespace typehost::ui::icons
