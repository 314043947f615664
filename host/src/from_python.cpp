// Python -> Value: strict conversion driven by the schema (the table in docs/python-api.md).
// On the hot path of __init__ and setattr. One translation unit of ~670 lines by design: the
// converters call each other recursively for nested values, and keeping them together lets
// the compiler inline the small ones into fromPython (no LTO in this build).

#include "conversion.h"

#include "conversion_impl.h"
#include "error_boundary.h"
#include "host_type.h"
#include "py_text.h"
#include "views.h"

#include <typesys/compare.h>
#include <typesys/error.h>
#include <typesys/registry.h>
#include <typesys/validate.h>

#include <fmt/format.h>

#include <unordered_map>

namespace typehost::detail {

using typesys::ErrorKind;
using typesys::Path;
using typesys::PathStep;
using typesys::Schema;
using typesys::SchemaKind;
using typesys::Value;
using typesys::ValueKind;

namespace {

// A value that does not fit its schema. The message is the typesys form ("/points/2/x: reason",
// as the validator and the JSON reader write it); the Assign boundary formats its own from
// the path and the reason.
[[noreturn]] void fail(const Path& path, std::string reason, ErrorKind kind = ErrorKind::Validation)
{
    std::string pointer = typesys::formatPointer(path);
    std::string message = pointer.empty() ? reason : pointer + ": " + reason;
    throw typesys::Error(kind, std::move(message), path, std::move(reason));
}

[[noreturn]] void mismatch(PyObject* obj, const Schema& s, const Path& path)
{
    fail(path, fmt::format("expected {}, got {}", s.text(), pyTypeName(obj)));
}

// Interned strs (identifiers, string literals, enum names) are converted once and shared:
// the cache maps the str's identity to its node, which also keeps the str alive. Bounded, and
// only touched with the GIL held.
constexpr size_t kInternCacheLimit = 1 << 14;

std::unordered_map<PyObject*, typesys::StrNode*>& internCache()
{
    static auto* cache = new std::unordered_map<PyObject*, typesys::StrNode*>();   // lives with the process
    return *cache;
}

} // namespace

typesys::StrNode* cachedInternedStr(PyObject* obj)
{
    if (!PyUnicode_CheckExact(obj) || !PyUnicode_CHECK_INTERNED(obj))
        return nullptr;
    auto it = internCache().find(obj);
    return it == internCache().end() ? nullptr : it->second;
}

namespace {

Value strValue(PyObject* obj)
{
    bool interned = PyUnicode_CheckExact(obj) && PyUnicode_CHECK_INTERNED(obj);
    if (interned) {
        auto& cache = internCache();
        if (auto it = cache.find(obj); it != cache.end())
            return Value::fromStrNode(typesys::Ref<typesys::StrNode>::share(it->second));
    }
    Py_ssize_t n = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(obj, &n);
    if (!utf8)
        throw PythonErrorSet{};
    auto node = typesys::StrNode::make({utf8, size_t(n)});
    if (PyUnicode_CheckExact(obj)) {
        Py_INCREF(obj);   // the node keeps the str it came from: reads return the same object
        node->binding = obj;
        if (interned && internCache().size() < kInternCacheLimit) {
            // Entries are never evicted: the node lives as long as the process, so make it
            // immortal and sharing it into a field costs no atomic.
            node->makeImmortal();
            internCache().emplace(obj, node.get());
        }
    }
    return Value::fromStrNode(std::move(node));
}

Value bytesValue(PyObject* obj)
{
    if (PyBytes_Check(obj)) {
        auto node = typesys::StrNode::make({PyBytes_AS_STRING(obj), size_t(PyBytes_GET_SIZE(obj))},
                                           typesys::NodeKind::Bytes);
        if (PyBytes_CheckExact(obj)) {
            Py_INCREF(obj);
            node->binding = obj;
        }
        return Value::fromStrNode(std::move(node));
    }
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0)
        throw PythonErrorSet{};
    Value v = Value::fromBytes({static_cast<const char*>(view.buf), size_t(view.len)});
    PyBuffer_Release(&view);
    return v;
}

bool isBytesLike(PyObject* o)
{
    return PyBytes_Check(o) || PyByteArray_Check(o) || PyMemoryView_Check(o);
}

Value intValue(PyObject* obj, const Path& path)
{
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (overflow)
        fail(path, "int out of range for int64", ErrorKind::Overflow);
    if (v == -1 && PyErr_Occurred())
        throw PythonErrorSet{};
    return Value::fromInt(v);
}

// The schema a value of this Python type matches without any conversion, for Union.
bool exactMatch(PyObject* o, const Schema& s)
{
    switch (s.kind()) {
    case SchemaKind::None: return o == Py_None;
    case SchemaKind::Bool: return PyBool_Check(o);
    case SchemaKind::Int: return PyLong_CheckExact(o);
    case SchemaKind::Float: return PyFloat_CheckExact(o);
    case SchemaKind::Str: return PyUnicode_CheckExact(o);
    case SchemaKind::Bytes: return PyBytes_CheckExact(o);
    case SchemaKind::List: return PyList_CheckExact(o) || isListView(o);
    case SchemaKind::DictStr:
    case SchemaKind::DictInt: return PyDict_CheckExact(o) || isDictView(o);
    case SchemaKind::Tuple:
    case SchemaKind::TupleVar: return PyTuple_CheckExact(o);
    case SchemaKind::Named: {
        if (!isObject(o) || !reinterpret_cast<PyObj*>(o)->node)
            return false;
        return reinterpret_cast<PyObj*>(o)->node->type().isSubtypeOf(s.key());
    }
    case SchemaKind::AnyObject: return isObject(o);
    case SchemaKind::Opaque: {
        const OpaqueClass* oc = findOpaque(s.key());
        return oc && PyObject_TypeCheck(o, reinterpret_cast<PyTypeObject*>(oc->cls));
    }
    default: return false;
    }
}

// Guards recursion into Python containers (a list that contains itself).
struct RecursionGuard {
    RecursionGuard()
    {
        if (Py_EnterRecursiveCall(" while converting a value"))
            throw PythonErrorSet{};
    }
    ~RecursionGuard() { Py_LeaveRecursiveCall(); }
};

Value sequenceValue(PyObject* obj, const Schema& s, Path& path)
{
    RecursionGuard guard;
    // A live view whose elements already satisfy the schema is shared, not copied, so that
    // `q.tags = p.tags` aliases as it does for plain Python lists.
    if (isListView(obj) && s.kind() == SchemaKind::List) {
        const Schema& viewSchema = listViewSchema(obj);
        if (viewSchema == s.arg() || s.arg().kind() == SchemaKind::Any)
            return Value::fromList(typesys::Ref<typesys::ListNode>::share(listViewNode(obj)));
    }
    PyObject* seq = nullptr;
    bool ok = PyList_Check(obj) || PyTuple_Check(obj);
    if (!ok && isListView(obj))
        ok = true;
    if (!ok)
        mismatch(obj, s, path);
    seq = PySequence_Fast(obj, "expected a sequence");
    if (!seq)
        throw PythonErrorSet{};
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (s.kind() == SchemaKind::Tuple && size_t(n) != s.args().size()) {
        Py_DECREF(seq);
        fail(path, fmt::format("expected {}, got a {} of length {}", s.text(),
                                             pyTypeName(obj), n));
    }
    // Converting an element may run Python code (an opaque type's to_dict, an enum hook, a
    // __index__) that changes this very list: each element is read afresh and held while it
    // is converted, and a change of size is an error (as iterating a dict that changes is).
    const bool mutableSeq = PyList_Check(seq);
    std::vector<Value> out;
    out.reserve(size_t(n));
    path.push_back({PathStep::Index, {}, 0});
    try {
        for (Py_ssize_t i = 0; i < n; ++i) {
            path.back().index = size_t(i);   // the element that was to be converted next
            if (mutableSeq && PyList_GET_SIZE(seq) != n)
                fail(path, "the list changed size during conversion", ErrorKind::Changed);
            PyObject* item = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
            try {
                out.push_back(fromPython(item, s.kind() == SchemaKind::Tuple ? s.arg(size_t(i)) : s.arg(), path));
            } catch (...) {
                Py_DECREF(item);
                throw;
            }
            Py_DECREF(item);
        }
        if (mutableSeq && PyList_GET_SIZE(seq) != n)
            fail(path, "the list changed size during conversion", ErrorKind::Changed);
    } catch (...) {
        Py_DECREF(seq);
        throw;
    }
    path.pop_back();
    Py_DECREF(seq);
    return Value::fromList(typesys::ListNode::make(std::move(out)));
}

Value dictValue(PyObject* obj, const Schema& s, Path& path, bool anyKeys)
{
    RecursionGuard guard;
    if (isDictView(obj) && !anyKeys) {
        const Schema& viewSchema = dictViewSchema(obj);
        if (viewSchema == s)
            return Value::fromDict(typesys::Ref<typesys::DictNode>::share(dictViewNode(obj)));
    }
    PyObject* dict = obj;
    if (isDictView(obj)) {
        dict = dictViewToDict(obj);
        if (!dict)
            throw PythonErrorSet{};
    } else if (!PyDict_Check(obj)) {
        mismatch(obj, s, path);
    } else {
        Py_INCREF(dict);
    }
    bool intKeys = s.kind() == SchemaKind::DictInt;
    if (anyKeys && PyDict_GET_SIZE(dict) > 0) {
        // Any: a dict whose keys are all ints becomes dict[int, Any].
        intKeys = true;
        Py_ssize_t pos = 0;
        PyObject *k, *v;
        while (PyDict_Next(dict, &pos, &k, &v))
            if (!PyLong_Check(k) || PyBool_Check(k))
                intKeys = false;
    }
    auto node = typesys::DictNode::make(intKeys ? typesys::DictNode::IntKeys : typesys::DictNode::StrKeys);
    const Py_ssize_t size = PyDict_GET_SIZE(dict);
    node->reserve(size_t(size));
    path.push_back({PathStep::Key, {}, 0});
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    // As for lists: a value's conversion may run Python code that changes the dict, so the key
    // and value are held while they are converted and a change of size is an error.
    struct Held {
        PyObject* k = nullptr;
        PyObject* v = nullptr;
        void set(PyObject* key, PyObject* value) { reset(); k = Py_NewRef(key); v = Py_NewRef(value); }
        void reset() { Py_CLEAR(k); Py_CLEAR(v); }
        ~Held() { reset(); }
    } held;
    try {
        while (PyDict_Next(dict, &pos, &k, &v)) {
            held.set(k, v);
            k = held.k;
            v = held.v;
            Value key;
            if (intKeys) {
                if (!PyLong_Check(k) || PyBool_Check(k)) {
                    path.pop_back();
                    fail(path, fmt::format("expected int dict keys, got {}", pyTypeName(k)));
                }
                key = intValue(k, path);
                path.back() = {PathStep::IntKey, std::to_string(key.asInt()), 0};
            } else {
                if (!PyUnicode_Check(k)) {
                    path.pop_back();
                    fail(path, fmt::format("expected str dict keys, got {}", pyTypeName(k)));
                }
                key = strValue(k);
                path.back() = {PathStep::Key, std::string(key.asStr()), 0};
            }
            node->set(std::move(key), fromPython(v, anyKeys ? Schema::any() : s.arg(), path));
            if (PyDict_GET_SIZE(dict) != size)
                fail(path, "the dict changed size during conversion", ErrorKind::Changed);
        }
        held.reset();
    } catch (...) {
        held.reset();
        Py_DECREF(dict);
        throw;
    }
    path.pop_back();
    Py_DECREF(dict);
    return Value::fromDict(std::move(node));
}

// A stale instance (its type was redefined, or its plugin reloaded or unloaded, since it was
// made) is refused wherever a value is stored: its fields are the old version's, and a document
// written from it could not be read back by the current registry. Reading it stays possible.
// Throws the stale-instance TypeError, unless a StaleAccepted is alive on this thread. Out of
// line and cold: the hot path below is one load and a branch.
[[gnu::noinline, gnu::cold]] void refuseStale(const typesys::ObjectNode* node, const Path& path)
{
    if (!staleAccepted())
        fail(path, staleText(node->type()));
}

inline Value currentObject(typesys::ObjectNode* node, const Path& path)
{
    if (node->type().isStale()) [[unlikely]]
        refuseStale(node, path);
    return Value::fromObject(typesys::Ref<typesys::ObjectNode>::share(node));
}

bool isStaleObject(PyObject* obj)
{
    return isObject(obj) && reinterpret_cast<PyObj*>(obj)->node && reinterpret_cast<PyObj*>(obj)->node->type().isStale();
}

Value anyValue(PyObject* obj, Path& path)
{
    if (obj == Py_None)
        return Value();
    if (PyBool_Check(obj))
        return Value::fromBool(obj == Py_True);
    if (PyLong_Check(obj))
        return intValue(obj, path);
    if (PyFloat_Check(obj))
        return Value::fromFloat(PyFloat_AS_DOUBLE(obj));
    if (PyUnicode_Check(obj))
        return strValue(obj);
    if (isBytesLike(obj))
        return bytesValue(obj);
    if (isObject(obj)) {
        auto* node = reinterpret_cast<PyObj*>(obj)->node;
        if (!node)
            fail(path, "uninitialized object");
        return currentObject(node, path);
    }
    if (PyList_Check(obj) || PyTuple_Check(obj) || isListView(obj)) {
        static const Schema& anyList = *new Schema(Schema::list(Schema::any()));   // never destroyed
        return sequenceValue(obj, anyList, path);
    }
    if (PyDict_Check(obj) || isDictView(obj)) {
        static const Schema& anyDict = *new Schema(Schema::dictStr(Schema::any()));
        return dictValue(obj, anyDict, path, true);
    }
    fail(path, fmt::format("expected a value typehost can hold, got {}", pyTypeName(obj)));
}

Value literalValue(PyObject* obj, const Schema& s, const Path& path)
{
    for (const Value& l : s.literals()) {
        if (l.kind() == ValueKind::Int && PyLong_Check(obj) && !PyBool_Check(obj)) {
            int overflow = 0;
            long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
            if (!overflow && v == l.asInt())
                return l;
        } else if (l.kind() == ValueKind::Str && PyUnicode_Check(obj)) {
            Py_ssize_t n;
            const char* u = PyUnicode_AsUTF8AndSize(obj, &n);
            if (!u)
                throw PythonErrorSet{};
            if (std::string_view(u, size_t(n)) == l.asStr())
                return l;
        }
    }
    PyObject* r = PyObject_Repr(obj);
    std::string shown = utf8Text(r);   // "?" when repr failed; lone surrogates kept
    Py_XDECREF(r);
    PyErr_Clear();
    fail(path, fmt::format("expected {}, got {}", s.text(), shown));
}

const PendingEnums* g_pendingEnums = nullptr;

// Whether obj is a member of an older class of the same enum: another Enum class of the same
// module and qualified name (a redefinition, or the plugin's module run again by a reload).
bool isPreviousEnumVersion(PyObject* obj, PyObject* enumClass)
{
    auto* old = reinterpret_cast<PyObject*>(Py_TYPE(obj));
    if (old == enumClass || !PyType_Check(enumClass) || !PyObject_HasAttrString(old, "_value2member_map_"))
        return false;
    auto text = [](PyObject* cls, const char* attr) {
        PyObject* v = PyObject_GetAttrString(cls, attr);
        std::string out = v && PyUnicode_Check(v) ? utf8Text(v) : std::string();
        Py_XDECREF(v);
        PyErr_Clear();
        return out;
    };
    std::string q = text(old, "__qualname__");
    return !q.empty() && q == text(enumClass, "__qualname__") && text(old, "__module__") == text(enumClass, "__module__");
}

std::string shortRepr(PyObject* obj);

// For "expected <enum>, got str": a str or int that names or is a member's value says which
// member to pass; anything else lists the members (at most ten).
std::string enumHint(PyObject* obj, const typesys::TypeInfo* info)
{
    if (!info || info->members.empty())
        return {};
    std::string_view enumName = info->key;
    if (size_t dot = enumName.rfind('.'); dot != std::string_view::npos)
        enumName.remove_prefix(dot + 1);
    if (PyUnicode_Check(obj) || (PyLong_Check(obj) && !PyBool_Check(obj))) {
        std::string text = PyUnicode_Check(obj) ? utf8Text(obj) : std::string();
        long long number = PyLong_Check(obj) ? PyLong_AsLongLong(obj) : 0;
        PyErr_Clear();
        for (const typesys::EnumMember& m : info->members) {
            bool isName = PyUnicode_Check(obj) && m.name == text;
            bool isValue = m.value.kind() == ValueKind::Str ? PyUnicode_Check(obj) && m.value.asStr() == text
                                                            : PyLong_Check(obj) && m.value.asInt() == number;
            if (isName || isValue)
                return fmt::format(" ({} {} of {}.{}: pass the member {}.{})", shortRepr(obj),
                                   isName ? "is the name" : "is the value", enumName, m.name, enumName, m.name);
        }
    }
    std::string list;
    size_t shown = 0;
    for (const typesys::EnumMember& m : info->members) {
        if (shown == 10) {
            list += fmt::format(", ... ({} in all)", info->members.size());
            break;
        }
        list += fmt::format("{}{}.{}", shown++ ? ", " : "", enumName, m.name);
    }
    return fmt::format(" (one of {})", list);
}

// repr(obj) for a message (never fails: "?" when repr raises).
std::string shortRepr(PyObject* obj)
{
    PyObject* r = PyObject_Repr(obj);
    std::string out = r ? utf8Text(r) : std::string("?");
    Py_XDECREF(r);
    PyErr_Clear();
    return out;
}

// `info`: the registered enum type (null for an enum of the batch being registered), whose
// member values the stored value must be one of: reads map values back to members.
Value enumMemberValue(PyObject* obj, PyObject* enumClass, const Schema& s, const Path& path,
                      const typesys::TypeInfo* info = nullptr)
{
    // __instancecheck__ and .value are Python code that may drop the caller's references to
    // obj and to the class (clear the list obj came from, re-register the enum): hold both.
    struct Hold {
        PyObject* a;
        PyObject* b;
        ~Hold() { Py_DECREF(a); Py_DECREF(b); }
    } hold{Py_NewRef(obj), Py_NewRef(enumClass)};
    int ok = PyObject_IsInstance(obj, enumClass);
    if (ok < 0)
        throw PythonErrorSet{};
    if (!ok) {
        if (isPreviousEnumVersion(obj, enumClass))
            fail(path, fmt::format("expected {}, got a member of a previous version of {} ({}: the enum "
                                                 "was redefined or its plugin reloaded since it was taken); use the "
                                                 "current class's member, or typehost.migrate(value)", s.key(),
                                                 s.key(), shortRepr(obj)));
        fail(path, fmt::format("expected {}, got {}{}", s.key(), pyTypeName(obj), enumHint(obj, info)));
    }
    PyObject* value = PyObject_GetAttrString(obj, "value");
    if (!value)
        throw PythonErrorSet{};
    Path p = path;
    Value v;
    try {
        v = anyValue(value, p);
    } catch (...) {
        Py_DECREF(value);
        throw;
    }
    // `.value` is Python code (a property may return anything): only a str or int that is one
    // of the registered members' values can be stored and read back as a member.
    bool member = v.kind() == ValueKind::Int || v.kind() == ValueKind::Str;
    if (member && info) {
        member = false;
        for (const typesys::EnumMember& m : info->members)
            if (typesys::equals(m.value, v)) {
                member = true;
                break;
            }
    }
    if (!member) {
        PyObject* r = PyObject_Repr(value);
        std::string shown = utf8Text(r);
        Py_XDECREF(r);
        PyErr_Clear();
        Py_DECREF(value);
        fail(path, fmt::format("expected {}, got a member whose value {} is not a value of {}", s.key(),
                                             shown, s.key()));
    }
    Py_DECREF(value);
    return v;
}

Value namedValue(PyObject* obj, const Schema& s, const Path& path)
{
    // An enum of the batch being registered wins over a registered one of the same key (a
    // plugin reload registers its enums again, with new classes).
    if (g_pendingEnums)
        for (const auto& [key, cls] : g_pendingEnums->classes)
            if (key == s.key())
                return enumMemberValue(obj, cls, s, path);
    typesys::TypeRef t = hostRegistry().find(s.key());
    if (!t)
        fail(path, fmt::format("type '{}' is not registered", s.key()));
    if (t->kind == typesys::TypeKind::Enum) {
        auto* host = static_cast<HostType*>(t->binding);
        if (host && host->enumClass)
            return enumMemberValue(obj, host->enumClass, s, path, t.get());
        fail(path, fmt::format("expected {}, got {}", s.key(), pyTypeName(obj)));
    }
    if (isObject(obj)) {
        auto* node = reinterpret_cast<PyObj*>(obj)->node;
        if (node && node->type().isSubtypeOf(s.key()))
            return currentObject(node, path);
    }
    fail(path, fmt::format("expected {}, got {}", s.key(), pyTypeName(obj)));
}

// An instance of a registered foreign class becomes its plain form (dump(obj)); a shaped one
// (a NamedTuple) is stored as its shape, and also takes a plain tuple or list of that shape.
Value opaqueValue(PyObject* obj, const Schema& s, Path& path)
{
    // The hooks are Python code that may re-register this opaque name (dropping the table's
    // references) or drop the caller's reference to obj: work on held copies.
    struct Hold {
        OpaqueClass c{};
        PyObject* obj;
        ~Hold() { Py_XDECREF(c.cls); Py_XDECREF(c.dump); Py_XDECREF(c.load); Py_DECREF(obj); }
    } hold{{}, Py_NewRef(obj)};
    const OpaqueClass* oc = nullptr;
    if (const OpaqueClass* found = findOpaque(s.key())) {
        hold.c = {Py_NewRef(found->cls), Py_NewRef(found->dump), Py_NewRef(found->load)};
        oc = &hold.c;
    }
    bool instance = false;
    if (oc) {
        int r = PyObject_IsInstance(obj, oc->cls);
        if (r < 0)
            throw PythonErrorSet{};
        instance = r == 1;
    }
    if (s.hasShape()) {
        if (!instance && !PyTuple_CheckExact(obj) && !PyList_CheckExact(obj))
            fail(path, fmt::format("expected {}, got {}", s.key(), pyTypeName(obj)));
        return fromPython(obj, s.arg(), path);
    }
    PyObject* plain = nullptr;
    if (instance) {
        plain = PyObject_CallOneArg(oc->dump, obj);
        if (!plain)
            throw PythonErrorSet{};
    } else if (!oc && (PyList_Check(obj) || PyDict_Check(obj) || isListView(obj) || isDictView(obj))) {
        plain = Py_NewRef(obj);
    } else {
        fail(path, fmt::format("expected {}, got {}", s.key(), pyTypeName(obj)));
    }
    Value v;
    try {
        v = fromPython(plain, Schema::any(), path);
    } catch (...) {
        Py_DECREF(plain);
        throw;
    }
    bool ok = v.kind() == ValueKind::List ||
              (v.kind() == ValueKind::Dict && v.asDict()->keyKind() == typesys::DictNode::StrKeys);
    if (!ok) {
        std::string got = v.kind() == ValueKind::Dict ? "a dict with int keys" : pyTypeName(plain);
        Py_DECREF(plain);
        fail(path, fmt::format("the plain form of {} must be a list or a dict with str keys, got {}",
                                             s.key(), got));
    }
    Py_DECREF(plain);
    return v;
}

} // namespace

void setPendingEnums(const PendingEnums* enums) { g_pendingEnums = enums; }

bool scalarFromPython(PyObject* obj, const Schema& s, Value* out)
{
    switch (s.kind()) {
    case SchemaKind::Str:
        if (!PyUnicode_CheckExact(obj))
            return false;
        *out = strValue(obj);
        return true;
    case SchemaKind::Int:
        if (!PyLong_CheckExact(obj))
            return false;
        {
            int overflow = 0;
            long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
            if (overflow || (v == -1 && PyErr_Occurred())) {
                PyErr_Clear();
                return false;   // the general path raises the error with its position
            }
            *out = Value::fromInt(v);
        }
        return true;
    case SchemaKind::Float:
        if (PyFloat_CheckExact(obj)) {
            *out = Value::fromFloat(PyFloat_AS_DOUBLE(obj));
            return true;
        }
        return false;
    case SchemaKind::Bool:
        if (!PyBool_Check(obj))
            return false;
        *out = Value::fromBool(obj == Py_True);
        return true;
    default: return false;
    }
}

Value fromPython(PyObject* obj, const Schema& s, Path& path)
{
    switch (s.kind()) {
    case SchemaKind::Any: return anyValue(obj, path);
    case SchemaKind::None:
        if (obj != Py_None)
            mismatch(obj, s, path);
        return Value();
    case SchemaKind::Bool:
        if (!PyBool_Check(obj))
            mismatch(obj, s, path);
        return Value::fromBool(obj == Py_True);
    case SchemaKind::Int:
        if (!PyLong_Check(obj) || PyBool_Check(obj))
            mismatch(obj, s, path);
        return intValue(obj, path);
    case SchemaKind::Float:
        if (PyFloat_Check(obj))
            return Value::fromFloat(PyFloat_AS_DOUBLE(obj));
        if (PyLong_Check(obj) && !PyBool_Check(obj)) {
            double d = PyLong_AsDouble(obj);
            if (d == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                fail(path, "int too large to convert to float", ErrorKind::Overflow);
            }
            return Value::fromFloat(d);
        }
        mismatch(obj, s, path);
    case SchemaKind::Str:
        if (!PyUnicode_Check(obj))
            mismatch(obj, s, path);
        return strValue(obj);
    case SchemaKind::Bytes:
        if (!isBytesLike(obj))
            mismatch(obj, s, path);
        return bytesValue(obj);
    case SchemaKind::List:
    case SchemaKind::TupleVar:
    case SchemaKind::Tuple:
        return sequenceValue(obj, s, path);
    case SchemaKind::DictStr:
    case SchemaKind::DictInt:
        return dictValue(obj, s, path, false);
    case SchemaKind::Optional:
        if (obj == Py_None)
            return Value();
        return fromPython(obj, s.arg(), path);
    case SchemaKind::Union: {
        for (const Schema& m : s.args())
            if (exactMatch(obj, m))
                return fromPython(obj, m, path);
        if (isStaleObject(obj)) {
            // Say why a member that names its key refuses it, not only that none matched.
            const typesys::TypeInfo& t = reinterpret_cast<PyObj*>(obj)->node->type();
            for (const Schema& m : s.args())
                if (m.kind() == SchemaKind::Any || m.kind() == SchemaKind::AnyObject ||
                    (m.kind() == SchemaKind::Named && t.isSubtypeOf(m.key())))
                    fail(path, staleText(t));
        }
        for (const Schema& m : s.args()) {
            try {
                return fromPython(obj, m, path);
            } catch (const typesys::Error&) {   // not this member: try the next
            }
        }
        mismatch(obj, s, path);
    }
    case SchemaKind::Literal: return literalValue(obj, s, path);
    case SchemaKind::Named: return namedValue(obj, s, path);
    case SchemaKind::AnyObject:
        if (!isObject(obj) || !reinterpret_cast<PyObj*>(obj)->node)
            mismatch(obj, s, path);
        return currentObject(reinterpret_cast<PyObj*>(obj)->node, path);
    case SchemaKind::Opaque: return opaqueValue(obj, s, path);
    }
    mismatch(obj, s, path);
}

} // namespace typehost::detail
