// _typehost: the registration records (specs.h) and _register. Each record is made by keyword
// only, so a misspelt or missing option is a TypeError where the decorator builds it; flags
// are bools (the decorator reads options by truth value, as dataclasses does).

#include "specs.h"

#include "bindings.h"

#include <pybind11/stl.h>

namespace py = pybind11;

namespace typehost::detail {

void bindSpecs(py::module_& m)
{
    py::class_<FieldSpec>(m, "FieldSpec", "A field a @py_class class defines (typehost._decorator).")
        .def(py::init([](py::object name, py::object schema, py::object annotation, py::object doc,
                         py::object metadata, bool hasDefault, py::object defaultValue, py::object defaultRepr,
                         py::object defaultFactory, bool init, bool repr, bool compare, std::optional<bool> hash,
                         bool kwOnly) {
                 return FieldSpec{std::move(name), std::move(schema), std::move(annotation), std::move(doc),
                                  std::move(metadata), hasDefault, std::move(defaultValue), std::move(defaultRepr),
                                  std::move(defaultFactory), init, repr, compare, hash, kwOnly};
             }),
             py::kw_only(), py::arg("name"), py::arg("schema"), py::arg("annotation"), py::arg("doc"),
             py::arg("metadata"), py::arg("has_default"), py::arg("default"), py::arg("default_repr"),
             py::arg("default_factory"), py::arg("init"), py::arg("repr"), py::arg("compare"), py::arg("hash"),
             py::arg("kw_only"))
        .def_readonly("name", &FieldSpec::name)
        .def_readonly("schema", &FieldSpec::schema)
        .def_readonly("has_default", &FieldSpec::hasDefault)
        .def_readonly("default", &FieldSpec::defaultValue);

    py::class_<ParamSpec>(m, "ParamSpec", "A parameter of a generated __init__: a field or an InitVar.")
        .def(py::init([](py::object name, bool isField, bool kwOnly, bool hasDefault, py::object defaultValue) {
                 return ParamSpec{std::move(name), isField, kwOnly, hasDefault, std::move(defaultValue)};
             }),
             py::kw_only(), py::arg("name"), py::arg("field"), py::arg("kw_only"), py::arg("has_default") = false,
             py::arg("default") = py::none())
        .def_readonly("name", &ParamSpec::name);

    py::class_<TypeSpec>(m, "TypeSpec", "A @py_class class to register (typehost._decorator).")
        .def(py::init([](py::object cls, py::object key, py::object parent, py::object doc, py::object file, int line,
                         bool frozen, bool init, bool repr, bool eq, bool order, py::object hash, bool hashable,
                         bool postInit, bool userInit, std::vector<FieldSpec> fields, std::vector<ParamSpec> params) {
                 return TypeSpec{std::move(cls), std::move(key), std::move(parent), std::move(doc), std::move(file),
                                 line, frozen, init, repr, eq, order, std::move(hash), hashable, postInit, userInit,
                                 std::move(fields), std::move(params)};
             }),
             py::kw_only(), py::arg("cls"), py::arg("key"), py::arg("parent"), py::arg("doc"), py::arg("file"),
             py::arg("line"), py::arg("frozen"), py::arg("init"), py::arg("repr"), py::arg("eq"), py::arg("order"),
             py::arg("hash"), py::arg("hashable"), py::arg("post_init"), py::arg("user_init"), py::arg("fields"),
             py::arg("params"))
        .def_readonly("key", &TypeSpec::key)
        .def_readonly("fields", &TypeSpec::fields);

    py::class_<EnumSpec>(m, "EnumSpec", "An enum class a field names, registered with the class.")
        .def(py::init([](py::object cls, py::object key, py::object doc,
                         std::vector<std::pair<py::object, py::object>> members) {
                 return EnumSpec{std::move(cls), std::move(key), std::move(doc), std::move(members)};
             }),
             py::kw_only(), py::arg("cls"), py::arg("key"), py::arg("doc"), py::arg("members"))
        .def_readonly("key", &EnumSpec::key);

    m.def("_register", &registerSpecs, py::arg("enums"), py::arg("types"), py::arg("owner"),
          "Registers enums and classes as one batch, all or nothing (RegistrationError).");
}

} // namespace typehost::detail
