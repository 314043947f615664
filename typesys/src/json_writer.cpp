// Writes JSON straight from value and object storage: no DOM, one output buffer.

#include "typesys/json.h"

#include "typesys/object.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace typesys {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void appendBase64(std::string& m_out, std::string_view b)
{
    size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        uint32_t n = (uint8_t(b[i]) << 16) | (uint8_t(b[i + 1]) << 8) | uint8_t(b[i + 2]);
        char q[4] = {kB64[n >> 18], kB64[(n >> 12) & 63], kB64[(n >> 6) & 63], kB64[n & 63]};
        m_out.append(q, 4);
    }
    if (size_t rest = b.size() - i) {
        uint32_t n = uint8_t(b[i]) << 16;
        if (rest == 2)
            n |= uint8_t(b[i + 1]) << 8;
        m_out += kB64[n >> 18];
        m_out += kB64[(n >> 12) & 63];
        m_out += rest == 2 ? kB64[(n >> 6) & 63] : '=';
        m_out += '=';
    }
}

struct Frame {
    const Node* node;
    size_t index;              // list position or field number
    const std::string* name;   // field name or dict key, when not a list
};

class Writer {
public:
    Writer(std::string& out, const JsonWriteOptions& o) : m_out(out), m_opts(o) {}

    void write(const Value& v)
    {
        switch (v.kind()) {
        case ValueKind::None: m_out += "null"; return;
        case ValueKind::Bool: m_out += v.asBool() ? "true" : "false"; return;
        case ValueKind::Int: {
            char buf[24];
            auto r = std::to_chars(buf, buf + sizeof buf, v.asInt());
            m_out.append(buf, r.ptr);
            return;
        }
        case ValueKind::Float: writeFloat(v.asFloat()); return;
        case ValueKind::Str: writeString(v.asStr()); return;
        case ValueKind::Bytes:
            m_out += "{\"$bytes\":\"";
            appendBase64(m_out, v.asStr());
            m_out += "\"}";
            return;
        case ValueKind::List: writeList(*v.asList()); return;
        case ValueKind::Dict: writeDict(*v.asDict()); return;
        case ValueKind::Object: writeObject(*v.asObject()); return;
        }
    }

private:
    void writeFloat(double d)
    {
        if (!std::isfinite(d)) {
            m_out += std::isnan(d) ? "{\"$float\":\"nan\"}" : (d > 0 ? "{\"$float\":\"inf\"}" : "{\"$float\":\"-inf\"}");
            return;
        }
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, d);   // shortest text that reads back exactly
        bool integral = std::find_if(buf, r.ptr, [](char c) { return c == '.' || c == 'e' || c == 'n'; }) == r.ptr;
        m_out.append(buf, r.ptr);
        if (integral)
            m_out += ".0";   // keeps the float kind on the way back
    }

    void writeString(std::string_view s)
    {
        m_out.reserve(m_out.size() + s.size() + 2);
        m_out += '"';
        size_t run = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            unsigned char c = s[i];
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            m_out.append(s.data() + run, i - run);
            run = i + 1;
            switch (c) {
            case '"': m_out += "\\\""; break;
            case '\\': m_out += "\\\\"; break;
            case '\n': m_out += "\\n"; break;
            case '\t': m_out += "\\t"; break;
            case '\r': m_out += "\\r"; break;
            case '\b': m_out += "\\b"; break;
            case '\f': m_out += "\\f"; break;
            default: {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                m_out += buf;
            }
            }
        }
        m_out.append(s.data() + run, s.size() - run);
        m_out += '"';
    }

    void newline()
    {
        if (m_opts.indent < 0)
            return;
        m_out += '\n';
        m_out.append(size_t(m_opts.indent) * m_stack.size(), ' ');
    }

    const char* colon() const { return m_opts.indent < 0 ? ":" : ": "; }

    void push(const Node* n)
    {
        for (const Frame& f : m_stack)
            if (f.node == n)
                fail("the value contains a cycle");
        if (m_stack.size() >= m_opts.maxDepth)
            fail(fmt::format("nesting deeper than {} levels", m_opts.maxDepth));
        m_stack.push_back({n, 0, nullptr});
    }

    [[noreturn]] void fail(const std::string& reason)
    {
        Path path;
        for (const Frame& f : m_stack) {
            if (f.node->kind == NodeKind::List)
                path.push_back({PathStep::Index, {}, f.index});
            else if (f.name)
                path.push_back({f.node->kind == NodeKind::Dict ? PathStep::Key : PathStep::Field, *f.name, 0});
        }
        std::string where = formatPointer(path);
        throw Error(ErrorKind::Validation, where.empty() ? reason : where + ": " + reason, path, reason);
    }

    void writeList(const ListNode& l)
    {
        push(&l);
        auto items = l.snapshot();
        m_out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                m_out += ',';
            m_stack.back().index = i;
            newline();
            write(items[i]);
        }
        m_stack.pop_back();
        if (!items.empty())
            newline();
        m_out += ']';
    }

    void writeDict(const DictNode& d)
    {
        push(&d);
        auto items = d.snapshot();
        bool intKeys = d.keyKind() == DictNode::IntKeys;
        m_out += '{';
        std::string key;
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                m_out += ',';
            newline();
            const Value& k = items[i].first;
            if (intKeys)
                key = std::to_string(k.asInt());
            else
                key.assign(k.asStr());
            m_stack.back().name = &key;
            if (!intKeys && !key.empty() && key[0] == '$')
                writeString("$" + key);
            else
                writeString(key);
            m_out += colon();
            write(items[i].second);
        }
        m_stack.pop_back();
        if (!items.empty())
            newline();
        m_out += '}';
    }

    void writeObject(const ObjectNode& o)
    {
        push(&o);
        const TypeInfo& t = o.type();
        m_out += '{';
        newline();
        m_out += "\"$type\"";
        m_out += colon();
        writeString(t.key);
        Value v;
        for (uint32_t i = 0; i < o.fieldCount(); ++i) {
            const FieldInfo& f = t.fields[i];
            if (!o.get(i, &v))
                continue;
            m_stack.back().name = &f.name;
            m_out += ',';
            newline();
            writeString(f.name);
            m_out += colon();
            write(v);
        }
        m_stack.pop_back();
        newline();
        m_out += '}';
    }

    std::string& m_out;
    const JsonWriteOptions& m_opts;
    std::vector<Frame> m_stack;
};

int b64Value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

} // namespace

void appendJson(std::string& out, const Value& value, const JsonWriteOptions& options)
{
    Writer(out, options).write(value);
}

std::string toJson(const Value& value, const JsonWriteOptions& options)
{
    std::string out;
    appendJson(out, value, options);
    return out;
}

// Hand-written rather than libb64 (Debian's build wraps lines at 72 columns and its decoder
// skips invalid characters, where we must reject them).
std::string base64Encode(std::string_view bytes)
{
    std::string out;
    appendBase64(out, bytes);
    return out;
}

std::string base64Decode(std::string_view text)
{
    if (text.size() % 4 != 0)
        throw Error(ErrorKind::Validation, "invalid base64: length is not a multiple of 4");
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int j = 0; j < 4; ++j) {
            char c = text[i + j];
            if (c == '=' && i + 4 == text.size() && j >= 2) {
                v[j] = 0;
                ++pad;
                continue;
            }
            if (pad || (v[j] = b64Value(c)) < 0)
                throw Error(ErrorKind::Validation,
                            fmt::format("invalid base64: unexpected character at offset {}", i + j));
        }
        uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        out += char(n >> 16);
        if (pad < 2)
            out += char((n >> 8) & 0xff);
        if (pad < 1)
            out += char(n & 0xff);
    }
    return out;
}

} // namespace typesys
