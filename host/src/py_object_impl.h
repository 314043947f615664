#pragma once
// Shared by the translation units of the C types behind @py_class (py_meta.cpp, py_fields.cpp,
// py_object.cpp, py_protocol.cpp, py_init.cpp): the hot inline paths of storing a field and making an instance,
// which construct, assignment and __init__ all run, and the few functions one part calls in
// another.

#include "host_type.h"

#include "conversion.h"

#include <typesys/error.h>

namespace typehost::detail {

// ---- py_meta.cpp

// Creates typehost.ObjectMeta (the heap metaclass over the C base); -1 with a Python error.
int makeObjectMeta();

// ---- py_fields.cpp

// AttributeError "'C' object has no attribute 'x'" for an unset field; always null.
PyObject* unsetError(PyObject* self, const FieldAccess* fa);

// The general case of storeField: conversion through the schema (and the errors it raises).
int storeFieldConverted(typesys::ObjectNode* node, const FieldAccess* fa, PyObject* value, bool fresh);

// ---- py_protocol.cpp

PyObject* objectRepr(PyObject* self);
PyObject* objectRichcompare(PyObject* a, PyObject* b, int op);
Py_hash_t objectHash(PyObject* self);

// ---- py_object.cpp

// The nearest plan in t's MRO, or null with *pending set (borrowed) when a class in the MRO is
// still waiting for a name.
HostType* hostOrPending(PyTypeObject* t, PyObject** pending);
// hostOf, or null with TypeError saying why cls cannot be instantiated.
HostType* requireHost(PyTypeObject* cls);
// CPython's refusal of a class with abstract methods; always null.
PyObject* abstractClassError(PyTypeObject* cls);
void keepInfoSlow(MetaObj* m, typesys::TypeInfo* info);
// The plan that matches self's storage: its class's, or (after the class was decorated again,
// or `__bases__` was assigned) the plan of the type info its node was made with. Null when
// there is none: a plan of another layout must never index this node's slots.
HostType* planOf(PyObject* self);
// Object's tp_new (armFastInit checks that a class still uses it).
PyObject* objectNew(PyTypeObject* cls, PyObject* args, PyObject* kwds);

// An int that fits one 30-bit digit, read without a call (CPython 3.11's long layout).
inline bool smallLong(PyObject* value, int64_t* out)
{
#if PY_VERSION_HEX < 0x030C0000
    Py_ssize_t size = Py_SIZE(value);
    if (size < -1 || size > 1)
        return false;
    *out = int64_t(size) * int64_t(reinterpret_cast<PyLongObject*>(value)->ob_digit[0]);
    return true;
#else
    (void)value;
    (void)out;
    return false;
#endif
}

// Converts and stores one field value; on error raises and leaves the old value. `fresh`: the
// node is not shared yet (see bindInit). The exact-type cases are handled here without a call;
// everything else goes through the schema.
inline int storeField(typesys::ObjectNode* node, const FieldAccess* fa, PyObject* value, bool fresh = false)
{
    uint32_t i = fa->index;
    switch (fa->kind) {
    case typesys::SchemaKind::Float:
        if (PyFloat_CheckExact(value)) {
            fresh ? node->initRawFloat(i, PyFloat_AS_DOUBLE(value)) : node->setRawFloat(i, PyFloat_AS_DOUBLE(value));
            return 0;
        }
        break;
    case typesys::SchemaKind::Int:
        if (PyLong_CheckExact(value)) {
            int64_t v;
            if (!smallLong(value, &v)) {
                int overflow = 0;
                v = PyLong_AsLongLongAndOverflow(value, &overflow);
                if (overflow || (v == -1 && PyErr_Occurred())) {
                    PyErr_Clear();
                    break;   // the conversion below raises the OverflowError
                }
            }
            fresh ? node->initRawInt(i, v) : node->setRawInt(i, v);
            return 0;
        }
        break;
    case typesys::SchemaKind::Bool:
        if (PyBool_Check(value)) {
            fresh ? node->initRawBool(i, value == Py_True) : node->setRawBool(i, value == Py_True);
            return 0;
        }
        break;
    case typesys::SchemaKind::Str:
        if (value == fa->lastStr) {   // its node is immortal: no reference to take
            if (fresh)
                node->initNodeField(i, fa->lastStrNode);
            else
                node->set(i, typesys::Value::fromStrNode(typesys::Ref<typesys::StrNode>::adopt(fa->lastStrNode)));
            return 0;
        }
        break;
    default: break;
    }
    return storeFieldConverted(node, fa, value, fresh);
}


// The instance's own class keeps its node's type info alive (a hosted node owns no reference),
// whatever the class's MRO says later (`__bases__` may be assigned): a registered class holds
// its info anyway, an undecorated subclass takes a reference the first time it is used.
inline void keepInfo(PyTypeObject* cls, typesys::TypeInfo* info)
{
    MetaObj* m = meta(cls);
    if (m->info == info) [[likely]]
        return;
    keepInfoSlow(m, info);
}

inline PyObject* newInstance(PyTypeObject* cls, HostType* host)
{
    keepInfo(cls, host->info);
    PyObject* self = cls->tp_alloc(cls, 0);
    if (!self)
        return nullptr;
    try {
        // Hosted: the wrapper keeps its class alive, and the class the info (install.cpp).
        auto node = typesys::ObjectNode::createHosted(host->info);
        node->binding = self;
        reinterpret_cast<PyObj*>(self)->node = node.release();
    } catch (const std::exception& e) {
        Py_DECREF(self);
        PyErr_SetString(PyExc_MemoryError, e.what());
        return nullptr;
    }
    return self;
}


} // namespace typehost::detail
