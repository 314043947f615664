#pragma once
// Strict conversion between Python objects and typesys values, driven by the field schema
// (the table in docs/python-api.md). This is on the hot path of __init__ and setattr.

#include <Python.h>

#include "error_boundary.h"

#include <typesys/error.h>
#include <typesys/schema.h>
#include <typesys/value.h>

#include <string>
#include <utility>
#include <vector>

namespace typesys { class Registry; class TypeInfo; }

namespace typehost::detail {

// The process-wide registry the host and the typehost module share.
typesys::Registry& hostRegistry();

// Python -> Value. Throws typesys::Error (Validation; Overflow for an int outside int64 or a
// float's range; Changed for a list or dict that changed size while it was read) or
// PythonErrorSet (error_boundary.h); path is the position of `obj`.
typesys::Value fromPython(PyObject* obj, const typesys::Schema& schema, typesys::Path& path);

// The exact-type fast path of fromPython for str, int, float and bool schemas: true with *out
// set when obj is exactly of the schema's type (an int within int64); false otherwise, with no
// error set (the caller then takes fromPython, which raises with the value's position). May
// throw PythonErrorSet (a str that cannot be encoded).
bool scalarFromPython(PyObject* obj, const typesys::Schema& s, typesys::Value* out);

// Value -> Python, shaped by the schema (enum members, tuples, live container views).
// New reference, or null with a Python error set.
PyObject* toPython(const typesys::Value& value, const typesys::Schema& schema);

// The immortal node the intern cache holds for str obj, or null (not interned, not cached).
typesys::StrNode* cachedInternedStr(PyObject* obj);

// Enum classes of a batch being registered, so that field defaults can be members of an enum
// registered in the same batch. Set for the duration of a registration (Python thread only).
struct PendingEnums {
    std::vector<std::pair<std::string, PyObject*>> classes;   // key -> enum class (borrowed)
};
void setPendingEnums(const PendingEnums* enums);

// Opaque['name'] field types: the Python class, and the callables that turn an instance into
// its plain list/dict form (dump) and back (load). Registered by the typehost package when a
// field names the class; re-registering a name replaces it (a reloaded module's new class).
// An unregistered name is stored and returned in its plain form.
void registerOpaque(const std::string& name, PyObject* cls, PyObject* dump, PyObject* load);

// "got str": the Python type name used in messages.
std::string pyTypeName(PyObject* obj);
// The message for a stale instance of t stored where a current value is expected.
std::string staleText(const typesys::TypeInfo& t);

// While one is alive on this thread, conversion takes a stale instance as it is instead of
// refusing it: for output (to_json, to_builtins), where the JSON writer decides whether the
// current registry would read it back.
class StaleAccepted {
public:
    StaleAccepted() noexcept;
    ~StaleAccepted();
    StaleAccepted(const StaleAccepted&) = delete;
    StaleAccepted& operator=(const StaleAccepted&) = delete;
private:
    bool m_before;
};

} // namespace typehost::detail
