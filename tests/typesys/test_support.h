#pragma once
// Shared helpers for the typesys QtTest files: string conversion for QCOMPARE output and a
// check that an expression throws typesys::Error with an exact kind and message.

#include <QMetaType>
#include <QString>

#include <string>
#include <utility>
#include <vector>
#include <QTest>

#include "typesys/error.h"
#include "typesys/value.h"

#include <optional>
#include <string>
#include <string_view>

Q_DECLARE_METATYPE(typesys::Value)

namespace testsupport {

inline QString qs(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }
inline QString qs(const char* s) { return QString::fromUtf8(s); }
inline QString qs(const std::string& s) { return qs(std::string_view(s)); }
inline QString qs(const QString& s) { return s; }
inline std::string ss(const QString& s) { return s.toStdString(); }

// The typesys::Error thrown by f, or nothing.
template <class F>
std::optional<typesys::Error> errorOf(F&& f)
{
    try {
        f();
    } catch (const typesys::Error& e) {
        return e;
    }
    return std::nullopt;
}

// Short builders for test values (shared by the unit test files).
inline typesys::Value str(std::string_view s) { return typesys::Value::fromStr(s); }
inline typesys::Value num(int64_t i) { return typesys::Value::fromInt(i); }
inline typesys::Value flt(double d) { return typesys::Value::fromFloat(d); }
inline typesys::Value list(std::vector<typesys::Value> items)
{
    return typesys::Value::fromList(typesys::ListNode::make(std::move(items)));
}
inline typesys::Value strDict(std::vector<std::pair<std::string, typesys::Value>> items)
{
    auto d = typesys::DictNode::make(typesys::DictNode::StrKeys);
    for (auto& [k, v] : items)
        d->set(str(k), v);
    return typesys::Value::fromDict(d);
}
inline typesys::Value intDict(std::vector<std::pair<int64_t, typesys::Value>> items)
{
    auto d = typesys::DictNode::make(typesys::DictNode::IntKeys);
    for (auto& [k, v] : items)
        d->set(num(k), v);
    return typesys::Value::fromDict(d);
}
inline typesys::Value nested(int depth, typesys::Value leaf)
{
    typesys::Value v = std::move(leaf);
    for (int i = 0; i < depth; ++i)
        v = list({v});
    return v;
}

} // namespace testsupport

// `expr` must throw typesys::Error of kind `errKind` whose what() is exactly `message`.
#define TYPESYS_VERIFY_ERROR(expr, errKind, message)                                           \
    do {                                                                                       \
        auto err_ = ::testsupport::errorOf([&] { (void)(expr); });                             \
        if (!err_)                                                                             \
            QFAIL("expected typesys::Error from: " #expr);                                     \
        QCOMPARE(::testsupport::qs(err_->what()), ::testsupport::qs(message));                 \
        QCOMPARE(::typesys::errorKindName(err_->kind()), ::typesys::errorKindName(errKind));   \
    } while (0)
