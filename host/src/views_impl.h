#pragma once
// What the view files share (views.cpp, list_view.cpp, dict_view.cpp): the C layouts of
// typehost.List and typehost.Dict and the helpers both use. See views.h.

#include "views.h"

#include <typesys/error.h>
#include <typesys/schema.h>
#include <typesys/value.h>

#include <string>

namespace typehost::detail {

struct ListView {
    PyObject_HEAD
    typesys::ListNode* node;   // owns a reference
    typesys::Schema* element;
    std::string* label;
};

struct DictView {
    PyObject_HEAD
    typesys::DictNode* node;   // owns a reference
    typesys::Schema* schema;            // dict[str, T] or dict[int, T]
    std::string* label;
};

extern PyTypeObject g_listBase;   // the C bases (list_view.cpp, dict_view.cpp)
extern PyTypeObject g_dictBase;
extern PyTypeObject* g_listCls;   // the package's Python subclasses (views.cpp), owned
extern PyTypeObject* g_dictCls;

inline ListView* L(PyObject* o) { return reinterpret_cast<ListView*>(o); }
inline DictView* D(PyObject* o) { return reinterpret_cast<DictView*>(o); }

// Converts value for a write into a view; false with the error set, prefixed by the label.
bool viewConvert(PyObject* value, const typesys::Schema& s, const std::string& label, typesys::PathStep step,
                 typesys::Value* out);
// An element read from a view: a nested list or dict becomes a view labelled with its position
// ("geo.Shape.rings[0]"), so that its errors name the whole path.
PyObject* elementToPython(const typesys::Value& v, const typesys::Schema& s, const std::string& label,
                          typesys::PathStep step);
// == and != against the plain list/dict (plainOf makes it); other comparisons NotImplemented.
PyObject* viewCompare(PyObject* self, PyObject* other, int op, PyObject* (*plainOf)(PyObject*));
// The repr of the plain form, "[...]"/"{...}" (again) for a container met again inside itself.
PyObject* viewRepr(PyObject* self, const void* node, PyObject* (*plainOf)(PyObject*), const char* again);
// copy.deepcopy(plain, memo); steals plain.
PyObject* deepcopyOf(PyObject* plain, PyObject* memo);
// tp_new of the bases: views come from fields only.
PyObject* noNew(PyTypeObject* t, PyObject*, PyObject*);

PyObject* listPlain(PyObject* self);       // a new plain list of the elements
PyObject* dictPlainImpl(PyObject* self);   // a new plain dict of the items

} // namespace typehost::detail
