#include "json_syntax.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace typesys::detail {

namespace {

// A SAX consumer that keeps nothing: only the position and text of the first error.
struct Locator {
    using json = nlohmann::json;
    size_t position = 0;
    std::string what;
    bool failed = false;

    bool null() { return true; }
    bool boolean(bool) { return true; }
    bool number_integer(json::number_integer_t) { return true; }
    bool number_unsigned(json::number_unsigned_t) { return true; }
    bool number_float(json::number_float_t, const json::string_t&) { return true; }
    bool string(json::string_t&) { return true; }
    bool binary(json::binary_t&) { return true; }
    bool start_object(std::size_t) { return true; }
    bool key(json::string_t&) { return true; }
    bool end_object() { return true; }
    bool start_array(std::size_t) { return true; }
    bool end_array() { return true; }
    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e)
    {
        failed = true;
        position = pos;
        what = e.what();
        return false;
    }
};

} // namespace

std::optional<SyntaxError> findSyntaxError(std::string_view text)
{
    Locator locator;
    nlohmann::json::sax_parse(text.begin(), text.end(), &locator, nlohmann::json::input_format_t::json, true);
    if (!locator.failed)
        return std::nullopt;
    // `position` counts the bytes read, the offending one included.
    size_t at = locator.position == 0 ? 0 : std::min(locator.position - 1, text.size());
    SyntaxError out;
    out.line = 1;
    size_t lineStart = 0;
    for (size_t i = 0; i < at; ++i)
        if (text[i] == '\n') {
            ++out.line;
            lineStart = i + 1;
        }
    out.column = at - lineStart + 1;
    // "[json.exception.parse_error.101] parse error at line 2, column 9: syntax error ...":
    // keep what follows the position.
    size_t colon = locator.what.find(": ", locator.what.find("parse error"));
    std::string_view reason(locator.what);
    if (colon != std::string::npos)
        reason.remove_prefix(colon + 2);
    // The reason quotes the bytes last read, which may be anything (invalid UTF-8): shown as
    // \xNN past ASCII and for control characters, so that the message is always valid text.
    for (unsigned char c : reason) {
        if (c < 0x20 || c >= 0x7f)
            out.reason += fmt::format("\\x{:02x}", c);
        else
            out.reason += char(c);
    }
    return out;
}

std::string invalidJsonMessage(std::string_view text, const char* fallback, size_t* line, size_t* column)
{
    if (std::optional<SyntaxError> e = findSyntaxError(text)) {
        *line = e->line;
        *column = e->column;
        return fmt::format("invalid JSON at line {}, column {}: {}", e->line, e->column, e->reason);
    }
    *line = *column = 0;
    return fmt::format("invalid JSON: {}", fallback);
}

} // namespace typesys::detail
