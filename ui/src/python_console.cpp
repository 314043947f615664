#include "typehost/ui/python_console.h"

#include <pybind11/embed.h>

namespace py = pybind11;

namespace typehost::ui {

namespace {

py::object makeStream(const ConsoleWriter& write, bool isError)
{
    // The writer is copied: code may keep sys.stdout beyond this run.
    py::cpp_function writeFn([write, isError](py::str text) {
        std::string s = text;
        write(s, isError);
        return py::len(text);
    });
    py::cpp_function noop([] {});
    py::cpp_function notTty([] { return false; });
    return py::module_::import("types").attr("SimpleNamespace")(
        py::arg("write") = writeFn, py::arg("flush") = noop, py::arg("isatty") = notTty,
        py::arg("encoding") = "utf-8");
}

std::string formatError(py::error_already_set& e)
{
    py::module_ tb = py::module_::import("traceback");
    py::list lines;
    if (e.matches(PyExc_SyntaxError)) {
        lines = tb.attr("format_exception_only")(e.type(), e.value());
    } else {
        // Only the console's own frames: the host's entry frames say nothing to the user.
        py::object trace = e.trace();
        while (!trace.is_none()
               && py::str(trace.attr("tb_frame").attr("f_code").attr("co_filename")).cast<std::string>() != "<console>")
            trace = trace.attr("tb_next");
        lines = tb.attr("format_exception")(e.type(), e.value(), trace);
    }
    return py::str("").attr("join")(lines).cast<std::string>();
}

} // namespace

bool runConsoleSource(const std::string& source, const ConsoleWriter& write)
{
    py::module_ sys = py::module_::import("sys");
    py::object oldOut = sys.attr("stdout");
    py::object oldErr = sys.attr("stderr");
    sys.attr("stdout") = makeStream(write, false);
    sys.attr("stderr") = makeStream(write, true);
    bool ok = true;
    try {
        py::module_ ast = py::module_::import("ast");
        py::module_ builtins = py::module_::import("builtins");
        py::object ns = py::module_::import("__main__").attr("__dict__");
        py::object tree = ast.attr("parse")(source, "<console>", "exec");
        py::list body = tree.attr("body");
        py::object last = py::none();
        if (py::len(body) > 0 && py::isinstance(body[py::len(body) - 1], ast.attr("Expr")))
            last = body.attr("pop")();
        if (py::len(body) > 0)
            builtins.attr("exec")(builtins.attr("compile")(tree, "<console>", "exec"), ns);
        if (!last.is_none()) {
            py::object expr = ast.attr("Expression")(last.attr("value"));
            py::object value = builtins.attr("eval")(builtins.attr("compile")(expr, "<console>", "eval"), ns);
            if (!value.is_none()) {
                ns[py::str("_")] = value;
                write(py::repr(value).cast<std::string>() + "\n", false);
            }
        }
    } catch (py::error_already_set& e) {
        ok = false;
        write(formatError(e), true);
    } catch (const std::exception& e) {
        ok = false;
        write(std::string(e.what()) + "\n", true);
    }
    sys.attr("stdout") = oldOut;
    sys.attr("stderr") = oldErr;
    return ok;
}

std::string prepareConsoleNamespace()
{
    try {
        py::module_::import("__main__").attr("typehost") = py::module_::import("typehost");
        return {};
    } catch (py::error_already_set& e) {
        return e.what();
    }
}

std::string pythonVersion()
{
    std::string v = Py_GetVersion();
    return v.substr(0, v.find(' '));
}

} // namespace typehost::ui
