// Python <-> Value conversion: what both directions share (conversion_impl.h). The directions
// themselves: from_python.cpp and to_python.cpp.

#include "conversion.h"

#include "conversion_impl.h"

#include <typesys/registry.h>

#include <fmt/format.h>

#include <unordered_map>

namespace typehost::detail {


typesys::Registry& hostRegistry()
{
    // Never destroyed: C++ code that runs without the GIL (the JSON error collector, the
    // writer) reads it, and a daemon thread may still be inside such a call when the process
    // exits; a static destructor at exit would free the registry under it.
    static auto* registry = new typesys::Registry();
    return *registry;
}

std::string pyTypeName(PyObject* obj)
{
    if (obj == Py_None)
        return "None";
    return Py_TYPE(obj)->tp_name;
}

namespace {
thread_local bool t_staleAccepted = false;
}

bool staleAccepted() noexcept { return t_staleAccepted; }

StaleAccepted::StaleAccepted() noexcept : m_before(t_staleAccepted) { t_staleAccepted = true; }
StaleAccepted::~StaleAccepted() { t_staleAccepted = m_before; }

std::string staleText(const typesys::TypeInfo& t)
{
    if (!hostRegistry().find(t.key))
        return fmt::format("{}; {} is no longer registered", t.staleInstanceText(), t.key);
    return fmt::format("{}; make a current one with typehost.migrate(value), or construct a new {}",
                       t.staleInstanceText(), t.key);
}

namespace {

std::unordered_map<std::string, OpaqueClass>& opaqueClasses()
{
    static auto* classes = new std::unordered_map<std::string, OpaqueClass>();   // lives with the process
    return *classes;
}

} // namespace

const OpaqueClass* findOpaque(const std::string& name)
{
    auto& classes = opaqueClasses();
    auto it = classes.find(name);
    return it == classes.end() ? nullptr : &it->second;
}

void registerOpaque(const std::string& name, PyObject* cls, PyObject* dump, PyObject* load)
{
    auto& classes = opaqueClasses();
    Py_INCREF(cls);
    Py_INCREF(dump);
    Py_INCREF(load);
    auto it = classes.find(name);
    if (it != classes.end()) {
        OpaqueClass old = it->second;
        it->second = {cls, dump, load};
        Py_DECREF(old.cls);
        Py_DECREF(old.dump);
        Py_DECREF(old.load);
        return;
    }
    classes.emplace(name, OpaqueClass{cls, dump, load});
}

} // namespace typehost::detail
