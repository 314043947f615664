// Writes JSON straight from value and object storage: no DOM, one output buffer.

#include "typesys/json.h"

#include "typesys/object.h"
#include "typesys/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace typesys {

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Bytes that a JSON string cannot hold as they are: controls, '"' and '\\'.
constexpr bool needsEscape(unsigned char c) noexcept { return c < 0x20 || c == '"' || c == '\\'; }

// True when one of the 8 bytes of w needs an escape (exact: no false positives or misses).
inline bool anyNeedsEscape(uint64_t w) noexcept
{
    constexpr uint64_t ones = 0x0101010101010101ull;
    constexpr uint64_t high = 0x8080808080808080ull;
    uint64_t below20 = (w - ones * 0x20) & ~w;
    uint64_t q = w ^ (ones * '"');
    uint64_t b = w ^ (ones * '\\');
    return ((below20 | ((q - ones) & ~q) | ((b - ones) & ~b)) & high) != 0;
}

// Output buffer over the caller's string: the string is sized ahead and trimmed at the end,
// so appending is a bounds check and a copy.
class Buffer {
public:
    explicit Buffer(std::string& s) : m_str(s), m_len(s.size())
    {
        m_str.resize(m_len + 256);
        m_buf = m_str.data();
        m_cap = m_str.size();
    }
    // Also on an exception: the caller sees what was written up to there, nothing more.
    ~Buffer() { m_str.resize(m_len); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    // Room for n more bytes; write them at the returned pointer, then commit().
    char* room(size_t n)
    {
        if (m_cap - m_len < n)
            grow(n);
        return m_buf + m_len;
    }
    void commit(char* end) noexcept { m_len = size_t(end - m_buf); }
    void put(char c) { *room(1) = c; ++m_len; }
    void put(std::string_view s)
    {
        std::memcpy(room(s.size()), s.data(), s.size());
        m_len += s.size();
    }

private:
    // The string's size runs at most a window ahead of what is written: resize() zero-fills,
    // and filling (so touching) all of a doubled capacity would cost more than the copying.
    void grow(size_t n)
    {
        size_t want = m_len + std::max(n, std::clamp<size_t>(m_len / 8, 256, 65536));
        if (want > m_str.capacity())
            m_str.reserve(std::max(want, m_str.capacity() * 2));
        m_str.resize(want);
        m_buf = m_str.data();
        m_cap = m_str.size();
    }

    std::string& m_str;
    char* m_buf;
    size_t m_len;
    size_t m_cap;
};

template <class Out>
void appendBase64(Out& out, std::string_view b)
{
    char* o = out.room((b.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= b.size(); i += 3) {
        uint32_t n = (uint8_t(b[i]) << 16) | (uint8_t(b[i + 1]) << 8) | uint8_t(b[i + 2]);
        *o++ = kB64[n >> 18];
        *o++ = kB64[(n >> 12) & 63];
        *o++ = kB64[(n >> 6) & 63];
        *o++ = kB64[n & 63];
    }
    if (size_t rest = b.size() - i) {
        uint32_t n = uint8_t(b[i]) << 16;
        if (rest == 2)
            n |= uint8_t(b[i + 1]) << 8;
        *o++ = kB64[n >> 18];
        *o++ = kB64[(n >> 12) & 63];
        *o++ = rest == 2 ? kB64[(n >> 6) & 63] : '=';
        *o++ = '=';
    }
    out.commit(o);
}

// base64Encode's output: a plain string with the Buffer interface.
struct StringOut {
    std::string s;
    char* room(size_t n) { m = s.size(); s.resize(m + n); return s.data() + m; }
    void commit(char* end) { s.resize(size_t(end - s.data())); }
    size_t m = 0;
};

// The JSON string for s, with `prefix` (no escapes needed) inside the quotes before it.
void appendString(Buffer& out, std::string_view s, std::string_view prefix = {})
{
    const char* p = s.data();
    const char* const e = p + s.size();
    char* o = out.room(prefix.size() + s.size() + 2);
    *o++ = '"';
    for (char c : prefix)
        *o++ = c;
    for (;;) {
        const char* run = p;
        for (uint64_t w; e - p >= 8; p += 8) {
            std::memcpy(&w, p, 8);
            if (anyNeedsEscape(w))
                break;
        }
        while (p < e && !needsEscape((unsigned char)*p))
            ++p;
        if (p != run)   // memcpy wants non-null pointers even for 0 bytes
            std::memcpy(o, run, size_t(p - run));
        o += p - run;
        if (p == e)
            break;
        // The escape takes up to 6 bytes; then the rest of s and the closing quote.
        out.commit(o);
        o = out.room(size_t(e - p) + 6);
        unsigned char c = (unsigned char)*p++;
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\t': *o++ = 't'; break;
        case '\r': *o++ = 'r'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = "0123456789abcdef"[c >> 4];
            *o++ = "0123456789abcdef"[c & 15];
        }
    }
    *o++ = '"';
    out.commit(o);
}

std::string quoted(std::string_view s)
{
    std::string text;
    {
        Buffer b(text);
        appendString(b, s);
    }
    text.shrink_to_fit();
    return text;
}

struct Frame {
    const Node* node;
    size_t index;            // list position
    std::string_view name;   // field name or str dict key
    int64_t intKey;          // int dict key
    bool named;              // name or intKey is set (an object or dict entry)
};

// What the writer needs of an object type, computed once per type and call.
struct TypePlan {
    enum FieldKind : uint8_t { Bool, Int, Float, Pointer };
    struct Field {
        FieldKind kind;
        std::string quotedName;    // "name"
        std::string compactHead;   // ,"name":
    };
    TypeRef type;                  // keeps the info (and so this plan's key) alive
    std::string compactOpen;       // {"$type":"geo.Line"
    std::string quotedKey;         // "geo.Line"
    std::vector<Field> fields;

    explicit TypePlan(const TypeInfo& t) : type(TypeRef::share(const_cast<TypeInfo*>(&t)))
    {
        quotedKey = quoted(t.key);
        compactOpen = "{\"$type\":" + quotedKey;
        fields.reserve(t.fields.size());
        for (const FieldInfo& f : t.fields) {
            FieldKind k = Pointer;
            switch (f.schema.kind()) {
            case SchemaKind::Bool: k = Bool; break;
            case SchemaKind::Int: k = Int; break;
            case SchemaKind::Float: k = Float; break;
            default: break;
            }
            std::string q = quoted(f.name);
            fields.push_back({k, q, "," + q + ":"});
        }
    }
};

class Writer {
public:
    Writer(std::string& out, const JsonWriteOptions& o)
        : m_out(out), m_opts(o), m_pretty(o.indent >= 0) {}

    void write(const Value& v)
    {
        switch (v.kind()) {
        case ValueKind::None: m_out.put("null"); return;
        case ValueKind::Bool: m_out.put(v.asBool() ? std::string_view("true") : std::string_view("false")); return;
        case ValueKind::Int: writeInt(v.asInt()); return;
        case ValueKind::Float: writeFloat(v.asFloat()); return;
        case ValueKind::Str: appendString(m_out, v.asStr()); return;
        case ValueKind::Bytes:
            m_out.put("{\"$bytes\":\"");
            appendBase64(m_out, v.asStr());
            m_out.put("\"}");
            return;
        case ValueKind::List: writeList(*v.asList()); return;
        case ValueKind::Dict: writeDict(*v.asDict()); return;
        case ValueKind::Object: writeObject(*v.asObject()); return;
        }
    }

private:
    void writeInt(int64_t i)
    {
        char* o = m_out.room(24);
        m_out.commit(std::to_chars(o, o + 24, i).ptr);
    }

    void writeFloat(double d)
    {
        if (!std::isfinite(d)) {
            m_out.put(std::isnan(d) ? "{\"$float\":\"nan\"}" : (d > 0 ? "{\"$float\":\"inf\"}" : "{\"$float\":\"-inf\"}"));
            return;
        }
        char* o = m_out.room(32 + 2);
        char* end = std::to_chars(o, o + 32, d).ptr;   // shortest text that reads back exactly
        if (std::find_if(o, end, [](char c) { return c == '.' || c == 'e'; }) == end) {
            *end++ = '.';   // keeps the float kind on the way back
            *end++ = '0';
        }
        m_out.commit(end);
    }

    void newline()
    {
        if (!m_pretty)
            return;
        size_t n = size_t(m_opts.indent) * m_stack.size();
        char* o = m_out.room(n + 1);
        *o++ = '\n';
        std::memset(o, ' ', n);
        m_out.commit(o + n);
    }

    void colon() { m_out.put(m_pretty ? std::string_view(": ") : std::string_view(":")); }

    void push(const Node* n)
    {
        for (const Frame& f : m_stack)
            if (f.node == n)
                fail("the value contains a cycle");
        if (m_stack.size() >= m_opts.maxDepth)
            fail(fmt::format("nesting deeper than {} levels", m_opts.maxDepth));
        m_stack.push_back({n, 0, {}, 0, false});
    }

    [[noreturn]] void fail(const std::string& reason)
    {
        Path path;
        for (const Frame& f : m_stack) {
            if (f.node->kind == NodeKind::List)
                path.push_back({PathStep::Index, {}, f.index});
            else if (f.node->kind == NodeKind::Object && f.named)
                path.push_back({PathStep::Field, std::string(f.name), 0});
            else if (f.named && static_cast<const DictNode*>(f.node)->keyKind() == DictNode::IntKeys)
                path.push_back({PathStep::IntKey, std::to_string(f.intKey), 0});
            else if (f.named)
                path.push_back({PathStep::Key, std::string(f.name), 0});
        }
        std::string where = formatPointer(path);
        throw Error(ErrorKind::Validation, where.empty() ? reason : where + ": " + reason, path, reason);
    }

    void writeList(const ListNode& l)
    {
        push(&l);
        auto items = l.snapshot();
        m_out.put('[');
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                m_out.put(',');
            m_stack.back().index = i;
            newline();
            write(items[i]);
        }
        m_stack.pop_back();
        if (!items.empty())
            newline();
        m_out.put(']');
    }

    void writeDict(const DictNode& d)
    {
        push(&d);
        auto items = d.snapshot();
        bool intKeys = d.keyKind() == DictNode::IntKeys;
        m_out.put('{');
        for (size_t i = 0; i < items.size(); ++i) {
            if (i)
                m_out.put(',');
            newline();
            const Value& k = items[i].first;
            Frame& f = m_stack.back();
            f.named = true;
            if (intKeys) {
                f.intKey = k.asInt();
                char* o = m_out.room(24 + 2);
                *o++ = '"';
                o = std::to_chars(o, o + 24, f.intKey).ptr;
                *o++ = '"';
                m_out.commit(o);
            } else {
                f.name = k.asStr();
                appendString(m_out, f.name, !f.name.empty() && f.name[0] == '$' ? "$" : "");
            }
            colon();
            write(items[i].second);
        }
        m_stack.pop_back();
        if (!items.empty())
            newline();
        m_out.put('}');
    }

    const TypePlan& plan(const TypeInfo& t)
    {
        if (m_lastType == &t)
            return *m_lastPlan;
        auto it = m_plans.find(&t);
        if (it == m_plans.end())
            it = m_plans.emplace(&t, TypePlan(t)).first;
        m_lastType = &t;
        m_lastPlan = &it->second;
        return it->second;
    }

    // A stale instance must read back as the current version of its key (JsonWriteOptions).
    void checkStale(const ObjectNode& o)
    {
        const TypeInfo& t = o.type();
        auto refuse = [&](const std::string& why) {
            fail(fmt::format("{}{}; migrate it to the current version first (typehost.migrate)", t.staleInstanceText(),
                             why));
        };
        if (!m_opts.current)
            refuse("");
        TypeRef now = m_opts.current->resolve(t.key);
        if (!now || now->kind != TypeKind::Object)
            refuse(fmt::format(", and {} is no longer registered as an object type", t.key));
        std::vector<bool> given(now->fields.size(), false);
        Value v;
        for (uint32_t i = 0; i < o.fieldCount(); ++i) {
            if (!o.get(i, &v))
                continue;
            const std::string& name = t.fields[i].name;
            int j = now->fieldIndex(name);
            if (j < 0)
                refuse(fmt::format(", whose field '{}' the current version does not have", name));
            given[size_t(j)] = true;
            try {
                Path p;
                validate(v, now->fields[size_t(j)].schema, *m_opts.current, p);
            } catch (const Error& e) {
                refuse(fmt::format(", whose field '{}' does not fit the current version: {}", name, e.what()));
            }
        }
        for (size_t j = 0; j < now->fields.size(); ++j)
            if (!given[j] && !now->fields[j].hasDefault())
                refuse(fmt::format(", without the current version's required field '{}'", now->fields[j].name));
    }

    void writeObject(const ObjectNode& o)
    {
        push(&o);
        if (o.type().isStale()) [[unlikely]]
            checkStale(o);
        const TypePlan& p = plan(o.type());
        if (m_pretty) {
            m_out.put('{');
            newline();
            m_out.put("\"$type\"");
            colon();
            m_out.put(p.quotedKey);
        } else {
            m_out.put(p.compactOpen);
        }
        Value v;
        for (uint32_t i = 0; i < o.fieldCount(); ++i) {
            const TypePlan::Field& f = p.fields[i];
            if (f.kind != TypePlan::Pointer) {
                if (!o.isSet(i))
                    continue;
            } else if (!o.get(i, &v)) {
                continue;
            }
            if (m_pretty) {
                m_out.put(',');
                newline();
                m_out.put(f.quotedName);
                colon();
            } else {
                m_out.put(f.compactHead);
            }
            switch (f.kind) {
            case TypePlan::Bool: m_out.put(o.rawBool(i) ? std::string_view("true") : std::string_view("false")); break;
            case TypePlan::Int: writeInt(o.rawInt(i)); break;
            case TypePlan::Float: writeFloat(o.rawFloat(i)); break;
            case TypePlan::Pointer:
                m_stack.back().name = o.type().fields[i].name;
                m_stack.back().named = true;
                write(v);
                break;
            }
        }
        m_stack.pop_back();
        newline();
        m_out.put('}');
    }

    Buffer m_out;
    const JsonWriteOptions& m_opts;
    const bool m_pretty;
    std::vector<Frame> m_stack;
    std::unordered_map<const TypeInfo*, TypePlan> m_plans;
    const TypeInfo* m_lastType = nullptr;
    const TypePlan* m_lastPlan = nullptr;
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
    StringOut out;
    appendBase64(out, bytes);
    return std::move(out.s);
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
