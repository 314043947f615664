// Recursive-descent parser for the canonical schema text (see schema.h). Whitespace between
// tokens is accepted; errors name the offset and what was expected there.

#include "schema_internal.h"
#include "typesys/error.h"

#include <fmt/format.h>

#include <charconv>

namespace typesys {

namespace {

constexpr size_t kMaxNesting = 256;

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    Schema parseAll()
    {
        Schema s = parseSchema(0);
        skipSpace();
        if (m_pos != m_text.size())
            fail("expected end of schema");
        return s;
    }

private:
    [[noreturn]] void fail(std::string_view what) const
    {
        std::string near = m_pos < m_text.size() ? fmt::format("'{}'", m_text.substr(m_pos, 12))
                                                 : std::string("end of text");
        throw Error(ErrorKind::Parse, fmt::format("schema '{}': at offset {}: {}, found {}", m_text,
                                                  m_pos, what, near));
    }

    void skipSpace()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                         m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
            ++m_pos;
    }

    bool accept(char c)
    {
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    void expect(char c)
    {
        if (!accept(c))
            fail(fmt::format("expected '{}'", c));
    }

    bool acceptWord(std::string_view w)
    {
        skipSpace();
        if (m_text.substr(m_pos, w.size()) == w) {
            size_t end = m_pos + w.size();
            if (end < m_text.size() && (isIdentChar(m_text[end]) || m_text[end] == '.'))
                return false;
            m_pos = end;
            return true;
        }
        return false;
    }

    static bool isIdentChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    std::string_view name()
    {
        skipSpace();
        size_t start = m_pos;
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (isIdentChar(c) || c == '.')
                ++m_pos;
            else if (c == '<' && m_text.substr(m_pos, 8) == "<locals>")
                m_pos += 8;
            else
                break;
        }
        if (start == m_pos)
            fail("expected a type");
        return m_text.substr(start, m_pos - start);
    }

    Schema parseSchema(size_t depth)
    {
        if (depth > kMaxNesting)
            fail("schema nested too deeply");
        size_t start = (skipSpace(), m_pos);
        std::string_view n = name();
        if (n == "Any") return Schema::any();
        if (n == "None") return Schema::none();
        if (n == "bool") return Schema::boolean();
        if (n == "int") return Schema::integer();
        if (n == "float") return Schema::floating();
        if (n == "str") return Schema::str();
        if (n == "bytes") return Schema::bytes();
        if (n == "Object") return Schema::anyObject();
        if (n == "list") {
            expect('[');
            Schema e = parseSchema(depth + 1);
            expect(']');
            return Schema::list(std::move(e));
        }
        if (n == "dict") {
            expect('[');
            bool intKeys;
            if (acceptWord("str"))
                intKeys = false;
            else if (acceptWord("int"))
                intKeys = true;
            else
                fail("expected dict key type 'str' or 'int'");
            expect(',');
            Schema v = parseSchema(depth + 1);
            expect(']');
            return intKeys ? Schema::dictInt(std::move(v)) : Schema::dictStr(std::move(v));
        }
        if (n == "tuple") {
            expect('[');
            if (accept('(')) {
                expect(')');
                expect(']');
                return Schema::tuple({});
            }
            std::vector<Schema> items{parseSchema(depth + 1)};
            if (accept(',')) {
                skipSpace();
                if (m_text.substr(m_pos, 3) == "...") {
                    m_pos += 3;
                    expect(']');
                    return Schema::tupleVar(std::move(items[0]));
                }
                do {
                    items.push_back(parseSchema(depth + 1));
                } while (accept(','));
            }
            expect(']');
            return Schema::tuple(std::move(items));
        }
        if (n == "Optional") {
            expect('[');
            Schema e = parseSchema(depth + 1);
            expect(']');
            return Schema::optional(std::move(e));
        }
        if (n == "Union") {
            expect('[');
            std::vector<Schema> items;
            do {
                items.push_back(parseSchema(depth + 1));
            } while (accept(','));
            expect(']');
            if (items.size() < 2) {
                m_pos = start;
                fail("Union needs at least two members");
            }
            return Schema::unionOf(std::move(items));
        }
        if (n == "Literal") {
            expect('[');
            std::vector<Value> values;
            do {
                values.push_back(literal());
            } while (accept(','));
            expect(']');
            return Schema::literal(std::move(values));
        }
        if (n == "Opaque") {
            expect('[');
            size_t at = (skipSpace(), m_pos);
            Value name = literal();
            if (name.kind() != ValueKind::Str || name.asStr().empty()) {
                m_pos = at;
                fail("expected the class name as a non-empty string");
            }
            std::string className(name.asStr());
            if (accept(',')) {
                Schema shape = parseSchema(depth + 1);
                expect(']');
                return Schema::opaque(std::move(className), std::move(shape));
            }
            expect(']');
            return Schema::opaque(std::move(className));
        }
        if (!isValidKey(n)) {
            m_pos = start;
            fail("expected a type name or a dotted type key");
        }
        return Schema::named(std::string(n));
    }

    Value literal()
    {
        skipSpace();
        if (m_pos >= m_text.size())
            fail("expected a literal value");
        char q = m_text[m_pos];
        if (q == '\'' || q == '"') {
            ++m_pos;
            std::string s;
            while (true) {
                if (m_pos >= m_text.size())
                    fail("unterminated string literal");
                char c = m_text[m_pos++];
                if (c == q)
                    break;
                if (c != '\\') {
                    s += c;
                    continue;
                }
                if (m_pos >= m_text.size())
                    fail("unterminated string literal");
                char e = m_text[m_pos++];
                switch (e) {
                case 'n': s += '\n'; break;
                case 't': s += '\t'; break;
                case 'r': s += '\r'; break;
                case '\\': s += '\\'; break;
                case '\'': s += '\''; break;
                case '"': s += '"'; break;
                case 'x': {
                    unsigned v = 0;
                    auto r = std::from_chars(m_text.data() + m_pos,
                                             m_text.data() + std::min(m_pos + 2, m_text.size()), v, 16);
                    if (r.ptr != m_text.data() + m_pos + 2)
                        fail("expected two hex digits after \\x");
                    m_pos += 2;
                    s += char(v);
                    break;
                }
                default:
                    --m_pos;
                    fail("unknown escape in string literal");
                }
            }
            return Value::fromStr(s);
        }
        size_t start = m_pos;
        if (m_text[m_pos] == '-')
            ++m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
            ++m_pos;
        int64_t v = 0;
        auto r = std::from_chars(m_text.data() + start, m_text.data() + m_pos, v);
        if (r.ec == std::errc::result_out_of_range) {
            m_pos = start;
            fail("integer literal outside int64");
        }
        if (r.ec != std::errc() || r.ptr != m_text.data() + m_pos) {
            m_pos = start;
            fail("expected a str or int literal");
        }
        return Value::fromInt(v);
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

} // namespace

Schema Schema::parse(std::string_view text)
{
    return Parser(text).parseAll();
}

} // namespace typesys
