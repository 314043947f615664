#pragma once
// ConsoleWidget: a Python console for the embedded interpreter.
//
// Code runs as a PythonThread job; output streams back through the event queue while the code
// runs, and the widget never waits for Python (a `while True: pass` leaves the window
// responsive). Interrupt raises KeyboardInterrupt in the running code.
// Keys in the input: Enter runs a complete one-line statement (a block needs an empty last
// line, as in the interactive interpreter); Shift+Enter adds a line; Ctrl+Enter always runs;
// Up/Down on the first/last line walk the history; Tab indents (Ctrl+Tab leaves the input).

#include "typehost/ui/ui_relay.h"

#include <QWidget>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

class QPlainTextEdit;
class QPushButton;

namespace typehost { class PythonThread; }

namespace typehost::ui {

class ConsoleWidget : public QWidget {
    Q_OBJECT
public:
    explicit ConsoleWidget(PythonThread& python, QWidget* parent = nullptr);
    ~ConsoleWidget() override;

    QPlainTextEdit* input() const { return m_input; }
    QPlainTextEdit* output() const { return m_output; }
    QPushButton* interruptButton() const { return m_interrupt; }
    bool isRunning() const { return m_running > 0; }
    const QStringList& history() const { return m_history; }

public Q_SLOTS:
    // Echoes code, adds it to the history and queues it on the Python thread.
    void run(const QString& code);
    void runInput();
    void interrupt();
    void clearOutput();
    // Informational text in the output (not Python output).
    void showBanner(const QString& text);

Q_SIGNALS:
    void runningChanged(bool running);
    void finished(bool ok);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Pending {
        std::mutex mutex;
        std::vector<std::pair<std::string, bool>> chunks;
        size_t bytes = 0;
        bool scheduled = false;
    };
    void flushPending();
    void jobFinished(bool ok);
    void appendOutput(const QString& text, int style);   // 0 output, 1 error, 2 echo, 3 banner
    void showHistory(int pos);
    bool inputIsComplete() const;

    PythonThread& m_python;
    std::shared_ptr<UiRelay> m_relay;
    std::shared_ptr<Pending> m_pending;
    QPlainTextEdit* m_output;
    QPlainTextEdit* m_input;
    QPushButton* m_run;
    QPushButton* m_interrupt;
    QStringList m_history;
    int m_historyPos = 0;
    QString m_draft;
    int m_running = 0;
};

} // namespace typehost::ui
