#include "typehost/ui/console_widget.h"

#include "typehost/ui/python_console.h"
#include "typehost/ui/theme.h"

#include <typehost/python_thread.h>

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QTextBlock>
#include <QVBoxLayout>

namespace typehost::ui {

namespace {
constexpr size_t kMaxPendingBytes = 1 << 20;   // a runaway print loop cannot flood the UI
}

ConsoleWidget::ConsoleWidget(PythonThread& python, QWidget* parent)
    : QWidget(parent), m_python(python), m_relay(UiRelay::create(this)), m_pending(std::make_shared<Pending>())
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_output = new QPlainTextEdit(this);
    m_output->setReadOnly(true);
    m_output->setFont(mono);
    m_output->setMaximumBlockCount(5000);
    m_output->setUndoRedoEnabled(false);
    m_output->setAccessibleName(tr("Python console output"));
    m_output->setPlaceholderText(tr("Output of the embedded Python interpreter"));

    m_input = new QPlainTextEdit(this);
    m_input->setFont(mono);
    m_input->setTabChangesFocus(false);
    m_input->setAccessibleName(tr("Python console input"));
    m_input->setPlaceholderText(tr(">>> Python code — Enter runs, Shift+Enter for a new line, Up/Down for history"));
    m_input->installEventFilter(this);
    m_input->setTabStopDistance(QFontMetricsF(mono).horizontalAdvance(QLatin1Char(' ')) * 4);

    m_run = new QPushButton(tr("&Run"), this);
    m_run->setToolTip(tr("Run the code (Ctrl+Enter)"));
    m_run->setAccessibleName(tr("Run Python code"));
    m_interrupt = new QPushButton(tr("&Interrupt"), this);
    m_interrupt->setToolTip(tr("Raise KeyboardInterrupt in the running Python code"));
    m_interrupt->setAccessibleName(tr("Interrupt Python"));
    m_interrupt->setEnabled(false);
    auto* clear = new QPushButton(tr("C&lear"), this);
    clear->setToolTip(tr("Clear the output (Ctrl+L)"));
    clear->setAccessibleName(tr("Clear console output"));

    connect(m_run, &QPushButton::clicked, this, &ConsoleWidget::runInput);
    connect(m_interrupt, &QPushButton::clicked, this, &ConsoleWidget::interrupt);
    connect(clear, &QPushButton::clicked, this, &ConsoleWidget::clearOutput);
    auto* cls = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_L), this);
    cls->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cls, &QShortcut::activated, this, &ConsoleWidget::clearOutput);

    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_interrupt);
    buttons->addWidget(clear);
    buttons->addStretch();
    auto* inputRow = new QWidget(this);
    auto* row = new QHBoxLayout(inputRow);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_input, 1);
    row->addLayout(buttons);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_output);
    split->addWidget(inputRow);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(split);
    setFocusProxy(m_input);
}

ConsoleWidget::~ConsoleWidget() { m_relay->detach(); }

void ConsoleWidget::run(const QString& code)
{
    if (code.trimmed().isEmpty())
        return;
    if (m_history.isEmpty() || m_history.last() != code)
        m_history << code;
    m_historyPos = int(m_history.size());
    m_draft.clear();

    QStringList lines = code.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i)
        lines[i] = (i == 0 ? QStringLiteral(">>> ") : QStringLiteral("... ")) + lines[i];
    appendOutput(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'), 2);

    if (m_running++ == 0) {
        m_interrupt->setEnabled(true);
        Q_EMIT runningChanged(true);
    }
    auto relay = m_relay;
    auto pending = m_pending;
    ConsoleWriter write = [relay, pending, self = this](std::string_view text, bool isError) {
        bool schedule = false;
        {
            std::lock_guard g(pending->mutex);
            if (pending->bytes < kMaxPendingBytes) {
                if (!pending->chunks.empty() && pending->chunks.back().second == isError)
                    pending->chunks.back().first.append(text);
                else
                    pending->chunks.emplace_back(std::string(text), isError);
                pending->bytes += text.size();
                if (pending->bytes >= kMaxPendingBytes)
                    pending->chunks.emplace_back("\n[output dropped: more than 1 MiB waiting]\n", true);
            }
            schedule = !std::exchange(pending->scheduled, true);
        }
        if (schedule)
            relay->post([self] { self->flushPending(); });
    };
    // The future is not kept: the result comes back through the relay.
    (void)m_python.submit([source = code.toStdString(), write, relay, self = this] {
        const bool ok = runConsoleSource(source, write);
        relay->post([self, ok] { self->jobFinished(ok); });
    });
}

void ConsoleWidget::runInput()
{
    const QString code = m_input->toPlainText();
    if (code.trimmed().isEmpty())
        return;
    m_input->clear();
    run(code);
}

void ConsoleWidget::interrupt()
{
    if (m_running > 0)
        m_python.interrupt();
}

void ConsoleWidget::clearOutput() { m_output->clear(); }

void ConsoleWidget::showBanner(const QString& text) { appendOutput(text + QLatin1Char('\n'), 3); }

void ConsoleWidget::flushPending()
{
    std::vector<std::pair<std::string, bool>> chunks;
    {
        std::lock_guard g(m_pending->mutex);
        chunks.swap(m_pending->chunks);
        m_pending->bytes = 0;
        m_pending->scheduled = false;
    }
    for (const auto& [text, isError] : chunks)
        appendOutput(QString::fromStdString(text), isError ? 1 : 0);
}

void ConsoleWidget::jobFinished(bool ok)
{
    flushPending();
    if (--m_running == 0) {
        m_interrupt->setEnabled(false);
        Q_EMIT runningChanged(false);
    }
    Q_EMIT finished(ok);
}

namespace {

constexpr int StyleProperty = QTextFormat::UserProperty + 1;   // which appendOutput style

// The colours of a style, from the palette: they are applied again when the palette changes.
void styleFormat(QTextCharFormat& fmt, int style, const QPalette& pal)
{
    switch (style) {
    case 1: fmt.setForeground(errorTextColor(pal)); break;
    case 2: fmt.setForeground(pal.color(QPalette::Link)); break;
    case 3:
        fmt.setForeground(pal.color(QPalette::PlaceholderText));
        fmt.setFontItalic(true);
        break;
    default: fmt.clearForeground(); break;
    }
}

} // namespace

void ConsoleWidget::appendOutput(const QString& text, int style)
{
    QScrollBar* bar = m_output->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    QTextCursor c(m_output->document());
    c.movePosition(QTextCursor::End);
    QTextCharFormat fmt;
    fmt.setProperty(StyleProperty, style);
    styleFormat(fmt, style, m_output->palette());
    c.insertText(text, fmt);
    if (atEnd)
        bar->setValue(bar->maximum());
}

void ConsoleWidget::changeEvent(QEvent* event)
{
    // A theme switch: recolour what is already in the output.
    if (event->type() == QEvent::PaletteChange) {
        struct Run {
            int position, length, style;
        };
        std::vector<Run> runs;   // collected first: formatting splits and merges fragments
        for (QTextBlock b = m_output->document()->begin(); b.isValid(); b = b.next())
            for (auto it = b.begin(); !it.atEnd(); ++it)
                if (const int style = it.fragment().charFormat().property(StyleProperty).toInt())
                    runs.push_back({it.fragment().position(), it.fragment().length(), style});
        const QPalette pal = m_output->palette();
        QTextCursor c(m_output->document());
        for (const Run& r : runs) {
            c.setPosition(r.position);
            c.setPosition(r.position + r.length, QTextCursor::KeepAnchor);
            QTextCharFormat fmt = c.charFormat();
            fmt.setProperty(StyleProperty, r.style);
            styleFormat(fmt, r.style, pal);
            c.setCharFormat(fmt);
        }
    }
    QWidget::changeEvent(event);
}

void ConsoleWidget::showHistory(int pos)
{
    if (pos < 0 || pos > m_history.size())
        return;
    if (m_historyPos == m_history.size())
        m_draft = m_input->toPlainText();
    m_historyPos = pos;
    m_input->setPlainText(pos == m_history.size() ? m_draft : m_history[pos]);
    m_input->moveCursor(QTextCursor::End);
}

bool ConsoleWidget::inputIsComplete() const
{
    const QString text = m_input->toPlainText();
    const QStringList lines = text.split(QLatin1Char('\n'));
    const QString last = lines.last();
    if (last.trimmed().endsWith(QLatin1Char(':')) || last.endsWith(QLatin1Char('\\')))
        return false;
    // A block runs once its last line is empty, as in the interactive interpreter.
    if (lines.size() > 1 || text.trimmed().endsWith(QLatin1Char(':')))
        return last.trimmed().isEmpty();
    return true;
}

bool ConsoleWidget::eventFilter(QObject* watched, QEvent* event)
{
    if (watched != m_input || event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    auto* key = static_cast<QKeyEvent*>(event);
    const QTextCursor cursor = m_input->textCursor();
    switch (key->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (key->modifiers() & Qt::ControlModifier) {
            runInput();
            return true;
        }
        if (key->modifiers() & Qt::ShiftModifier)
            return false;
        if (inputIsComplete()) {
            runInput();
        } else {
            const QString line = cursor.block().text();
            int indent = 0;
            while (indent < line.size() && line[indent] == QLatin1Char(' '))
                ++indent;
            if (line.trimmed().endsWith(QLatin1Char(':')))
                indent += 4;
            m_input->insertPlainText(QLatin1Char('\n') + QString(indent, QLatin1Char(' ')));
        }
        return true;
    case Qt::Key_Up:
        if (cursor.blockNumber() == 0 && key->modifiers() == Qt::NoModifier) {
            showHistory(m_historyPos - 1);
            return true;
        }
        return false;
    case Qt::Key_Down:
        if (cursor.blockNumber() == m_input->document()->blockCount() - 1 && key->modifiers() == Qt::NoModifier) {
            showHistory(m_historyPos + 1);
            return true;
        }
        return false;
    case Qt::Key_Tab:
        m_input->insertPlainText(QStringLiteral("    "));
        return true;
    default:
        return false;
    }
}

} // namespace typehost::ui
