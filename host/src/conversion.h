#pragma once
// Strict conversion between Python objects and typesys values, driven by the field schema
// (the table in docs/python-api.md). This is on the hot path of __init__ and setattr.

#include <Python.h>

#include <typesys/error.h>
#include <typesys/schema.h>
#include <typesys/value.h>

#include <string>
#include <utility>
#include <vector>

namespace typesys { class Registry; class TypeInfo; }

namespace typehost::detail {

// A value that does not fit its schema: where, why, and which Python exception it becomes
// (TypeError, or OverflowError for ints outside int64).
struct ConvertError {
    typesys::Path path;
    std::string reason;
    PyObject* excType;
};

// Thrown when a Python error is already set (e.g. a failing __index__ or a MemoryError).
struct PythonErrorSet {};

// The process-wide registry the host and the typehost module share.
typesys::Registry& hostRegistry();

// Python -> Value. Throws ConvertError or PythonErrorSet; path is the position of `obj`.
typesys::Value fromPython(PyObject* obj, const typesys::Schema& schema, typesys::Path& path);

// Value -> Python, shaped by the schema (enum members, tuples, live container views).
// New reference, or null with a Python error set.
PyObject* toPython(const typesys::Value& value, const typesys::Schema& schema);

// The immortal node the intern cache holds for str obj, or null (not interned, not cached).
typesys::StrNode* cachedInternedStr(PyObject* obj);

// Raises the Python exception for a conversion error, prefixed with e.g. "geo.Point.x".
void raiseConvertError(const ConvertError& e, const std::string& prefix);

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

// A Python exception that must reach Python as itself (KeyboardInterrupt, SystemExit) although
// it was raised under C++ code that reports failures as typesys::Error (the JSON reader calling
// a default_factory). stashPythonError() moves the pending error into a per-thread slot (GIL
// held); restoreStashedError() raises it again and returns true, or returns false when the
// slot is empty.
void stashPythonError();
bool restoreStashedError();

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
