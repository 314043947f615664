// Field descriptors: the getset functions that read and write a field of C++ storage.

#include "py_object_impl.h"

#include "py_text.h"
#include "views.h"

#include <algorithm>
#include <cstddef>
#include <mutex>

namespace typehost::detail {

using typesys::Path;
using typesys::Schema;
using typesys::SchemaKind;
using typesys::Value;

PyObject* unsetError(PyObject* self, const FieldAccess* fa)
{
    PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%U'", Py_TYPE(self)->tp_name, fa->name);
    return nullptr;
}

namespace {

// The plan of the node's own type when a descriptor's plan belongs to another type info: the
// class was decorated again after self was made, so self still has the old fields (install.cpp
// keeps that info and its plan alive). Null, with AttributeError, when the old type has no
// field of that name.
const FieldAccess* foreignField(PyObject* self, typesys::ObjectNode* node, const FieldAccess* fa)
{
    auto* own = static_cast<HostType*>(node->typePtr()->binding);
    int i = node->type().fieldIndex(utf8Text(fa->name));
    if (!own || i < 0 || size_t(i) >= own->fields.size()) {
        unsetError(self, fa);
        return nullptr;
    }
    return &own->fields[size_t(i)];
}

// A container field read without a matching cached view: a new view, kept in the cache.
PyObject* cacheView(PyObj* self, const FieldAccess* fa)
{
    uint32_t i = fa->index;
    PyObject* view;
    try {
        Value v;
        if (!self->node->get(i, &v))
            return unsetError(reinterpret_cast<PyObject*>(self), fa);
        if (v.kind() == typesys::ValueKind::List && fa->schema.kind() == SchemaKind::List)
            view = makeListView(v.asList(), fa->schema.arg(), fa->qualified);
        else if (v.kind() == typesys::ValueKind::Dict)
            view = makeDictView(v.asDict(), fa->schema, fa->qualified);
        else
            return toPython(v, fa->schema);
    } catch (...) {
        return setPythonErrorFromCurrent(Boundary::Assign, fa->qualified);
    }
    if (!view)
        return nullptr;
    ViewCache* c = self->views;
    uint32_t need = self->node->fieldCount();
    if (!c || c->size < need) {
        // Grown (not only made): a class decorated again may have more fields than the plan
        // the cache was made for.
        size_t bytes = offsetof(ViewCache, views) + sizeof(PyObject*) * need;
        auto* grown = static_cast<ViewCache*>(PyMem_Calloc(1, bytes));
        if (!grown)
            return view;   // no cache: still a correct read
        grown->size = need;
        if (c) {
            std::copy(c->views, c->views + c->size, grown->views);
            PyMem_Free(c);
        }
        self->views = c = grown;
    }
    Py_INCREF(view);
    Py_XSETREF(c->views[i], view);
    return view;
}

} // namespace

void clearViewCache(PyObj* o) noexcept
{
    ViewCache* c = o->views;
    if (!c)
        return;
    o->views = nullptr;
    for (uint32_t i = 0; i < c->size; ++i)
        Py_XDECREF(c->views[i]);
    PyMem_Free(c);
}

PyObject* fieldGet(PyObject* self, void* closure)
{
    auto* fa = static_cast<FieldAccess*>(closure);
    typesys::ObjectNode* node = reinterpret_cast<PyObj*>(self)->node;
    if (!node)
        return unsetError(self, fa);
    if (node->typePtr() != fa->host->info) [[unlikely]] {
        const FieldAccess* own = foreignField(self, node, fa);
        return own ? fieldGet(self, const_cast<FieldAccess*>(own)) : nullptr;
    }
    uint32_t i = fa->index;
    switch (fa->kind) {
    case SchemaKind::Float:
        if (!node->isSetInline(i))
            return unsetError(self, fa);
        return PyFloat_FromDouble(node->rawFloat(i));
    case SchemaKind::Int:
        if (!node->isSetInline(i))
            return unsetError(self, fa);
        return PyLong_FromLongLong(node->rawInt(i));
    case SchemaKind::Bool:
        if (!node->isSetInline(i))
            return unsetError(self, fa);
        return PyBool_FromLong(node->rawBool(i));
    case SchemaKind::Str: {
        // The str a node was made from (or first read as) is its binding: return it without
        // touching the node's count. The slot is read under the node's lock (another thread may
        // replace it); the binding stays alive after the unlock because only the GIL holder,
        // which this thread is, releases bindings.
        PyObject* cached = nullptr;
        uint64_t bits;
        {
            std::lock_guard g(node->lock);
            bits = node->slotBits(i);
            if (bits > 1)
                cached = static_cast<PyObject*>(reinterpret_cast<typesys::StrNode*>(bits)->binding);
        }
        if (bits == 0)
            return unsetError(self, fa);
        if (cached) {
            Py_INCREF(cached);
            return cached;
        }
        break;
    }
    case SchemaKind::List:
    case SchemaKind::DictStr:
    case SchemaKind::DictInt: {
        // The cached view of this very container (the view owns a reference to its node, so an
        // address match means the same node, whatever happens to the slot meanwhile).
        uint64_t bits = node->slotBits(i);
        if (bits == 0)
            return unsetError(self, fa);
        ViewCache* c = reinterpret_cast<PyObj*>(self)->views;
        if (c && i < c->size)
            if (PyObject* v = c->views[i]; v && viewMatches(v, bits, fa->schema)) {
                Py_INCREF(v);
                return v;
            }
        return cacheView(reinterpret_cast<PyObj*>(self), fa);
    }
    default: break;
    }
    try {
        Value v;
        if (!node->get(i, &v))
            return unsetError(self, fa);
        if (v.kind() == typesys::ValueKind::List && fa->schema.kind() == SchemaKind::List)
            return makeListView(v.asList(), fa->schema.arg(), fa->qualified);
        if (v.kind() == typesys::ValueKind::Dict &&
            (fa->schema.kind() == SchemaKind::DictStr || fa->schema.kind() == SchemaKind::DictInt))
            return makeDictView(v.asDict(), fa->schema, fa->qualified);
        return toPython(v, fa->schema);
    } catch (...) {
        return setPythonErrorFromCurrent(Boundary::Assign, fa->qualified);   // no C++ exception crosses a C slot
    }
}

// The general case of storeField: conversion through the schema (and the errors it raises).
__attribute__((noinline)) int storeFieldConverted(typesys::ObjectNode* node, const FieldAccess* fa, PyObject* value,
                                                  bool fresh)
{
    uint32_t i = fa->index;
    Path path;
    try {
        if (fresh)
            node->initField(i, fromPython(value, fa->schema, path));
        else
            node->set(i, fromPython(value, fa->schema, path));
        if (fa->kind == SchemaKind::Str)
            if (typesys::StrNode* n = cachedInternedStr(value)) {
                fa->lastStr = value;   // kept alive by the intern cache, as is n
                fa->lastStrNode = n;
            }
        return 0;
    } catch (...) {
        setPythonErrorFromCurrent(Boundary::Assign, fa->qualified);
    }
    return -1;
}

int fieldSet(PyObject* self, PyObject* value, void* closure)
{
    auto* fa = static_cast<FieldAccess*>(closure);
    typesys::ObjectNode* node = reinterpret_cast<PyObj*>(self)->node;
    if (!node) {
        PyErr_SetString(PyExc_TypeError, "object is not initialized");
        return -1;
    }
    if (node->typePtr() != fa->host->info) [[unlikely]] {
        const FieldAccess* own = foreignField(self, node, fa);
        return own ? fieldSet(self, value, const_cast<FieldAccess*>(own)) : -1;
    }
    if (!value) {
        if (!node->isSet(fa->index)) {
            unsetError(self, fa);
            return -1;
        }
        node->unset(fa->index);
        return 0;
    }
    return storeField(node, fa, value);
}

} // namespace typehost::detail
