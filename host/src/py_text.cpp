#include "py_text.h"


#include <new>
#include <stdexcept>

namespace typehost::detail {

void appendUtf8(std::string& out, PyObject* s) noexcept
{
    if (!s) {
        out += '?';
        return;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);   // a pending error survives the call
    PyObject* str = PyUnicode_Check(s) ? Py_NewRef(s) : PyObject_Str(s);
    PyObject* bytes = str ? PyUnicode_AsEncodedString(str, "utf-8", "surrogatepass") : nullptr;
    if (bytes)
        out.append(PyBytes_AS_STRING(bytes), size_t(PyBytes_GET_SIZE(bytes)));
    else
        out += '?';
    Py_XDECREF(bytes);
    Py_XDECREF(str);
    PyErr_Clear();
    PyErr_Restore(type, value, tb);
}

PyObject* utf8ToPython(const std::string& text)
{
    return PyUnicode_DecodeUTF8(text.data(), Py_ssize_t(text.size()), "surrogatepass");
}

void raiseText(PyObject* type, const std::string& message) noexcept
{
    PyObject* text = utf8ToPython(message);
    if (!text)
        return;   // the decoding error is raised instead
    PyErr_SetObject(type, text);
    Py_DECREF(text);
}

std::string qualNameText(PyTypeObject* t) noexcept
{
    PyObject* q = PyType_GetQualName(t);
    if (!q) {
        PyErr_Clear();
        return t->tp_name;
    }
    std::string s = utf8Text(q);
    Py_DECREF(q);
    return s;
}

} // namespace typehost::detail
