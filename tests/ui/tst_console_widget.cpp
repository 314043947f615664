// ConsoleWidget: runs code on the Python thread, streams output back, keeps history, and a
// runaway `while True: pass` leaves the window responsive until Interrupt ends it.

#include "ui_test_support.h"

#include <typehost/ui/console_widget.h>
#include <typehost/ui/main_window.h>
#include <typehost/ui/type_filter_proxy_model.h>
#include <typehost/ui/types_panel.h>

#include <typehost/host.h>
#include <typehost/published.h>
#include <typehost/python_thread.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace typehost::ui;

static typehost::PythonThread* g_python = nullptr;

class TstConsoleWidget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void shouldRunCodeAndShowResult_data();
    void shouldRunCodeAndShowResult();
    void shouldKeepNamesBetweenRuns();
    void shouldShowTracebackOfConsoleFramesOnly();
    void shouldWalkHistoryWithUpAndDown();
    void shouldWaitForEmptyLineToRunBlock();
    void shouldInterruptRunawayLoopAndStayResponsive();

private:
    void type(const QString& line, bool enter = true);
    QString output() const { return m_console->output()->toPlainText(); }
    ConsoleWidget* m_console = nullptr;
};

void TstConsoleWidget::initTestCase() { QStandardPaths::setTestModeEnabled(true); }

void TstConsoleWidget::init()
{
    m_console = new ConsoleWidget(*g_python);
    m_console->show();
}

void TstConsoleWidget::cleanup()
{
    // Never leave a runaway job behind: the PythonThread would wait for it at exit.
    for (int i = 0; i < 100 && g_python->busy(); ++i) {
        g_python->interrupt();
        QTest::qWait(50);
    }
    QTRY_VERIFY(!m_console->isRunning());
    delete m_console;
}

void TstConsoleWidget::type(const QString& line, bool enter)
{
    m_console->input()->setFocus();
    QTest::keyClicks(m_console->input(), line);
    if (enter)
        QTest::keyClick(m_console->input(), Qt::Key_Return);
}

void TstConsoleWidget::shouldRunCodeAndShowResult_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<bool>("ok");
    QTest::newRow("expression") << "1 + 1" << ">>> 1 + 1\n2\n" << true;
    QTest::newRow("print") << "print('hello')" << ">>> print('hello')\nhello\n" << true;
    QTest::newRow("statement") << "x = 5" << ">>> x = 5\n" << true;
    QTest::newRow("statements then expression") << "y = 2; y * 21" << ">>> y = 2; y * 21\n42\n" << true;
    QTest::newRow("None not echoed") << "None" << ">>> None\n" << true;
    QTest::newRow("error") << "1/0" << ">>> 1/0\nTraceback (most recent call last):\n  File \"<console>\", line 1, in <module>\nZeroDivisionError: division by zero\n" << false;
    QTest::newRow("syntax error") << "1 +" << ">>> 1 +\n  File \"<console>\", line 1\n    1 +\n       ^\nSyntaxError: invalid syntax\n" << false;
}

void TstConsoleWidget::shouldRunCodeAndShowResult()
{
    QFETCH(QString, code);
    QFETCH(QString, expected);
    QFETCH(bool, ok);
    QSignalSpy finished(m_console, &ConsoleWidget::finished);
    type(code);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.first().first().toBool(), ok);
    QCOMPARE(output(), expected);
    QCOMPARE(m_console->input()->toPlainText(), QString());
}

void TstConsoleWidget::shouldKeepNamesBetweenRuns()
{
    QSignalSpy finished(m_console, &ConsoleWidget::finished);
    m_console->run("counter = 40");
    m_console->run("counter + 2");
    QTRY_COMPARE(finished.count(), 2);
    QVERIFY(output().endsWith(">>> counter + 2\n42\n"));
}

void TstConsoleWidget::shouldShowTracebackOfConsoleFramesOnly()
{
    QSignalSpy finished(m_console, &ConsoleWidget::finished);
    m_console->run("def boom():\n    raise ValueError('bad')\n\nboom()");
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(output().contains("  File \"<console>\", line 4, in <module>\n"));
    QVERIFY(output().contains("  File \"<console>\", line 2, in boom\n"));
    QVERIFY(output().endsWith("ValueError: bad\n"));
    QVERIFY(!output().contains("python_console"));
}

void TstConsoleWidget::shouldWalkHistoryWithUpAndDown()
{
    QSignalSpy finished(m_console, &ConsoleWidget::finished);
    type("a = 1");
    type("b = 2");
    QTRY_COMPARE(finished.count(), 2);
    type("draft", false);
    QTest::keyClick(m_console->input(), Qt::Key_Up);
    QCOMPARE(m_console->input()->toPlainText(), "b = 2");
    QTest::keyClick(m_console->input(), Qt::Key_Up);
    QCOMPARE(m_console->input()->toPlainText(), "a = 1");
    QTest::keyClick(m_console->input(), Qt::Key_Down);
    QCOMPARE(m_console->input()->toPlainText(), "b = 2");
    QTest::keyClick(m_console->input(), Qt::Key_Down);
    QCOMPARE(m_console->input()->toPlainText(), "draft");
}

void TstConsoleWidget::shouldWaitForEmptyLineToRunBlock()
{
    QSignalSpy finished(m_console, &ConsoleWidget::finished);
    type("def f():");
    QCOMPARE(m_console->input()->toPlainText(), "def f():\n    ");
    type("return 3");
    QCOMPARE(finished.count(), 0);
    QTest::keyClick(m_console->input(), Qt::Key_Backspace);   // the auto-indent of the empty line
    QTest::keyClick(m_console->input(), Qt::Key_Backspace);
    QTest::keyClick(m_console->input(), Qt::Key_Backspace);
    QTest::keyClick(m_console->input(), Qt::Key_Backspace);
    QTest::keyClick(m_console->input(), Qt::Key_Return);
    QTRY_COMPARE(finished.count(), 1);
    type("f()");
    QTRY_COMPARE(finished.count(), 2);
    QVERIFY(output().endsWith(">>> f()\n3\n"));
}

void TstConsoleWidget::shouldInterruptRunawayLoopAndStayResponsive()
{
    typehost::registry().registerTypes({typesys::TypeBuilder("cw.Alpha").build(), typesys::TypeBuilder("cw.Beta").build()},
                                       "plugin:cwtest");
    MainWindow window(*g_python, typehost::registry(), typehost::PublishedValues::instance());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.showConsole();
    ConsoleWidget* console = window.console();
    QTRY_VERIFY(console->interruptButton()->isVisible());
    QSignalSpy finished(console, &ConsoleWidget::finished);
    console->run("while True: pass");
    QTRY_VERIFY(g_python->busy());
    QVERIFY(console->interruptButton()->isEnabled());
    QTRY_VERIFY(window.busyIndicator()->isVisible());

    // The event loop keeps running: timers fire on time and the filter works.
    int ticks = 0;
    QTimer timer;
    QObject::connect(&timer, &QTimer::timeout, [&] { ++ticks; });
    timer.start(10);
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(300);
    QVERIFY(ticks >= 10);
    QTest::keyClicks(window.typesPanel()->filterEdit(), "cw.beta");
    QCOMPARE(window.typesPanel()->proxy()->filterText(), "cw.beta");
    QVERIFY(clock.elapsed() < 5000);
    QVERIFY(console->isRunning());

    QTest::mouseClick(console->interruptButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(console->output()->toPlainText().contains("KeyboardInterrupt"));
    QVERIFY(!console->isRunning());
    QTRY_VERIFY(!window.busyIndicator()->isVisible());

    // And Python is usable again.
    console->run("'after'");
    QTRY_COMPARE(finished.count(), 2);
    QVERIFY(console->output()->toPlainText().endsWith("'after'\n"));
}

int main(int argc, char** argv)
{
    typehost::PythonThread python;
    g_python = &python;
    QApplication app(argc, argv);
    TstConsoleWidget test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console_widget.moc"
