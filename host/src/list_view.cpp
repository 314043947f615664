// typehost.List's C base (_ListBase): a live view on a C++ list (views.h).
#include "views_impl.h"

#include "conversion.h"

#include "cycle_buffer.h"

#include <typesys/error.h>

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <vector>

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
    // One read under the lock: a str element gives its binding (the str it came from, alive
    // under the GIL after the unlock), anything else a copy converted after the unlock.
    PyObject* str = nullptr;
    Value v;
    ptrdiff_t at = i;
    // (Only where the element schema reads a str as the str: an enum of str values reads it as
    // the member.)
    const bool plainStr = L(self)->element->kind() == typesys::SchemaKind::Str ||
                          L(self)->element->kind() == typesys::SchemaKind::Any;
    bool found = L(self)->node->visitAt(at, [&](const Value& e) {
        if (plainStr && e.kind() == typesys::ValueKind::Str)
            str = static_cast<PyObject*>(static_cast<const typesys::StrNode*>(e.node())->binding);
        if (!str)
            v = e;
    });
    if (!found) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return nullptr;
    }
    if (str)
        return Py_NewRef(str);
    size_t index = i < 0 ? size_t(i + listLen(self)) : size_t(i);
    return elementToPython(v, *L(self)->element, *L(self)->label, {PathStep::Index, {}, index});
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

// The first index in [start, stop) whose element == value; -1 when none, -2 with an error set.
// As list.index compares: identity first, then ==, one element read at a time.
Py_ssize_t listFind(PyObject* self, PyObject* value, size_t start, size_t stop)
{
    typesys::ListNode* node = L(self)->node;
    for (size_t i = start; i < stop; ++i) {
        Value e;
        if (!node->tryAt(i, &e))
            return -1;
        PyObject* item = elementToPython(e, *L(self)->element, *L(self)->label, {PathStep::Index, {}, i});
        if (!item)
            return -2;
        int r = PyObject_RichCompareBool(item, value, Py_EQ);
        Py_DECREF(item);
        if (r < 0)
            return -2;
        if (r)
            return Py_ssize_t(i);
    }
    return -1;
}

// `value in view`, without a plain copy: element by element (each read under the list's lock,
// so a concurrent writer is seen as by a Python list being mutated during `in`). A str looked
// for among str elements is compared by its UTF-8 bytes, with no Python call.
int listContains(PyObject* self, PyObject* value)
{
    typesys::ListNode* node = L(self)->node;
    const Schema& element = *L(self)->element;
    if (element.kind() == typesys::SchemaKind::Str && PyUnicode_CheckExact(value)) {
        Py_ssize_t n;
        const char* u = PyUnicode_AsUTF8AndSize(value, &n);
        if (u) {
            std::string_view needle(u, size_t(n));
            return node->anyOf([needle](const Value& e) {
                return e.kind() == typesys::ValueKind::Str && e.asStr() == needle;
            });
        }
        PyErr_Clear();   // a lone surrogate: not valid UTF-8, so equal to no stored str
        return 0;
    }
    Py_ssize_t i = listFind(self, value, 0, SIZE_MAX);
    return i == -2 ? -1 : i >= 0;
}

// index(value, start=0, stop=len), as list.index (negative bounds count from the end).
PyObject* listIndex(PyObject* self, PyObject* const* args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 3) {
        PyErr_Format(PyExc_TypeError, nargs < 1 ? "index expected at least 1 argument, got %zd"
                                                : "index expected at most 3 arguments, got %zd", nargs);
        return nullptr;
    }
    Py_ssize_t n = listLen(self), bounds[2] = {0, PY_SSIZE_T_MAX};
    for (Py_ssize_t a = 1; a < nargs; ++a)
        if (!_PyEval_SliceIndexNotNone(args[a], &bounds[a - 1]))
            return nullptr;
    for (Py_ssize_t& b : bounds)
        b = b < 0 ? std::max<Py_ssize_t>(b + n, 0) : std::min(b, n);
    Py_ssize_t i = bounds[0] < bounds[1] ? listFind(self, args[0], size_t(bounds[0]), size_t(bounds[1])) : -1;
    if (i == -2)
        return nullptr;
    if (i < 0) {
        PyErr_Format(PyExc_ValueError, "%R is not in list", args[0]);
        return nullptr;
    }
    return PyLong_FromSsize_t(i);
}

PyObject* listCount(PyObject* self, PyObject* value)
{
    Py_ssize_t count = 0;
    for (size_t start = 0;;) {
        Py_ssize_t i = listFind(self, value, start, SIZE_MAX);
        if (i == -2)
            return nullptr;
        if (i < 0)
            return PyLong_FromSsize_t(count);
        ++count;
        start = size_t(i) + 1;
    }
}

PyObject* listRemove(PyObject* self, PyObject* value)
{
    Py_ssize_t i = listFind(self, value, 0, SIZE_MAX);
    if (i == -2)
        return nullptr;
    if (i < 0) {
        PyErr_SetString(PyExc_ValueError, "list.remove(x): x not in list");
        return nullptr;
    }
    try {
        L(self)->node->take(size_t(i));
    } catch (const typesys::Error&) {   // a concurrent writer shortened the list meanwhile
        PyErr_SetString(PyExc_ValueError, "list.remove(x): x not in list");
        return nullptr;
    }
    Py_RETURN_NONE;
}

// Element kinds whose Python == is typesys equality (no NaN, no user __eq__).
bool plainEquality(const Schema& s)
{
    switch (s.kind()) {
    case typesys::SchemaKind::Str:
    case typesys::SchemaKind::Bytes:
    case typesys::SchemaKind::Int:
    case typesys::SchemaKind::Bool: return true;
    default: return false;
    }
}

PyObject* listCompare(PyObject* self, PyObject* other, int op)
{
    // Two views of str/bytes/int/bool lists: compared in C++ (the same node is equal to itself,
    // as a list is); anything else as the plain lists compare.
    if ((op == Py_EQ || op == Py_NE) && isListView(other) && plainEquality(*L(self)->element) &&
        plainEquality(*L(other)->element)) {
        bool equal = L(self)->node->sameScalars(*L(other)->node);
        return PyBool_FromLong(equal == (op == Py_EQ));
    }
    return viewCompare(self, other, op, listPlain);
}

PyObject* listRepr(PyObject* self) { return viewRepr(self, L(self)->node, listPlain, "[...]"); }

// The iterator of a list view: the elements as they are when iteration starts (one snapshot
// under the lock, no lock per element), converted one at a time. A concurrent writer's changes
// show in the next iteration, not in this one (documented in docs/python-api.md).
struct ListIter {
    PyObject_HEAD
    PyObject* view;                 // owned: its schema and label
    std::vector<Value>* items;
    size_t pos;
};

void listIterDealloc(PyObject* self)
{
    auto* it = reinterpret_cast<ListIter*>(self);
    delete it->items;
    Py_XDECREF(it->view);
    PyObject_Free(self);
}

PyObject* listIterNext(PyObject* self)
{
    auto* it = reinterpret_cast<ListIter*>(self);
    if (!it->items || it->pos >= it->items->size())
        return nullptr;   // StopIteration
    size_t i = it->pos++;
    return elementToPython((*it->items)[i], *L(it->view)->element, *L(it->view)->label, {PathStep::Index, {}, i});
}

PyObject* listIterLengthHint(PyObject* self, PyObject*)
{
    auto* it = reinterpret_cast<ListIter*>(self);
    return PyLong_FromSize_t(it->items ? it->items->size() - std::min(it->pos, it->items->size()) : 0);
}

PyMethodDef listIterMethods[] = {
    {"__length_hint__", listIterLengthHint, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject g_listIterType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "typehost._ListIterator";
    t.tp_basicsize = sizeof(ListIter);
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_dealloc = listIterDealloc;
    t.tp_iter = PyObject_SelfIter;
    t.tp_iternext = listIterNext;
    t.tp_methods = listIterMethods;
    return t;
}();

PyObject* listIter(PyObject* self)
{
    if (!g_listIterType.tp_dict && PyType_Ready(&g_listIterType) < 0)
        return nullptr;
    auto* it = PyObject_New(ListIter, &g_listIterType);
    if (!it)
        return nullptr;
    it->view = Py_NewRef(self);
    it->pos = 0;
    it->items = nullptr;
    try {
        it->items = new std::vector<Value>(L(self)->node->snapshot());
    } catch (...) {
        Py_DECREF(it);
        return setPythonErrorFromCurrent(Boundary::Assign);
    }
    return reinterpret_cast<PyObject*>(it);
}

// pop(index=-1), as list.pop: IndexError for an empty list or an index out of range; the
// index's __index__ is called once.
PyObject* listPop(PyObject* self, PyObject* const* args, Py_ssize_t nargs)
{
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError, "pop expected at most 1 argument, got %zd", nargs);
        return nullptr;
    }
    Py_ssize_t i = -1;
    if (nargs == 1) {   // as list.pop: TypeError for a non-integer, OverflowError past ssize_t
        PyObject* index = PyNumber_Index(args[0]);
        if (!index)
            return nullptr;
        i = PyLong_AsSsize_t(index);
        Py_DECREF(index);
        if (i == -1 && PyErr_Occurred())
            return nullptr;
    }
    Py_ssize_t n = listLen(self);
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "pop from empty list");
        return nullptr;
    }
    if (i < 0)
        i += n;
    if (i < 0 || i >= n) {
        PyErr_SetString(PyExc_IndexError, "pop index out of range");
        return nullptr;
    }
    Value v;
    try {
        v = L(self)->node->take(size_t(i));
    } catch (const typesys::Error&) {   // a concurrent writer shortened the list meanwhile
        PyErr_SetString(PyExc_IndexError, "pop index out of range");
        return nullptr;
    }
    return elementToPython(v, *L(self)->element, *L(self)->label, {PathStep::Index, {}, size_t(i)});
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
    {"pop", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(listPop)), METH_FASTCALL,
     "pop(index=-1): remove and return the item at index (default last)."},
    {"index", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(listIndex)), METH_FASTCALL,
     "index(value, start=0, stop=len): the first index of value (ValueError when absent)."},
    {"count", listCount, METH_O, "count(value): how many elements equal value."},
    {"remove", listRemove, METH_O, "remove(value): remove the first element equal to value."},
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
