// typehost.List's C base (_ListBase): a live view on a C++ list (views.h).
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

namespace {



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
        if (!viewConvert(PyList_GET_ITEM(plain, i), *L(self)->element, *L(self)->label,
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
        if (!viewConvert(value, *L(self)->element, *L(self)->label, {PathStep::Index, {}, size_t(i)}, &v))
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
    if (!viewConvert(args[1], *L(self)->element, *L(self)->label, {PathStep::Index, {}, size_t(i)}, &v))
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
        if (!viewConvert(PyList_GET_ITEM(items, Py_ssize_t(i)), *L(self)->element, *L(self)->label,
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
    if (!viewConvert(value, *L(self)->element, *L(self)->label, {PathStep::Index, {}, L(self)->node->size()}, &v))
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

PyObject* listCompare(PyObject* self, PyObject* other, int op) { return viewCompare(self, other, op, listPlain); }

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

} // namespace

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

} // namespace typehost::detail
