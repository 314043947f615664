#pragma once
// Python str <-> UTF-8 text for messages and names, safe for any str.
//
// PyUnicode_AsUTF8 returns null for a str holding a lone surrogate (a name made with
// setattr, a __repr__ returning '\ud800'): a null char* turned into a std::string, or given
// to fmt, throws a C++ exception, which must never cross a C slot. These helpers encode with
// "surrogatepass" (the bytes round-trip through utf8ToPython) and never fail.

#include <Python.h>

#include <string>

namespace typehost::detail {

// The UTF-8 text of str `s` (surrogates kept as their 3-byte forms), appended to `out`.
// Any other object is shown through str(); on any failure "?" is appended. Never leaves a
// Python error set.
void appendUtf8(std::string& out, PyObject* s) noexcept;

inline std::string utf8Text(PyObject* s) noexcept
{
    std::string out;
    appendUtf8(out, s);
    return out;
}

// A str from text made by appendUtf8 (surrogates restored). New reference, or null with an
// error set.
PyObject* utf8ToPython(const std::string& text);

// Raises `type` with a message made of UTF-8 text that may hold surrogates (appendUtf8's).
void raiseText(PyObject* type, const std::string& message) noexcept;

// The qualified name of a class (its __qualname__, else tp_name), for messages.
std::string qualNameText(PyTypeObject* t) noexcept;

} // namespace typehost::detail
