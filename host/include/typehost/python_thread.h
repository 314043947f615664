#pragma once
// PythonThread: the one thread on which the embedded interpreter lives and all Python runs.
//
// The interpreter is initialized and finalized on this thread, so it is Python's main thread:
// signal handlers and pending calls run here, which is what makes interrupt() work.
// Other threads submit jobs (run with the GIL held, in order) and get std::futures back; they
// never wait for the GIL themselves.
//
// Not supported: more than one PythonThread per process (CPython allows one interpreter
// start per process in practice, see docs/toolchain.md).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace typehost {

struct InterpreterOptions {
    std::vector<std::string> extraPaths;   // prepended to sys.path
    std::vector<std::string> argv;         // sys.argv (at least one element; "" when empty)
    // Python's SIGINT -> KeyboardInterrupt. Blocks SIGINT in the constructing thread (and the
    // threads it creates later), so that only the Python thread receives it.
    bool installSignalHandlers = true;
};

class PythonThread {
public:
    explicit PythonThread(InterpreterOptions options = {});
    // Finishes queued jobs, finalizes the interpreter on its thread and joins it.
    ~PythonThread();
    PythonThread(const PythonThread&) = delete;
    PythonThread& operator=(const PythonThread&) = delete;

    // Queues fn to run on the Python thread with the GIL held. Exceptions thrown by fn
    // (including pybind11::error_already_set) are delivered through the future.
    template <class F>
    auto submit(F fn) -> std::future<decltype(fn())>
    {
        using R = decltype(fn());
        auto task = std::make_shared<std::packaged_task<R()>>(std::move(fn));
        std::future<R> result = task->get_future();
        post([task] { (*task)(); });
        return result;
    }
    void post(std::function<void()> job);

    // Raises KeyboardInterrupt inside the Python code running now (no effect when idle).
    // Safe from any thread; never waits for the GIL.
    void interrupt();
    bool busy() const;
    bool isPythonThread() const;

    // Set when the interpreter failed to start; jobs are not run then.
    std::string startupError() const;

private:
    void run(InterpreterOptions options, std::promise<void> ready);

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    bool m_stop = false;
    bool m_busy = false;
    uint64_t m_jobNumber = 0;          // which job is running (for interrupt)
    unsigned long m_pythonIdent = 0;   // PyThread ident of the Python thread
    std::string m_startupError;
    std::thread m_thread;
    std::vector<std::thread> m_interrupters;   // joined on destruction
};

// Where the typehost Python package lives (TYPEHOST_PYTHONPATH, next to the executable, or
// the source tree for a build-tree run).
std::string typehostPythonDir();
// The bundled plugin directories: Python plugins, then native plugin libraries (installed
// layout next to the executable, else the source and build trees).
std::vector<std::string> bundledPluginDirs();

} // namespace typehost
