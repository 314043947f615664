// Field descriptors: the getset functions that read and write a field of C++ storage.

#include "py_object_impl.h"

#include "py_text.h"
#include "views.h"

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

} // namespace

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
