#pragma once
// Attaching a registered TypeInfo to a Python class: field descriptors, the __init__ plan and
// the eq/order/hash/repr flags.

#include "host_type.h"

#include <string>
#include <vector>

namespace typehost::detail {

struct ParamOption {
    std::string name;
    bool isField = true;
    bool kwOnly = false;
    PyObject* defaultObj = nullptr;   // borrowed; InitVar defaults only
    PyObject* factory = nullptr;      // borrowed
};

struct ClassOptions {
    bool init = true;
    bool repr = true;
    bool eq = true;
    bool order = false;
    bool frozen = false;
    HashMode hash = HashMode::Identity;
    bool postInit = false;
    bool vectorcall = true;                 // false when the class writes its own __init__
    bool hasParams = false;                 // params given (Python classes); else from fields
    std::vector<ParamOption> params;
    std::vector<std::pair<std::string, PyObject*>> factories;   // field name -> factory (borrowed)
};

// Builds the HostType for (cls, info), stores it in info->hostData, installs the descriptors
// and links class and info. Returns null with a Python error set.
HostType* installClass(PyTypeObject* cls, typesys::TypeInfo* info, const ClassOptions& options);

// The typehost package's function that finishes a class generated for a native type
// (__init__, __match_args__, dataclass interop), registered by the package when it loads
// (typehost._decorator calls _typehost._set_generated_class_hook); takes a reference.
void setGeneratedClassHook(PyObject* hook);

// Builds the HostType of an enum type around its Python enum class.
HostType* installEnum(typesys::TypeInfo* info, PyObject* enumClass);

// Called once a type went stale: the registry stops keeping its class alive.
void releaseClass(typesys::TypeInfo* info);

} // namespace typehost::detail
