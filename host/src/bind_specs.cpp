// _typehost: the registration records (specs.h) and _register. Each record is made by keyword
// only, so a misspelt or missing option is a TypeError where the decorator builds it; flags
// are bools (the decorator reads options by truth value, as dataclasses does).
//
// The keywords are read by one table per record rather than by pybind11's per-argument
// matching, which cost ~2 us per FieldSpec and made decorating a 10-field class 30% slower
// (docs/performance.md).

#include "specs.h"

#include "bindings.h"
#include "py_text.h"

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <array>
#include <bitset>
#include <new>
#include <utility>

namespace py = pybind11;

namespace typehost::detail {

namespace {

template <class T>
struct Keyword {
    const char* name;
    bool required;
    void (*set)(T&, py::handle);
};

py::object object(py::handle v) { return py::reinterpret_borrow<py::object>(v); }

bool flag(py::handle v, const char* name)
{
    if (!PyBool_Check(v.ptr()))
        throw py::type_error(fmt::format("{} must be a bool, got {}", name, Py_TYPE(v.ptr())->tp_name));
    return v.ptr() == Py_True;
}

// Reads the keyword arguments of a record's constructor through its table: identity with the
// interned names first (call sites pass interned keywords), then by text.
template <class T, size_t N>
T fromKeywords(const char* type, const std::array<Keyword<T>, N>& table, const py::args& args, const py::kwargs& kw)
{
    static const std::array<PyObject*, N> names = [&] {
        std::array<PyObject*, N> out{};
        for (size_t i = 0; i < N; ++i)
            out[i] = PyUnicode_InternFromString(table[i].name);   // kept for the life of the process
        return out;
    }();
    if (!args.empty())
        throw py::type_error(fmt::format("{}() takes keyword arguments only", type));
    T out;
    std::bitset<N> seen;
    for (auto [key, value] : kw) {
        size_t i = 0;
        while (i < N && key.ptr() != names[i])
            ++i;
        for (size_t j = 0; i == N && j < N; ++j)
            if (PyUnicode_Check(key.ptr()) && PyUnicode_CompareWithASCIIString(key.ptr(), table[j].name) == 0)
                i = j;
        if (i == N)
            throw py::type_error(fmt::format("{}() got an unexpected keyword argument '{}'", type,
                                             utf8Text(key.ptr())));
        table[i].set(out, value);
        seen.set(i);
    }
    for (size_t i = 0; i < N; ++i)
        if (table[i].required && !seen[i])
            throw py::type_error(fmt::format("{}() missing required keyword argument '{}'", type, table[i].name));
    return out;
}


const std::array<Keyword<FieldSpec>, 14> kFieldKeywords = {{
    {"name", true, [](FieldSpec& f, py::handle v) { f.name = object(v); }},
    {"schema", true, [](FieldSpec& f, py::handle v) { f.schema = object(v); }},
    {"annotation", true, [](FieldSpec& f, py::handle v) { f.annotation = object(v); }},
    {"doc", true, [](FieldSpec& f, py::handle v) { f.doc = object(v); }},
    {"metadata", true, [](FieldSpec& f, py::handle v) { f.metadata = object(v); }},
    {"has_default", true, [](FieldSpec& f, py::handle v) { f.hasDefault = flag(v, "has_default"); }},
    {"default", true, [](FieldSpec& f, py::handle v) { f.defaultValue = object(v); }},
    {"default_repr", true, [](FieldSpec& f, py::handle v) { f.defaultRepr = object(v); }},
    {"default_factory", true, [](FieldSpec& f, py::handle v) { f.defaultFactory = object(v); }},
    {"init", true, [](FieldSpec& f, py::handle v) { f.init = flag(v, "init"); }},
    {"repr", true, [](FieldSpec& f, py::handle v) { f.repr = flag(v, "repr"); }},
    {"compare", true, [](FieldSpec& f, py::handle v) { f.compare = flag(v, "compare"); }},
    {"hash", true, [](FieldSpec& f, py::handle v) {
         f.hash = v.is_none() ? std::nullopt : std::optional<bool>(flag(v, "hash"));
     }},
    {"kw_only", true, [](FieldSpec& f, py::handle v) { f.kwOnly = flag(v, "kw_only"); }},
}};

const std::array<Keyword<ParamSpec>, 5> kParamKeywords = {{
    {"name", true, [](ParamSpec& p, py::handle v) { p.name = object(v); }},
    {"field", true, [](ParamSpec& p, py::handle v) { p.isField = flag(v, "field"); }},
    {"kw_only", true, [](ParamSpec& p, py::handle v) { p.kwOnly = flag(v, "kw_only"); }},
    {"has_default", false, [](ParamSpec& p, py::handle v) { p.hasDefault = flag(v, "has_default"); }},
    {"default", false, [](ParamSpec& p, py::handle v) { p.defaultValue = object(v); }},
}};

// FieldSpec and ParamSpec, of which a class passes one per field, are small C types holding
// the C++ record: a bound pybind11 class costs ~2 us to make, this ~0.5 us (decorating a
// 10-field class: docs/performance.md).
template <class T>
struct RecordObject {
    PyObject_HEAD
    T record;
};

template <class T>
void recordDealloc(PyObject* self)
{
    reinterpret_cast<RecordObject<T>*>(self)->record.~T();   // drops its Python references
    Py_TYPE(self)->tp_free(self);
}

template <class T, size_t N>
PyObject* recordNew(PyTypeObject* type, PyObject* args, PyObject* kwds, const char* name,
                    const std::array<Keyword<T>, N>& table)
{
    try {
        // type.__call__ always passes an args tuple; kwds is null when there are no keywords.
        T parsed = fromKeywords(name, table, py::reinterpret_borrow<py::args>(args),
                                kwds ? py::reinterpret_borrow<py::kwargs>(kwds) : py::kwargs());
        PyObject* self = type->tp_alloc(type, 0);
        if (!self)
            return nullptr;
        new (&reinterpret_cast<RecordObject<T>*>(self)->record) T(std::move(parsed));
        return self;
    } catch (...) {
        return setPythonErrorFromCurrent(Boundary::Registration);
    }
}

PyObject* fieldSpecNew(PyTypeObject* t, PyObject* a, PyObject* k) { return recordNew(t, a, k, "FieldSpec", kFieldKeywords); }
PyObject* paramSpecNew(PyTypeObject* t, PyObject* a, PyObject* k) { return recordNew(t, a, k, "ParamSpec", kParamKeywords); }

template <class T>
const T& recordOf(PyObject* o) { return reinterpret_cast<RecordObject<T>*>(o)->record; }

PyObject* fieldName(PyObject* o, void*) { return Py_NewRef(recordOf<FieldSpec>(o).name.ptr()); }
PyObject* fieldSchema(PyObject* o, void*) { return Py_NewRef(recordOf<FieldSpec>(o).schema.ptr()); }
PyObject* fieldHasDefault(PyObject* o, void*) { return PyBool_FromLong(recordOf<FieldSpec>(o).hasDefault); }
PyObject* fieldDefault(PyObject* o, void*)
{
    PyObject* v = recordOf<FieldSpec>(o).defaultValue.ptr();
    return Py_NewRef(v ? v : Py_None);
}
PyObject* paramName(PyObject* o, void*) { return Py_NewRef(recordOf<ParamSpec>(o).name.ptr()); }

PyGetSetDef fieldSpecGetset[] = {
    {"name", fieldName, nullptr, nullptr, nullptr},
    {"schema", fieldSchema, nullptr, nullptr, nullptr},
    {"has_default", fieldHasDefault, nullptr, nullptr, nullptr},
    {"default", fieldDefault, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};
PyGetSetDef paramSpecGetset[] = {
    {"name", paramName, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

template <class T>
PyTypeObject recordType(const char* name, const char* doc, newfunc make, PyGetSetDef* getset)
{
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = name;
    t.tp_basicsize = sizeof(RecordObject<T>);
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = doc;
    t.tp_dealloc = recordDealloc<T>;
    t.tp_new = make;
    t.tp_getset = getset;
    return t;
}

PyTypeObject g_fieldSpecType = recordType<FieldSpec>(
    "typehost.FieldSpec", "A field a @py_class class defines (typehost._decorator); keywords only.", fieldSpecNew,
    fieldSpecGetset);
PyTypeObject g_paramSpecType = recordType<ParamSpec>(
    "typehost.ParamSpec", "A parameter of a generated __init__: a field or an InitVar; keywords only.", paramSpecNew,
    paramSpecGetset);

template <class T>
std::vector<T> recordList(py::handle list, PyTypeObject* type, const char* what)
{
    std::vector<T> out;
    for (py::handle item : list) {
        if (!PyObject_TypeCheck(item.ptr(), type))
            throw py::type_error(fmt::format("{} must hold {} records, got {}", what, type->tp_name,
                                             Py_TYPE(item.ptr())->tp_name));
        out.push_back(recordOf<T>(item.ptr()));
    }
    return out;
}

const std::array<Keyword<TypeSpec>, 17> kTypeKeywords = {{
    {"cls", true, [](TypeSpec& t, py::handle v) { t.cls = object(v); }},
    {"key", true, [](TypeSpec& t, py::handle v) { t.key = object(v); }},
    {"parent", true, [](TypeSpec& t, py::handle v) { t.parent = object(v); }},
    {"doc", true, [](TypeSpec& t, py::handle v) { t.doc = object(v); }},
    {"file", true, [](TypeSpec& t, py::handle v) { t.file = object(v); }},
    {"line", true, [](TypeSpec& t, py::handle v) { t.line = v.cast<int>(); }},
    {"frozen", true, [](TypeSpec& t, py::handle v) { t.frozen = flag(v, "frozen"); }},
    {"init", true, [](TypeSpec& t, py::handle v) { t.init = flag(v, "init"); }},
    {"repr", true, [](TypeSpec& t, py::handle v) { t.repr = flag(v, "repr"); }},
    {"eq", true, [](TypeSpec& t, py::handle v) { t.eq = flag(v, "eq"); }},
    {"order", true, [](TypeSpec& t, py::handle v) { t.order = flag(v, "order"); }},
    {"hash", true, [](TypeSpec& t, py::handle v) { t.hash = object(v); }},
    {"hashable", true, [](TypeSpec& t, py::handle v) { t.hashable = flag(v, "hashable"); }},
    {"post_init", true, [](TypeSpec& t, py::handle v) { t.postInit = flag(v, "post_init"); }},
    {"user_init", true, [](TypeSpec& t, py::handle v) { t.userInit = flag(v, "user_init"); }},
    {"fields", true, [](TypeSpec& t, py::handle v) { t.fields = recordList<FieldSpec>(v, &g_fieldSpecType, "fields"); }},
    {"params", true, [](TypeSpec& t, py::handle v) { t.params = recordList<ParamSpec>(v, &g_paramSpecType, "params"); }},
}};

const std::array<Keyword<EnumSpec>, 4> kEnumKeywords = {{
    {"cls", true, [](EnumSpec& e, py::handle v) { e.cls = object(v); }},
    {"key", true, [](EnumSpec& e, py::handle v) { e.key = object(v); }},
    {"doc", true, [](EnumSpec& e, py::handle v) { e.doc = object(v); }},
    {"members", true, [](EnumSpec& e, py::handle v) {
         e.members = v.cast<std::vector<std::pair<py::object, py::object>>>();
     }},
}};

} // namespace

void bindSpecs(py::module_& m)
{
    for (auto [type, name] : {std::pair{&g_fieldSpecType, "FieldSpec"}, std::pair{&g_paramSpecType, "ParamSpec"}}) {
        if (PyType_Ready(type) < 0)
            throw py::error_already_set();
        Py_INCREF(type);
        if (PyModule_AddObject(m.ptr(), name, reinterpret_cast<PyObject*>(type)) < 0)
            throw py::error_already_set();
    }

    py::class_<TypeSpec>(m, "TypeSpec", "A @py_class class to register (typehost._decorator).")
        .def(py::init([](const py::args& a, const py::kwargs& kw) { return fromKeywords("TypeSpec", kTypeKeywords, a, kw); }))
        .def_readonly("key", &TypeSpec::key);

    py::class_<EnumSpec>(m, "EnumSpec", "An enum class a field names, registered with the class.")
        .def(py::init([](const py::args& a, const py::kwargs& kw) { return fromKeywords("EnumSpec", kEnumKeywords, a, kw); }))
        .def_readonly("key", &EnumSpec::key);

    m.def("_register", &registerSpecs, py::arg("enums"), py::arg("types"), py::arg("owner"),
          "Registers enums and classes as one batch, all or nothing (RegistrationError).");
}

} // namespace typehost::detail
