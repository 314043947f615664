// The generated __init__: binding vectorcall arguments to parameters (CPython's messages for
// wrong calls), defaults and default_factory, __post_init__, the fast C path armed per class
// (objectVectorcall), and dataclasses' order through a user __setattr__.

#include "py_object_impl.h"

#include "py_text.h"

#include <fmt/format.h>

#include <algorithm>

namespace typehost::detail {

using typesys::Path;
using typesys::Schema;
using typesys::SchemaKind;
using typesys::Value;

namespace {
// Stores a field's C++-side default (plain value or native factory); -1 with the error set (a
// factory's failure is a TypeError naming the field, error_boundary.h).
int setDefault(HostType* host, typesys::ObjectNode* node, uint32_t f)
{
    try {
        if (std::optional<Value> v = host->info->fields[f].makeDefault())
            node->set(f, std::move(*v));
        return 0;
    } catch (...) {
        setPythonErrorFromCurrent(Boundary::Assign);
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
        // default_factory=list / dict for a list / dict field: the empty container made here,
        // with no Python call (what converting the factory's empty list or dict would store).
        SchemaKind k = host->fields[i].kind;
        if (factory == reinterpret_cast<PyObject*>(&PyList_Type) && k == SchemaKind::List) {
            node->set(i, Value::fromList(typesys::ListNode::make()));
            return 0;
        }
        if (factory == reinterpret_cast<PyObject*>(&PyDict_Type) && (k == SchemaKind::DictStr || k == SchemaKind::DictInt)) {
            node->set(i, Value::fromDict(typesys::DictNode::make(k == SchemaKind::DictInt ? typesys::DictNode::IntKeys
                                                                                           : typesys::DictNode::StrKeys)));
            return 0;
        }
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

} // namespace typehost::detail
