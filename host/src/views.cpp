// typehost.List / typehost.Dict: the module-level parts (type set-up, the package's
// subclasses, making views) and the helpers both views share. The views: list_view.cpp,
// dict_view.cpp.

#include "views_impl.h"

#include "conversion.h"

#include <algorithm>
#include <vector>

namespace typehost::detail {

using typesys::Path;
using typesys::PathStep;
using typesys::Schema;
using typesys::Value;

PyTypeObject* g_listCls = nullptr;
PyTypeObject* g_dictCls = nullptr;

bool viewConvert(PyObject* value, const Schema& s, const std::string& label, PathStep step, Value* out)
{
    try {   // the exact-type scalar case first: no path to build
        if (scalarFromPython(value, s, out))
            return true;
    } catch (...) {
        setPythonErrorFromCurrent(Boundary::Assign, label);
        return false;
    }
    Path path{std::move(step)};
    try {
        *out = fromPython(value, s, path);
        return true;
    } catch (...) {
        setPythonErrorFromCurrent(Boundary::Assign, label);
    }
    return false;
}

PyObject* elementToPython(const Value& v, const Schema& s, const std::string& label, PathStep step)
{
    bool list = v.kind() == typesys::ValueKind::List && s.kind() == typesys::SchemaKind::List;
    bool dict = v.kind() == typesys::ValueKind::Dict &&
                (s.kind() == typesys::SchemaKind::DictStr || s.kind() == typesys::SchemaKind::DictInt);
    if (!list && !dict)
        return toPython(v, s);
    std::string where = label + typesys::formatPath({std::move(step)});
    return list ? makeListView(v.asList(), s.arg(), where) : makeDictView(v.asDict(), s, where);
}

PyObject* viewCompare(PyObject* self, PyObject* other, int op, PyObject* (*plainOf)(PyObject*))
{
    if (op != Py_EQ && op != Py_NE)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject* a = plainOf(self);
    if (!a)
        return nullptr;
    PyObject* b;
    if (Py_TYPE(other) == Py_TYPE(self) || (plainOf == listPlain && isListView(other)) ||
        (plainOf != listPlain && isDictView(other)))
        b = plainOf(other);
    else {
        Py_INCREF(other);
        b = other;
    }
    if (!b) {
        Py_DECREF(a);
        return nullptr;
    }
    PyObject* r = PyObject_RichCompare(a, b, op);
    Py_DECREF(a);
    Py_DECREF(b);
    return r;
}

// A container that contains itself (`n.kids.append(n.kids)`) shows as "[...]", as a list
// does. Every read makes a new view of the same node, so the recursion is tracked by node
// (Py_ReprEnter would see a different object each time). GIL held: one stack per process.
PyObject* viewRepr(PyObject* self, const void* node, PyObject* (*plainOf)(PyObject*), const char* again)
{
    static auto* active = new std::vector<const void*>();   // lives with the process
    if (std::find(active->begin(), active->end(), node) != active->end())
        return PyUnicode_FromString(again);
    active->push_back(node);
    PyObject* plain = plainOf(self);
    PyObject* r = plain ? PyObject_Repr(plain) : nullptr;
    Py_XDECREF(plain);
    active->erase(std::find(active->begin(), active->end(), node));
    return r;
}

PyObject* deepcopyOf(PyObject* plain, PyObject* memo)
{
    PyObject* copyMod = PyImport_ImportModule("copy");
    if (!copyMod) {
        Py_DECREF(plain);
        return nullptr;
    }
    PyObject* r = PyObject_CallMethod(copyMod, "deepcopy", "OO", plain, memo);
    Py_DECREF(copyMod);
    Py_DECREF(plain);
    return r;
}

PyObject* noNew(PyTypeObject* t, PyObject*, PyObject*)
{
    PyErr_Format(PyExc_TypeError, "cannot create '%s' views directly; they come from fields", t->tp_name);
    return nullptr;
}

int initViewTypes(PyObject* module)
{
    if (PyType_Ready(&g_listBase) < 0 || PyType_Ready(&g_dictBase) < 0)
        return -1;
    Py_INCREF(&g_listBase);
    Py_INCREF(&g_dictBase);
    if (PyModule_AddObject(module, "_ListBase", reinterpret_cast<PyObject*>(&g_listBase)) < 0 ||
        PyModule_AddObject(module, "_DictBase", reinterpret_cast<PyObject*>(&g_dictBase)) < 0)
        return -1;
    return 0;
}

int setViewClasses(PyObject* listCls, PyObject* dictCls)
{
    if (!PyType_Check(listCls) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(listCls), &g_listBase) ||
        !PyType_Check(dictCls) || !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(dictCls), &g_dictBase)) {
        PyErr_SetString(PyExc_TypeError, "view classes must derive from _ListBase and _DictBase");
        return -1;
    }
    Py_INCREF(listCls);
    Py_INCREF(dictCls);
    Py_XDECREF(g_listCls);
    Py_XDECREF(g_dictCls);
    g_listCls = reinterpret_cast<PyTypeObject*>(listCls);
    g_dictCls = reinterpret_cast<PyTypeObject*>(dictCls);
    return 0;
}

bool viewMatches(PyObject* view, uint64_t nodeBits, const Schema& field) noexcept
{
    if (Py_TYPE(view) == g_listCls || isListView(view))
        return reinterpret_cast<uint64_t>(L(view)->node) == nodeBits && field.kind() == typesys::SchemaKind::List &&
               *L(view)->element == field.arg();
    return reinterpret_cast<uint64_t>(D(view)->node) == nodeBits && *D(view)->schema == field;
}

bool isListView(PyObject* o) { return PyObject_TypeCheck(o, &g_listBase); }
bool isDictView(PyObject* o) { return PyObject_TypeCheck(o, &g_dictBase); }
typesys::ListNode* listViewNode(PyObject* o) { return L(o)->node; }
typesys::DictNode* dictViewNode(PyObject* o) { return D(o)->node; }
const Schema& listViewSchema(PyObject* o) { return *L(o)->element; }
const Schema& dictViewSchema(PyObject* o) { return *D(o)->schema; }
PyObject* dictViewToDict(PyObject* o) { return dictPlainImpl(o); }

PyObject* makeListView(typesys::ListNode* node, const Schema& element, const std::string& label)
{
    PyTypeObject* cls = g_listCls ? g_listCls : &g_listBase;
    PyObject* self = cls->tp_alloc(cls, 0);
    if (!self)
        return nullptr;
    node->incRef();
    L(self)->node = node;
    L(self)->element = new Schema(element);
    L(self)->label = new std::string(label);
    return self;
}

PyObject* makeDictView(typesys::DictNode* node, const Schema& dict, const std::string& label)
{
    PyTypeObject* cls = g_dictCls ? g_dictCls : &g_dictBase;
    PyObject* self = cls->tp_alloc(cls, 0);
    if (!self)
        return nullptr;
    node->incRef();
    D(self)->node = node;
    D(self)->schema = new Schema(dict);
    D(self)->label = new std::string(label);
    return self;
}

} // namespace typehost::detail
