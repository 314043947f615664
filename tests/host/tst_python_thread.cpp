// PythonThread: the interpreter lives on its own thread; jobs, results, errors, interrupt.

#include "typehost/python_thread.h"

#include <pybind11/embed.h>

#include <QTest>

#include <chrono>
#include <thread>

namespace py = pybind11;
using namespace std::chrono_literals;

class TestPythonThread : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        typehost::InterpreterOptions options;
        options.installSignalHandlers = false;
        m_python = std::make_unique<typehost::PythonThread>(options);
        QVERIFY2(m_python->startupError().empty(), m_python->startupError().c_str());
    }
    void cleanupTestCase() { m_python.reset(); }

    void shouldRunJobsOnThePythonThreadAndReturnResults()
    {
        auto f = m_python->submit([this]() -> int {
            if (!m_python->isPythonThread())
                return -1;
            return py::eval("6 * 7").cast<int>();
        });
        QCOMPARE(f.get(), 42);
        QVERIFY(!m_python->isPythonThread());
    }

    void shouldRunJobsInSubmissionOrder()
    {
        std::vector<std::future<int>> results;
        for (int i = 0; i < 50; ++i)
            results.push_back(m_python->submit([i]() -> int {
                py::module_ m = py::module_::import("__main__");
                py::object seen = py::getattr(m, "seen", py::list());
                seen.attr("append")(i);
                m.attr("seen") = seen;
                return int(py::len(seen));
            }));
        for (int i = 0; i < 50; ++i)
            QCOMPARE(results[size_t(i)].get(), i + 1);
    }

    void shouldDeliverExceptionsThroughTheFuture()
    {
        auto f = m_python->submit([]() -> std::string {
            try {
                py::exec("raise ValueError('boom')");
            } catch (py::error_already_set& e) {
                return e.what();
            }
            return "no error";
        });
        QVERIFY(QString::fromStdString(f.get()).startsWith(QStringLiteral("ValueError: boom")));
        auto g = m_python->submit([]() -> int { throw std::runtime_error("from C++"); });
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, g.get());
    }

    void shouldHaveTheTypehostModuleAndTheDebianPython()
    {
        auto f = m_python->submit([] {
            py::module_::import("typehost");
            py::module_ sys = py::module_::import("sys");
            py::tuple v = sys.attr("version_info");
            return sys.attr("executable").cast<std::string>() + " " + py::str(v[0]).cast<std::string>() + "." +
                   py::str(v[1]).cast<std::string>();
        });
        QCOMPARE(QString::fromStdString(f.get()), QStringLiteral("/usr/bin/python3.11 3.11"));
    }

    void shouldInterruptAnEndlessLoopWithKeyboardInterruptInsideIt()
    {
        auto f = m_python->submit([]() -> std::string {
            try {
                py::exec(R"(
caught = None
try:
    while True:
        pass
except KeyboardInterrupt as e:
    caught = "KeyboardInterrupt inside the loop"
)");
                return py::module_::import("__main__").attr("caught").cast<std::string>();
            } catch (py::error_already_set& e) {
                return std::string("escaped: ") + e.what();
            }
        });
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (!m_python->busy() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);
        QVERIFY(m_python->busy());
        std::this_thread::sleep_for(100ms);
        QCOMPARE(f.wait_for(0s), std::future_status::timeout);   // really looping
        m_python->interrupt();                                     // returns at once
        QCOMPARE(f.wait_for(10s), std::future_status::ready);
        QCOMPARE(QString::fromStdString(f.get()), QStringLiteral("KeyboardInterrupt inside the loop"));
        QTRY_VERIFY(!m_python->busy());
    }

    void shouldNotLetALateInterruptHitTheNextJob()
    {
        m_python->interrupt();   // idle: no effect
        auto f = m_python->submit([] {
            py::exec("import time\nfor _ in range(3): time.sleep(0.01)");
            return true;
        });
        QVERIFY(f.get());
    }

private:
    std::unique_ptr<typehost::PythonThread> m_python;
};

QTEST_APPLESS_MAIN(TestPythonThread)
#include "tst_python_thread.moc"
