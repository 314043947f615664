"""The one translation of host errors into Python exceptions (host/src/error_boundary.h):
each row of its table, reached through the public API where one reaches it, with the
message and the attributes a caller relies on."""

import math

import pytest

import _typehost
import typehost
from typehost import Object, RegistrationError, ValidationError, field, py_class


# ---- Assign: a value stored into a field or a view ------------------------------------


def test_assign_of_a_wrong_type_is_a_type_error_naming_field_and_position(key):
    @py_class(key)
    class P(Object):
        pts: list[list[float]] = field(default_factory=list)

    p = P()
    with pytest.raises(TypeError) as info:
        p.pts = [[1.0], [2.0, "x"]]
    assert not isinstance(info.value, ValidationError)
    assert str(info.value) == f"{key}.pts[1][1]: expected float, got str"
    assert p.pts == []   # nothing half-assigned


def test_assign_of_an_int_outside_int64_is_an_overflow_error(key):
    @py_class(key)
    class P(Object):
        n: int = 0
        ns: list[int] = field(default_factory=list)

    p = P()
    with pytest.raises(OverflowError) as info:
        p.n = 2**63
    assert str(info.value) == f"{key}.n: int out of range for int64"
    with pytest.raises(OverflowError) as info:
        p.ns.append(-(2**64))
    assert str(info.value) == f"{key}.ns[0]: int out of range for int64"
    assert (p.n, p.ns) == (0, [])


def test_a_list_that_changes_size_while_it_is_converted_is_a_runtime_error(key):
    values = []

    class Clearing:
        """An opaque class whose plain form (to_dict) empties the list being converted."""

        def to_dict(self):
            values.clear()
            return {}

        @classmethod
        def from_dict(cls, d):
            return cls()

    @py_class(key)
    class P(Object):
        items: list[Clearing] = field(default_factory=list)

    values.extend([Clearing(), Clearing(), Clearing()])
    p = P()
    with pytest.raises(RuntimeError) as info:
        p.items = values
    assert str(info.value) == f"{key}.items[1]: the list changed size during conversion"
    assert list(p.items) == []


def test_a_default_factory_that_raises_under_the_c_init_is_a_type_error_naming_the_field(key):
    @py_class(key)
    class P(Object):
        ns: list[int] = field(default_factory=lambda: [1, "x"])

    with pytest.raises(TypeError) as info:
        P()
    assert f"{key}.ns" in str(info.value)


# ---- Document: whole values and JSON --------------------------------------------------


def test_document_errors_are_validation_errors_with_a_json_pointer(key):
    @py_class(key)
    class P(Object):
        pts: list[float] = field(default_factory=list)

    with pytest.raises(ValidationError) as info:
        typehost.from_json(f'{{"$type": "{key}", "pts": [1.0, "x"]}}', P)
    assert info.value.path == "/pts/1"
    assert info.value.line is None
    with pytest.raises(ValidationError) as info:
        typehost.to_json({"n": [1, 2**70]})
    assert info.value.path == "/n/1"   # an int outside int64 in a document: the same error kind
    assert str(info.value) == "/n/1: int out of range for int64"
    with pytest.raises(ValidationError) as info:
        typehost.to_json({"a": [math.inf, object()]})
    assert info.value.path == "/a/1"
    assert str(info.value).startswith("/a/1: ")


def test_a_json_syntax_error_carries_line_and_column():
    with pytest.raises(ValidationError) as info:
        typehost.from_json('{\n  "a": [1,\n  ]\n}', "dict[str, list[int]]")
    assert info.value.line == 3
    assert info.value.column >= 1


def test_schema_text_errors_are_value_errors():
    with pytest.raises(ValueError) as info:
        _typehost._parse_schema("list[")
    assert not isinstance(info.value, ValidationError)
    with pytest.raises(ValueError):
        _typehost._schema_tree("dict[str")


# ---- Registration ---------------------------------------------------------------------


def test_a_default_that_does_not_fit_is_a_registration_error_naming_its_position(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class P(Object):
            pts: list[list[float]] = field(default_factory=list)
            fixed: tuple[int, str] = (1, 2)
    assert str(info.value) == f"{key}.fixed: default [1]: expected str, got int"
    assert key not in typehost.type_keys()   # nothing half-registered


def test_removing_an_unknown_key_is_a_registration_error_not_a_key_error():
    with pytest.raises(RegistrationError) as info:
        _typehost._remove(["tests.error_boundary.no_such_type"], "tests")
    assert "no such type" in str(info.value)


# ---- Internal -------------------------------------------------------------------------


def test_a_broken_invariant_is_a_system_error():
    _typehost._begin_journal()
    try:
        with pytest.raises(SystemError) as info:
            _typehost._begin_journal()
        assert "registry journal already open" in str(info.value)
    finally:
        _typehost._commit_journal()


@pytest.mark.parametrize("exc_type", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_in_a_default_factory_during_migration_reaches_python_as_itself(key, exc_type):
    @py_class(key)
    class Old(Object):
        a: int = 0

    old = Old(a=1)

    def interrupting():
        raise exc_type(4)

    @py_class(key)
    class New(Object):
        a: int = 0
        b: list[int] = field(default_factory=interrupting)

    with pytest.raises(exc_type) as info:
        typehost.migrate(old)
    assert info.value.args == (4,)
    assert old.a == 1   # the stale instance is as it was, and the host goes on
    assert New(a=2, b=[]).a == 2
