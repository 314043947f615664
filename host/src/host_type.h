#pragma once
// The C-level layout of Python classes and instances backed by typesys storage.
//
// Every registered class is an instance of the metaclass typehost.ObjectMeta, whose objects
// carry a pointer to their HostType (the per-class plan: field descriptors, __init__
// parameters, eq/order/hash/repr flags). Instances are PyObj: a Python header plus one
// owning pointer to the typesys::ObjectNode that holds the fields.
//
// Lifetime: a class holds a reference to its TypeInfo; the TypeInfo owns the HostType
// (TypeInfo::hostData) and the HostType points back at the class without owning it. The
// registry keeps classes alive through the module-level class table while they are registered.

#include <Python.h>

#include <typesys/object.h>
#include <typesys/type_info.h>

#include <memory>
#include <string>
#include <vector>

namespace typehost::detail {

struct HostType;

struct MetaObj {
    PyHeapTypeObject base;
    HostType* host;            // null until registered (or when pending)
    typesys::TypeInfo* info;   // owns one reference, null until registered
    PyObject* pending;         // str: why the class is still waiting, or null
    // Infos this class had before it was decorated again, each owning one reference: its
    // instances' hosted nodes may still use them (ObjectNode::createHosted). Null when none.
    std::vector<typesys::TypeInfo*>* retired;
    // isinstance/issubclass need ABCMeta's rules (not only the MRO): an ABC that is not a
    // registered class is among the bases, or register() was called on this class.
    bool abcAware;
};

// The views an instance returned for its list and dict fields, by field index, so that a field
// read returns the same view while the field holds the same container (`o.tags is o.tags`, as
// a dataclass returns the list it holds) and a read costs no allocation. Each entry owns its
// view; a view no longer matching its slot (the field was assigned) is replaced on the next
// read. Made on the first container read; freed with the instance.
struct ViewCache {
    uint32_t size;
    PyObject* views[1];   // `size` entries
};

struct PyObj {
    PyObject_HEAD
    typesys::ObjectNode* node;   // owns one reference; node->binding points back here
    ViewCache* views;            // null until a list or dict field is read (pymalloc: same 32-byte class)
};

// Drops the cache of a dying or re-initialized instance (GIL held).
void clearViewCache(PyObj* o) noexcept;

enum class HashMode : unsigned char { Identity, Fields, Unhashable, Keep };

struct FieldAccess {
    HostType* host = nullptr;
    uint32_t index = 0;
    typesys::Schema schema;
    typesys::SchemaKind kind = typesys::SchemaKind::Any;   // schema.kind(), cached for the hot path
    std::string qualified;   // "geo.Point.x", the prefix of conversion errors
    PyObject* name = nullptr;   // interned
    // str fields: the interned str last stored and its immortal node (conversion.h), so storing
    // the same literal again skips the intern-cache lookup. Touched with the GIL held.
    mutable PyObject* lastStr = nullptr;
    mutable typesys::StrNode* lastStrNode = nullptr;
};

struct InitParam {
    PyObject* name = nullptr;     // interned
    int field = -1;               // field index, or -1 for an InitVar
    bool kwOnly = false;
    PyObject* defaultObj = nullptr;   // owned; null when there is none
    PyObject* factory = nullptr;      // owned; null when there is none
};

struct HostType {
    ~HostType();

    typesys::TypeInfo* info = nullptr;   // borrowed: the info owns this
    PyTypeObject* cls = nullptr;         // borrowed; cleared when the class dies
    bool isEnum = false;
    PyObject* enumClass = nullptr;       // owned (enum types)
    PyObject* valueToMember = nullptr;   // owned dict (enum types)

    std::vector<FieldAccess> fields;     // one per TypeInfo field
    std::vector<PyGetSetDef> getsets;    // stable addresses for the descriptors
    std::vector<InitParam> params;       // generated __init__ parameters in order
    size_t positionalCount = 0;
    // The keyword-name tuple of the last call and where each name goes in `params`: call sites
    // pass the same constant tuple every time, so a hit skips matching names. Owned.
    PyObject* kwCacheNames = nullptr;
    std::vector<uint32_t> kwCacheMap;   // keyword k -> parameter
    std::vector<int> kwCachePos;        // parameter -> keyword, or -1
    size_t kwCacheMinIndex = 0;         // the first parameter a cached keyword names
    std::vector<uint32_t> nonInitFields;   // init=False fields: __init__ sets their defaults
    std::vector<uint32_t> compareFields;   // compare=True fields, for == and ordering
    bool compareRecurses = true;           // some compared field is compared through Python
    std::vector<PyObject*> fieldDefaults;   // owned, per field: default object or null
    std::vector<PyObject*> fieldFactories;  // owned, per field: factory or null
    bool init = true;
    bool repr = true;
    bool eq = true;
    bool order = false;
    bool frozen = false;
    HashMode hash = HashMode::Identity;
    bool hasPostInit = false;
    // The generated __init__ function the vectorcall stands in for (owned), and the class's
    // version tag when that was last checked (objectVectorcall): a changed tag means some
    // attribute of the class or a base was set, so the fast path checks again.
    PyObject* fastInit = nullptr;
    unsigned int fastInitTag = 0;
    bool hasInitVars = false;
    // The registry keeps a registered class alive through this reference; it is dropped when
    // the type goes stale (replaced or removed), so old classes die with their last instance.
    PyObject* ownedCls = nullptr;
};

extern PyTypeObject g_metaType;      // the C base of typehost.ObjectMeta
extern PyTypeObject* g_objectMeta;   // typehost.ObjectMeta, the metaclass of every registered class
extern PyTypeObject g_objectType;

inline MetaObj* meta(PyTypeObject* t) { return reinterpret_cast<MetaObj*>(t); }
inline bool isObject(PyObject* o) { return PyObject_TypeCheck(o, &g_objectType); }

// The HostType of the nearest registered class in t's MRO (an undecorated subclass uses its
// registered parent's plan), or null.
HostType* hostOf(PyTypeObject* t);

// Readies the two C types and adds them to module m. Returns -1 with a Python error set.
int initObjectTypes(PyObject* m);

// The Python object for a node: its existing wrapper, or a new one of the type's class.
// New reference; null with a Python error set on failure.
PyObject* wrapNode(typesys::ObjectNode* node);

// The Python class for a type info (generating one for native or orphaned types).
PyTypeObject* classFor(typesys::TypeInfo* info);

// Binds generated __init__ arguments (vectorcall convention) and stores them into self.
// `fresh`: self was created for this call and no other thread can see its node yet.
int bindInit(HostType* host, PyObj* self, PyObject* const* args, size_t nargs, PyObject* kwnames,
             bool fresh = false);

// Sets every unset field of self that has a plain default (not a default_factory): what
// tp_new does before a user-written __init__ runs.
int applyDefaults(HostType* host, PyObj* self);

// The getset functions of field descriptors (closure: the FieldAccess).
PyObject* fieldGet(PyObject* self, void* closure);
int fieldSet(PyObject* self, PyObject* value, void* closure);

// Checks that cls still resolves __init__ to its generated function and __new__ to Object's,
// and records its version tag; false when the fast __init__ must not be used.
bool armFastInit(PyTypeObject* cls);

// tp_vectorcall installed on classes with a generated __init__.
PyObject* objectVectorcall(PyObject* cls, PyObject* const* args, size_t nargsf, PyObject* kwnames);

} // namespace typehost::detail
