#include "typesys/error.h"

#include <fmt/format.h>

namespace typesys {

const char* errorKindName(ErrorKind k) noexcept
{
    switch (k) {
    case ErrorKind::Parse: return "parse";
    case ErrorKind::Validation: return "validation";
    case ErrorKind::Registration: return "registration";
    case ErrorKind::Lookup: return "lookup";
    case ErrorKind::Overflow: return "overflow";
    case ErrorKind::Changed: return "changed";
    case ErrorKind::Internal: return "internal";
    }
    return "unknown";
}

std::string formatPath(const Path& path)
{
    std::string out;
    for (const PathStep& s : path) {
        switch (s.kind) {
        case PathStep::Field:
            if (!out.empty())
                out += '.';
            out += s.name;
            break;
        case PathStep::Key:
            out += "['";
            for (char c : s.name) {
                if (static_cast<unsigned char>(c) < 0x20) {
                    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                    continue;
                }
                if (c == '\'' || c == '\\')
                    out += '\\';
                out += c;
            }
            out += "']";
            break;
        case PathStep::Index:
            out += fmt::format("[{}]", s.index);
            break;
        case PathStep::IntKey:
            out += '[';
            out += s.name;
            out += ']';
            break;
        }
    }
    return out;
}

std::string formatPointer(const Path& path)
{
    std::string out;
    for (const PathStep& s : path) {
        out += '/';
        if (s.kind == PathStep::Index) {
            out += std::to_string(s.index);
            continue;
        }
        for (char c : s.name) {
            if (c == '~')
                out += "~0";
            else if (c == '/')
                out += "~1";
            else if (static_cast<unsigned char>(c) < 0x20)
                // Messages are C strings (what()): a NUL would cut them short, and control
                // characters would garble a terminal. Shown JSON-style instead.
                out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
            else
                out += c;
        }
    }
    return out;
}

Error::Error(ErrorKind kind, std::string message, Path path, std::string reason)
    : std::runtime_error(std::move(message))
    , m_kind(kind)
    , m_path(std::move(path))
    , m_reason(reason.empty() ? std::string(what()) : std::move(reason))
{
}

} // namespace typesys
