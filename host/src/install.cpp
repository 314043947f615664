#include "install.h"

#include "conversion.h"
#include "py_release.h"

#include <typesys/registry.h>

#include <fmt/format.h>

namespace typehost::detail {

namespace {
// Set once by the package; kept for the process (one interpreter per process).
PyObject* g_generatedClassHook = nullptr;
} // namespace

void setGeneratedClassHook(PyObject* hook)
{
    Py_XINCREF(hook);
    Py_XSETREF(g_generatedClassHook, hook);
}


namespace {

// Generated classes for native types (and for types whose class has died) are defined in
// this pseudo-module.
constexpr const char* kNativeModule = "typehost.native";

PyObject* interned(const std::string& s) { return PyUnicode_InternFromString(s.c_str()); }

} // namespace

HostType* installClass(PyTypeObject* cls, typesys::TypeInfo* info, const ClassOptions& o)
{
    auto host = std::make_shared<HostType>();
    HostType* h = host.get();
    h->info = info;
    h->init = o.init;
    h->repr = o.repr;
    h->eq = o.eq;
    h->order = o.order;
    h->frozen = o.frozen;
    h->hash = o.hash;
    h->hasPostInit = o.postInit;

    const auto& fields = info->fields;
    h->fields.resize(fields.size());
    h->getsets.resize(fields.size() + 1);
    h->fieldDefaults.assign(fields.size(), nullptr);
    h->fieldFactories.assign(fields.size(), nullptr);
    for (uint32_t i = 0; i < fields.size(); ++i) {
        FieldAccess& fa = h->fields[i];
        fa.host = h;
        fa.index = i;
        fa.schema = fields[i].schema;
        fa.kind = fa.schema.kind();
        fa.qualified = info->key + "." + fields[i].name;
        fa.name = interned(fields[i].name);
        PyGetSetDef& gs = h->getsets[i];
        gs.name = fields[i].name.c_str();
        gs.doc = fields[i].doc.empty() ? nullptr : fields[i].doc.c_str();
        gs.closure = &fa;
        gs.get = fieldGet;
        gs.set = fieldSet;
    }
    for (auto& [name, factory] : o.factories) {
        int idx = info->fieldIndex(name);
        if (idx >= 0) {
            Py_INCREF(factory);
            h->fieldFactories[size_t(idx)] = factory;
        }
    }

    // The __init__ plan: given by the decorator (with InitVars), or all init fields in order.
    if (o.hasParams) {
        for (const ParamOption& p : o.params) {
            InitParam ip;
            ip.name = interned(p.name);
            ip.kwOnly = p.kwOnly;
            if (p.isField) {
                ip.field = info->fieldIndex(p.name);
                if (ip.field < 0) {
                    PyErr_Format(PyExc_TypeError, "%s: __init__ parameter '%s' is not a field",
                                 info->key.c_str(), p.name.c_str());
                    Py_DECREF(ip.name);
                    return nullptr;
                }
                ip.factory = h->fieldFactories[size_t(ip.field)];
                Py_XINCREF(ip.factory);
            } else {
                h->hasInitVars = true;
                ip.defaultObj = p.defaultObj;
                Py_XINCREF(ip.defaultObj);
            }
            h->params.push_back(ip);
        }
    } else {
        for (uint32_t i = 0; i < fields.size(); ++i) {
            if (!fields[i].init)
                continue;
            InitParam ip;
            ip.name = interned(fields[i].name);
            ip.field = int(i);
            ip.kwOnly = fields[i].kwOnly;
            h->params.push_back(ip);
        }
        // keyword-only parameters go last, as in dataclasses
        std::stable_partition(h->params.begin(), h->params.end(), [](const InitParam& p) { return !p.kwOnly; });
    }
    for (const InitParam& p : h->params)
        if (!p.kwOnly)
            ++h->positionalCount;
    for (uint32_t i = 0; i < fields.size(); ++i)
        if (!fields[i].init)
            h->nonInitFields.push_back(i);
    h->compareRecurses = false;
    for (uint32_t i = 0; i < fields.size(); ++i) {
        if (!fields[i].compare)
            continue;
        h->compareFields.push_back(i);
        switch (fields[i].schema.kind()) {
        case typesys::SchemaKind::Float:
        case typesys::SchemaKind::Int:
        case typesys::SchemaKind::Bool:
        case typesys::SchemaKind::Str:
        case typesys::SchemaKind::Bytes: break;   // compared in C++ (fieldsEqual)
        default: h->compareRecurses = true;
        }
    }

    // Descriptors replace the class attributes (defaults) of the same names.
    PyObject* dict = cls->tp_dict;
    for (uint32_t i = 0; i < fields.size(); ++i) {
        PyObject* descr = PyDescr_NewGetSet(cls, &h->getsets[i]);
        if (!descr || PyDict_SetItem(dict, h->fields[i].name, descr) < 0) {
            Py_XDECREF(descr);
            return nullptr;
        }
        Py_DECREF(descr);
    }
    PyType_Modified(cls);

    MetaObj* m = meta(cls);
    if (m->info) {
        if (!m->retired)
            m->retired = new std::vector<typesys::TypeInfo*>();
        m->retired->push_back(m->info);   // keeps its reference while the class lives
    }
    info->incRef();
    m->info = info;
    m->host = h;
    Py_CLEAR(m->pending);
    h->cls = cls;
    Py_INCREF(cls);
    h->ownedCls = reinterpret_cast<PyObject*>(cls);
    info->binding = h;
    info->hostData = std::move(host);
    cls->tp_vectorcall = (o.init && o.vectorcall) ? objectVectorcall : nullptr;
    return h;
}

HostType* installEnum(typesys::TypeInfo* info, PyObject* enumClass)
{
    auto host = std::make_shared<HostType>();
    HostType* h = host.get();
    h->info = info;
    h->isEnum = true;
    PyObject* map = PyObject_GetAttrString(enumClass, "_value2member_map_");
    if (!map)
        return nullptr;
    h->valueToMember = PyDict_Copy(map);
    Py_DECREF(map);
    if (!h->valueToMember)
        return nullptr;
    Py_INCREF(enumClass);
    h->enumClass = enumClass;
    info->binding = h;
    info->hostData = std::move(host);
    return h;
}

void releaseClass(typesys::TypeInfo* info)
{
    auto* h = static_cast<HostType*>(info->binding);
    // The generated __init__ closes over its class: holding it past this point would keep a
    // replaced class alive through its own info (class -> info -> plan -> __init__ -> class).
    // Without it the stale class constructs through type.__call__ (armFastInit refuses).
    if (h && h->fastInit) {
        PyObject* init = h->fastInit;
        h->fastInit = nullptr;
        releaseLater(init);
    }
    if (h && h->ownedCls) {
        PyObject* cls = h->ownedCls;
        h->ownedCls = nullptr;
        releaseLater(cls);
    }
}

PyTypeObject* classFor(typesys::TypeInfo* info)
{
    auto* existing = static_cast<HostType*>(info->binding);
    if (existing && existing->cls)
        return existing->cls;
    // A native type, or a type whose class has died: generate a class from the type info.
    PyTypeObject* base = &g_objectType;
    if (info->parent) {
        base = classFor(info->parent.get());
        if (!base)
            return nullptr;
    }
    std::string key = info->key;
    size_t dot = key.rfind('.');
    std::string name = dot == std::string::npos ? key : key.substr(dot + 1);
    PyObject* ns = Py_BuildValue("{s:s,s:s,s:s}", "__module__", kNativeModule, "__qualname__", name.c_str(),
                                 "__doc__", info->doc.c_str());
    if (!ns)
        return nullptr;
    PyObject* cls = PyObject_CallFunction(reinterpret_cast<PyObject*>(g_objectMeta), "s(O)N", name.c_str(),
                                          reinterpret_cast<PyObject*>(base), ns);
    if (!cls)
        return nullptr;
    ClassOptions o;
    o.frozen = info->frozen;
    o.hash = info->frozen ? HashMode::Fields : HashMode::Unhashable;
    if (o.hash == HashMode::Unhashable && PyDict_SetItemString(reinterpret_cast<PyTypeObject*>(cls)->tp_dict, "__hash__", Py_None) < 0) {
        Py_DECREF(cls);
        return nullptr;
    }
    // Existing host data of an orphaned Python type is replaced by the generated plan.
    HostType* h = installClass(reinterpret_cast<PyTypeObject*>(cls), info, o);
    Py_DECREF(cls);   // the HostType owns it now
    if (!h)
        return nullptr;
    // The typehost package adds __init__, __match_args__ and dataclass interop, through the hook
    // it registered when it loaded (importing the public package registers it).
    if (!g_generatedClassHook) {
        PyObject* pkg = PyImport_ImportModule("typehost");
        Py_XDECREF(pkg);
        if (!pkg)
            return nullptr;
        if (!g_generatedClassHook) {
            PyErr_SetString(PyExc_SystemError, "the typehost package registered no generated-class hook");
            return nullptr;
        }
    }
    PyObject* r = PyObject_CallOneArg(g_generatedClassHook, reinterpret_cast<PyObject*>(h->cls));
    if (!r)
        return nullptr;
    Py_DECREF(r);
    return h->cls;
}

} // namespace typehost::detail
