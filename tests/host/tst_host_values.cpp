// Values written from Python are read from C++ on another thread without the GIL; typesys
// errors reach Python as the documented exceptions.

#include "typehost/host.h"
#include "typehost/published.h"
#include "typehost/python_thread.h"

#include <typesys/json.h>
#include <typesys/object.h>
#include <typesys/registry.h>

#include <pybind11/embed.h>

#include <QTest>

#include <algorithm>
#include <atomic>
#include <thread>

namespace py = pybind11;

class TestHostValues : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        typehost::InterpreterOptions options;
        options.installSignalHandlers = false;
        m_python = std::make_unique<typehost::PythonThread>(options);
        m_python->submit([] {
            py::exec(R"(
from typehost import Object, py_class, field, publish

@py_class("hosttest.Point")
class Point(Object):
    x: float
    y: float = 0.0
    label: str = ""
    tags: list[str] = field(default_factory=list)

p = Point(1.0, 2.0, label="start")
publish("hosttest.point", p)
)");
        }).get();
    }
    void cleanupTestCase() { m_python.reset(); }

    void shouldSeePythonTypesInTheRegistryFromCpp()
    {
        typesys::TypeRef t = typehost::registry().find("hosttest.Point");
        QVERIFY(t);
        QCOMPARE(t->origin, typesys::TypeOrigin::Python);
        QCOMPARE(int(t->fields.size()), 4);
        QCOMPARE(QString::fromStdString(t->fields[3].schema.text()), QStringLiteral("list[str]"));
    }

    void shouldReadPublishedObjectsWithoutTheGil()
    {
        typehost::PublishedValue pv;
        QVERIFY(typehost::PublishedValues::instance().find("hosttest.point", &pv));
        QCOMPARE(pv.value.kind(), typesys::ValueKind::Object);
        QCOMPARE(QString::fromStdString(typesys::toJson(pv.value)),
                 QStringLiteral(R"({"$type":"hosttest.Point","x":1.0,"y":2.0,"label":"start","tags":[]})"));
    }

    void shouldReadConsistentValuesWhilePythonWrites()
    {
        typehost::PublishedValue pv;
        QVERIFY(typehost::PublishedValues::instance().find("hosttest.point", &pv));
        typesys::ObjectNode* node = pv.value.asObject();
        std::atomic<bool> stop{false};
        std::atomic<long> reads{0}, bad{0};
        std::thread reader([&] {
            while (!stop) {
                typesys::Value label;
                if (node->get(2, &label)) {
                    std::string_view s = label.asStr();
                    if (s != "start" && s.substr(0, 6) != "label-")
                        ++bad;
                }
                typesys::Value tags = node->get(3);
                for (const typesys::Value& t : tags.asList()->snapshot())
                    if (t.asStr().substr(0, 4) != "tag-")
                        ++bad;
                ++reads;
            }
        });
        m_python->submit([] {
            py::exec(R"(
for i in range(20000):
    p.label = f"label-{i}"
    p.x = float(i)
    p.tags.append(f"tag-{i}")
    if len(p.tags) > 50:
        p.tags = []
)");
        }).get();
        stop = true;
        reader.join();
        QVERIFY(reads > 0);
        QCOMPARE(long(bad), 0L);
        QCOMPARE(node->rawFloat(0), 19999.0);
    }

    // The reverse direction (the UI editing in place while Python reads): C++ replaces the str
    // and list fields while Python reads them through the fast paths (a str field's binding, the
    // cached list view, view indexing, iteration, `in`, ==). Every read must see a whole value.
    void shouldServePythonReadsWhileCppWrites()
    {
        typehost::PublishedValue pv;
        QVERIFY(typehost::PublishedValues::instance().find("hosttest.point", &pv));
        typesys::ObjectNode* node = pv.value.asObject();
        std::atomic<bool> stop{false};
        std::atomic<long> writes{0};
        std::thread writer([&] {
            for (long i = 0; !stop; ++i) {
                node->set(2, typesys::Value::fromStr("cpp-" + std::to_string(i)));
                std::vector<typesys::Value> tags;
                for (long j = 0; j < 3; ++j)
                    tags.push_back(typesys::Value::fromStr("tag-" + std::to_string(i + j)));
                node->set(3, typesys::Value::fromList(typesys::ListNode::make(std::move(tags))));
                ++writes;
            }
        });
        auto bad = m_python->submit([] {
            py::dict out;
            py::exec(R"(
bad = 0
for i in range(20000):
    label = p.label
    if not (label.startswith("cpp-") or label.startswith("label-") or label == "start"):
        bad += 1
    tags = p.tags   # the view of whichever list the field held at this read
    seen = list(tags)
    if any(not t.startswith("tag-") for t in seen):
        bad += 1
    if seen and (seen[0] not in tags or tags.index(seen[0]) != 0 or tags[0] != seen[0]):
        bad += 1
    if tags != tags or tags[-1] != seen[-1]:
        bad += 1
result = bad
)", py::globals(), out);
            return out["result"].cast<long>();
        }).get();
        stop = true;
        writer.join();
        QVERIFY(writes > 0);
        QCOMPARE(bad, 0L);
    }

    void shouldTranslateErrorsOnceAtTheBoundary()
    {
        auto f = m_python->submit([] {
            py::dict out;
            py::exec(R"(
import typehost
errors = {}
try:
    p.x = "text"
except TypeError as e:
    errors["set"] = f"{type(e).__name__}: {e}"
try:
    p.x = 2 ** 2000
except OverflowError as e:
    errors["overflow"] = f"{type(e).__name__}: {e}"
try:
    @typehost.py_class("hosttest.Bad")
    class Bad(typehost.Object):
        s: set
except typehost.RegistrationError as e:
    errors["register"] = type(e).__name__
try:
    typehost.from_json('{"x": "no"}', Point)
except typehost.ValidationError as e:
    errors["json"] = f"{e.path} | {e}"
)", py::globals(), out);
            py::dict errors = out["errors"];
            std::map<std::string, std::string> result;
            for (auto [k, v] : errors)
                result[k.cast<std::string>()] = v.cast<std::string>();
            return result;
        });
        auto errors = f.get();
        QCOMPARE(QString::fromStdString(errors["set"]), QStringLiteral("TypeError: hosttest.Point.x: expected float, got str"));
        QVERIFY(QString::fromStdString(errors["overflow"]).startsWith("OverflowError: hosttest.Point.x"));
        QCOMPARE(QString::fromStdString(errors["register"]), QStringLiteral("RegistrationError"));
        QCOMPARE(QString::fromStdString(errors["json"]), QStringLiteral("/x | /x: expected float, got string"));
    }

    void shouldRestorePublishedValuesAndTellListenersOnRollback()
    {
        auto& values = typehost::PublishedValues::instance();
        using typesys::Value;
        values.publish("ckpt.kept", Value::fromInt(1), typesys::Schema::any());
        values.publish("ckpt.replaced", Value::fromStr("old"), typesys::Schema::any());
        std::vector<std::pair<std::string, bool>> heard;
        const int id = values.subscribe([&heard](const std::string& n, bool removed) {
            if (n.rfind("ckpt.", 0) == 0)
                heard.emplace_back(n, removed);
        });
        values.beginCheckpoint();
        values.publish("ckpt.replaced", Value::fromStr("new"), typesys::Schema::any(), "plugin:x");
        values.publish("ckpt.added", Value::fromInt(2), typesys::Schema::any(), "plugin:x");
        values.unpublish("ckpt.kept");
        heard.clear();
        values.rollbackCheckpoint();
        typehost::PublishedValue pv;
        QVERIFY(values.find("ckpt.kept", &pv) && pv.value.asInt() == 1);
        QVERIFY(values.find("ckpt.replaced", &pv) && pv.value.asStr() == "old" && pv.owner.empty());
        QVERIFY(!values.find("ckpt.added", &pv));
        std::sort(heard.begin(), heard.end());
        QCOMPARE(heard, (std::vector<std::pair<std::string, bool>>{
                            {"ckpt.added", true}, {"ckpt.kept", false}, {"ckpt.replaced", false}}));

        values.beginCheckpoint();   // a committed checkpoint keeps the changes
        values.publish("ckpt.added", Value::fromInt(3), typesys::Schema::any(), "plugin:x");
        values.commitCheckpoint();
        values.rollbackCheckpoint();   // nothing to roll back any more
        QVERIFY(values.find("ckpt.added", &pv) && pv.value.asInt() == 3);

        QCOMPARE(values.removeOwner("plugin:x"), std::vector<std::string>{"ckpt.added"});
        QVERIFY(!values.find("ckpt.added", &pv));
        QVERIFY(values.find("ckpt.kept", &pv));
        values.unsubscribe(id);
        values.unpublish("ckpt.kept");
        values.unpublish("ckpt.replaced");
    }

private:
    std::unique_ptr<typehost::PythonThread> m_python;
};

QTEST_APPLESS_MAIN(TestHostValues)
#include "tst_host_values.moc"
