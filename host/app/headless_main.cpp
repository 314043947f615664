// typehost-headless: the Typehost core without a window, for scripts, tests and CI.
//
//   typehost-headless [options] COMMAND [ARGS...]
//   typehost-headless [options] run SCRIPT [ARGS...] | -c CODE [ARGS...] | -m MODULE [ARGS...]
//
// Exit status: 0 ok, 1 failure, 2 usage error; for run/-c/-m the script's own status.

#include "typehost/hooks.h"
#include "typehost/plugin_manager.h"
#include "typehost/python_thread.h"

#include <pybind11/embed.h>
#include <pybind11/stl.h>

#include <getopt.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

constexpr const char* kCommands =
    "Commands:\n"
    "  types                 registered types: key, origin, plugin, field count\n"
    "  show KEY              one type: fields with type, default, flags and doc\n"
    "  plugins               plugin status, errors with tracebacks\n"
    "  check                 plugin problems, one line each (exit 1); else ok: N plugins loaded, M types\n"
    "  enable NAME           enable a disabled plugin and load it (remembered); also disable NAME\n"
    "  values [NAME...]      published values (only those named) as JSON\n"
    "  validate SCHEMA FILE  read a JSON document as SCHEMA (a type KEY, list[KEY], KEY | None...);\n"
    "                        lists every error (exit 1)\n"
    "  dump                  every type's description (as show --json) as JSON\n"
    "  schema [SCHEMA]       JSON Schema for one schema or the registry\n"
    "  stubs                 .pyi stubs for the registered types\n"
    "  run SCRIPT|- [ARGS...] run a Python script, - reads it from stdin (also -c CODE, -m MODULE)\n"
    "-o FILE writes the output of any command but run, -c and -m to FILE.\n";

constexpr const char* kOptions =
    "Options:\n"
    "  -h, --help                     Displays help on commandline options.\n"
    "  -v, --version                  Displays version information.\n"
    "  --json                         Machine-readable JSON output.\n"
    "  --plugins <DIR>                Load plugins from DIR (repeatable).\n"
    "  --no-plugins                   Load no plugins.\n"
    "  --no-bundled                   Load no bundled plugins (only --plugins, TYPEHOST_PLUGIN_PATH and\n"
    "                                 the user directory).\n"
    "  --safe-mode                    Start without loading any plugin.\n"
    "  --plugin-timeout <SECONDS>     Interrupt a plugin load after SECONDS (default 10; 0: never; at\n"
    "                                 most 86400).\n"
    "  --allow-insecure-plugins       Load plugins writable by other users.\n"
    "  -o, --output <FILE>            Write output to FILE.\n"
    "  --strict                       Exit 1 on any plugin problem (failed or crash-guard-skipped plugin,\n"
    "                                 class waiting for a name, unresolved type reference), reported on\n"
    "                                 stderr.\n"
    "  --self-contained               stubs: spell out every class instead of re-exporting the\n"
    "                                 classes of plugin modules.\n";

bool isPythonEntry(const std::string& a) { return a == "run" || a == "-c" || a == "-m"; }

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// python3's own interpreter flags, as multiprocessing (spawn, forkserver, its resource
// tracker) puts them before -c when it starts a child with sys.executable or the executable
// it was given (the host binary: typehost/_children.py). Accepted before -c/-m and ignored
// (the host sets up its interpreter itself). Returns how many arguments the flag at i takes
// (1, or 2 for "-X opt" and "-W opt"), 0 when args[i] is not one.
int pythonFlagLength(const std::vector<std::string>& args, size_t i)
{
    static const char* const single[] = {"-B", "-b", "-bb", "-d", "-E", "-I", "-O", "-OO",
                                         "-P", "-q", "-R", "-s", "-S", "-u", "-v"};
    const std::string& a = args[i];
    if (std::any_of(std::begin(single), std::end(single), [&](const char* f) { return a == f; }))
        return 1;
    if (a == "-X" || a == "-W")
        return i + 1 < args.size() ? 2 : 0;
    if ((startsWith(a, "-X") || startsWith(a, "-W")) && a.size() > 2)
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

int usageError(const std::string& message)
{
    std::fprintf(stderr, "typehost-headless: %s\nTry 'typehost-headless --help'.\n", message.c_str());
    return 2;
}

// The host's options, parsed with getopt_long (options may come before or among the
// command's arguments; "--" ends them). Linking Qt Core only for this cost about 7 ms of
// CPU at every start (docs/performance.md, "Start-up").
struct HostOptions {
    bool help = false, version = false, json = false, noPlugins = false, noBundled = false;
    bool safeMode = false, allowInsecure = false, strict = false, selfContained = false;
    std::vector<std::string> pluginDirs;
    std::string timeout = "10";
    std::optional<std::string> output;
    std::vector<std::string> positional;
};

enum OptionId { OptJson = 1000, OptPlugins, OptNoPlugins, OptNoBundled, OptSafeMode, OptTimeout, OptInsecure, OptStrict,
                OptSelfContained };

// 0 when parsed; otherwise the exit status of a usage error (already reported).
int parseHostOptions(std::vector<std::string> args, HostOptions& out)
{
    static const option longOptions[] = {
        {"help", no_argument, nullptr, 'h'},
        {"version", no_argument, nullptr, 'v'},
        {"json", no_argument, nullptr, OptJson},
        {"plugins", required_argument, nullptr, OptPlugins},
        {"no-plugins", no_argument, nullptr, OptNoPlugins},
        {"no-bundled", no_argument, nullptr, OptNoBundled},
        {"safe-mode", no_argument, nullptr, OptSafeMode},
        {"plugin-timeout", required_argument, nullptr, OptTimeout},
        {"allow-insecure-plugins", no_argument, nullptr, OptInsecure},
        {"output", required_argument, nullptr, 'o'},
        {"strict", no_argument, nullptr, OptStrict},
        {"self-contained", no_argument, nullptr, OptSelfContained},
        {nullptr, 0, nullptr, 0},
    };
    // Exact option names only: getopt_long would take any unambiguous prefix (--plug), which
    // turns a typo of one option into another and leaves no room for new ones.
    for (const std::string& a : args) {
        if (a == "--")
            break;
        if (startsWith(a, "--") && a.size() > 2) {
            std::string name = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
            bool known = std::any_of(std::begin(longOptions), std::end(longOptions) - 1,
                                     [&](const option& o) { return name == o.name; });
            if (!known)
                return usageError("Unknown option '" + name + "'.");
        }
    }
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    opterr = 0;
    optind = 1;
    int id;
    while ((id = getopt_long(int(args.size()), argv.data(), ":hvo:", longOptions, nullptr)) != -1) {
        switch (id) {
        case 'h': out.help = true; break;
        case 'v': out.version = true; break;
        case 'o': out.output = optarg; break;
        case OptJson: out.json = true; break;
        case OptPlugins: out.pluginDirs.emplace_back(optarg); break;
        case OptNoPlugins: out.noPlugins = true; break;
        case OptNoBundled: out.noBundled = true; break;
        case OptSafeMode: out.safeMode = true; break;
        case OptTimeout: out.timeout = optarg; break;
        case OptInsecure: out.allowInsecure = true; break;
        case OptStrict: out.strict = true; break;
        case OptSelfContained: out.selfContained = true; break;
        case ':': {
            std::string given = argv[optind - 1];
            return usageError("Missing value after '" + given.substr(0, given.find('=')) + "'.");
        }
        default: {
            std::string given = argv[optind - 1];
            if (optopt >= OptJson || (startsWith(given, "--") && given.find('=') != std::string::npos))
                return usageError("Unexpected value after '" + given.substr(0, given.find('=')) + "'.");
            return usageError("Unknown option '" + std::string(1, char(optopt)) + "'.");
        }
        }
    }
    for (int i = optind; i < int(args.size()); ++i)   // argv, not args: getopt_long permuted it
        out.positional.emplace_back(argv[size_t(i)]);
    return 0;
}

// This program's own path, for multiprocessing's children (typehost/_children.py).
std::string selfPath(const char* argv0)
{
    std::vector<char> buf(PATH_MAX + 1);
    ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n > 0)
        return std::string(buf.data(), size_t(n));
    return argv0;
}

} // namespace

int main(int argc, char** argv)
{
    // Everything after run/-c/-m belongs to Python (pytest's own flags must reach pytest).
    // Only a run/-c/-m in command position counts: in "show run", run is a type key.
    std::vector<std::string> args(argv, argv + argc);
    if (args.empty())
        args.emplace_back("typehost-headless");
    std::vector<std::string> hostArgs{args[0]};
    std::vector<std::string> rest;
    std::string pyEntry;
    for (size_t i = 1; i < args.size(); ++i) {
        if (int n = pythonFlagLength(args, i);
            n && std::any_of(args.begin() + long(i) + n, args.end(), [](const std::string& a) { return a == "-c" || a == "-m"; })) {
            i += size_t(n) - 1;
            continue;
        }
        if (isPythonEntry(args[i])) {
            pyEntry = args[i];
            rest.assign(args.begin() + long(i) + 1, args.end());
            break;
        }
        if (!startsWith(args[i], "-")) {
            hostArgs.insert(hostArgs.end(), args.begin() + long(i), args.end());
            break;
        }
        hostArgs.push_back(args[i]);
        if ((args[i] == "--plugins" || args[i] == "--plugin-timeout" || args[i] == "-o" || args[i] == "--output") &&
            i + 1 < args.size())
            hostArgs.push_back(args[++i]);
    }

    HostOptions opt;
    if (int status = parseHostOptions(hostArgs, opt))
        return status;
    if (opt.help) {
        std::printf("Usage: typehost-headless [options] COMMAND [ARGS...]\n"
                    "Typehost without a window: inspect the type registry, load plugins, run Python.\n\n"
                    "%s\nExit status: 0 ok, 1 failure, 2 usage error (run/-c/-m: the script's own).\n\n%s",
                    kCommands, kOptions);
        return 0;
    }
    if (opt.version) {
        std::printf("typehost-headless %s\n", TYPEHOST_VERSION);
        return 0;
    }
    char* end = nullptr;
    errno = 0;
    double timeout = std::strtod(opt.timeout.c_str(), &end);
    bool ok = !opt.timeout.empty() && *end == '\0' && !std::isspace(static_cast<unsigned char>(opt.timeout[0]));
    // Out of range: a number too large for a double (1e400) is as good as inf (strtod gives
    // HUGE_VAL); one too small (1e-400) is refused.
    if (ok && errno == ERANGE && !std::isinf(timeout))
        ok = false;
    if (!ok || std::isnan(timeout) || timeout < 0) {
        std::fprintf(stderr,
                     "typehost-headless: --plugin-timeout needs a number of seconds, got '%s'\n"
                     "Try 'typehost-headless --help'.\n",
                     opt.timeout.c_str());
        return 2;
    }
    timeout = std::min(timeout, typehost::kMaxPluginTimeoutSeconds);   // also inf: bounded

    std::string command = pyEntry.empty() ? (opt.positional.empty() ? std::string() : opt.positional.front()) : pyEntry;
    std::vector<std::string> commandArgs = rest;
    if (pyEntry.empty() && !opt.positional.empty())
        commandArgs.assign(opt.positional.begin() + 1, opt.positional.end());
    if (command.empty()) {
        std::fprintf(stderr, "typehost-headless: no command given.\n%sTry 'typehost-headless --help'.\n", kCommands);
        return 2;
    }

    typehost::InterpreterOptions options;
    if (command == "run" || command == "-c" || command == "-m") {
        options.argv.push_back(command == "-c" ? "-c" : "");
        options.argv.insert(options.argv.end(), commandArgs.begin(), commandArgs.end());
        if (command == "run" && !commandArgs.empty())
            options.argv.front() = commandArgs.front();
    } else {
        options.argv.push_back("typehost-headless");
    }
    typehost::PythonThread python(std::move(options));
    if (!python.startupError().empty()) {
        std::fprintf(stderr, "typehost-headless: Python failed to start: %s\n", python.startupError().c_str());
        return 1;
    }

    const std::vector<std::string>& cargs = commandArgs;
    const std::vector<std::string>& pluginDirs = opt.pluginDirs;
    std::string self = selfPath(argv[0]);

    auto result = python.submit([&]() -> int {
        try {
            py::dict opts;
            opts["json"] = opt.json;
            opts["plugin_dirs"] = pluginDirs;
            opts["no_plugins"] = opt.noPlugins;
            opts["no_bundled"] = opt.noBundled;
            opts["host_executable"] = self;
            opts["safe_mode"] = opt.safeMode;
            opts["plugin_timeout"] = timeout;
            opts["allow_insecure"] = opt.allowInsecure;
            opts["strict"] = opt.strict;
            opts["self_contained"] = opt.selfContained;
            opts["output"] = opt.output ? py::object(py::str(*opt.output)) : py::object(py::none());
            return exitStatus(typehost::hook(typehost::Hook::CliMain)(command, cargs, opts));
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
    if (pyEntry.empty()) {
        // A command (not run/-c/-m: no user script whose objects may finalize) ends the way
        // Py_FinalizeEx begins, then exits without tearing the interpreter down: that teardown
        // (modules, every object, a last collection) was about a tenth of a short command's
        // CPU time and changes nothing outside the process (docs/performance.md, "Start-up").
        python.submit([] {
            try {
                py::exec("import atexit, sys, threading\n"
                         "threading._shutdown()\n"   // waits for non-daemon threads, as finalization does
                         "atexit._run_exitfuncs()\n"
                         "for _s in (sys.stdout, sys.stderr):\n"
                         "    try:\n"
                         "        _s.flush()\n"
                         "    except Exception:\n"
                         "        pass\n",
                         py::dict());
            } catch (py::error_already_set&) {
                PyErr_Clear();
            }
        }).get();
        std::fflush(nullptr);
        std::_Exit(code);
    }
    std::fflush(stdout);
    return code;
}
