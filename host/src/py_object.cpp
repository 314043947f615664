// typehost.Object: instances of registered classes (new, init, dealloc, GC), the object
// protocol (repr, ==/order, hash, pickle, __class__), wrapNode and the module's types.

#include "py_object_impl.h"

#include "cycle_buffer.h"
#include "py_release.h"
#include "py_text.h"
#include "views.h"

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

namespace {

PyObject* qualName(PyTypeObject* t)
{
    return PyType_GetQualName(t);
}

} // namespace

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

namespace {

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
