// _typehost: registering decorated classes and enums, and reading type information.

#include "typehost/published.h"
#include "bindings.h"
#include "conversion.h"
#include "factories.h"
#include "host_type.h"
#include "install.h"
#include "py_release.h"
#include "py_text.h"
#include "views.h"

#include <typesys/describe.h>
#include <typesys/json.h>
#include <typesys/registry.h>
#include <typesys/type_builder.h>

#include <fmt/format.h>
#include <pybind11/stl.h>

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

// An option or field flag as Python's truth value, as dataclasses reads them (`hash="x"` and
// `frozen=[]` are truthy/falsy, not cast errors); an exception from __bool__ propagates.
bool truthOf(py::handle h)
{
    int r = PyObject_IsTrue(h.ptr());
    if (r < 0)
        throw py::error_already_set();
    return r != 0;
}

// A str of the spec as UTF-8, where pybind11's cast would
// raise an opaque cast error; RegistrationError for a non-str.
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

struct EnumJob {
    TypeRef info;
    py::object enumClass;
};

TypeRef buildObjectType(const py::dict& spec, ClassJob& job)
{
    std::string key = textOf(spec["key"]);
    typesys::TypeBuilder b(key);
    b.origin(typesys::TypeOrigin::Python);
    if (!spec["parent"].is_none())
        b.parent(textOf(spec["parent"]));
    b.doc(textOf(spec["doc"]));
    b.frozen(truthOf(spec["frozen"]));
    b.source(textOf(spec["file"]), spec["line"].cast<int>());
    for (py::handle fh : spec["fields"].cast<py::list>()) {
        py::dict f = fh.cast<py::dict>();
        typesys::FieldInfo fi;
        fi.name = textOf(f["name"]);
        std::string where = fmt::format("{}.{}", key, fi.name);
        std::string schemaText = textOf(f["schema"]);
        fi.schema = translated(Boundary::Registration, [&] { return Schema::parse(schemaText); },
                               where + ": invalid annotation: ");
        if (f.contains("default")) {
            typesys::Path path;
            py::object value = f["default"];
            fi.defaultValue = translated(Boundary::Registration,
                                         [&] { return fromPython(value.ptr(), fi.schema, path); }, where + ": default ");
        }
        if (!f["default_factory"].is_none()) {
            py::object factory = f["default_factory"];
            fi.defaultFactory = wrapFactory(factory.ptr(), fi.schema, where);
            job.keepAlive.append(factory);
            job.options.factories.emplace_back(fi.name, factory.ptr());
        }
        fi.init = truthOf(f["init"]);
        fi.repr = truthOf(f["repr"]);
        fi.compare = truthOf(f["compare"]);
        if (!f["hash"].is_none())
            fi.hash = truthOf(f["hash"]);
        fi.kwOnly = truthOf(f["kw_only"]);
        fi.doc = f["doc"].is_none() ? std::string() : textOf(f["doc"]);
        fi.metadataJson = textOf(f["metadata"]);
        fi.pythonAnnotation = textOf(f["annotation"]);
        if (f.contains("default_repr"))
            fi.defaultRepr = textOf(f["default_repr"]);
        b.field(std::move(fi));
    }
    py::dict flags = spec["flags"];
    ClassOptions& o = job.options;
    o.init = truthOf(flags["init"]);
    o.repr = truthOf(flags["repr"]);
    o.eq = truthOf(flags["eq"]);
    o.order = truthOf(flags["order"]);
    o.frozen = truthOf(spec["frozen"]);
    o.hash = hashMode(textOf(flags["hash"]));
    if (flags.contains("hashable"))
        b.hashable(truthOf(flags["hashable"]));
    o.postInit = truthOf(flags["post_init"]);
    o.vectorcall = !truthOf(flags["user_init"]);
    o.hasParams = true;
    for (py::handle ph : spec["params"].cast<py::list>()) {
        py::dict p = ph.cast<py::dict>();
        ParamSpec ps;
        ps.name = textOf(p["name"]);
        ps.isField = truthOf(p["field"]);
        ps.kwOnly = truthOf(p["kw_only"]);
        if (p.contains("default")) {
            py::object d = p["default"];
            job.keepAlive.append(d);
            ps.defaultObj = d.ptr();
        }
        o.params.push_back(ps);
    }
    job.cls = reinterpret_cast<PyTypeObject*>(spec["cls"].ptr());
    return b.build();
}

TypeRef buildEnumType(const py::dict& spec)
{
    std::string key = textOf(spec["key"]);
    typesys::TypeBuilder b(key);
    b.origin(typesys::TypeOrigin::Python);
    b.doc(textOf(spec["doc"]));
    for (py::handle mh : spec["members"].cast<py::list>()) {
        py::tuple m = mh.cast<py::tuple>();
        std::string name = textOf(m[0]);
        Value v = scalarFromPython(m[1], fmt::format("{}.{}", key, name));
        if (v.kind() != typesys::ValueKind::Int && v.kind() != typesys::ValueKind::Str)
            registrationFailure(fmt::format("{}: enum member {} must have a str or int value, not {}", key, name,
                                            pyTypeName(m[1].ptr())));
        b.member(name, std::move(v));
    }
    return b.build();
}

// Registers a batch of decorated classes and enums, all or nothing.
void registerSpecs(const py::list& specs, const std::string& owner)
{
    std::vector<ClassJob> classes;
    std::vector<EnumJob> enums;
    std::vector<TypeRef> batch;
    classes.reserve(specs.size());
    PendingEnums pendingEnums;
    for (py::handle h : specs) {
        py::dict spec = h.cast<py::dict>();
        if (textOf(spec["kind"]) == "enum")
            pendingEnums.classes.emplace_back(textOf(spec["key"]), spec["cls"].ptr());
    }
    struct Scope {
        explicit Scope(const PendingEnums* e) { setPendingEnums(e); }
        ~Scope() { setPendingEnums(nullptr); }
    } scope(&pendingEnums);
    for (py::handle h : specs) {
        py::dict spec = h.cast<py::dict>();
        if (textOf(spec["kind"]) == "enum") {
            TypeRef info = buildEnumType(spec);
            batch.push_back(info);
            enums.push_back({info, spec["cls"]});
        } else {
            classes.emplace_back();
            TypeRef info = buildObjectType(spec, classes.back());
            classes.back().info = info;
            batch.push_back(info);
        }
    }
    // What installEnum/installClass need is checked before the commit, so that after it nothing
    // fails short of running out of memory (a failed decoration leaves nothing registered).
    for (EnumJob& e : enums) {
        PyObject* map = PyObject_GetAttrString(e.enumClass.ptr(), "_value2member_map_");
        if (!map)
            throw py::error_already_set();
        bool isDict = PyDict_Check(map);
        Py_DECREF(map);
        if (!isDict)
            registrationFailure(fmt::format("{}: the enum class has no _value2member_map_ dict", e.info->key));
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
    for (EnumJob& e : enums)
        if (!installEnum(e.info.get(), e.enumClass.ptr()))
            throw py::error_already_set();
    for (ClassJob& c : classes)
        if (!installClass(c.cls, c.info.get(), c.options))
            throw py::error_already_set();
    for (const TypeRef& old : previous)
        releaseClass(old.get());
}

// The type of a key, instance, class or enum class; null when what is none of them (or a key
// no type is registered under).
TypeRef findInfo(py::handle what)
{
    if (py::isinstance<py::str>(what))
        return hostRegistry().find(utf8Text(what.ptr()));
    if (isObject(what.ptr())) {
        auto* node = reinterpret_cast<PyObj*>(what.ptr())->node;
        if (node)
            return TypeRef::share(node->typePtr());
    }
    if (PyType_Check(what.ptr())) {
        auto* cls = reinterpret_cast<PyTypeObject*>(what.ptr());
        if (PyType_IsSubtype(cls, &g_objectType))
            if (HostType* h = hostOf(cls))   // the nearest registered class in the MRO
                return TypeRef::share(h->info);
        for (const TypeRef& t : hostRegistry().snapshot())   // registered enums
            if (t->kind == typesys::TypeKind::Enum && t->binding &&
                static_cast<HostType*>(t->binding)->enumClass == what.ptr())
                return t;
    }
    return {};
}

// findInfo, or KeyError for an unknown key and TypeError for anything else.
TypeRef infoOf(py::handle what)
{
    if (TypeRef t = findInfo(what))
        return t;
    if (py::isinstance<py::str>(what))
        throw py::key_error(fmt::format("no registered type '{}'", utf8Text(what.ptr())));
    throw py::type_error(fmt::format("{} is not a registered type, key or instance",
                                     py::repr(what).cast<std::string>()));
}

py::object pyDefault(const typesys::FieldInfo& f)
{
    if (!f.defaultValue)
        return py::none();
    PyObject* o = toPython(*f.defaultValue, f.schema);
    if (!o)
        throw py::error_already_set();
    return py::reinterpret_steal<py::object>(o);
}

py::dict describe(const TypeRef& t)
{
    py::dict d;
    d["key"] = t->key;
    d["index"] = t->index;
    d["generation"] = t->generation;
    d["kind"] = t->kind == typesys::TypeKind::Enum ? "enum" : "object";
    d["parent"] = t->parentKey.empty() ? py::object(py::none()) : py::object(py::str(t->parentKey));
    d["origin"] = typesys::originName(t->origin);
    d["owner"] = t->owner;
    d["doc"] = t->doc;
    d["stale"] = t->isStale();
    d["frozen"] = t->frozen;
    d["file"] = t->source.file;
    d["line"] = t->source.line;
    py::list fields;
    for (const typesys::FieldInfo& f : t->fields) {
        py::dict fd;
        fd["name"] = f.name;
        fd["schema"] = f.schema.text();
        fd["has_default"] = f.defaultValue.has_value();
        fd["default"] = pyDefault(f);
        // A default that cannot be written as JSON (an object graph with a cycle) must not make
        // the whole type undescribable: its JSON form is None, its Python form stays.
        py::object defaultJson = py::str(std::string());
        std::string json;
        if (f.defaultValue && errorOf([&] { json = typesys::toJson(*f.defaultValue); }))
            defaultJson = py::none();
        else if (f.defaultValue)
            defaultJson = py::str(json);
        fd["default_json"] = defaultJson;
        fd["has_factory"] = bool(f.defaultFactory);
        fd["init"] = f.init;
        fd["repr"] = f.repr;
        fd["compare"] = f.compare;
        fd["hash"] = f.hash ? py::object(py::bool_(*f.hash)) : py::object(py::none());
        fd["kw_only"] = f.kwOnly;
        fd["doc"] = f.doc;
        fd["metadata"] = f.metadataJson;
        fd["annotation"] = f.pythonAnnotation;
        fd["defined_in"] = f.definedIn;
        fields.append(fd);
    }
    d["fields"] = fields;
    py::list members;
    for (const typesys::EnumMember& m : t->members) {
        PyObject* v = toPython(m.value, Schema::any());
        if (!v)
            throw py::error_already_set();
        members.append(py::make_tuple(m.name, py::reinterpret_steal<py::object>(v)));
    }
    d["members"] = members;
    return d;
}

// The parsed schema as nested tuples, for schema and stub generators written in Python:
// (kind,) for the scalars, Any and Object; ("list" | "dict_str" | "dict_int" | "tuple_var" |
// "optional", child); ("tuple" | "union", (children...)); ("literal", (values...));
// ("named", key); ("opaque", class name, shape or None).
py::tuple schemaTree(const Schema& s)
{
    using typesys::SchemaKind;
    auto children = [](const Schema& x) {
        py::tuple t(x.args().size());
        for (size_t i = 0; i < x.args().size(); ++i)
            t[i] = schemaTree(x.arg(i));
        return t;
    };
    switch (s.kind()) {
    case SchemaKind::Any: return py::make_tuple("any");
    case SchemaKind::None: return py::make_tuple("none");
    case SchemaKind::Bool: return py::make_tuple("bool");
    case SchemaKind::Int: return py::make_tuple("int");
    case SchemaKind::Float: return py::make_tuple("float");
    case SchemaKind::Str: return py::make_tuple("str");
    case SchemaKind::Bytes: return py::make_tuple("bytes");
    case SchemaKind::AnyObject: return py::make_tuple("object");
    case SchemaKind::List: return py::make_tuple("list", schemaTree(s.arg()));
    case SchemaKind::DictStr: return py::make_tuple("dict_str", schemaTree(s.arg()));
    case SchemaKind::DictInt: return py::make_tuple("dict_int", schemaTree(s.arg()));
    case SchemaKind::TupleVar: return py::make_tuple("tuple_var", schemaTree(s.arg()));
    case SchemaKind::Optional: return py::make_tuple("optional", schemaTree(s.arg()));
    case SchemaKind::Tuple: return py::make_tuple("tuple", children(s));
    case SchemaKind::Union: return py::make_tuple("union", children(s));
    case SchemaKind::Literal: {
        py::tuple values(s.literals().size());
        for (size_t i = 0; i < s.literals().size(); ++i) {
            const Value& v = s.literals()[i];
            values[i] = v.kind() == typesys::ValueKind::Int ? py::object(py::int_(v.asInt()))
                                                            : py::object(py::str(std::string(v.asStr())));
        }
        return py::make_tuple("literal", values);
    }
    case SchemaKind::Named: return py::make_tuple("named", s.key());
    case SchemaKind::Opaque:
        return py::make_tuple("opaque", s.key(), s.hasShape() ? py::object(schemaTree(s.arg())) : py::object(py::none()));
    }
    throw py::value_error("unknown schema kind");
}

} // namespace

void bindTypes(py::module_& m)
{
    m.def("_register", &registerSpecs, py::arg("specs"), py::arg("owner"));

    m.def("_init", [](py::handle cls, py::handle self, py::tuple args, py::dict kwargs) {
        // cls must be a class of the family (only those have a MetaObj layout) and self one of
        // its objects; bindInit checks that self's storage fits cls's plan.
        if (!PyObject_TypeCheck(cls.ptr(), &g_metaType) || cls.ptr() == reinterpret_cast<PyObject*>(&g_objectType))
            throw py::type_error(fmt::format("_init() expects a registered typehost class, got {}", pyTypeName(cls.ptr())));
        if (!isObject(self.ptr()))
            throw py::type_error(fmt::format("__init__() requires a typehost object, got {}", pyTypeName(self.ptr())));
        HostType* host = meta(reinterpret_cast<PyTypeObject*>(cls.ptr()))->host;
        if (!host)
            throw py::type_error("class is not registered");
        std::vector<PyObject*> stack;
        for (py::handle a : args)
            stack.push_back(a.ptr());
        py::tuple kwnames(kwargs.size());
        size_t i = 0;
        for (auto [k, v] : kwargs) {
            kwnames[i++] = k;
            stack.push_back(v.ptr());
        }
        if (bindInit(host, reinterpret_cast<PyObj*>(self.ptr()), stack.data(), args.size(),
                     kwargs.size() ? kwnames.ptr() : nullptr) < 0)
            throw py::error_already_set();
    });

    m.def("_set_pending", [](py::handle cls, py::object message) {
        if (!PyObject_TypeCheck(cls.ptr(), &g_metaType) || cls.ptr() == reinterpret_cast<PyObject*>(&g_objectType))
            throw py::type_error("expected a subclass of typehost.Object");
        MetaObj* mo = meta(reinterpret_cast<PyTypeObject*>(cls.ptr()));
        Py_CLEAR(mo->pending);
        if (!message.is_none()) {
            mo->pending = message.ptr();
            Py_INCREF(mo->pending);
        }
    });

    m.def("_set_view_classes", [](py::handle listCls, py::handle dictCls) {
        if (setViewClasses(listCls.ptr(), dictCls.ptr()) < 0)
            throw py::error_already_set();
    });

    m.def("_type_info", [](py::handle what) { return describe(infoOf(what)); });
    // The shared description (typesys/describe.h) as JSON text: type_info().describe(), the
    // CLI's show --json and dump.
    m.def("_describe", [](py::handle what, int indent) { return typesys::describeJson(*infoOf(what), indent); },
          py::arg("what"), py::arg("indent") = -1);
    m.def("_key_of", [](py::handle what) -> py::object {
        TypeRef t = findInfo(what);
        if (!t && py::isinstance<py::str>(what))
            return py::str(infoOf(what)->key);   // KeyError: no type under that key
        return t ? py::object(py::str(t->key)) : py::object(py::none());
    });
    m.def("_registered_class_key", [](py::handle cls) -> py::object {
        // The key of cls itself if cls (not a parent) is a registered class.
        if (!PyObject_TypeCheck(cls.ptr(), &g_metaType) || cls.ptr() == reinterpret_cast<PyObject*>(&g_objectType))
            return py::none();
        MetaObj* mo = meta(reinterpret_cast<PyTypeObject*>(cls.ptr()));
        if (!mo->host || mo->host->cls != reinterpret_cast<PyTypeObject*>(cls.ptr()))
            return py::none();
        return py::str(mo->info->key);
    });
    m.def("_set_generated_class_hook", [](py::handle hook) {
        if (!PyCallable_Check(hook.ptr()))
            throw py::type_error("the generated-class hook must be callable");
        setGeneratedClassHook(hook.ptr());
    }, "Registers the function that finishes classes generated for native types (typehost._decorator).");
    m.def("_enable_fast_init", [](py::handle cls, bool allowed) {
        // Re-arms the vectorcall __init__ after the package has set class attributes.
        if (!PyObject_TypeCheck(cls.ptr(), &g_metaType))
            throw py::type_error("expected a typehost class");
        auto* t = reinterpret_cast<PyTypeObject*>(cls.ptr());
        MetaObj* mo = meta(t);
        if (!allowed || !mo->host || mo->host->cls != t || !mo->host->init) {
            t->tp_vectorcall = nullptr;
            return false;
        }
        // The generated __init__ the C path stands in for; objectVectorcall checks that the class
        // still resolves __init__ to it (and __new__ to Object's) before bypassing it.
        PyObject* init = PyDict_GetItemString(t->tp_dict, "__init__");   // borrowed
        Py_XINCREF(init);
        Py_XSETREF(mo->host->fastInit, init);
        t->tp_vectorcall = objectVectorcall;
        return armFastInit(t);
    });
    m.def("type_keys", [] { return hostRegistry().keys(); }, "The keys of all registered types, sorted.");
    m.def("_get_class", [](const std::string& key) -> py::object {
        TypeRef t = hostRegistry().find(key);
        if (!t)
            throw py::key_error(fmt::format("no registered type '{}'", key));
        if (t->kind == typesys::TypeKind::Enum) {
            auto* h = static_cast<HostType*>(t->binding);
            if (!h || !h->enumClass)
                throw py::type_error(fmt::format("enum '{}' has no Python class", key));
            return py::reinterpret_borrow<py::object>(h->enumClass);
        }
        PyTypeObject* cls = classFor(t.get());
        if (!cls)
            throw py::error_already_set();
        return py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(cls));
    });
    m.def("_remove_owner", [](const std::string& owner) {
        PublishedValues::instance().removeOwner(owner);   // what the owner published and left
        std::vector<std::string> keys;
        for (const TypeRef& t : hostRegistry().removeOwner(owner)) {
            keys.push_back(t->key);
            releaseClass(t.get());
        }
        return keys;
    });
    m.def("_remove", [](const std::vector<std::string>& keys, const std::string& owner) {
        translated(Boundary::Registration, [&] {
            for (const TypeRef& t : hostRegistry().remove(keys, owner))
                releaseClass(t.get());
        });
    });
    m.def("_parse_schema", [](const std::string& text) {
        return translated(Boundary::Schema, [&] { return Schema::parse(text).text(); });
    });
    m.def("_schema_tree", [](const std::string& text) {
        return translated(Boundary::Schema, [&] { return schemaTree(Schema::parse(text)); });
    });
    m.def("_register_opaque", [](const std::string& name, py::handle cls, py::handle dump, py::handle load) {
        registerOpaque(name, cls.ptr(), dump.ptr(), load.ptr());
    });
    m.def("_unresolved", [](const std::string& key) {
        TypeRef t = hostRegistry().find(key);
        return t ? hostRegistry().unresolvedReferences(*t) : std::vector<std::string>{};
    });
    m.def("_owner_of", [](const std::string& key) -> py::object {
        TypeRef t = hostRegistry().find(key);
        return t ? py::object(py::str(t->owner)) : py::object(py::none());
    });
}

} // namespace typehost::detail
