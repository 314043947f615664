// _typehost: classes and type information (registration itself: bind_specs.cpp).

#include "typehost/published.h"
#include "bindings.h"
#include "conversion.h"
#include "host_type.h"
#include "install.h"
#include "py_release.h"
#include "py_text.h"
#include "views.h"

#include <typesys/describe.h>
#include <typesys/registry.h>

#include <fmt/format.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace typehost::detail {

namespace {

using typesys::Schema;
using typesys::TypeRef;
using typesys::Value;

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

// type_info's facts: the one description (typesys/describe.h, the shape of show --json, dump
// and the UI export) plus, per field, what only a live Python process has: the default as a
// Python object ("python_default", None without a default) and field(hash=) as given
// ("hash_option": None, True or False; the description's "hash" is whether it is hashed).
py::dict describe(const TypeRef& t)
{
    py::dict d = py::module_::import("json").attr("loads")(typesys::describeJson(*t, -1));
    py::list fields = d["fields"];
    for (size_t i = 0; i < t->fields.size(); ++i) {
        const typesys::FieldInfo& f = t->fields[i];
        py::dict fd = fields[i];
        fd["python_default"] = pyDefault(f);
        fd["hash_option"] = f.hash ? py::object(py::bool_(*f.hash)) : py::object(py::none());
    }
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
