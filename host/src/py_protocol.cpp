// typehost.Object's value protocol: repr, == and ordering over the compared fields, and hash,
// in C (they follow dataclasses' rules: docs/python-api.md).

#include "py_object_impl.h"

#include "py_text.h"

#include <fmt/format.h>

namespace typehost::detail {

using typesys::SchemaKind;
using typesys::Value;


PyObject* objectRepr(PyObject* self)
{
    HostType* host = planOf(self);
    if (!host || !host->repr)
        return PyBaseObject_Type.tp_repr(self);
    int r = Py_ReprEnter(self);
    if (r != 0)
        return r > 0 ? PyUnicode_FromString("...") : nullptr;
    PyObject* out = nullptr;
    PyObject* q = PyType_GetQualName(Py_TYPE(self));
    if (q) {
        std::string text = utf8Text(q);
        text += '(';
        bool first = true, ok = true;
        for (uint32_t i = 0; i < host->fields.size() && ok; ++i) {
            if (!host->info->fields[i].repr)
                continue;
            PyObject* v = fieldGet(self, &host->fields[i]);
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
static PyObject* comparedFieldTuple(PyObject* self, HostType* host)
{
    PyObject* t = PyTuple_New(Py_ssize_t(host->compareFields.size()));
    if (!t)
        return nullptr;
    Py_ssize_t n = 0;
    for (uint32_t i : host->compareFields) {
        PyObject* v = fieldGet(self, &host->fields[i]);
        if (!v) {
            Py_DECREF(t);   // the items set so far go with it; the rest are null
            return nullptr;
        }
        PyTuple_SET_ITEM(t, n++, v);
    }
    return t;
}

// Equality of the compare=True fields; 1, 0, or -1 with an error set.
static int fieldsEqual(PyObject* a, PyObject* b, HostType* host)
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
        PyObject* u = fieldGet(a, &host->fields[i]);
        PyObject* v = u ? fieldGet(b, &host->fields[i]) : nullptr;
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
static Py_hash_t hashFields(PyObject* self, HostType* host)
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
        PyObject* v = fieldGet(self, &host->fields[i]);
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

} // namespace typehost::detail
