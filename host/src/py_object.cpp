// typehost.Object: instances of registered classes (new, init, dealloc, GC), pickle,
// __class__, wrapNode and the module's types. repr, ==/order and hash: py_protocol.cpp.

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

HostType* planOf(PyObject* self)
{
    typesys::ObjectNode* node = reinterpret_cast<PyObj*>(self)->node;
    HostType* host = hostOf(Py_TYPE(self));
    if (!node || (host && host->info == node->typePtr()))
        return host;
    auto* own = static_cast<HostType*>(node->typePtr()->binding);
    return own && own->info == node->typePtr() && !own->isEnum ? own : nullptr;
}

namespace {

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
    clearViewCache(o);
    if (o->node) {
        o->node->binding = nullptr;
        releaseOrDefer(o->node);   // still referenced elsewhere: maybe part of a cycle
        o->node = nullptr;
    }
    Py_TYPE(self)->tp_free(self);
}

int objectTraverse(PyObject*, visitproc, void*) { return 0; }
int objectClear(PyObject*) { return 0; }

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
        PyObject* v = fieldGet(self, &host->fields[i]);
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
