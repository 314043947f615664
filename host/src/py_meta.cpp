// typehost.ObjectMeta: the C metaclass base (slotted classes, the HostType pointer, C
// isinstance/issubclass, ABCMeta.register) and the heap metaclass over it and typing's
// protocol metaclass, made at start-up.

#include "py_object_impl.h"

#include <typesys/registry.h>

namespace typehost::detail {

using typesys::Path;
using typesys::Schema;
using typesys::SchemaKind;
using typesys::Value;

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

// typehost.ObjectMeta, the metaclass of every registered class: the C base above plus
// typing's protocol metaclass (itself an abc.ABCMeta), so that a class may also derive from an
// ABC or a typing.Protocol, as a dataclass may, without a metaclass conflict. A heap type (a
// static type may not have one as a base); it keeps the C base's vectorcall, which a mutable
// heap metaclass would not inherit, so calling a class stays a C call.
int makeObjectMeta()
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

} // namespace typehost::detail
