// typehost-headless: the Typehost core without a window, for scripts, tests and CI.
//
//   typehost-headless [options] COMMAND [ARGS...]
//   typehost-headless [options] run SCRIPT [ARGS...] | -c CODE [ARGS...] | -m MODULE [ARGS...]
//
// Exit status: 0 ok, 1 failure, 2 usage error; for run/-c/-m the script's own status.

#include "typehost/plugin_manager.h"
#include "typehost/python_thread.h"

#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QStringList>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace py = pybind11;

namespace {

constexpr const char* kCommands =
    "Commands:\n"
    "  types                 registered types: key, origin, plugin, field count\n"
    "  show KEY              one type: fields with type, default and flags\n"
    "  plugins               plugin status, errors with tracebacks\n"
    "  check                 plugin problems, one line each (exit 1); else ok: N plugins loaded, M types\n"
    "  enable NAME           enable a disabled plugin and load it (remembered); also disable NAME\n"
    "  values [NAME...]      published values (only those named) as JSON\n"
    "  validate SCHEMA FILE  read a JSON document as SCHEMA (a type KEY, list[KEY], KEY | None...);\n"
    "                        lists every error (exit 1)\n"
    "  dump                  the whole registry as JSON\n"
    "  schema [SCHEMA]       JSON Schema for one schema or the registry\n"
    "  stubs                 .pyi stubs for the registered types\n"
    "  run SCRIPT|- [ARGS...] run a Python script, - reads it from stdin (also -c CODE, -m MODULE)\n"
    "-o FILE writes the output of any command but run, -c and -m to FILE.\n";

bool isPythonEntry(const QString& a) { return a == "run" || a == "-c" || a == "-m"; }

// python3's own interpreter flags, as multiprocessing (spawn, forkserver, its resource
// tracker) puts them before -c when it starts a child with sys.executable or the executable
// it was given (the host binary: typehost/_children.py). Accepted before -c/-m and ignored
// (the host sets up its interpreter itself). Returns how many arguments the flag at i takes
// (1, or 2 for "-X opt" and "-W opt"), 0 when args[i] is not one.
int pythonFlagLength(const QStringList& args, int i)
{
    static const QStringList single{"-B", "-b", "-bb", "-d", "-E", "-I", "-O", "-OO", "-P", "-q", "-R", "-s", "-S", "-u", "-v"};
    const QString& a = args[i];
    if (single.contains(a))
        return 1;
    if (a == "-X" || a == "-W")
        return i + 1 < args.size() ? 2 : 0;
    if ((a.startsWith("-X") || a.startsWith("-W")) && a.size() > 2)
        return 1;
    return 0;
}

// The process exit status for an int exit code, the way python3 makes it: the code as a C long
// (-1 when it does not fit) cast to int, whose low byte the system keeps (sys.exit(2**40) exits
// 0, sys.exit(2**64) exits 255). Python thread, GIL held; never throws.
int exitStatus(py::handle code)
{
    if (!PyLong_Check(code.ptr()))
        return 1;
    long value = PyLong_AsLong(code.ptr());
    if (value == -1 && PyErr_Occurred())
        PyErr_Clear();
    return static_cast<int>(value);   // modular, as C's cast in CPython
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("typehost-headless");
    QCoreApplication::setApplicationVersion(TYPEHOST_VERSION);

    // Everything after run/-c/-m belongs to Python (pytest's own flags must reach pytest).
    // Only a run/-c/-m in command position counts: in "show run", run is a type key.
    QStringList args = QCoreApplication::arguments();
    QStringList hostArgs{args.value(0)};
    QStringList rest;
    QString pyEntry;
    for (int i = 1; i < args.size(); ++i) {
        if (int n = pythonFlagLength(args, i);
            n && std::any_of(args.begin() + i + n, args.end(), [](const QString& a) { return a == "-c" || a == "-m"; })) {
            i += n - 1;
            continue;
        }
        if (isPythonEntry(args[i])) {
            pyEntry = args[i];
            rest = args.mid(i + 1);
            break;
        }
        if (!args[i].startsWith('-')) {
            hostArgs << args.mid(i);
            break;
        }
        hostArgs << args[i];
        if ((args[i] == "--plugins" || args[i] == "--plugin-timeout" || args[i] == "-o" || args[i] == "--output") &&
            i + 1 < args.size())
            hostArgs << args[++i];
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QString("Typehost without a window: inspect the type registry, load plugins, run Python.\n\n") +
        kCommands + "\nExit status: 0 ok, 1 failure, 2 usage error (run/-c/-m: the script's own).");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption jsonOpt("json", "Machine-readable JSON output.");
    QCommandLineOption pluginsOpt("plugins", "Load plugins from DIR (repeatable).", "DIR");
    QCommandLineOption noPluginsOpt("no-plugins", "Load no plugins.");
    QCommandLineOption noBundledOpt("no-bundled",
                                    "Load no bundled plugins (only --plugins, TYPEHOST_PLUGIN_PATH and the user directory).");
    QCommandLineOption safeModeOpt("safe-mode", "Start without loading any plugin.");
    QCommandLineOption timeoutOpt("plugin-timeout", "Interrupt a plugin load after SECONDS (default 10; 0: never; at most 86400).",
                                  "SECONDS", "10");
    QCommandLineOption insecureOpt("allow-insecure-plugins", "Load plugins writable by other users.");
    QCommandLineOption outputOpt(QStringList{"o", "output"}, "Write output to FILE.", "FILE");
    QCommandLineOption strictOpt("strict", "Exit 1 on any plugin problem (failed or crash-guard-skipped plugin, class "
                                           "waiting for a name, unresolved type reference), reported on stderr.");
    parser.addOptions(
        {jsonOpt, pluginsOpt, noPluginsOpt, noBundledOpt, safeModeOpt, timeoutOpt, insecureOpt, outputOpt, strictOpt});
    parser.addPositionalArgument("command", "The command to run (see above).", "COMMAND [ARGS...]");

    if (!parser.parse(hostArgs)) {
        std::fprintf(stderr, "typehost-headless: %s\nTry 'typehost-headless --help'.\n",
                     qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet("help")) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }
    if (parser.isSet("version")) {
        std::printf("typehost-headless %s\n", TYPEHOST_VERSION);
        return 0;
    }
    bool ok = false;
    double timeout = parser.value(timeoutOpt).toDouble(&ok);
    if (!ok) {   // a number too large for a double (1e400) is as good as inf
        std::string text = parser.value(timeoutOpt).trimmed().toStdString();
        char* end = nullptr;
        errno = 0;
        double big = std::strtod(text.c_str(), &end);
        ok = !text.empty() && *end == '\0' && errno == ERANGE && big > 1;
        timeout = ok ? HUGE_VAL : 0;
    }
    if (!ok || std::isnan(timeout) || timeout < 0) {
        std::fprintf(stderr,
                     "typehost-headless: --plugin-timeout needs a number of seconds, got '%s'\n"
                     "Try 'typehost-headless --help'.\n",
                     qPrintable(parser.value(timeoutOpt)));
        return 2;
    }
    timeout = std::min(timeout, typehost::kMaxPluginTimeoutSeconds);   // also inf: bounded

    QStringList positional = parser.positionalArguments();
    QString command = pyEntry.isEmpty() ? positional.value(0) : pyEntry;
    QStringList commandArgs = pyEntry.isEmpty() ? positional.mid(1) : rest;
    if (command.isEmpty()) {
        std::fprintf(stderr, "typehost-headless: no command given.\n%sTry 'typehost-headless --help'.\n", kCommands);
        return 2;
    }

    typehost::InterpreterOptions options;
    if (command == "run" || command == "-c" || command == "-m") {
        options.argv.push_back(command == "-c" ? "-c" : "");
        for (const QString& a : commandArgs)
            options.argv.push_back(a.toStdString());
        if (command == "run" && !commandArgs.isEmpty())
            options.argv.front() = commandArgs.front().toStdString();
    } else {
        options.argv.push_back("typehost-headless");
    }
    typehost::PythonThread python(std::move(options));
    if (!python.startupError().empty()) {
        std::fprintf(stderr, "typehost-headless: Python failed to start: %s\n", python.startupError().c_str());
        return 1;
    }

    std::vector<std::string> cargs;
    for (const QString& a : commandArgs)
        cargs.push_back(a.toStdString());
    std::vector<std::string> pluginDirs;
    for (const QString& d : parser.values(pluginsOpt))
        pluginDirs.push_back(d.toStdString());

    auto result = python.submit([&]() -> int {
        try {
            py::dict opts;
            opts["json"] = parser.isSet(jsonOpt);
            opts["plugin_dirs"] = pluginDirs;
            opts["no_plugins"] = parser.isSet(noPluginsOpt);
            opts["no_bundled"] = parser.isSet(noBundledOpt);
            opts["host_executable"] = QCoreApplication::applicationFilePath().toStdString();
            opts["safe_mode"] = parser.isSet(safeModeOpt);
            opts["plugin_timeout"] = timeout;
            opts["allow_insecure"] = parser.isSet(insecureOpt);
            opts["strict"] = parser.isSet(strictOpt);
            opts["output"] = parser.isSet(outputOpt) ? py::object(py::str(parser.value(outputOpt).toStdString()))
                                                     : py::object(py::none());
            py::module_ cli = py::module_::import("typehost._cli");
            return exitStatus(cli.attr("main")(command.toStdString(), cargs, opts));
        } catch (py::error_already_set& e) {
            if (e.matches(PyExc_SystemExit)) {
                py::object code = e.value().attr("code");
                if (code.is_none())
                    return 0;
                if (PyLong_Check(code.ptr()))
                    return exitStatus(code);
                try {
                    py::print(code, py::arg("file") = py::module_::import("sys").attr("stderr"));
                } catch (py::error_already_set&) {
                    PyErr_Clear();   // as python3: an object that cannot be printed still exits 1
                }
                return 1;
            }
            e.restore();
            PyErr_Print();
            return 1;
        } catch (const std::exception& e) {   // no C++ exception may leave the Python thread's job
            std::fprintf(stderr, "typehost-headless: %s\n", e.what());
            return 1;
        }
    });
    int code = result.get();
    std::fflush(stdout);
    return code;
}
