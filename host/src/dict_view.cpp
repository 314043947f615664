// typehost.Dict's C base (_DictBase): a live view on a C++ dict (views.h).
#include "views_impl.h"

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

} // namespace

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

namespace {


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
    if (!viewConvert(value, D(self)->schema->arg(), *D(self)->label, keyStep(k), &v))
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
        bool ok = dictKey(self, key, &k, false) && viewConvert(value, D(self)->schema->arg(), *D(self)->label, keyStep(k), &v);
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

// get(key, default=None), as dict.get: a key of the wrong type is simply absent.
PyObject* dictGetMethod(PyObject* self, PyObject* const* args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2) {   // dict.get's messages
        PyErr_Format(PyExc_TypeError, nargs < 1 ? "get expected at least 1 argument, got %zd"
                                                : "get expected at most 2 arguments, got %zd", nargs);
        return nullptr;
    }
    PyObject* fallback = nargs == 2 ? args[1] : Py_None;
    Value k;
    if (!dictKey(self, args[0], &k, true)) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError))
            return nullptr;
        PyErr_Clear();
        return Py_NewRef(fallback);
    }
    Value v;
    if (!D(self)->node->get(k, &v))
        return Py_NewRef(fallback);
    return elementToPython(v, D(self)->schema->arg(), *D(self)->label, keyStep(k));
}

// _items() / _values(): the items (as (key, value) tuples) or values of one snapshot, as a
// plain list: what iterating the views items() and values() return reads (typehost/_views.py).
PyObject* dictSnapshotList(PyObject* self, bool withKeys)
{
    auto items = D(self)->node->snapshot();
    PyObject* out = PyList_New(Py_ssize_t(items.size()));
    if (!out)
        return nullptr;
    for (size_t i = 0; i < items.size(); ++i) {
        PyObject* v = elementToPython(items[i].second, D(self)->schema->arg(), *D(self)->label, keyStep(items[i].first));
        PyObject* e = v;
        if (v && withKeys) {
            PyObject* k = toPython(items[i].first, Schema::any());
            e = k ? PyTuple_Pack(2, k, v) : nullptr;
            Py_XDECREF(k);
            Py_DECREF(v);
        }
        if (!e) {
            Py_DECREF(out);
            return nullptr;
        }
        PyList_SET_ITEM(out, Py_ssize_t(i), e);
    }
    return out;
}

PyObject* dictItemsList(PyObject* self, PyObject*) { return dictSnapshotList(self, true); }
PyObject* dictValuesList(PyObject* self, PyObject*) { return dictSnapshotList(self, false); }

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
    {"_items", dictItemsList, METH_NOARGS, "The (key, value) pairs of one snapshot, as a list."},
    {"_values", dictValuesList, METH_NOARGS, "The values of one snapshot, as a list."},
    {"get", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(dictGetMethod)), METH_FASTCALL,
     "get(key, default=None): the value for key, or default when key is absent."},
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

} // namespace

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

} // namespace typehost::detail
