// Value -> Python, shaped by the schema: enum members, tuples, live container views, opaque
// classes; a str node returns the str it was made from.

#include "conversion.h"

#include "conversion_impl.h"
#include "host_type.h"
#include "views.h"

#include <typesys/registry.h>
#include <typesys/validate.h>

#include <fmt/format.h>

namespace typehost::detail {

using typesys::ErrorKind;
using typesys::Path;
using typesys::PathStep;
using typesys::Schema;
using typesys::SchemaKind;
using typesys::Value;
using typesys::ValueKind;

namespace {

PyObject* strToPython(const Value& v)
{
    auto* node = static_cast<typesys::StrNode*>(v.node());
    if (node->binding) {
        auto* o = static_cast<PyObject*>(node->binding);
        Py_INCREF(o);
        return o;
    }
    std::string_view sv = node->view();
    PyObject* o = v.kind() == ValueKind::Str ? PyUnicode_DecodeUTF8(sv.data(), Py_ssize_t(sv.size()), "strict")
                                             : PyBytes_FromStringAndSize(sv.data(), Py_ssize_t(sv.size()));
    if (!o)
        return nullptr;
    // Cached for later reads; only the GIL holder reads or writes a binding.
    Py_INCREF(o);
    node->binding = o;
    return o;
}

bool sameScalarKind(const Value& v, const Schema& s)
{
    switch (v.kind()) {
    case ValueKind::None: return s.kind() == SchemaKind::None;
    case ValueKind::Bool: return s.kind() == SchemaKind::Bool;
    case ValueKind::Int: return s.kind() == SchemaKind::Int;
    case ValueKind::Float: return s.kind() == SchemaKind::Float;
    case ValueKind::Str: return s.kind() == SchemaKind::Str;
    case ValueKind::Bytes: return s.kind() == SchemaKind::Bytes;
    default: return false;
    }
}

PyObject* enumToPython(const Value& v, typesys::TypeInfo& t)
{
    auto* host = static_cast<HostType*>(t.binding);
    if (!host || !host->valueToMember) {
        PyErr_Format(PyExc_TypeError, "enum type '%s' has no Python class", t.key.c_str());
        return nullptr;
    }
    PyObject* key = v.kind() == ValueKind::Int ? PyLong_FromLongLong(v.asInt()) : strToPython(v);
    if (!key)
        return nullptr;
    PyObject* member = PyDict_GetItemWithError(host->valueToMember, key);
    Py_DECREF(key);
    if (!member) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "value is not a member of %s", t.key.c_str());
        return nullptr;
    }
    Py_INCREF(member);
    return member;
}

// Plain Python data (lists and dicts, not views) for a foreign class's from_dict/from_list.
PyObject* plainToPython(const Value& v)
{
    switch (v.kind()) {
    case ValueKind::List: {
        auto items = v.asList()->snapshot();
        PyObject* list = PyList_New(Py_ssize_t(items.size()));
        if (!list)
            return nullptr;
        for (size_t i = 0; i < items.size(); ++i) {
            PyObject* e = plainToPython(items[i]);
            if (!e) {
                Py_DECREF(list);
                return nullptr;
            }
            PyList_SET_ITEM(list, Py_ssize_t(i), e);
        }
        return list;
    }
    case ValueKind::Dict: {
        bool intKeys = v.asDict()->keyKind() == typesys::DictNode::IntKeys;
        PyObject* dict = PyDict_New();
        if (!dict)
            return nullptr;
        for (auto& [k, item] : v.asDict()->snapshot()) {
            PyObject* key = intKeys ? PyLong_FromLongLong(k.asInt()) : strToPython(k);
            PyObject* value = key ? plainToPython(item) : nullptr;
            if (!value || PyDict_SetItem(dict, key, value) < 0) {
                Py_XDECREF(key);
                Py_XDECREF(value);
                Py_DECREF(dict);
                return nullptr;
            }
            Py_DECREF(key);
            Py_DECREF(value);
        }
        return dict;
    }
    default: return toPython(v, Schema::any());
    }
}

PyObject* opaqueToPython(const Value& v, const Schema& s)
{
    PyObject* plain = s.hasShape() ? toPython(v, s.arg()) : plainToPython(v);
    const OpaqueClass* oc = findOpaque(s.key());
    if (!plain || !oc)
        return plain;
    PyObject* out = PyObject_CallOneArg(oc->load, plain);
    Py_DECREF(plain);
    return out;
}

} // namespace

PyObject* toPython(const Value& v, const Schema& s)
{
    if (s.kind() == SchemaKind::Opaque)
        return opaqueToPython(v, s);
    switch (v.kind()) {
    case ValueKind::None: Py_RETURN_NONE;
    case ValueKind::Bool: return PyBool_FromLong(v.asBool());
    case ValueKind::Int:
        if (s.kind() == SchemaKind::Float)
            return PyFloat_FromDouble(double(v.asInt()));
        if (s.kind() == SchemaKind::Named || s.kind() == SchemaKind::Optional || s.kind() == SchemaKind::Union)
            break;
        return PyLong_FromLongLong(v.asInt());
    case ValueKind::Float: return PyFloat_FromDouble(v.asFloat());
    case ValueKind::Str:
        if (s.kind() == SchemaKind::Named || s.kind() == SchemaKind::Optional || s.kind() == SchemaKind::Union)
            break;
        return strToPython(v);
    case ValueKind::Bytes: return strToPython(v);
    case ValueKind::Object: return wrapNode(v.asObject());
    case ValueKind::List:
        if (s.kind() == SchemaKind::Tuple || s.kind() == SchemaKind::TupleVar) {
            auto items = v.asList()->snapshot();
            PyObject* t = PyTuple_New(Py_ssize_t(items.size()));
            if (!t)
                return nullptr;
            for (size_t i = 0; i < items.size(); ++i) {
                PyObject* e = toPython(items[i], s.kind() == SchemaKind::Tuple ? s.arg(i) : s.arg());
                if (!e) {
                    Py_DECREF(t);
                    return nullptr;
                }
                PyTuple_SET_ITEM(t, Py_ssize_t(i), e);
            }
            return t;
        }
        if (s.kind() == SchemaKind::List)
            return makeListView(v.asList(), s.arg());
        break;
    case ValueKind::Dict:
        if (s.kind() == SchemaKind::DictStr || s.kind() == SchemaKind::DictInt)
            return makeDictView(v.asDict(), s);
        break;
    }
    // Schemas that do not decide the shape alone: find the member the value belongs to.
    switch (s.kind()) {
    case SchemaKind::Optional: return toPython(v, s.arg());
    case SchemaKind::Union:
        // The member of the value's own kind first (an int in Union[float, int] stays an int).
        for (const Schema& m : s.args())
            if (sameScalarKind(v, m))
                return toPython(v, m);
        for (const Schema& m : s.args()) {
            try {
                typesys::validate(v, m, hostRegistry());
                return toPython(v, m);
            } catch (const typesys::Error&) {
            }
        }
        return toPython(v, Schema::any());
    case SchemaKind::Named: {
        typesys::TypeRef t = hostRegistry().find(s.key());
        if (t && t->kind == typesys::TypeKind::Enum)
            return enumToPython(v, *t);
        break;
    }
    default: break;
    }
    // Any (or a value outside its schema): by kind.
    switch (v.kind()) {
    case ValueKind::Int: return PyLong_FromLongLong(v.asInt());
    case ValueKind::Str: return strToPython(v);
    case ValueKind::List: {
        static const Schema& any = *new Schema();   // never destroyed (see hostRegistry)
        return makeListView(v.asList(), any);
    }
    case ValueKind::Dict: {
        static const Schema& anyStr = *new Schema(Schema::dictStr(Schema::any()));
        static const Schema& anyInt = *new Schema(Schema::dictInt(Schema::any()));
        return makeDictView(v.asDict(), v.asDict()->keyKind() == typesys::DictNode::IntKeys ? anyInt : anyStr);
    }
    default: return toPython(v, Schema::any());
    }
}

} // namespace typehost::detail
