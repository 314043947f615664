#include "views.h"

#include "conversion.h"
#include "cycle_buffer.h"

#include <typesys/error.h>

#include <fmt/format.h>

#include <algorithm>

namespace typehost::detail {

using typesys::Path;
using typesys::PathStep;
using typesys::Schema;
using typesys::Value;

namespace {

struct ListView {
    PyObject_HEAD
    typesys::ListNode* node;   // owns a reference
    Schema* element;
    std::string* label;
};

struct DictView {
    PyObject_HEAD
    typesys::DictNode* node;   // owns a reference
    Schema* schema;            // dict[str, T] or dict[int, T]
    std::string* label;
};

PyTypeObject* g_listCls = nullptr;   // the Python subclasses, owned
PyTypeObject* g_dictCls = nullptr;
extern PyTypeObject g_listBase;
extern PyTypeObject g_dictBase;

ListView* L(PyObject* o) { return reinterpret_cast<ListView*>(o); }
DictView* D(PyObject* o) { return reinterpret_cast<DictView*>(o); }

// Converts with error messages prefixed by the view's label.
bool convert(PyObject* value, const Schema& s, const std::string& label, PathStep step, Value* out)
{
    Path path{std::move(step)};
    try {
        *out = fromPython(value, s, path);
        return true;
    } catch (...) {
        setPythonErrorFromCurrent(Boundary::Assign, label);
    }
    return false;
}

// An element read from a view: a nested list or dict becomes a view labelled with its position
// ("geo.Shape.rings[0]"), so that its errors name the whole path.
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

PyObject* listPlain(PyObject* self)
{
    auto items = L(self)->node->snapshot();
    PyObject* out = PyList_New(Py_ssize_t(items.size()));
    if (!out)
        return nullptr;
    for (size_t i = 0; i < items.size(); ++i) {
        PyObject* e = elementToPython(items[i], *L(self)->element, *L(self)->label, {PathStep::Index, {}, i});
        if (!e) {
            Py_DECREF(out);
            return nullptr;
        }
        PyList_SET_ITEM(out, Py_ssize_t(i), e);
    }
    return out;
}

void listDealloc(PyObject* self)
{
    releaseOrDefer(L(self)->node);
    delete L(self)->element;
    delete L(self)->label;
    Py_TYPE(self)->tp_free(self);
}

Py_ssize_t listLen(PyObject* self) { return Py_ssize_t(L(self)->node->size()); }

bool normIndex(PyObject* self, Py_ssize_t& i, bool forInsert = false)
{
    Py_ssize_t n = listLen(self);
    if (i < 0)
        i += n;
    if (forInsert)
        i = std::clamp<Py_ssize_t>(i, 0, n);
    else if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return false;
    }
    return true;
}

PyObject* listGet(PyObject* self, PyObject* key)
{
    if (PySlice_Check(key)) {
        PyObject* plain = listPlain(self);
        if (!plain)
            return nullptr;
        PyObject* r = PyObject_GetItem(plain, key);
        Py_DECREF(plain);
        return r;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return nullptr;
    if (!normIndex(self, i))
        return nullptr;
    Value v;
    try {
        v = L(self)->node->at(size_t(i));
    } catch (const typesys::Error&) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return nullptr;
    }
    return elementToPython(v, *L(self)->element, *L(self)->label, {PathStep::Index, {}, size_t(i)});
}

// Replaces all elements with `plain` (a Python list), validating every one first.
int listAssignAll(PyObject* self, PyObject* plain)
{
    Py_ssize_t n = PyList_GET_SIZE(plain);
    std::vector<Value> items;
    items.resize(size_t(n));
    for (Py_ssize_t i = 0; i < n; ++i)
        if (!convert(PyList_GET_ITEM(plain, i), *L(self)->element, *L(self)->label,
                     {PathStep::Index, {}, size_t(i)}, &items[size_t(i)]))
            return -1;
    L(self)->node->assign(std::move(items));
    return 0;
}

int listSet(PyObject* self, PyObject* key, PyObject* value)
{
    if (PySlice_Check(key)) {
        PyObject* plain = listPlain(self);
        if (!plain)
            return -1;
        int r = value ? PyObject_SetItem(plain, key, value) : PyObject_DelItem(plain, key);
        if (r == 0)
            r = listAssignAll(self, plain);
        Py_DECREF(plain);
        return r;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return -1;
    if (!normIndex(self, i))
        return -1;
    try {
        if (!value) {
            L(self)->node->take(size_t(i));
            return 0;
        }
        Value v;
        if (!convert(value, *L(self)->element, *L(self)->label, {PathStep::Index, {}, size_t(i)}, &v))
            return -1;
        L(self)->node->set(size_t(i), std::move(v));
        return 0;
    } catch (const typesys::Error&) {
        PyErr_SetString(PyExc_IndexError, "list assignment index out of range");
        return -1;
    }
}

PyObject* listInsert(PyObject* self, PyObject* const* args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "insert expected 2 arguments, got %zd", nargs);
        return nullptr;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(args[0], PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return nullptr;
    normIndex(self, i, true);
    Value v;
    if (!convert(args[1], *L(self)->element, *L(self)->label, {PathStep::Index, {}, size_t(i)}, &v))
        return nullptr;
    L(self)->node->insert(size_t(i), std::move(v));
    Py_RETURN_NONE;
}

// Validates every new element before adding any: a bad one leaves the list unchanged.
PyObject* listExtend(PyObject* self, PyObject* iterable)
{
    PyObject* items = PySequence_List(iterable);
    if (!items)
        return nullptr;
    size_t base = L(self)->node->size();
    std::vector<Value> values(size_t(PyList_GET_SIZE(items)));
    for (size_t i = 0; i < values.size(); ++i)
        if (!convert(PyList_GET_ITEM(items, Py_ssize_t(i)), *L(self)->element, *L(self)->label,
                     {PathStep::Index, {}, base + i}, &values[i])) {
            Py_DECREF(items);
            return nullptr;
        }
    Py_DECREF(items);
    for (Value& v : values)
        L(self)->node->append(std::move(v));
    Py_RETURN_NONE;
}

PyObject* listAppend(PyObject* self, PyObject* value)
{
    Value v;
    if (!convert(value, *L(self)->element, *L(self)->label, {PathStep::Index, {}, L(self)->node->size()}, &v))
        return nullptr;
    L(self)->node->append(std::move(v));
    Py_RETURN_NONE;
}

int listContains(PyObject* self, PyObject* value)
{
    PyObject* plain = listPlain(self);
    if (!plain)
        return -1;
    int r = PySequence_Contains(plain, value);
    Py_DECREF(plain);
    return r;
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

PyObject* listCompare(PyObject* self, PyObject* other, int op) { return viewCompare(self, other, op, listPlain); }

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

PyObject* listRepr(PyObject* self) { return viewRepr(self, L(self)->node, listPlain, "[...]"); }

PyObject* listIter(PyObject* self)
{
    PyObject* plain = listPlain(self);
    if (!plain)
        return nullptr;
    PyObject* it = PyObject_GetIter(plain);
    Py_DECREF(plain);
    return it;
}

PyObject* listReduce(PyObject* self, PyObject*)
{
    PyObject* plain = listPlain(self);
    if (!plain)
        return nullptr;
    return Py_BuildValue("(O(N))", &PyList_Type, plain);
}

PyObject* listCopy(PyObject* self, PyObject*) { return listPlain(self); }

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

PyObject* listDeepcopy(PyObject* self, PyObject* memo)
{
    PyObject* plain = listPlain(self);
    return plain ? deepcopyOf(plain, memo) : nullptr;
}

PyObject* listSchema(PyObject* self, void*)
{
    return PyUnicode_FromString(Schema::list(*L(self)->element).text().c_str());
}

PyMethodDef listMethods[] = {
    {"insert", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(listInsert)), METH_FASTCALL,
     "insert(index, value): validate value and insert it before index."},
    {"append", listAppend, METH_O, "append(value): validate value and add it at the end."},
    {"extend", listExtend, METH_O,
     "extend(iterable): validate every value, then add them all at the end (or none of them)."},
    {"__reduce__", listReduce, METH_NOARGS, nullptr},
    {"__copy__", listCopy, METH_NOARGS, "A plain list with the same elements."},
    {"__deepcopy__", listDeepcopy, METH_O, nullptr},
    {"copy", listCopy, METH_NOARGS, "A plain list with the same elements."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef listGetset[] = {
    {"schema", listSchema, nullptr, "The canonical schema text of this list.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMappingMethods listMapping = {listLen, listGet, listSet};
PySequenceMethods listSequence = {listLen, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, listContains, nullptr, nullptr};

// ---- dict ----

bool dictKey(PyObject* self, PyObject* key, Value* out, bool raiseKeyError)
{
    bool intKeys = D(self)->schema->kind() == typesys::SchemaKind::DictInt;
    Schema keySchema = intKeys ? Schema::integer() : Schema::str();
    Path path;
    try {
        *out = fromPython(key, keySchema, path);
        return true;
    } catch (const typesys::Error&) {
        if (raiseKeyError)
            PyErr_SetObject(PyExc_KeyError, key);
        else
            PyErr_SetString(PyExc_TypeError, fmt::format("{}: expected {} dict keys, got {}", *D(self)->label,
                                                         intKeys ? "int" : "str", pyTypeName(key)).c_str());
    } catch (const PythonErrorSet&) {
    }
    return false;
}

PathStep keyStep(const Value& k)
{
    if (k.kind() == typesys::ValueKind::Int)
        return {PathStep::IntKey, std::to_string(k.asInt()), 0};
    return {PathStep::Key, std::string(k.asStr()), 0};
}

PyObject* dictPlainImpl(PyObject* self)
{
    auto items = D(self)->node->snapshot();
    PyObject* out = PyDict_New();
    if (!out)
        return nullptr;
    for (auto& [k, v] : items) {
        PyObject* pk = toPython(k, Schema::any());
        PyObject* pv = pk ? elementToPython(v, D(self)->schema->arg(), *D(self)->label, keyStep(k)) : nullptr;
        if (!pv || PyDict_SetItem(out, pk, pv) < 0) {
            Py_XDECREF(pk);
            Py_XDECREF(pv);
            Py_DECREF(out);
            return nullptr;
        }
        Py_DECREF(pk);
        Py_DECREF(pv);
    }
    return out;
}

void dictDealloc(PyObject* self)
{
    releaseOrDefer(D(self)->node);
    delete D(self)->schema;
    delete D(self)->label;
    Py_TYPE(self)->tp_free(self);
}

Py_ssize_t dictLen(PyObject* self) { return Py_ssize_t(D(self)->node->size()); }

PyObject* dictGet(PyObject* self, PyObject* key)
{
    Value k, v;
    if (!dictKey(self, key, &k, true))
        return nullptr;
    if (!D(self)->node->get(k, &v)) {
        PyErr_SetObject(PyExc_KeyError, key);
        return nullptr;
    }
    return elementToPython(v, D(self)->schema->arg(), *D(self)->label, keyStep(k));
}

int dictSet(PyObject* self, PyObject* key, PyObject* value)
{
    Value k;
    if (!dictKey(self, key, &k, value == nullptr))
        return -1;
    if (!value) {
        if (!D(self)->node->erase(k)) {
            PyErr_SetObject(PyExc_KeyError, key);
            return -1;
        }
        return 0;
    }
    Value v;
    if (!convert(value, D(self)->schema->arg(), *D(self)->label, keyStep(k), &v))
        return -1;
    D(self)->node->set(std::move(k), std::move(v));
    return 0;
}

// _update(items): items is a plain dict; validates every key and value before storing any, so
// that a bad one leaves the dict unchanged (update() and |= in typehost/_views.py use it).
PyObject* dictUpdate(PyObject* self, PyObject* items)
{
    if (!PyDict_Check(items)) {
        PyErr_SetString(PyExc_TypeError, "_update() expects a dict");
        return nullptr;
    }
    std::vector<std::pair<Value, Value>> converted;
    const Py_ssize_t size = PyDict_GET_SIZE(items);
    converted.reserve(size_t(size));
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(items, &pos, &key, &value)) {
        // Conversion may run Python code that changes `items`: hold the pair meanwhile.
        Py_INCREF(key);
        Py_INCREF(value);
        Value k, v;
        bool ok = dictKey(self, key, &k, false) && convert(value, D(self)->schema->arg(), *D(self)->label, keyStep(k), &v);
        Py_DECREF(key);
        Py_DECREF(value);
        if (!ok)
            return nullptr;
        if (PyDict_GET_SIZE(items) != size) {
            PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during update");
            return nullptr;
        }
        converted.emplace_back(std::move(k), std::move(v));
    }
    for (auto& [k, v] : converted)
        D(self)->node->set(std::move(k), std::move(v));
    Py_RETURN_NONE;
}

int dictContains(PyObject* self, PyObject* key)
{
    Value k;
    if (!dictKey(self, key, &k, true)) {
        PyErr_Clear();
        return 0;
    }
    return D(self)->node->contains(k);
}

PyObject* dictIter(PyObject* self)
{
    auto items = D(self)->node->snapshot();
    PyObject* keys = PyList_New(Py_ssize_t(items.size()));
    if (!keys)
        return nullptr;
    for (size_t i = 0; i < items.size(); ++i) {
        PyObject* k = toPython(items[i].first, Schema::any());
        if (!k) {
            Py_DECREF(keys);
            return nullptr;
        }
        PyList_SET_ITEM(keys, Py_ssize_t(i), k);
    }
    PyObject* it = PyObject_GetIter(keys);
    Py_DECREF(keys);
    return it;
}

PyObject* dictCompare(PyObject* self, PyObject* other, int op) { return viewCompare(self, other, op, dictPlainImpl); }
PyObject* dictRepr(PyObject* self) { return viewRepr(self, D(self)->node, dictPlainImpl, "{...}"); }

PyObject* dictReduce(PyObject* self, PyObject*)
{
    PyObject* plain = dictPlainImpl(self);
    if (!plain)
        return nullptr;
    return Py_BuildValue("(O(N))", &PyDict_Type, plain);
}

PyObject* dictCopy(PyObject* self, PyObject*) { return dictPlainImpl(self); }

PyObject* dictDeepcopy(PyObject* self, PyObject* memo)
{
    PyObject* plain = dictPlainImpl(self);
    return plain ? deepcopyOf(plain, memo) : nullptr;
}

PyObject* dictSchemaText(PyObject* self, void*) { return PyUnicode_FromString(D(self)->schema->text().c_str()); }

PyMethodDef dictMethods[] = {
    {"_update", dictUpdate, METH_O, "Validates then stores every item of a plain dict (or none of them)."},
    {"__reduce__", dictReduce, METH_NOARGS, nullptr},
    {"__copy__", dictCopy, METH_NOARGS, "A plain dict with the same items."},
    {"__deepcopy__", dictDeepcopy, METH_O, nullptr},
    {"copy", dictCopy, METH_NOARGS, "A plain dict with the same items."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef dictGetset[] = {
    {"schema", dictSchemaText, nullptr, "The canonical schema text of this dict.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMappingMethods dictMapping = {dictLen, dictGet, dictSet};
PySequenceMethods dictSequence = {dictLen, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, dictContains, nullptr, nullptr};

PyObject* noNew(PyTypeObject* t, PyObject*, PyObject*)
{
    PyErr_Format(PyExc_TypeError, "cannot create '%s' views directly; they come from fields", t->tp_name);
    return nullptr;
}

PyTypeObject g_listBase = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "typehost._ListBase";
    t.tp_basicsize = sizeof(ListView);
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
    t.tp_doc = "Live view on a typed C++ list.";
    t.tp_dealloc = listDealloc;
    t.tp_as_mapping = &listMapping;
    t.tp_as_sequence = &listSequence;
    t.tp_richcompare = listCompare;
    t.tp_repr = listRepr;
    t.tp_iter = listIter;
    t.tp_hash = PyObject_HashNotImplemented;
    t.tp_methods = listMethods;
    t.tp_getset = listGetset;
    t.tp_new = noNew;
    return t;
}();

PyTypeObject g_dictBase = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "typehost._DictBase";
    t.tp_basicsize = sizeof(DictView);
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
    t.tp_doc = "Live view on a typed C++ dict.";
    t.tp_dealloc = dictDealloc;
    t.tp_as_mapping = &dictMapping;
    t.tp_as_sequence = &dictSequence;
    t.tp_richcompare = dictCompare;
    t.tp_repr = dictRepr;
    t.tp_iter = dictIter;
    t.tp_hash = PyObject_HashNotImplemented;
    t.tp_methods = dictMethods;
    t.tp_getset = dictGetset;
    t.tp_new = noNew;
    return t;
}();

} // namespace

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
