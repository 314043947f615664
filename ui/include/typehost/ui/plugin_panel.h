#pragma once
// PluginPanel: the Plugins dock: the status table, the details of the selected plugin (the
// full traceback of a failed one), Reload / Unload / Enable / Disable / Reload all, and
// optional auto-reload when a plugin's files change (QFileSystemWatcher), with the reload
// report (types added, removed, changed).
//
// PluginManager operations return futures; the panel never waits on them: a short-lived
// waiter thread hands each result back through the event queue.

#include "typehost/ui/ui_relay.h"

#include <typehost/plugin_manager.h>

#include <QHash>
#include <QWidget>

#include <memory>

class QCheckBox;
class QFileSystemWatcher;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace typehost::ui {

class PluginStatusModel;

class PluginPanel : public QWidget {
    Q_OBJECT
public:
    explicit PluginPanel(PluginManager& manager, QWidget* parent = nullptr);
    ~PluginPanel() override;

    PluginStatusModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QPlainTextEdit* details() const { return m_details; }
    QLabel* reportLabel() const { return m_report; }
    QString currentPlugin() const;

    // A reload report as the panel shows it.
    static QString reportText(const ReloadReport& report);

public Q_SLOTS:
    void refresh();
    void reloadCurrent();
    void unloadCurrent();
    void enableCurrent();
    void disableCurrent();
    void reloadAll();
    void setAutoReload(bool on);

Q_SIGNALS:
    void operationFinished(const QString& message);

private:
    void showDetails();
    void updateButtons();
    void showReport(const QString& text, bool error);
    void noteReload(const ReloadReport& report);
    void watchFiles();
    void fileChanged(const QString& path);

    PluginManager& m_manager;
    std::shared_ptr<UiRelay> m_relay;
    int m_subscription = 0;
    PluginStatusModel* m_model;
    QTableView* m_view;
    QPlainTextEdit* m_details;
    QLabel* m_report;
    QPushButton* m_reload;
    QPushButton* m_unload;
    QPushButton* m_enable;
    QPushButton* m_disable;
    QPushButton* m_reloadAll;
    QCheckBox* m_auto;
    QFileSystemWatcher* m_watcher = nullptr;
    QTimer* m_autoTimer;
    QStringList m_changedPlugins;
    QHash<QString, QString> m_reloadFailures;   // plugin -> traceback of its last failed reload
    int m_pending = 0;
};

} // namespace typehost::ui
