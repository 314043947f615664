// _typehost: migration of stale instances to the current version of their type
// (typesys/migrate.h): typehost.migrate() and the published values a reload migrates.

#include "bindings.h"
#include "conversion.h"
#include "host_type.h"
#include "views.h"

#include "typehost/published.h"

#include <typesys/migrate.h>
#include <typesys/object.h>
#include <typesys/registry.h>

#include <fmt/format.h>

namespace py = pybind11;

namespace typehost::detail {

namespace {

// The value a host object or container view stands for (no conversion: a stale object is
// taken as it is). Null for anything else.
bool hostValue(PyObject* obj, typesys::Value* out)
{
    if (isObject(obj)) {
        auto* node = reinterpret_cast<PyObj*>(obj)->node;
        if (!node)
            throw py::type_error("cannot migrate an uninitialized object");
        *out = typesys::Value::fromObject(typesys::Ref<typesys::ObjectNode>::share(node));
        return true;
    }
    if (isListView(obj)) {
        *out = typesys::Value::fromList(typesys::Ref<typesys::ListNode>::share(listViewNode(obj)));
        return true;
    }
    if (isDictView(obj)) {
        *out = typesys::Value::fromDict(typesys::Ref<typesys::DictNode>::share(dictViewNode(obj)));
        return true;
    }
    return false;
}

std::string issuesText(const std::vector<typesys::MigrationIssue>& issues)
{
    std::string text;
    for (const typesys::MigrationIssue& i : issues) {
        if (!text.empty())
            text += "; ";
        std::string where = typesys::formatPath(i.path);
        text += where.empty() ? i.reason : where + ": " + i.reason;
    }
    return text;
}

py::list issuesList(const std::vector<typesys::MigrationIssue>& issues)
{
    py::list out;
    for (const typesys::MigrationIssue& i : issues)
        out.append(py::make_tuple(typesys::formatPointer(i.path), i.reason));
    return out;
}

} // namespace

void bindMigrate(py::module_& m)
{
    m.def("_migrate", [](py::handle value) -> py::object {
        // A host object or view: what it reaches, migrated in place where current, and the
        // migrated value (a new object when value itself is stale). None for other values.
        typesys::Value v;
        if (!hostValue(value.ptr(), &v))
            return py::none();
        typesys::Migrator migrator(hostRegistry());
        // A failure reaches Python as a ValidationError (a KeyboardInterrupt in a default_factory
        // as itself): error_boundary.h.
        typesys::MigrationResult r = migrator.migrate(v);
        if (!r.ok())
            throw typesys::Error(typesys::ErrorKind::Validation,
                                 fmt::format("cannot migrate {}: {}", pyTypeName(value.ptr()), issuesText(r.issues)),
                                 r.issues.front().path);
        // A view keeps its element schema; an object is wrapped by its (current) class.
        const typesys::Schema& s = isListView(value.ptr())   ? listViewSchema(value.ptr())
                                   : isDictView(value.ptr()) ? dictViewSchema(value.ptr())
                                                             : typesys::Schema::any();
        PyObject* out = isListView(value.ptr()) ? makeListView(r.value.asList(), s)
                                                : toPython(r.value, s);
        if (!out)
            throw py::error_already_set();
        return py::reinterpret_steal<py::object>(out);
    }, py::arg("value"));

    m.def("_migrate_published", [] {
        // Every published value that reaches a stale object, migrated (published again, so
        // that listeners see it) or left as it was; one report entry per such value.
        typesys::Migrator migrator(hostRegistry());
        py::list report;
        for (const PublishedValue& pv : PublishedValues::instance().snapshot()) {
            if (!typesys::reachesStale(pv.value))
                continue;
            typesys::MigrationResult r;
            if (std::optional<typesys::Error> e = errorOf([&] { r = migrator.migrate(pv.value); }))
                r.issues.push_back({e->path(), e->what()});
            py::dict entry;
            entry["name"] = pv.name;
            entry["migrated"] = r.ok();
            entry["objects"] = r.migrated;
            entry["issues"] = issuesList(r.issues);
            report.append(entry);
            if (r.ok())
                PublishedValues::instance().publish(pv.name, r.value, pv.schema, pv.owner);
        }
        return report;
    });
}

} // namespace typehost::detail
