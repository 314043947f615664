// typehost: the Qt browser for the Typehost registry.
//
//   typehost [options] [FILE.json...]
//
// Order matters (docs/toolchain.md): the interpreter (PythonThread) starts before the
// QApplication and before anything that holds Python; the window and the plugin manager are
// destroyed before the PythonThread finalizes the interpreter (reverse declaration order).

#include "typehost/ui/demo_types.h"
#include "typehost/ui/icons.h"
#include "typehost/ui/main_window.h"
#include "typehost/ui/theme.h"
#include "typehost/ui/types_panel.h"
#include "typehost/ui/values_panel.h"

#include <typehost/host.h>
#include <typehost/plugin_manager.h>
#include <typehost/published.h>
#include <typehost/python_thread.h>
#include "typehost/ui/plugin_panel.h"

#include <typehost/plugin_manager.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QSettings>
#include <QTimer>
#include <QTableView>
#include <QTreeView>

#include <typesys/registry.h>

#include <chrono>
#include <cmath>
#include <cstdio>

int main(int argc, char** argv)
{
    typehost::InterpreterOptions options;
    options.argv.push_back("typehost");
    typehost::PythonThread python(std::move(options));

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Typehost"));
    QApplication::setApplicationName(QStringLiteral("typehost"));
    QApplication::setApplicationDisplayName(QStringLiteral("Typehost"));
    QApplication::setApplicationVersion(QStringLiteral(TYPEHOST_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("typehost"));
    QApplication::setWindowIcon(typehost::ui::icons::application());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Typehost: a live browser for the type registry."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption pluginsOpt(QStringLiteral("plugins"), QStringLiteral("Load plugins from DIR (repeatable)."), QStringLiteral("DIR"));
    QCommandLineOption noPluginsOpt(QStringLiteral("no-plugins"), QStringLiteral("Load no plugins."));
    QCommandLineOption noBundledOpt(QStringLiteral("no-bundled"),
                                    QStringLiteral("Load no bundled plugins (only --plugins, TYPEHOST_PLUGIN_PATH and "
                                                   "the user directory)."));
    QCommandLineOption safeModeOpt(QStringLiteral("safe-mode"), QStringLiteral("Start without loading any plugin."));
    QCommandLineOption timeoutOpt(QStringLiteral("plugin-timeout"), QStringLiteral("Interrupt a plugin load after SECONDS (default 10)."),
                                  QStringLiteral("SECONDS"), QStringLiteral("10"));
    QCommandLineOption insecureOpt(QStringLiteral("allow-insecure-plugins"), QStringLiteral("Load plugins writable by other users."));
    QCommandLineOption demoOpt(QStringLiteral("demo"), QStringLiteral("Register sample native types and publish sample values."));
    QCommandLineOption screenshotOpt(QStringLiteral("screenshot"),
                                     QStringLiteral("Start, select a type, save a PNG of the window to FILE and exit."),
                                     QStringLiteral("FILE"));
    QCommandLineOption selectOpt(QStringLiteral("select"), QStringLiteral("Select type KEY at start."), QStringLiteral("KEY"));
    QCommandLineOption themeOpt(QStringLiteral("theme"),
                                QStringLiteral("Appearance for this run: system, light or dark (default: View > Theme, "
                                               "else system)."),
                                QStringLiteral("THEME"));
    parser.addOptions({pluginsOpt, noPluginsOpt, noBundledOpt, safeModeOpt, timeoutOpt, insecureOpt, demoOpt, screenshotOpt, selectOpt,
                       themeOpt});
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("JSON files to open as typed values."), QStringLiteral("[FILE.json...]"));
    parser.process(app);

    if (!python.startupError().empty()) {
        std::fprintf(stderr, "typehost: Python failed to start: %s\n", python.startupError().c_str());
        return 1;
    }
    // As typehost-headless: a --plugins DIR that is not a directory is a usage error, and so
    // is --plugins with --no-plugins (which would load nothing without saying so).
    if (parser.isSet(pluginsOpt) && parser.isSet(noPluginsOpt)) {
        std::fprintf(stderr, "typehost: --plugins DIR and --no-plugins conflict\n");
        return 2;
    }
    for (const QString& d : parser.values(pluginsOpt)) {
        const QFileInfo info(d);
        if (!info.exists() || !info.isDir()) {
            std::fprintf(stderr, "typehost: --plugins %s: %s\n", qPrintable(d),
                         info.exists() ? "Not a directory" : "No such file or directory");
            return 2;
        }
    }
    bool ok = false;
    double timeout = parser.value(timeoutOpt).toDouble(&ok);
    if (!ok || std::isnan(timeout) || timeout < 0) {
        std::fprintf(stderr, "typehost: --plugin-timeout needs a number of seconds, got '%s'\n",
                     qPrintable(parser.value(timeoutOpt)));
        return 2;
    }

    // The theme: --theme for this run, else the one chosen in View > Theme.
    const bool themeGiven = parser.isSet(themeOpt);
    const QString themeText = themeGiven ? parser.value(themeOpt)
                                         : QSettings().value(QStringLiteral("view/theme"), QStringLiteral("system")).toString();
    bool themeOk = false;
    const typehost::ui::Theme theme = typehost::ui::themeFromName(themeText, &themeOk);
    if (!themeOk && themeGiven) {
        std::fprintf(stderr, "typehost: --theme needs system, light or dark, got '%s'\n", qPrintable(themeText));
        return 2;
    }
    typehost::ui::applyTheme(theme);

    typesys::Registry& registry = typehost::registry();
    typehost::PublishedValues& published = typehost::PublishedValues::instance();
    if (parser.isSet(demoOpt)) {
        typehost::ui::registerDemoTypes(registry);
        typehost::ui::publishDemoValues(registry, published);
    }

    typehost::PluginManager* pluginManager = nullptr;
    std::function<bool()> pluginsSettled = [] { return true; };
    typehost::PluginOptions pluginOptions;
    for (const QString& d : parser.values(pluginsOpt))
        pluginOptions.dirs.push_back(d.toStdString());
    pluginOptions.noPlugins = parser.isSet(noPluginsOpt);
    pluginOptions.noBundled = parser.isSet(noBundledOpt);
    pluginOptions.safeMode = parser.isSet(safeModeOpt);
    pluginOptions.allowInsecure = parser.isSet(insecureOpt);
    pluginOptions.timeoutSeconds = std::min(timeout, typehost::kMaxPluginTimeoutSeconds);   // also inf
    typehost::PluginManager plugins(python, pluginOptions);
    pluginManager = &plugins;
    // Never waited on: the window polls it (screenshots) and the Plugins dock listens.
    std::shared_future<void> loaded = plugins.loadAll().share();
    pluginsSettled = [loaded] { return loaded.wait_for(std::chrono::seconds(0)) == std::future_status::ready; };

    typehost::ui::MainWindow window(python, registry, published, pluginManager);
    if (parser.isSet(screenshotOpt))
        window.resize(1360, 860);
    window.show();
    for (const QString& file : parser.positionalArguments())
        window.openJsonFile(file);

    const QString select = parser.value(selectOpt);
    // --select KEY: plugin types appear as the plugins load, so the key is looked up once they
    // have settled; an unknown key is reported rather than silently ignored.
    auto selectRequested = [&window, select] {
        if (select.isEmpty())
            return false;
        if (window.selectType(select))
            return true;
        std::fprintf(stderr, "typehost: --select: no registered type '%s'\n", qPrintable(select));
        return false;
    };
    // For a screenshot without --select: the type with the most to show (fields, a parent).
    auto richestType = [&registry] {
        QString best;
        size_t bestScore = 0;
        for (const typesys::TypeRef& t : registry.snapshot()) {
            const size_t score = t->fields.size() * 2 + (t->parent ? 3 : 0) + (t->origin == typesys::TypeOrigin::Python ? 1 : 0);
            if (score > bestScore) {
                bestScore = score;
                best = QString::fromStdString(t->key);
            }
        }
        return best;
    };

    if (parser.isSet(screenshotOpt)) {
        const QString path = parser.value(screenshotOpt);
        auto* poll = new QTimer(&window);
        auto* clock = new QElapsedTimer;
        clock->start();
        QObject::connect(poll, &QTimer::timeout, &window, [&, poll, clock, path] {
            // Wait (without blocking) for the plugins and for the Python version, 30 s at most.
            const bool ready = pluginsSettled() && !window.pythonVersion().isEmpty();
            if (!ready && clock->elapsed() < 30000)
                return;
            poll->stop();
            delete clock;
            if (!selectRequested())
                if (!window.selectType(richestType()))
                    window.selectFirstType();
            // Open the first published object, and the first plugin's details.
            QAbstractItemModel* values = window.valuesPanel()->view()->model();
            for (int row = 0; row < values->rowCount(); ++row) {
                const QModelIndex i = values->index(row, 0);
                if (values->hasChildren(i) && !values->index(row, 2).data().toString().startsWith(QLatin1String("list"))) {
                    window.valuesPanel()->view()->setCurrentIndex(i);
                    window.valuesPanel()->view()->expand(i);
                    break;
                }
            }
            if (auto* panel = qobject_cast<typehost::ui::PluginPanel*>(window.pluginsPanel()))
                if (panel->view()->model()->rowCount() > 0)
                    panel->view()->setCurrentIndex(panel->view()->model()->index(0, 0));
            QTimer::singleShot(500, &window, [&window, path] {
                const bool saved = window.saveScreenshot(path);
                std::fprintf(saved ? stdout : stderr, "typehost: %s %s\n", saved ? "saved" : "could not save",
                             qPrintable(path));
                QApplication::exit(saved ? 0 : 1);
            });
        });
        poll->start(50);
    } else {
        QTimer::singleShot(0, &window, [&window] { window.selectFirstType(); });
        if (!select.isEmpty()) {
            auto* poll = new QTimer(&window);
            auto* clock = new QElapsedTimer;
            clock->start();
            QObject::connect(poll, &QTimer::timeout, &window, [&, poll, clock] {
                if (!pluginsSettled() && clock->elapsed() < 30000)
                    return;
                poll->stop();
                delete clock;
                selectRequested();
            });
            poll->start(50);
        }
    }
    return app.exec();
}
