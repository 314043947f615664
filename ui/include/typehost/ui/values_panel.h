#pragma once
// ValuesPanel: the Values dock: the value tree beside the JSON text of the selected value,
// with copy as JSON, copy JSON pointer, close and refresh, and a message line where refused
// edits and unreadable files say why; below, the list of every error of a JSON file that could
// not be read (JsonErrorList), kept until closed or until a document opens.

#include <typesys/error.h>
#include <typesys/registry.h>

#include <QWidget>

#include <vector>

class QLabel;
class QPlainTextEdit;
class QSplitter;
class QTreeView;

namespace typehost::ui {

class JsonErrorList;
class ValueTreeModel;

class ValuesPanel : public QWidget {
    Q_OBJECT
public:
    explicit ValuesPanel(const typesys::Registry& registry, QWidget* parent = nullptr);

    ValueTreeModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }
    QPlainTextEdit* jsonView() const { return m_json; }
    QLabel* messageLabel() const { return m_message; }
    JsonErrorList* errorList() const { return m_errors; }

    // Adds a document row, selects and expands it.
    void openDocument(const QString& name, typesys::Value value, typesys::Schema schema);
    void showMessage(const QString& text, bool error);
    // Says that the file `name` could not be read and lists its errors (total: all that were
    // found, errors: the first of them).
    void showErrors(const QString& name, const std::vector<typesys::Error>& errors, size_t total);

    static constexpr int maxJsonChars() { return 256 * 1024; }

public Q_SLOTS:
    void copyJson();
    void copyPointer();
    void closeCurrent();
    void refresh();
    void editCurrent();
    void hideMessage();
    void hideErrors();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateJson();

    ValueTreeModel* m_model;
    QTreeView* m_view;
    QPlainTextEdit* m_json;
    QLabel* m_message;
    JsonErrorList* m_errors;
    QSplitter* m_split;
};

} // namespace typehost::ui
