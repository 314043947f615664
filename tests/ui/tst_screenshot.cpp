// The real build/bin/typehost under Xvfb: start with the bundled plugins and the demo types,
// select a type, save a PNG under the build directory, and check that it is a real picture
// (window-sized, many colours), not a blank or black frame.

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TstScreenshot : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldSaveReadableScreenshotOfSelectedType();
};

void TstScreenshot::shouldSaveReadableScreenshotOfSelectedType()
{
    const QString xvfb = QStandardPaths::findExecutable("xvfb-run");
    if (xvfb.isEmpty())
        QSKIP("xvfb-run is not installed");
    QDir().mkpath(TYPEHOST_SCREENSHOT_DIR);
    const QString png = QStringLiteral(TYPEHOST_SCREENSHOT_DIR "/typehost.png");
    QFile::remove(png);
    QTemporaryDir config;

    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("QT_QPA_PLATFORM");                  // the real X server, not offscreen
    env.insert("XDG_CONFIG_HOME", config.path());   // no saved layout from a user
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(xvfb, {"-a", "-s", "-screen 0 1600x1000x24", TYPEHOST_APP, "--demo", "--select", "demo.shapes.Circle",
                     "--screenshot", png});
    QVERIFY(app.waitForStarted());
    QVERIFY2(app.waitForFinished(90000), "typehost did not exit");
    const QString log = QString::fromLocal8Bit(app.readAll());
    QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0, qPrintable(log));

    QImage image(png);
    QVERIFY2(!image.isNull(), qPrintable("no PNG at " + png + "\n" + log));
    QVERIFY(image.width() >= 1000 && image.height() >= 600);
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    qInfo("%s: %dx%d, %lld distinct colours (sampled)", qPrintable(png), image.width(), image.height(),
          qlonglong(colours.size()));
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
}

QTEST_GUILESS_MAIN(TstScreenshot)
#include "tst_screenshot.moc"
