#pragma once
// typehost.List / typehost.Dict: live views on a C++ list or dict that validate every write
// against the element schema. The C bases (_ListBase/_DictBase) hold the node and schema; the
// Python classes in typehost/_views.py add the MutableSequence/MutableMapping mixins.

#include <Python.h>

#include <typesys/schema.h>
#include <typesys/value.h>

#include <string>

namespace typehost::detail {

int initViewTypes(PyObject* module);
// Called by the typehost package with its List and Dict classes (subclasses of the bases).
int setViewClasses(PyObject* listCls, PyObject* dictCls);

bool isListView(PyObject* o);
bool isDictView(PyObject* o);
typesys::ListNode* listViewNode(PyObject* o);
typesys::DictNode* dictViewNode(PyObject* o);
const typesys::Schema& listViewSchema(PyObject* o);   // the element schema
const typesys::Schema& dictViewSchema(PyObject* o);   // the whole dict schema
PyObject* dictViewToDict(PyObject* o);                // new plain dict

// Whether view (a list or dict view) is a view of the node at `nodeBits` (an ObjectNode slot's
// bits) with the field schema `field` (list[T] or dict[K, T]): then a field read may return it.
bool viewMatches(PyObject* view, uint64_t nodeBits, const typesys::Schema& field) noexcept;

// New views (new references); `label` prefixes error messages ("geo.Line.points").
PyObject* makeListView(typesys::ListNode* node, const typesys::Schema& element, const std::string& label = {});
PyObject* makeDictView(typesys::DictNode* node, const typesys::Schema& dict, const std::string& label = {});

} // namespace typehost::detail
