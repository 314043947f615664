// Registering decorated classes and enums from their specs (specs.h): TypeInfo building,
// the batch registration and attaching the classes, all or nothing.

#include "specs.h"

#include "bindings.h"
#include "conversion.h"
#include "factories.h"
#include "host_type.h"
#include "install.h"
#include "py_text.h"

#include <typesys/registry.h>
#include <typesys/type_builder.h>

#include <fmt/format.h>

namespace py = pybind11;

namespace typehost::detail {

namespace {

using typesys::Schema;
using typesys::TypeRef;
using typesys::Value;

// A class or enum that cannot be registered: RegistrationError (error_boundary.h).
[[noreturn]] void registrationFailure(std::string message)
{
    throw typesys::Error(typesys::ErrorKind::Registration, std::move(message));
}

Value scalarFromPython(py::handle obj, const std::string& where)
{
    typesys::Path path;
    return translated(Boundary::Registration, [&] { return fromPython(obj.ptr(), Schema::any(), path); },
                      where + ": ");
}

// A text of the spec as UTF-8, where pybind11's cast would raise an opaque cast error;
// RegistrationError for a non-str (a class's __doc__ may be anything).
std::string textOf(py::handle h)
{
    if (!PyUnicode_Check(h.ptr()))
        registrationFailure(fmt::format("expected a str in the class spec, got {}", pyTypeName(h.ptr())));
    Py_ssize_t n = 0;
    const char* u = PyUnicode_AsUTF8AndSize(h.ptr(), &n);
    if (!u) {
        PyErr_Clear();
        PyObject* r = PyObject_Repr(h.ptr());
        std::string shown = utf8Text(r);
        Py_XDECREF(r);
        registrationFailure(fmt::format("{} cannot be encoded as UTF-8 (it holds a lone surrogate); type keys, "
                                        "names, docs and annotations must be valid text", shown));
    }
    return {u, size_t(n)};
}

std::string optionalText(py::handle h) { return h.is_none() ? std::string() : textOf(h); }

HashMode hashMode(const std::string& s)
{
    if (s == "fields") return HashMode::Fields;
    if (s == "unhashable") return HashMode::Unhashable;
    if (s == "keep") return HashMode::Keep;
    return HashMode::Identity;
}

struct ClassJob {
    PyTypeObject* cls;
    TypeRef info;
    ClassOptions options;
    py::list keepAlive;   // borrowed pointers in options point into these
};

typesys::FieldInfo buildField(const FieldSpec& f, const std::string& key, ClassJob& job)
{
    typesys::FieldInfo fi;
    fi.name = textOf(f.name);
    std::string where = fmt::format("{}.{}", key, fi.name);
    std::string schemaText = textOf(f.schema);
    fi.schema = translated(Boundary::Registration, [&] { return Schema::parse(schemaText); },
                           where + ": invalid annotation: ");
    if (f.hasDefault) {
        typesys::Path path;
        fi.defaultValue = translated(Boundary::Registration,
                                     [&] { return fromPython(f.defaultValue.ptr(), fi.schema, path); },
                                     where + ": default ");
        fi.defaultRepr = optionalText(f.defaultRepr);
    }
    if (f.defaultFactory && !f.defaultFactory.is_none()) {
        fi.defaultFactory = wrapFactory(f.defaultFactory.ptr(), fi.schema, where);
        job.keepAlive.append(f.defaultFactory);
        job.options.factories.emplace_back(fi.name, f.defaultFactory.ptr());
    }
    fi.init = f.init;
    fi.repr = f.repr;
    fi.compare = f.compare;
    fi.hash = f.hash;
    fi.kwOnly = f.kwOnly;
    fi.doc = optionalText(f.doc);
    fi.metadataJson = textOf(f.metadata);
    fi.pythonAnnotation = textOf(f.annotation);
    return fi;
}

TypeRef buildObjectType(const TypeSpec& spec, ClassJob& job)
{
    std::string key = textOf(spec.key);
    typesys::TypeBuilder b(key);
    b.origin(typesys::TypeOrigin::Python);
    if (!spec.parent.is_none())
        b.parent(textOf(spec.parent));
    b.doc(textOf(spec.doc));
    b.frozen(spec.frozen);
    b.source(textOf(spec.file), spec.line);
    for (const FieldSpec& f : spec.fields)
        b.field(buildField(f, key, job));
    ClassOptions& o = job.options;
    o.init = spec.init;
    o.repr = spec.repr;
    o.eq = spec.eq;
    o.order = spec.order;
    o.frozen = spec.frozen;
    o.hash = hashMode(textOf(spec.hash));
    b.hashable(spec.hashable);
    o.postInit = spec.postInit;
    o.vectorcall = !spec.userInit;
    o.hasParams = true;
    for (const ParamSpec& p : spec.params) {
        ParamOption ip;
        ip.name = textOf(p.name);
        ip.isField = p.isField;
        ip.kwOnly = p.kwOnly;
        if (p.hasDefault) {
            job.keepAlive.append(p.defaultValue);
            ip.defaultObj = p.defaultValue.ptr();
        }
        o.params.push_back(ip);
    }
    if (!PyType_Check(spec.cls.ptr()))
        registrationFailure(fmt::format("{}: the spec's cls is not a class", key));
    job.cls = reinterpret_cast<PyTypeObject*>(spec.cls.ptr());
    return b.build();
}

TypeRef buildEnumType(const EnumSpec& spec)
{
    std::string key = textOf(spec.key);
    typesys::TypeBuilder b(key);
    b.origin(typesys::TypeOrigin::Python);
    b.doc(textOf(spec.doc));
    for (const auto& [nameObj, value] : spec.members) {
        std::string name = textOf(nameObj);
        Value v = scalarFromPython(value, fmt::format("{}.{}", key, name));
        if (v.kind() != typesys::ValueKind::Int && v.kind() != typesys::ValueKind::Str)
            registrationFailure(fmt::format("{}: enum member {} must have a str or int value, not {}", key, name,
                                            pyTypeName(value.ptr())));
        b.member(name, std::move(v));
    }
    return b.build();
}

} // namespace

void registerSpecs(const std::vector<EnumSpec>& enumSpecs, const std::vector<TypeSpec>& typeSpecs,
                   const std::string& owner)
{
    // Field defaults may be members of an enum registered in this very batch.
    PendingEnums pendingEnums;
    for (const EnumSpec& e : enumSpecs)
        pendingEnums.classes.emplace_back(textOf(e.key), e.cls.ptr());
    struct Scope {
        explicit Scope(const PendingEnums* e) { setPendingEnums(e); }
        ~Scope() { setPendingEnums(nullptr); }
    } scope(&pendingEnums);

    std::vector<TypeRef> batch;
    std::vector<TypeRef> enumInfos;
    for (const EnumSpec& e : enumSpecs) {
        enumInfos.push_back(buildEnumType(e));
        batch.push_back(enumInfos.back());
    }
    std::vector<ClassJob> classes(typeSpecs.size());
    for (size_t i = 0; i < typeSpecs.size(); ++i) {
        classes[i].info = buildObjectType(typeSpecs[i], classes[i]);
        batch.push_back(classes[i].info);
    }
    // What installEnum/installClass need is checked before the commit, so that after it nothing
    // fails short of running out of memory (a failed decoration leaves nothing registered).
    for (size_t i = 0; i < enumSpecs.size(); ++i) {
        PyObject* map = PyObject_GetAttrString(enumSpecs[i].cls.ptr(), "_value2member_map_");
        if (!map)
            throw py::error_already_set();
        bool isDict = PyDict_Check(map);
        Py_DECREF(map);
        if (!isDict)
            registrationFailure(fmt::format("{}: the enum class has no _value2member_map_ dict", enumInfos[i]->key));
    }
    // (A parameter naming no field cannot be checked here, since inherited fields are resolved
    // by the registration; the decorator builds parameters from the fields it registers.)
    typesys::Registry& registry = hostRegistry();
    std::vector<TypeRef> previous;
    for (const TypeRef& t : batch)
        if (TypeRef old = registry.find(t->key))
            previous.push_back(old);
    translated(Boundary::Registration, [&] { registry.registerTypes(batch, owner); });
    // Committed: attach classes. Nothing below fails short of running out of memory.
    for (size_t i = 0; i < enumSpecs.size(); ++i)
        if (!installEnum(enumInfos[i].get(), enumSpecs[i].cls.ptr()))
            throw py::error_already_set();
    for (ClassJob& c : classes)
        if (!installClass(c.cls, c.info.get(), c.options))
            throw py::error_already_set();
    for (const TypeRef& old : previous)
        releaseClass(old.get());
}

} // namespace typehost::detail
