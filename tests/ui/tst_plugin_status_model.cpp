// PluginStatusModel: rows synced by plugin name (insert, remove, move, change; no reset).

#include <typehost/ui/plugin_status_model.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QIcon>

#include "typehost/ui/icons.h"

using typehost::PluginState;
using typehost::PluginStatus;
using typehost::ui::PluginStatusModel;
namespace icons = typehost::ui::icons;

namespace {

PluginStatus status(const std::string& name, PluginState state = PluginState::Loaded, std::vector<std::string> types = {})
{
    PluginStatus s;
    s.name = name;
    s.version = "1.0";
    s.path = "/plugins/" + name + ".py";
    s.state = state;
    s.loadSeconds = 0.0125;
    s.types = std::move(types);
    return s;
}

QStringList names(const PluginStatusModel& m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, 0).data().toString();
    return out;
}

} // namespace

class TstPluginStatusModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldShowStatusColumns();
    void shouldSyncRowsByName();
    void shouldExposeErrorAndTraceback();
    void shouldShowTheWarningsOfALoadedPlugin();
};

void TstPluginStatusModel::shouldShowStatusColumns()
{
    PluginStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStatuses({status("shapes", PluginState::Loaded, {"a.B", "a.C"})});
    QStringList row;
    for (int c = 0; c < PluginStatusModel::ColumnCount; ++c)
        row << model.index(0, c).data().toString();
    QCOMPARE(row, (QStringList{"shapes", "loaded", "1.0", "12.5 ms", "2", "/plugins/shapes.py"}));
    QCOMPARE(model.index(0, PluginStatusModel::TypesColumn).data(Qt::ToolTipRole).toString(), "a.B\na.C");
}

void TstPluginStatusModel::shouldSyncRowsByName()
{
    PluginStatusModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStatuses({status("a"), status("b"), status("c")});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.setStatuses({status("c"), status("a", PluginState::Failed), status("d")});

    QCOMPARE(names(model), (QStringList{"c", "a", "d"}));
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(moved.count(), 1);
    QVERIFY(changed.count() >= 1);
    QCOMPARE(model.index(1, PluginStatusModel::StateColumn).data().toString(), "failed");
    QCOMPARE(model.rowOf("d"), 2);
}

void TstPluginStatusModel::shouldExposeErrorAndTraceback()
{
    PluginStatusModel model;
    PluginStatus s = status("broken", PluginState::Failed);
    s.error = "ValueError: nope";
    s.traceback = "Traceback (most recent call last):\n  File \"/plugins/broken.py\", line 3, in <module>\nValueError: nope\n";
    model.setStatuses({s});
    QCOMPARE(model.index(0, 0).data(PluginStatusModel::ErrorRole).toString(), "ValueError: nope");
    QVERIFY(model.index(0, 0).data(PluginStatusModel::TracebackRole).toString().contains("broken.py\", line 3"));
    QCOMPARE(model.index(0, 0).data(Qt::ToolTipRole).toString(), "ValueError: nope");
    QCOMPARE(model.index(0, PluginStatusModel::LoadTimeColumn).data().toString(), QString());
}

void TstPluginStatusModel::shouldShowTheWarningsOfALoadedPlugin()
{
    PluginStatusModel model;
    PluginStatus s = status("robot");
    s.warnings = {"/p/robot.py:12: robot.Joint.torque: name 'flaot' is not defined",
                  "/p/robot.py:20: robot.Arm.plan: no registered type 'exp.Runn'"};
    model.setStatuses({s, status("quiet")});
    const QModelIndex state = model.index(0, PluginStatusModel::StateColumn);
    QCOMPARE(state.data().toString(), "loaded (2 warnings)");
    QCOMPARE(state.data(Qt::AccessibleTextRole).toString(), "loaded (2 warnings)");
    QCOMPARE(state.data(Qt::ToolTipRole).toString(),
             "/p/robot.py:12: robot.Joint.torque: name 'flaot' is not defined\n"
             "/p/robot.py:20: robot.Arm.plan: no registered type 'exp.Runn'");
    QCOMPARE(model.index(1, PluginStatusModel::StateColumn).data().toString(), "loaded");
    // the icon says so too: the warning triangle, not the loaded mark
    auto image = [](const QVariant& v) { return qvariant_cast<QIcon>(v).pixmap(16, 16).toImage(); };
    QCOMPARE(image(state.data(Qt::DecorationRole)), icons::pluginState("warnings").pixmap(16, 16).toImage());
    QCOMPARE(image(model.index(1, PluginStatusModel::StateColumn).data(Qt::DecorationRole)),
             icons::pluginState("loaded").pixmap(16, 16).toImage());
    QVERIFY(image(state.data(Qt::DecorationRole)) != icons::pluginState("loaded").pixmap(16, 16).toImage());
    s.warnings.pop_back();
    model.setStatuses({s});
    QCOMPARE(model.index(0, PluginStatusModel::StateColumn).data().toString(), "loaded (1 warning)");
}

QTEST_MAIN(TstPluginStatusModel)
#include "tst_plugin_status_model.moc"
