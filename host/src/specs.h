#pragma once
// The records the typehost package hands to _typehost._register: one class or enum to
// register, its fields and its __init__ parameters. Defined here once and bound once
// (bind_specs.cpp); _decorator.py builds them by keyword, so a misspelt or missing option is a
// TypeError where the spec is made. Adding a field option: docs/architecture.md.
//
// Texts stay Python objects until the registration reads them (registration.cpp), so that a
// key, doc or annotation that is not valid text is a RegistrationError naming it, not a cast
// error of the binding.

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace typehost::detail {

// One field a class defines itself (inherited fields come from the parent's TypeInfo).
struct FieldSpec {
    pybind11::object name;             // str
    pybind11::object schema;           // str: the schema text of the annotation
    pybind11::object annotation;       // str: the annotation as written
    pybind11::object doc;              // str or None
    pybind11::object metadata;         // str: JSON text of field(metadata=), "" for none
    bool hasDefault = false;
    pybind11::object defaultValue;     // when hasDefault
    pybind11::object defaultRepr;      // str or None: repr(default) as Python shows it
    pybind11::object defaultFactory;   // a callable or None
    bool init = true;
    bool repr = true;
    bool compare = true;
    std::optional<bool> hash;          // field(hash=): None follows compare
    bool kwOnly = false;
};

// One parameter of the generated __init__, in order: a field, or an InitVar.
struct ParamSpec {
    pybind11::object name;             // str
    bool isField = true;
    bool kwOnly = false;
    bool hasDefault = false;           // an InitVar's default (fields keep theirs in FieldSpec)
    pybind11::object defaultValue = pybind11::none();
};

// A @py_class class.
struct TypeSpec {
    pybind11::object cls;              // the class
    pybind11::object key;              // str
    pybind11::object parent;           // str (the parent's key) or None
    pybind11::object doc;              // str
    pybind11::object file;             // str
    int line = 0;
    bool frozen = false;
    bool init = true;
    bool repr = true;
    bool eq = true;
    bool order = false;
    pybind11::object hash;             // str: "fields", "unhashable" or "identity"
    bool hashable = true;              // hash() works on instances
    bool postInit = false;             // the class has __post_init__
    bool userInit = false;             // the class defines __init__ itself
    std::vector<FieldSpec> fields;
    std::vector<ParamSpec> params;
};

// An enum class a field names, registered in the same batch as the class.
struct EnumSpec {
    pybind11::object cls;              // the enum class
    pybind11::object key;              // str
    pybind11::object doc;              // str
    std::vector<std::pair<pybind11::object, pybind11::object>> members;   // (name, value)
};

// Registers the enums and classes as one batch, all or nothing, under owner; attaches the
// classes. Errors are RegistrationError (error_boundary.h).
void registerSpecs(const std::vector<EnumSpec>& enums, const std::vector<TypeSpec>& types, const std::string& owner);

} // namespace typehost::detail
