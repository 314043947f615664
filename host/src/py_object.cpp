// The C types behind @py_class: the metaclass, the Object base, field descriptors and the
// generated __init__ (a tp_vectorcall on the class). Python-facing hot paths live here.

#include "host_type.h"

#include "conversion.h"
#include "cycle_buffer.h"
#include "py_release.h"
#include "py_text.h"
#include "views.h"

#include <typesys/error.h>
#include <typesys/registry.h>

#include <fmt/format.h>

#include <cstring>

namespace typehost::detail {

using typesys::Path;
using typesys::Schema;
using typesys::SchemaKind;
using typesys::Value;

HostType::~HostType()
{
    releaseLater(enumClass);
    releaseLater(valueToMember);
    for (InitParam& p : params) {
        releaseLater(p.defaultObj);
        releaseLater(p.factory);
        releaseLater(p.name);
    }
    for (FieldAccess& f : fields)
        releaseLater(f.name);
    for (PyObject* o : fieldDefaults)
        releaseLater(o);
    for (PyObject* o : fieldFactories)
        releaseLater(o);
    releaseLater(ownedCls);
    releaseLater(kwCacheNames);
    releaseLater(fastInit);
    if (cls && meta(cls)->host == this)   // a class decorated again already has a new plan
        meta(cls)->host = nullptr;
}

PyTypeObject* g_objectMeta = nullptr;

namespace {

// abc's C functions and type's own checks, fetched once by initObjectTypes.
PyObject* g_abcInit = nullptr;
PyObject* g_abcInstancecheck = nullptr;
PyObject* g_abcSubclasscheck = nullptr;
PyObject* g_abcRegister = nullptr;
PyTypeObject* g_abcMeta = nullptr;
PyObject* g_typeInstancecheck = nullptr;
PyObject* g_typeSubclasscheck = nullptr;

PyObject* qualName(PyTypeObject* t)
{
    return PyType_GetQualName(t);
}

// ---- metaclass ----

PyObject* metaNew(PyTypeObject* metatype, PyObject* args, PyObject* kwds)
{
    // Every class of the family is slotted: no instance __dict__, fields live in C++.
    PyObject *name, *bases, *ns;
    if (!PyArg_ParseTuple(args, "UO!O!:ObjectMeta", &name, &PyTuple_Type, &bases, &PyDict_Type, &ns))
        return nullptr;
    PyObject* nsCopy = PyDict_Copy(ns);
    if (!nsCopy)
        return nullptr;
    PyObject* slotsName = PyUnicode_InternFromString("__slots__");
    int has = slotsName ? PyDict_Contains(nsCopy, slotsName) : -1;
    if (has == 0) {
        PyObject* empty = PyTuple_New(0);
        has = empty ? PyDict_SetItem(nsCopy, slotsName, empty) : -1;
        Py_XDECREF(empty);
    }
    Py_XDECREF(slotsName);
    if (has < 0) {
        Py_DECREF(nsCopy);
        return nullptr;
    }
    PyObject* newArgs = PyTuple_Pack(3, name, bases, nsCopy);
    Py_DECREF(nsCopy);
    if (!newArgs)
        return nullptr;
    PyObject* cls = PyType_Type.tp_new(metatype, newArgs, kwds);
    Py_DECREF(newArgs);
    // What ABCMeta.__new__ adds (the metaclass derives from it, for ABC and Protocol bases):
    // the ABC registry and __abstractmethods__, which makes a class with abstract methods
    // refuse instantiation as dataclasses built on an ABC do.
    if (cls && g_abcInit) {
        PyObject* done = PyObject_CallOneArg(g_abcInit, cls);
        if (!done)
            Py_CLEAR(cls);
        Py_XDECREF(done);
    }
    if (cls) {
        PyObject* mro = reinterpret_cast<PyTypeObject*>(cls)->tp_mro;
        for (Py_ssize_t i = 0; mro && i < PyTuple_GET_SIZE(mro); ++i) {
            PyObject* b = PyTuple_GET_ITEM(mro, i);
            if (!PyObject_TypeCheck(b, &g_metaType) && PyObject_TypeCheck(b, g_abcMeta))
                meta(reinterpret_cast<PyTypeObject*>(cls))->abcAware = true;
        }
    }
    return cls;
}

void metaDealloc(PyObject* self)
{
    MetaObj* m = reinterpret_cast<MetaObj*>(self);
    auto* cls = reinterpret_cast<PyTypeObject*>(self);
    // Every plan that names this class forgets it: the current one and those of the infos it
    // had before it was decorated again (their nodes may outlive the class).
    auto forget = [cls](typesys::TypeInfo* t) {
        if (auto* h = t ? static_cast<HostType*>(t->binding) : nullptr; h && h->cls == cls)
            h->cls = nullptr;
    };
    if (m->host && m->host->cls == cls)
        m->host->cls = nullptr;
    forget(m->info);
    if (m->retired)
        for (typesys::TypeInfo* t : *m->retired)
            forget(t);
    m->host = nullptr;
    Py_CLEAR(m->pending);
    if (m->info) {
        m->info->decRef();
        m->info = nullptr;
    }
    if (m->retired) {
        for (typesys::TypeInfo* t : *m->retired)
            t->decRef();
        delete m->retired;
        m->retired = nullptr;
    }
    PyType_Type.tp_dealloc(self);
}

// ---- field descriptors ----

PyObject* unsetError(PyObject* self, const FieldAccess* fa)
{
    PyErr_Format(PyExc_AttributeError, "'%s' object has no attribute '%U'", Py_TYPE(self)->tp_name, fa->name);
    return nullptr;
}

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
        return raiseCurrentException();   // no C++ exception crosses a C slot
    }
}

namespace {

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
    } catch (const ConvertError& e) {
        raiseConvertError(e, fa->qualified);
    } catch (const PythonErrorSet&) {
    } catch (const typesys::Error& e) {
        PyErr_SetString(PyExc_TypeError, e.what());
    } catch (...) {
        raiseCurrentException();
    }
    return -1;
}

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
    case SchemaKind::Float:
        if (PyFloat_CheckExact(value)) {
            fresh ? node->initRawFloat(i, PyFloat_AS_DOUBLE(value)) : node->setRawFloat(i, PyFloat_AS_DOUBLE(value));
            return 0;
        }
        break;
    case SchemaKind::Int:
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
    case SchemaKind::Bool:
        if (PyBool_Check(value)) {
            fresh ? node->initRawBool(i, value == Py_True) : node->setRawBool(i, value == Py_True);
            return 0;
        }
        break;
    case SchemaKind::Str:
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

} // namespace

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

namespace {

// ---- Object ----

__attribute__((noinline)) void keepInfoSlow(MetaObj* m, typesys::TypeInfo* info)
{
    if (m->retired)
        for (typesys::TypeInfo* t : *m->retired)
            if (t == info)
                return;
    info->incRef();
    if (!m->info) {
        m->info = info;
        return;
    }
    if (!m->retired)
        m->retired = new std::vector<typesys::TypeInfo*>();
    m->retired->push_back(info);
}

HostType* hostOrPending(PyTypeObject* t, PyObject** pending)
{
    *pending = nullptr;
    PyObject* mro = t->tp_mro;
    if (!mro)
        return nullptr;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); ++i) {
        auto* b = reinterpret_cast<PyTypeObject*>(PyTuple_GET_ITEM(mro, i));
        // typehost.Object is a static type: it has no MetaObj fields to read.
        if (b == &g_objectType || !PyObject_TypeCheck(reinterpret_cast<PyObject*>(b), &g_metaType))
            continue;
        if (meta(b)->pending) {
            *pending = meta(b)->pending;
            return nullptr;
        }
        if (meta(b)->host)
            return meta(b)->host;
    }
    return nullptr;
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

PyObject* newInstance(PyTypeObject* cls, HostType* host)
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

HostType* requireHost(PyTypeObject* cls)
{
    PyObject* pending = nullptr;
    HostType* host = hostOrPending(cls, &pending);
    if (host)
        return host;
    if (pending)
        PyErr_SetObject(PyExc_TypeError, pending);
    else if (cls == &g_objectType)
        PyErr_SetString(PyExc_TypeError, "typehost.Object cannot be instantiated; decorate a subclass with @py_class");
    else
        PyErr_Format(PyExc_TypeError, "%s is not a registered type; decorate it with @py_class", cls->tp_name);
    return nullptr;
}

// CPython's refusal of a class with abstract methods (object.__new__ says the same).
__attribute__((noinline)) PyObject* abstractClassError(PyTypeObject* cls)
{
    PyObject* methods = PyObject_GetAttrString(reinterpret_cast<PyObject*>(cls), "__abstractmethods__");
    if (!methods)
        return nullptr;
    PyObject* sorted = PySequence_List(methods);
    Py_DECREF(methods);
    if (!sorted || PyList_Sort(sorted) < 0) {
        Py_XDECREF(sorted);
        return nullptr;
    }
    PyObject* comma = PyUnicode_FromString(", ");
    PyObject* joined = comma ? PyUnicode_Join(comma, sorted) : nullptr;
    Py_XDECREF(comma);
    Py_ssize_t n = PyList_GET_SIZE(sorted);
    Py_DECREF(sorted);
    if (!joined)
        return nullptr;
    PyErr_Format(PyExc_TypeError, "Can't instantiate abstract class %s with abstract method%s %U",
                 cls->tp_name, n > 1 ? "s" : "", joined);
    Py_DECREF(joined);
    return nullptr;
}

PyObject* objectNew(PyTypeObject* cls, PyObject*, PyObject*)
{
    if (cls->tp_flags & Py_TPFLAGS_IS_ABSTRACT) [[unlikely]]
        return abstractClassError(cls);
    HostType* host = requireHost(cls);
    if (!host)
        return nullptr;
    PyObject* self = newInstance(cls, host);
    if (self && applyDefaults(host, reinterpret_cast<PyObj*>(self)) < 0)
        Py_CLEAR(self);
    return self;
}

// The plan that matches self's storage: its class's, or (after the class was decorated again,
// or `__bases__` was assigned) the plan of the type info its node was made with. Null when
// there is none: a plan of another layout must never index this node's slots.
HostType* planOf(PyObject* self)
{
    typesys::ObjectNode* node = reinterpret_cast<PyObj*>(self)->node;
    HostType* host = hostOf(Py_TYPE(self));
    if (!node || (host && host->info == node->typePtr()))
        return host;
    auto* own = static_cast<HostType*>(node->typePtr()->binding);
    return own && own->info == node->typePtr() && !own->isEnum ? own : nullptr;
}

int objectInit(PyObject* self, PyObject* args, PyObject* kwds)
{
    // The plan of self's own storage (its class may have been decorated again since).
    HostType* host = planOf(self);
    if (!host) {
        if (requireHost(Py_TYPE(self)))
            PyErr_Format(PyExc_TypeError, "%s.__init__(): the object's storage has no field plan",
                         Py_TYPE(self)->tp_name);
        return -1;
    }
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    Py_ssize_t nkw = kwds ? PyDict_GET_SIZE(kwds) : 0;
    if (!host->init) {
        if (nargs || nkw) {
            PyErr_Format(PyExc_TypeError, "%s() takes no arguments", Py_TYPE(self)->tp_name);
            return -1;
        }
        return 0;
    }
    std::vector<PyObject*> stack(size_t(nargs + nkw));
    for (Py_ssize_t i = 0; i < nargs; ++i)
        stack[size_t(i)] = PyTuple_GET_ITEM(args, i);
    PyObject* kwnames = nullptr;
    if (nkw) {
        kwnames = PyTuple_New(nkw);
        Py_ssize_t pos = 0, j = 0;
        PyObject *k, *v;
        while (PyDict_Next(kwds, &pos, &k, &v)) {
            Py_INCREF(k);
            PyTuple_SET_ITEM(kwnames, j, k);
            stack[size_t(nargs + j)] = v;
            ++j;
        }
    }
    int r = bindInit(host, reinterpret_cast<PyObj*>(self), stack.data(), size_t(nargs), kwnames);
    Py_XDECREF(kwnames);
    return r;
}

void objectDealloc(PyObject* self)
{
    PyObject_GC_UnTrack(self);
    auto* o = reinterpret_cast<PyObj*>(self);
    if (o->node) {
        o->node->binding = nullptr;
        releaseOrDefer(o->node);   // still referenced elsewhere: maybe part of a cycle
        o->node = nullptr;
    }
    Py_TYPE(self)->tp_free(self);
}

int objectTraverse(PyObject*, visitproc, void*) { return 0; }
int objectClear(PyObject*) { return 0; }


PyObject* fieldValue(PyObject* self, HostType* host, uint32_t i)
{
    return fieldGet(self, &host->fields[i]);
}

PyObject* objectRepr(PyObject* self)
{
    HostType* host = planOf(self);
    if (!host || !host->repr)
        return PyBaseObject_Type.tp_repr(self);
    int r = Py_ReprEnter(self);
    if (r != 0)
        return r > 0 ? PyUnicode_FromString("...") : nullptr;
    PyObject* out = nullptr;
    PyObject* q = qualName(Py_TYPE(self));
    if (q) {
        std::string text = utf8Text(q);
        text += '(';
        bool first = true, ok = true;
        for (uint32_t i = 0; i < host->fields.size() && ok; ++i) {
            if (!host->info->fields[i].repr)
                continue;
            PyObject* v = fieldValue(self, host, i);
            PyObject* rv = v ? PyObject_Repr(v) : nullptr;
            Py_XDECREF(v);
            if (!rv) {
                ok = false;
                break;
            }
            if (!first)
                text += ", ";
            first = false;
            text += host->info->fields[i].name;
            text += '=';
            appendUtf8(text, rv);   // a __repr__ may return lone surrogates
            Py_DECREF(rv);
        }
        if (ok) {
            text += ')';
            out = utf8ToPython(text);
        }
        Py_DECREF(q);
    }
    Py_ReprLeave(self);
    return out;
}

// A tuple of the values of the compared fields, for ordering (as dataclasses compares them).
PyObject* comparedFieldTuple(PyObject* self, HostType* host)
{
    PyObject* t = PyTuple_New(Py_ssize_t(host->compareFields.size()));
    if (!t)
        return nullptr;
    Py_ssize_t n = 0;
    for (uint32_t i : host->compareFields) {
        PyObject* v = fieldValue(self, host, i);
        if (!v) {
            Py_DECREF(t);   // the items set so far go with it; the rest are null
            return nullptr;
        }
        PyTuple_SET_ITEM(t, n++, v);
    }
    return t;
}

// Equality of the compare=True fields; 1, 0, or -1 with an error set.
int fieldsEqual(PyObject* a, PyObject* b, HostType* host)
{
    auto* x = reinterpret_cast<PyObj*>(a)->node;
    auto* y = reinterpret_cast<PyObj*>(b)->node;
    for (uint32_t i : host->compareFields) {
        const FieldAccess& fa = host->fields[i];
        const bool inlineScalar = fa.kind == SchemaKind::Float || fa.kind == SchemaKind::Int || fa.kind == SchemaKind::Bool;
        if (inlineScalar) {
            if (!x->isSetInline(i) || !y->isSetInline(i)) {
                unsetError(x->isSetInline(i) ? b : a, &fa);
                return -1;
            }
        } else {
            const uint64_t bx = x->slotBits(i), by = y->slotBits(i);   // 0: unset
            if (!bx || !by) {
                unsetError(bx ? b : a, &fa);
                return -1;
            }
            if (bx == by)
                continue;   // the same node (e.g. a shared interned str), or both None
        }
        switch (fa.kind) {
        case SchemaKind::Float:
            if (x->rawFloat(i) != y->rawFloat(i))
                return 0;
            continue;
        case SchemaKind::Int:
            if (x->rawInt(i) != y->rawInt(i))
                return 0;
            continue;
        case SchemaKind::Bool:
            if (x->rawBool(i) != y->rawBool(i))
                return 0;
            continue;
        case SchemaKind::Str:
        case SchemaKind::Bytes: {
            Value u, v;
            x->get(i, &u);
            y->get(i, &v);
            if (u.asStr() != v.asStr())
                return 0;
            continue;
        }
        default: break;
        }
        PyObject* u = fieldValue(a, host, i);
        PyObject* v = u ? fieldValue(b, host, i) : nullptr;
        int r = v ? PyObject_RichCompareBool(u, v, Py_EQ) : -1;
        Py_XDECREF(u);
        Py_XDECREF(v);
        if (r <= 0)
            return r;
    }
    return 1;
}


PyObject* objectRichcompare(PyObject* a, PyObject* b, int op)
{
    HostType* host = planOf(a);
    if (!host || Py_TYPE(a) != Py_TYPE(b) || !reinterpret_cast<PyObj*>(a)->node || !reinterpret_cast<PyObj*>(b)->node ||
        reinterpret_cast<PyObj*>(a)->node->typePtr() != reinterpret_cast<PyObj*>(b)->node->typePtr())
        Py_RETURN_NOTIMPLEMENTED;
    if (op == Py_EQ || op == Py_NE) {
        if (!host->eq)
            Py_RETURN_NOTIMPLEMENTED;
        if (a == b)
            return PyBool_FromLong(op == Py_EQ);
        // Only fields compared through Python can recurse (an object holding itself).
        if (host->compareRecurses && Py_EnterRecursiveCall(" in comparison"))
            return nullptr;
        int r = fieldsEqual(a, b, host);
        if (host->compareRecurses)
            Py_LeaveRecursiveCall();
        if (r < 0)
            return nullptr;
        return PyBool_FromLong(op == Py_EQ ? r : !r);
    }
    if (!host->order)
        Py_RETURN_NOTIMPLEMENTED;
    if (Py_EnterRecursiveCall(" in comparison"))
        return nullptr;
    PyObject* x = comparedFieldTuple(a, host);
    PyObject* y = x ? comparedFieldTuple(b, host) : nullptr;
    PyObject* r = y ? PyObject_RichCompare(x, y, op) : nullptr;
    Py_XDECREF(x);
    Py_XDECREF(y);
    Py_LeaveRecursiveCall();
    return r;
}

// hash() of the tuple of the hashed fields, as dataclasses computes it, but without building
// the tuple: CPython 3.11's tuple hash (xxHash-style lanes, Objects/tupleobject.c) over the
// fields' own hashes.
Py_hash_t hashFields(PyObject* self, HostType* host)
{
    static_assert(sizeof(Py_uhash_t) == 8, "the 64-bit constants of CPython's tuple hash");
    constexpr Py_uhash_t prime1 = 11400714785074694791ULL;
    constexpr Py_uhash_t prime2 = 14029467366897019727ULL;
    constexpr Py_uhash_t prime5 = 2870177450012600261ULL;
    Py_uhash_t acc = prime5;
    const auto& infos = host->info->fields;
    Py_uhash_t count = 0;
    for (uint32_t i = 0; i < host->fields.size(); ++i) {
        if (!infos[i].hashes())
            continue;
        PyObject* v = fieldValue(self, host, i);
        if (!v)
            return -1;
        Py_hash_t lane = PyObject_Hash(v);
        Py_DECREF(v);
        if (lane == -1)
            return -1;
        acc += Py_uhash_t(lane) * prime2;
        acc = (acc << 31) | (acc >> 33);
        acc *= prime1;
        ++count;
    }
    acc += count ^ (prime5 ^ 3527539UL);
    if (acc == Py_uhash_t(-1))
        return 1546275796;
    return Py_hash_t(acc);
}

Py_hash_t objectHash(PyObject* self)
{
    HostType* host = planOf(self);
    if (!host || host->hash != HashMode::Fields)
        return PyBaseObject_Type.tp_hash(self);
    if (Py_EnterRecursiveCall(" in hash"))
        return -1;
    Py_hash_t h = hashFields(self, host);
    Py_LeaveRecursiveCall();
    return h;
}

PyObject* g_newInstanceFn = nullptr;   // module function used by __reduce__

PyObject* objectReduce(PyObject* self, PyObject*)
{
    HostType* host = planOf(self);
    if (!host || !reinterpret_cast<PyObj*>(self)->node) {
        PyErr_SetString(PyExc_TypeError, "cannot pickle an unregistered typehost object");
        return nullptr;
    }
    PyObject* state = PyDict_New();
    if (!state)
        return nullptr;
    auto* node = reinterpret_cast<PyObj*>(self)->node;
    for (uint32_t i = 0; i < host->fields.size(); ++i) {
        if (!node->isSet(i))
            continue;
        PyObject* v = fieldValue(self, host, i);
        if (!v || PyDict_SetItem(state, host->fields[i].name, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(state);
            return nullptr;
        }
        Py_DECREF(v);
    }
    return Py_BuildValue("(O(O)N)", g_newInstanceFn, reinterpret_cast<PyObject*>(Py_TYPE(self)), state);
}

PyObject* objectSetstate(PyObject* self, PyObject* state)
{
    HostType* host = planOf(self);
    if (!host || !PyDict_Check(state)) {
        PyErr_SetString(PyExc_TypeError, "__setstate__ expects a dict of field values");
        return nullptr;
    }
    auto* node = reinterpret_cast<PyObj*>(self)->node;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(state, &pos, &k, &v)) {
        const FieldAccess* fa = nullptr;
        for (const FieldAccess& f : host->fields)
            if (PyUnicode_Compare(f.name, k) == 0)
                fa = &f;
        if (!fa) {
            PyErr_Format(PyExc_AttributeError, "'%s' object has no field '%U'", Py_TYPE(self)->tp_name, k);
            return nullptr;
        }
        if (storeField(node, fa, v) < 0)
            return nullptr;
    }
    Py_RETURN_NONE;
}

PyMethodDef objectMethods[] = {
    {"__reduce__", objectReduce, METH_NOARGS, "Pickle support: (new instance, (cls,), field state)."},
    {"__setstate__", objectSetstate, METH_O, "Sets fields from a dict, bypassing frozen."},
    {nullptr, nullptr, 0, nullptr},
};

// cls.__signature__ for inspect.signature(cls): "()" when cls has neither an __init__ nor a
// __new__ of its own (init=False), as inspect shows a dataclass(init=False); None otherwise, so
// that inspect reads the generated or user-written __init__.
PyObject* metaSignature(PyObject* cls, void*)
{
    PyObject* objectDict = g_objectType.tp_dict;
    for (const char* name : {"__init__", "__new__"}) {
        PyObject* mine = PyObject_GetAttrString(cls, name);
        if (!mine)
            return nullptr;
        bool inherited = mine == PyDict_GetItemString(objectDict, name);
        Py_DECREF(mine);
        if (!inherited)
            Py_RETURN_NONE;
    }
    PyObject* inspect = PyImport_ImportModule("inspect");
    if (!inspect)
        return nullptr;
    PyObject* sig = PyObject_CallMethod(inspect, "Signature", nullptr);
    Py_DECREF(inspect);
    return sig;
}

// isinstance/issubclass for registered classes: a real subclass answers in C (ABCMeta's
// Python __instancecheck__ would cost a Python call on every isinstance); otherwise ABCMeta's
// rules (register(), __subclasshook__) for classes that have an ABC registry, and type's own
// for typehost.Object, which has none.
bool abcAware(PyObject* cls)
{
    return cls != reinterpret_cast<PyObject*>(&g_objectType) && meta(reinterpret_cast<PyTypeObject*>(cls))->abcAware;
}

PyObject* metaInstancecheck(PyObject* cls, PyObject* instance)
{
    auto* type = reinterpret_cast<PyTypeObject*>(cls);
    if (PyObject_TypeCheck(instance, type))
        Py_RETURN_TRUE;
    if (abcAware(cls)) {
        PyObject* args[] = {cls, instance};
        return PyObject_Vectorcall(g_abcInstancecheck, args, 2, nullptr);
    }
    // type.__instancecheck__: also an object whose __class__ claims the class (a proxy).
    static PyObject* className = PyUnicode_InternFromString("__class__");
    PyObject* claimed = PyObject_GetAttr(instance, className);
    if (!claimed) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return nullptr;
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
    bool is = claimed != reinterpret_cast<PyObject*>(Py_TYPE(instance)) && PyType_Check(claimed) &&
              PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(claimed), type);
    Py_DECREF(claimed);
    return PyBool_FromLong(is);
}

PyObject* metaSubclasscheck(PyObject* cls, PyObject* sub)
{
    if (PyType_Check(sub) && PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(sub), reinterpret_cast<PyTypeObject*>(cls)))
        Py_RETURN_TRUE;
    PyObject* args[] = {cls, sub};
    return PyObject_Vectorcall(abcAware(cls) ? g_abcSubclasscheck : g_typeSubclasscheck, args, 2, nullptr);
}

// ABCMeta.register, remembering that isinstance/issubclass must now ask the ABC registry.
PyObject* metaRegister(PyObject* cls, PyObject* subclass)
{
    if (cls == reinterpret_cast<PyObject*>(&g_objectType)) {
        PyErr_SetString(PyExc_TypeError, "typehost.Object has no ABC registry; register with a registered class");
        return nullptr;
    }
    PyObject* result = PyObject_CallFunctionObjArgs(g_abcRegister, cls, subclass, nullptr);
    if (result)
        meta(reinterpret_cast<PyTypeObject*>(cls))->abcAware = true;
    return result;
}

PyMethodDef metaMethods[] = {
    {"register", metaRegister, METH_O, "Registers a virtual subclass (abc.ABCMeta.register)."},
    {"__instancecheck__", metaInstancecheck, METH_O, "isinstance(instance, cls)."},
    {"__subclasscheck__", metaSubclasscheck, METH_O, "issubclass(sub, cls)."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef metaGetset[] = {
    {"__signature__", metaSignature, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

// __class__, replacing object's: assignment is allowed only between classes whose instances use
// the same type info (e.g. to an undecorated subclass), since the field descriptors of the new
// class index the node's slots, and the new class keeps that info alive (a hosted node owns no
// reference to it).
PyObject* objectClassGet(PyObject* self, void*)
{
    return Py_NewRef(reinterpret_cast<PyObject*>(Py_TYPE(self)));
}

int objectClassSet(PyObject* self, PyObject* value, void*)
{
    if (!value) {
        PyErr_SetString(PyExc_TypeError, "can't delete __class__ attribute");
        return -1;
    }
    if (!PyType_Check(value)) {
        PyErr_Format(PyExc_TypeError, "__class__ must be set to a class, not '%s' object", Py_TYPE(value)->tp_name);
        return -1;
    }
    auto* to = reinterpret_cast<PyTypeObject*>(value);
    typesys::ObjectNode* node = reinterpret_cast<PyObj*>(self)->node;
    HostType* target = PyType_IsSubtype(to, &g_objectType) ? hostOf(to) : nullptr;
    if (!node || !target || target->info != node->typePtr()) {
        PyErr_Format(PyExc_TypeError, "__class__ assignment: '%s' object layout differs from '%s'", to->tp_name,
                     Py_TYPE(self)->tp_name);
        return -1;
    }
    keepInfo(to, target->info);   // the new class keeps the (hosted) node's info from now on
    PyObject* descr = PyDict_GetItemString(PyBaseObject_Type.tp_dict, "__class__");   // borrowed
    if (!descr || !Py_TYPE(descr)->tp_descr_set) {
        PyErr_SetString(PyExc_SystemError, "object.__class__ has no setter");
        return -1;
    }
    return Py_TYPE(descr)->tp_descr_set(descr, self, value);
}

PyGetSetDef objectGetset[] = {
    {"__class__", objectClassGet, objectClassSet, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

} // namespace

PyTypeObject g_metaType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "typehost._ObjectMetaBase";
    t.tp_basicsize = sizeof(MetaObj);
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_TYPE_SUBCLASS |
                 Py_TPFLAGS_HAVE_VECTORCALL;
    t.tp_doc = "The C part of typehost.ObjectMeta: slotted classes whose fields live in C++ storage.";
    t.tp_new = metaNew;
    t.tp_dealloc = metaDealloc;
    t.tp_getset = metaGetset;
    t.tp_methods = metaMethods;
    t.tp_vectorcall_offset = offsetof(PyTypeObject, tp_vectorcall);
    return t;
}();

PyTypeObject g_objectType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "typehost.Object";
    t.tp_basicsize = sizeof(PyObj);
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC;
    t.tp_doc = "Base class of every registered type. Fields are stored in C++; no instance __dict__.";
    t.tp_new = objectNew;
    t.tp_init = objectInit;
    t.tp_dealloc = objectDealloc;
    t.tp_traverse = objectTraverse;
    t.tp_clear = objectClear;
    t.tp_repr = objectRepr;
    t.tp_richcompare = objectRichcompare;
    t.tp_hash = objectHash;
    t.tp_methods = objectMethods;
    t.tp_getset = objectGetset;
    return t;
}();

HostType* hostOf(PyTypeObject* t)
{
    // Fast path: a registered class itself (not a subclass, not typehost.Object).
    if (t != &g_objectType && Py_IS_TYPE(reinterpret_cast<PyObject*>(t), g_objectMeta) && meta(t)->host &&
        meta(t)->host->cls == t)
        return meta(t)->host;
    PyObject* pending;
    return hostOrPending(t, &pending);
}

namespace {
// Stores a field's C++-side default (plain value or native factory); -1 with TypeError set.
int setDefault(HostType* host, typesys::ObjectNode* node, uint32_t f)
{
    try {
        if (std::optional<Value> v = host->info->fields[f].makeDefault())
            node->set(f, std::move(*v));
        return 0;
    } catch (const typesys::Error& e) {
        PyErr_SetString(PyExc_TypeError, e.what());
        return -1;
    }
}
} // namespace

int applyDefaults(HostType* host, PyObj* self)
{
    // Only plain defaults: a user __init__ that skips a default_factory field leaves it unset,
    // as in dataclasses (where plain defaults are class attributes and factories run in __init__).
    const auto& fields = host->info->fields;
    for (uint32_t i = 0; i < fields.size(); ++i)
        if (fields[i].defaultValue && !fields[i].defaultFactory && !host->fieldFactories[i] &&
            !self->node->isSet(i) && setDefault(host, self->node, i) < 0)
            return -1;
    return 0;
}

namespace {
// Sets field i from its default_factory or default (a no-op when it has neither).
int storeDefault(HostType* host, typesys::ObjectNode* node, uint32_t i)
{
    if (PyObject* factory = host->fieldFactories[i]) {
        PyObject* v = PyObject_CallNoArgs(factory);
        int r = v ? storeField(node, &host->fields[i], v) : -1;
        Py_XDECREF(v);
        return r;
    }
    return setDefault(host, node, i);
}
} // namespace

namespace {

std::string joinMissing(const std::vector<PyObject*>& names)
{
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i) {
            if (names.size() > 2)
                out += ",";
            out += i + 1 == names.size() ? " and " : " ";
        }
        out += '\'';
        appendUtf8(out, names[i]);
        out += '\'';
    }
    return out;
}

int missingError(PyTypeObject* cls, const std::vector<PyObject*>& names, bool kwOnly)
{
    std::string q = qualNameText(cls);
    raiseText(PyExc_TypeError,
                    fmt::format("{}.__init__() missing {} required {} argument{}: {}", q, names.size(),
                                kwOnly ? "keyword-only" : "positional", names.size() == 1 ? "" : "s",
                                joinMissing(names)));
    return -1;
}

// CPython's wording: "takes from 2 to 4 positional arguments but 5 positional arguments (and 1
// keyword-only argument) were given", counting self as CPython does.
int tooManyPositional(HostType* host, PyTypeObject* cls, size_t nargs, PyObject* kwnames)
{
    size_t most = host->positionalCount + 1, least = 1;
    for (const InitParam& ip : host->params)
        if (!ip.kwOnly && !ip.defaultObj && !ip.factory &&
            !(ip.field >= 0 && host->info->fields[size_t(ip.field)].hasDefault()))
            ++least;
    size_t kwOnlyGiven = 0;
    for (Py_ssize_t k = 0; kwnames && k < PyTuple_GET_SIZE(kwnames); ++k)
        for (const InitParam& ip : host->params)
            if (ip.kwOnly && PyUnicode_Compare(ip.name, PyTuple_GET_ITEM(kwnames, k)) == 0)
                ++kwOnlyGiven;
    std::string takes = least == most ? std::to_string(most) : fmt::format("from {} to {}", least, most);
    std::string given = std::to_string(nargs + 1);
    if (kwOnlyGiven)
        given += fmt::format(" positional argument{} (and {} keyword-only argument{})", nargs + 1 == 1 ? "" : "s",
                             kwOnlyGiven, kwOnlyGiven == 1 ? "" : "s");
    raiseText(PyExc_TypeError, fmt::format("{}.__init__() takes {} positional argument{} but {} were given",
                                                 qualNameText(cls), takes, most == 1 ? "" : "s", given));
    return -1;
}

} // namespace

namespace {

// Where parameter field f of plan `host` lives in self's storage, whose plan is `own`: the same
// slot when self is an instance of host's own type, else the field of the same name in self's
// type (a subtype calling its parent's __init__, e.g. through super()). Null with
// AttributeError when self's type has no such field.
const FieldAccess* targetField(HostType* host, HostType* own, uint32_t f, PyObj* self)
{
    if (own == host) [[likely]]
        return &host->fields[f];
    PyObject* name = host->fields[f].name;
    for (const FieldAccess& fa : own->fields)
        if (fa.name == name || PyUnicode_Compare(fa.name, name) == 0)
            return &fa;
    PyErr_Clear();
    unsetError(reinterpret_cast<PyObject*>(self), &host->fields[f]);
    return nullptr;
}

// Sets field f (of `host`'s numbering) of self from its default_factory or default, as self's
// own type defines them (a no-op when it has neither).
int storeDefaultAt(HostType* host, HostType* own, PyObj* self, uint32_t f)
{
    const FieldAccess* fa = targetField(host, own, f, self);
    return fa ? storeDefault(own, self->node, fa->index) : -1;
}

// The plan of self's storage when it is not `host`'s own type, or null with TypeError: host's
// __init__ applies to instances of host's type and of its registered subtypes (by identity of
// the type info, so an instance of a previous version of the type is refused).
HostType* storagePlan(HostType* host, PyObj* self)
{
    PyTypeObject* cls = host->cls ? host->cls : Py_TYPE(self);
    typesys::ObjectNode* node = self->node;
    if (!node) {
        PyErr_Format(PyExc_TypeError, "%s.__init__(): the object is not initialized", qualNameText(cls).c_str());
        return nullptr;
    }
    const typesys::TypeInfo* mine = node->typePtr();
    for (const typesys::TypeInfo* t = mine; t; t = t->parent.get())
        if (t == host->info) {
            auto* own = static_cast<HostType*>(mine->binding);
            if (own && own->info == mine && !own->isEnum)
                return own;
            break;
        }
    if (mine->key == host->info->key)
        PyErr_Format(PyExc_TypeError,
                     "%s.__init__() called on an instance of a previous version of '%s' (its fields differ "
                     "from the current definition); create a new instance instead",
                     qualNameText(cls).c_str(), host->info->key.c_str());
    else
        PyErr_Format(PyExc_TypeError, "%s.__init__() requires a '%s' instance, got a '%s' instance (%s)",
                     qualNameText(cls).c_str(), host->info->key.c_str(), mine->key.c_str(),
                     qualNameText(Py_TYPE(self)).c_str());
    return nullptr;
}

// The part of __init__ after the arguments are stored: init=False fields, then __post_init__.
// A default just stored, set again through the class's own __setattr__ (which sees the value
// as a field read gives it); -1 with the exception set.
__attribute__((noinline)) int setAgainThroughSetattr(PyObj* self, PyObject* name)
{
    PyObject* value = PyObject_GetAttr(reinterpret_cast<PyObject*>(self), name);
    if (!value)
        return -1;
    int r = PyObject_SetAttr(reinterpret_cast<PyObject*>(self), name, value);
    Py_DECREF(value);
    return r;
}

int finishInit(HostType* host, HostType* own, PyObj* self, const std::vector<PyObject*>& initVars,
               bool nonInitStored = false)
{
    for (uint32_t i : host->nonInitFields)
        if (!nonInitStored && storeDefaultAt(host, own, self, i) < 0)
            return -1;
    if (host->hasPostInit) {
        PyObject* name = PyUnicode_InternFromString("__post_init__");
        PyObject* fn = name ? PyObject_GetAttr(reinterpret_cast<PyObject*>(self), name) : nullptr;
        Py_XDECREF(name);
        if (!fn)
            return -1;
        PyObject* r = PyObject_Vectorcall(fn, initVars.data(), initVars.size(), nullptr);
        Py_DECREF(fn);
        if (!r)
            return -1;
        Py_DECREF(r);
    }
    return 0;
}

// Every parameter given exactly once, positionally or by keywords whose tuple matches the
// cached one, and no InitVars: store in parameter order straight from the arguments (what the
// general path does, without binding into an array first). The argument of each parameter is
// looked up before any is stored: storing runs conversion code that may call Python (a
// to_dict hook), which may construct this class again with other keywords and so rewrite the
// keyword cache under this call.
bool storeAllGiven(HostType* host, PyObj* self, PyObject* const* args, size_t nargs, PyObject* kwnames, bool fresh,
                   int* result)
{
    const size_t np = host->params.size();
    if (host->hasInitVars || nargs > host->positionalCount || np > 16)
        return false;
    if (kwnames ? (kwnames != host->kwCacheNames || nargs + host->kwCacheMap.size() != np ||
                   nargs > host->kwCacheMinIndex)
                : nargs != np)
        return false;
    PyObject* const* values = args;
    PyObject* ordered[16];
    if (kwnames) {
        for (size_t p = 0; p < np; ++p)
            ordered[p] = p < nargs ? args[p] : args[nargs + size_t(host->kwCachePos[p])];
        values = ordered;
    }
    typesys::ObjectNode* node = self->node;
    const InitParam* params = host->params.data();
    for (size_t p = 0; p < np; ++p) {
        if (storeField(node, &host->fields[uint32_t(params[p].field)], values[p], fresh) < 0) {
            *result = -1;
            return true;
        }
    }
    *result = finishInit(host, host, self, {});
    return true;
}
} // namespace

int bindInit(HostType* host, PyObj* self, PyObject* const* args, size_t nargs, PyObject* kwnames, bool fresh)
{
    // The plan must match self's storage: the raw stores below write slots by index.
    HostType* own = host;
    // A non-frozen class with its own __setattr__ (in the body, a base, or assigned later):
    // every field is set through it, as dataclasses' generated `self.x = x` does.
    const bool viaSetattr = !host->frozen && Py_TYPE(self)->tp_setattro != PyObject_GenericSetAttr;
    if (!self->node || self->node->typePtr() != host->info) [[unlikely]] {
        own = storagePlan(host, self);
        if (!own)
            return -1;
        fresh = false;
    } else if (int r; !viaSetattr && storeAllGiven(host, self, args, nargs, kwnames, fresh, &r)) {
        return r;
    }
    const size_t np = host->params.size();
    // Cleared element by element: `= {}` on the whole array compiles to `rep stos`, whose
    // start-up cost was 8% of a 5-argument construct.
    PyObject* small[16];
    std::vector<PyObject*> big;
    PyObject** slots = small;
    if (np > 16) {
        big.assign(np, nullptr);
        slots = big.data();
    } else {
        for (size_t i = 0; i < np; ++i)
            small[i] = nullptr;
    }
    PyTypeObject* cls = host->cls ? host->cls : Py_TYPE(self);
    if (nargs > host->positionalCount)
        return tooManyPositional(host, cls, nargs, kwnames);
    for (size_t i = 0; i < nargs; ++i)
        slots[i] = args[i];
    if (kwnames && kwnames == host->kwCacheNames) {
        const uint32_t* map = host->kwCacheMap.data();
        for (size_t k = 0, nkw = host->kwCacheMap.size(); k < nkw; ++k) {
            if (slots[map[k]]) {
                PyErr_Format(PyExc_TypeError, "%s.__init__() got multiple values for argument '%U'",
                             qualNameText(cls).c_str(), host->params[map[k]].name);
                return -1;
            }
            slots[map[k]] = args[nargs + k];
        }
    } else if (kwnames) {
        Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
        std::vector<uint32_t> map;
        map.reserve(size_t(nkw));
        for (Py_ssize_t k = 0; k < nkw; ++k) {
            PyObject* key = PyTuple_GET_ITEM(kwnames, k);
            size_t found = np;
            for (size_t p = 0; p < np; ++p)
                if (host->params[p].name == key) {
                    found = p;
                    break;
                }
            if (found == np)
                for (size_t p = 0; p < np; ++p)
                    if (PyUnicode_Compare(host->params[p].name, key) == 0) {
                        found = p;
                        break;
                    }
            PyErr_Clear();   // a key that cannot be compared is simply not a parameter
            if (found == np) {
                PyErr_Format(PyExc_TypeError, "%s.__init__() got an unexpected keyword argument '%U'",
                             qualNameText(cls).c_str(), key);
                return -1;
            }
            if (slots[found]) {
                PyErr_Format(PyExc_TypeError, "%s.__init__() got multiple values for argument '%U'",
                             qualNameText(cls).c_str(), key);
                return -1;
            }
            slots[found] = args[nargs + size_t(k)];
            map.push_back(uint32_t(found));
        }
        Py_INCREF(kwnames);
        Py_XSETREF(host->kwCacheNames, kwnames);
        host->kwCachePos.assign(np, -1);
        host->kwCacheMinIndex = np;
        for (size_t k = 0; k < map.size(); ++k) {
            host->kwCachePos[map[k]] = int(k);
            host->kwCacheMinIndex = std::min<size_t>(host->kwCacheMinIndex, map[k]);
        }
        host->kwCacheMap = std::move(map);
    }
    // From here on only the local `slots` are read: the stores may run Python code that
    // constructs this class again (and rewrites the keyword cache).
    // Missing arguments, reported as CPython does: positional first, then keyword-only.
    std::vector<PyObject*> missingPos, missingKw;
    for (size_t p = 0; p < np; ++p) {
        const InitParam& ip = host->params[p];
        if (slots[p] || ip.defaultObj || ip.factory)
            continue;
        if (ip.field >= 0 && host->info->fields[size_t(ip.field)].hasDefault())
            continue;
        (ip.kwOnly ? missingKw : missingPos).push_back(ip.name);
    }
    if (!missingPos.empty())
        return missingError(cls, missingPos, false);
    if (!missingKw.empty())
        return missingError(cls, missingKw, true);

    typesys::ObjectNode* node = self->node;
    std::vector<PyObject*> initVars;
    std::vector<PyObject*> viaSetattrValues;   // by field index, borrowed (viaSetattr only)
    std::vector<bool> viaSetattrDefault;       // by field index: a parameter left to its default
    for (size_t p = 0; p < np; ++p) {
        const InitParam& ip = host->params[p];
        if (ip.field < 0) {
            initVars.push_back(slots[p] ? slots[p] : ip.defaultObj);
            continue;
        }
        // Like dataclasses' __init__, every call sets every field (also on a second __init__).
        auto f = uint32_t(ip.field);
        if (viaSetattr && own == host) [[unlikely]] {
            viaSetattrValues.resize(host->fields.size(), nullptr);
            viaSetattrDefault.resize(host->fields.size(), false);
            viaSetattrValues[f] = slots[p];   // null: the default
            viaSetattrDefault[f] = !slots[p];
            continue;
        }
        if (!slots[p]) {
            if (storeDefaultAt(host, own, self, f) < 0 || (viaSetattr && setAgainThroughSetattr(self, ip.name) < 0))
                return -1;
            continue;
        }
        if (viaSetattr) [[unlikely]] {
            if (PyObject_SetAttr(reinterpret_cast<PyObject*>(self), ip.name, slots[p]) < 0)
                return -1;
            continue;
        }
        const FieldAccess* fa = targetField(host, own, f, self);
        if (!fa || storeField(node, fa, slots[p], fresh) < 0)
            return -1;
    }
    if (viaSetattr && own == host) [[unlikely]] {
        // dataclasses' order: every field in declaration order, an init field as the argument
        // (or its default) and an init=False field with a default_factory as the factory's value,
        // each through __setattr__; other init=False fields are stored without it.
        viaSetattrValues.resize(host->fields.size(), nullptr);
        viaSetattrDefault.resize(host->fields.size(), false);
        for (uint32_t f = 0; f < host->fields.size(); ++f) {
            PyObject* name = host->fields[f].name;
            PyObject* given = viaSetattrValues[f];
            bool byDefault = viaSetattrDefault[f];
            if (given) {
                if (PyObject_SetAttr(reinterpret_cast<PyObject*>(self), name, given) < 0)
                    return -1;
                continue;
            }
            bool nonInit = std::find(host->nonInitFields.begin(), host->nonInitFields.end(), f) !=
                           host->nonInitFields.end();
            if (!byDefault && !nonInit)
                continue;   // neither a parameter nor an init=False field: nothing to set
            if (storeDefaultAt(host, own, self, f) < 0)
                return -1;
            if ((byDefault || bool(host->info->fields[f].defaultFactory)) && setAgainThroughSetattr(self, name) < 0)
                return -1;
        }
        return finishInit(host, own, self, initVars, /*nonInitStored=*/true);
    }
    return finishInit(host, own, self, initVars);
}

namespace {
// type.__call__ with the arguments repacked as a tuple and a dict.
PyObject* slowCall(PyObject* callable, PyObject* const* args, size_t nargs, PyObject* kwnames)
{
    PyObject* tuple = PyTuple_New(Py_ssize_t(nargs));
    if (!tuple)
        return nullptr;
    for (size_t i = 0; i < nargs; ++i) {
        Py_INCREF(args[i]);
        PyTuple_SET_ITEM(tuple, Py_ssize_t(i), args[i]);
    }
    PyObject* kwargs = nullptr;
    if (kwnames && PyTuple_GET_SIZE(kwnames)) {
        kwargs = PyDict_New();
        for (Py_ssize_t k = 0; kwargs && k < PyTuple_GET_SIZE(kwnames); ++k)
            if (PyDict_SetItem(kwargs, PyTuple_GET_ITEM(kwnames, k), args[nargs + size_t(k)]) < 0)
                Py_CLEAR(kwargs);
        if (!kwargs) {
            Py_DECREF(tuple);
            return nullptr;
        }
    }
    PyObject* r = PyType_Type.tp_call(callable, tuple, kwargs);
    Py_DECREF(tuple);
    Py_XDECREF(kwargs);
    return r;
}
} // namespace

bool armFastInit(PyTypeObject* cls)
{
    HostType* host = meta(cls)->host;
    if (!host || host->cls != cls || !host->init || !host->fastInit || cls->tp_new != objectNew)
        return false;
    PyObject* name = PyUnicode_InternFromString("__init__");
    if (!name) {
        PyErr_Clear();
        return false;
    }
    // Also gives the class a valid version tag, which any later attribute change (on it or a
    // base) invalidates.
    PyObject* init = _PyType_Lookup(cls, name);   // borrowed
    Py_DECREF(name);
    if (init != host->fastInit || !(cls->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG))
        return false;
    host->fastInitTag = cls->tp_version_tag;
    return true;
}

PyObject* objectVectorcall(PyObject* callable, PyObject* const* args, size_t nargsf, PyObject* kwnames)
{
    auto* cls = reinterpret_cast<PyTypeObject*>(callable);
    HostType* host = meta(cls)->host;
    // The generated __init__ runs in C only while the class is exactly as it was armed: not
    // replaced or re-planned, and no __init__ or __new__ assigned since (which changes the
    // version tag). Otherwise type.__call__ runs whatever the class now defines.
    if (!host || host->cls != cls || !host->init || host->fastInitTag != cls->tp_version_tag ||
        !(cls->tp_flags & Py_TPFLAGS_VALID_VERSION_TAG) || (cls->tp_flags & Py_TPFLAGS_IS_ABSTRACT)) [[unlikely]] {
        if ((cls->tp_flags & Py_TPFLAGS_IS_ABSTRACT) || !armFastInit(cls))
            return slowCall(callable, args, PyVectorcall_NARGS(nargsf), kwnames);
    }
    PyObject* self = newInstance(cls, host);
    if (!self)
        return nullptr;
    if (bindInit(host, reinterpret_cast<PyObj*>(self), args, PyVectorcall_NARGS(nargsf), kwnames, true) < 0) {
        Py_DECREF(self);
        return nullptr;
    }
    return self;
}

PyObject* wrapNode(typesys::ObjectNode* node)
{
    if (node->binding) {
        auto* o = static_cast<PyObject*>(node->binding);
        Py_INCREF(o);
        return o;
    }
    PyTypeObject* cls = classFor(node->typePtr());
    if (!cls)
        return nullptr;
    PyObject* self = cls->tp_alloc(cls, 0);
    if (!self)
        return nullptr;
    node->incRef();
    node->binding = self;
    reinterpret_cast<PyObj*>(self)->node = node;
    return self;
}

namespace {
// _typehost._new_instance(cls): an instance with every field unset, for unpickling. A plain C
// function bound to the module (not a pybind11 one, whose capsule self cannot be pickled), so
// that pickle stores it by name.
PyObject* newInstanceFunction(PyObject*, PyObject* cls)
{
    if (!PyType_Check(cls)) {
        PyErr_SetString(PyExc_TypeError, "_new_instance() expects a class");
        return nullptr;
    }
    HostType* host = requireHost(reinterpret_cast<PyTypeObject*>(cls));
    return host ? newInstance(reinterpret_cast<PyTypeObject*>(cls), host) : nullptr;
}

PyMethodDef g_newInstanceDef = {"_new_instance", newInstanceFunction, METH_O,
                                "An instance of cls with every field unset (used by pickle)."};
} // namespace

// typehost.ObjectMeta, the metaclass of every registered class: the C base above plus
// typing's protocol metaclass (itself an abc.ABCMeta), so that a class may also derive from an
// ABC or a typing.Protocol, as a dataclass may, without a metaclass conflict. A heap type (a
// static type may not have one as a base); it keeps the C base's vectorcall, which a mutable
// heap metaclass would not inherit, so calling a class stays a C call.
static int makeObjectMeta()
{
    auto fetch = [](const char* module, const char* name) -> PyObject* {
        PyObject* mod = PyImport_ImportModule(module);
        if (!mod)
            return nullptr;
        PyObject* value = PyObject_GetAttrString(mod, name);
        Py_DECREF(mod);
        return value;
    };
    PyObject* abcBase = fetch("typing", "_ProtocolMeta");
    if (!abcBase) {
        PyErr_Clear();   // a typing without it: ABC bases still work
        abcBase = fetch("abc", "ABCMeta");
        if (!abcBase)
            return -1;
    }
    g_abcMeta = reinterpret_cast<PyTypeObject*>(fetch("abc", "ABCMeta"));
    g_abcRegister = g_abcMeta ? fetch("_abc", "_abc_register") : nullptr;
    g_abcInit = g_abcRegister ? fetch("_abc", "_abc_init") : nullptr;
    g_abcInstancecheck = g_abcInit ? fetch("_abc", "_abc_instancecheck") : nullptr;
    g_abcSubclasscheck = g_abcInstancecheck ? fetch("_abc", "_abc_subclasscheck") : nullptr;
    g_typeInstancecheck = g_abcSubclasscheck ? fetch("builtins", "type") : nullptr;
    if (!g_typeInstancecheck) {
        Py_DECREF(abcBase);
        return -1;
    }
    PyObject* typeType = g_typeInstancecheck;
    g_typeInstancecheck = PyObject_GetAttrString(typeType, "__instancecheck__");
    g_typeSubclasscheck = g_typeInstancecheck ? PyObject_GetAttrString(typeType, "__subclasscheck__") : nullptr;
    Py_DECREF(typeType);
    PyObject* meta = nullptr;
    if (g_typeSubclasscheck)
        meta = PyObject_CallFunction(reinterpret_cast<PyObject*>(&PyType_Type), "s(OO){s:s,s:s}", "ObjectMeta",
                                     reinterpret_cast<PyObject*>(&g_metaType), abcBase, "__module__", "typehost",
                                     "__doc__", "Metaclass of typehost.Object: slotted classes whose fields live "
                                     "in C++ storage; an abc.ABCMeta, so ABC and Protocol bases combine with it.");
    Py_DECREF(abcBase);
    if (!meta)
        return -1;
    auto* t = reinterpret_cast<PyTypeObject*>(meta);
    t->tp_vectorcall_offset = g_metaType.tp_vectorcall_offset;
    t->tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
    g_objectMeta = t;   // owned for the process, as the static types are
    return 0;
}

int initObjectTypes(PyObject* m)
{
    g_metaType.tp_base = &PyType_Type;
    g_metaType.tp_traverse = PyType_Type.tp_traverse;
    g_metaType.tp_clear = PyType_Type.tp_clear;
    g_metaType.tp_is_gc = PyType_Type.tp_is_gc;
    if (PyType_Ready(&g_metaType) < 0)
        return -1;
    if (!g_objectMeta && makeObjectMeta() < 0)
        return -1;
    Py_SET_TYPE(&g_objectType, g_objectMeta);
    if (PyType_Ready(&g_objectType) < 0)
        return -1;
    Py_INCREF(g_objectMeta);
    Py_INCREF(&g_objectType);
    if (PyModule_AddObject(m, "ObjectMeta", reinterpret_cast<PyObject*>(g_objectMeta)) < 0 ||
        PyModule_AddObject(m, "Object", reinterpret_cast<PyObject*>(&g_objectType)) < 0)
        return -1;
    PyObject* moduleName = PyModule_GetNameObject(m);
    if (!moduleName)
        return -1;
    PyObject* fn = PyCFunction_NewEx(&g_newInstanceDef, m, moduleName);
    Py_DECREF(moduleName);
    if (!fn || PyModule_AddObject(m, "_new_instance", fn) < 0) {
        Py_XDECREF(fn);
        return -1;
    }
    Py_INCREF(fn);
    Py_XSETREF(g_newInstanceFn, fn);
    return 0;
}

} // namespace typehost::detail
