#pragma once
// What the conversion files share: conversion.cpp (the registry, names, stale and opaque
// bookkeeping), from_python.cpp (Python -> Value) and to_python.cpp (Value -> Python).

#include <Python.h>

#include <string>

namespace typehost::detail {

// An Opaque['name'] class and its plain-form callables (registerOpaque).
struct OpaqueClass {
    PyObject* cls;    // strong references, for the life of the process
    PyObject* dump;
    PyObject* load;
};
const OpaqueClass* findOpaque(const std::string& name);

// Whether a StaleAccepted is alive on this thread.
bool staleAccepted() noexcept;

} // namespace typehost::detail
