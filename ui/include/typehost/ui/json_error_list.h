#pragma once
// JsonErrorList: every error of a JSON file that could not be read, one row each: the JSON
// pointer ("/" for the document itself, empty for text that is not JSON) and the reason.
// Rows are selectable; Copy (Ctrl+C) copies the selected rows and Copy All every row, as the
// lines "<pointer>: <reason>" that typesys uses in its messages. A last row says how many
// errors were left out when the list was capped.

#include <typesys/error.h>

#include <QWidget>

#include <vector>

class QLabel;
class QTreeWidget;

namespace typehost::ui {

class JsonErrorList : public QWidget {
    Q_OBJECT
public:
    explicit JsonErrorList(QWidget* parent = nullptr);

    // total: all errors found (at least errors.size()); the difference is said, not listed.
    void setErrors(const QString& title, const std::vector<typesys::Error>& errors, size_t total);
    QTreeWidget* view() const { return m_view; }
    QLabel* titleLabel() const { return m_title; }
    // The rows as "<pointer>: <reason>" lines (the selected ones, or all).
    QString text(bool selectedOnly) const;

public Q_SLOTS:
    void copySelected();
    void copyAll();

Q_SIGNALS:
    void closeRequested();

private:
    QLabel* m_title;
    QTreeWidget* m_view;
};

} // namespace typehost::ui
