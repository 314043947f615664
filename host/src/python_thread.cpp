#include "typehost/python_thread.h"

#include "py_release.h"

#include <pybind11/embed.h>

#include <chrono>
#include <filesystem>
#include <csignal>
#include <pthread.h>
#include <unistd.h>

extern "C" PyObject* PyInit__typehost();

namespace py = pybind11;
namespace fs = std::filesystem;

namespace typehost {

namespace {

fs::path executableDir()
{
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : exe.parent_path();
}

} // namespace

std::string typehostPythonDir()
{
    if (const char* env = std::getenv("TYPEHOST_PYTHONPATH"); env && *env)
        return env;
    fs::path dir = executableDir();
    for (fs::path candidate : {dir / ".." / "lib" / "typehost" / "python", dir / ".." / "python"}) {
        std::error_code ec;
        if (fs::exists(candidate / "typehost" / "__init__.py", ec))
            return fs::weakly_canonical(candidate, ec).string();
    }
#ifdef TYPEHOST_SOURCE_PYTHON_DIR
    return TYPEHOST_SOURCE_PYTHON_DIR;
#else
    return dir.string();
#endif
}

std::vector<std::string> bundledPluginDirs()
{
    fs::path dir = executableDir();
    std::error_code ec;
    fs::path installedPy = dir / ".." / "share" / "typehost" / "python_plugins";
    fs::path installedNative = dir / ".." / "lib" / "typehost" / "plugins";
    if (fs::exists(installedPy, ec))
        return {fs::weakly_canonical(installedPy, ec).string(), fs::weakly_canonical(installedNative, ec).string()};
    std::vector<std::string> out;
#ifdef TYPEHOST_SOURCE_PLUGINS_DIR
    out.push_back(TYPEHOST_SOURCE_PLUGINS_DIR);
#endif
#ifdef TYPEHOST_NATIVE_PLUGINS_DIR
    out.push_back(TYPEHOST_NATIVE_PLUGINS_DIR);
#endif
    return out;
}

PythonThread::PythonThread(InterpreterOptions options)
{
    if (options.installSignalHandlers) {
        // CPython 3.11 acts on a signal only when its main thread receives it (another thread
        // running the C handler does not wake the eval loop), so keep SIGINT away from every
        // thread but the Python one: blocked here (and inherited by later threads), unblocked
        // there.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
    }
    std::promise<void> ready;
    std::future<void> started = ready.get_future();
    m_thread = std::thread(&PythonThread::run, this, std::move(options), std::move(ready));
    started.wait();
}

PythonThread::~PythonThread()
{
    // Interrupt helpers take the GIL: they must be done before the interpreter finalizes.
    std::vector<std::thread> helpers;
    {
        std::lock_guard g(m_mutex);
        helpers.swap(m_interrupters);
    }
    for (std::thread& t : helpers)
        t.join();
    {
        std::lock_guard g(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void PythonThread::post(std::function<void()> job)
{
    {
        std::lock_guard g(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_all();
}

void PythonThread::interrupt()
{
    // Py_AddPendingCall from another thread does not wake a busy eval loop in CPython 3.11, so
    // raise asynchronously in the Python thread instead. That needs the GIL, which the caller
    // (the UI thread) must never wait for: a short-lived thread waits for it.
    uint64_t job;
    {
        std::lock_guard g(m_mutex);
        if (!m_busy || !m_pythonIdent)
            return;
        job = m_jobNumber;
    }
    std::lock_guard g(m_mutex);
    m_interrupters.emplace_back([this, job] {
        PyGILState_STATE gil = PyGILState_Ensure();
        {
            // Holding the GIL, the job cannot end under us: check it is still the same one.
            std::lock_guard g(m_mutex);
            if (m_busy && m_jobNumber == job)
                PyThreadState_SetAsyncExc(m_pythonIdent, PyExc_KeyboardInterrupt);
        }
        PyGILState_Release(gil);
    });
}

bool PythonThread::busy() const
{
    std::lock_guard g(m_mutex);
    return m_busy;
}

bool PythonThread::isPythonThread() const { return std::this_thread::get_id() == m_thread.get_id(); }

std::string PythonThread::startupError() const
{
    std::lock_guard g(m_mutex);
    return m_startupError;
}

void PythonThread::run(InterpreterOptions options, std::promise<void> ready)
{
    if (options.installSignalHandlers) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    }
    // First Python call of the process, on this thread: CPython records it as the main thread.
    PyImport_AppendInittab("_typehost", &PyInit__typehost);
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    // The Debian interpreter: its prefix gives the standard library and dist-packages, and
    // sys.executable names a real python3.11 for subprocesses.
    PyConfig_SetBytesString(&config, &config.program_name, "/usr/bin/python3.11");
    config.install_signal_handlers = options.installSignalHandlers ? 1 : 0;
    config.parse_argv = 0;
    std::vector<const char*> argv;
    if (options.argv.empty())
        options.argv.emplace_back("");
    for (const std::string& a : options.argv)
        argv.push_back(a.c_str());
    try {
        py::initialize_interpreter(&config, int(argv.size()), argv.data(), false);
    } catch (const std::exception& e) {
        std::lock_guard g(m_mutex);
        m_startupError = e.what();
        m_stop = true;
    }
    PyConfig_Clear(&config);
    if (!m_startupError.empty()) {
        ready.set_value();
        return;
    }
    try {
        py::module_ sys = py::module_::import("sys");
        py::list path = sys.attr("path");
        std::vector<std::string> front = options.extraPaths;
        front.insert(front.begin(), typehostPythonDir());
        for (auto it = front.rbegin(); it != front.rend(); ++it)
            path.insert(0, *it);
    } catch (const std::exception& e) {
        std::lock_guard g(m_mutex);
        m_startupError = e.what();
    }
    {
        std::lock_guard g(m_mutex);
        m_pythonIdent = PyThread_get_thread_ident();
    }
    ready.set_value();

    {
        py::gil_scoped_release idle;   // held only while a job runs
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
                if (m_jobs.empty())
                    break;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
                m_busy = true;
                ++m_jobNumber;
            }
            {
                py::gil_scoped_acquire gil;
                job();
                // An interrupt that arrived as the job finished must not hit the next one.
                PyThreadState_SetAsyncExc(m_pythonIdent, nullptr);
                Py_MakePendingCalls();
                PyErr_Clear();
                std::lock_guard g(m_mutex);
                m_busy = false;
            }
        }
    }
    detail::stopReleasing();
    py::finalize_interpreter();
}

} // namespace typehost
