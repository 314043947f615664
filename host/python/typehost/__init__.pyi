"""Type stubs of the typehost package (PEP 561; the package ships py.typed).

py_class carries typing.dataclass_transform (PEP 681), so checkers treat @py_class classes
as dataclasses: fields, __init__ parameters, kw_only, frozen. KW_ONLY and InitVar are the
dataclasses objects themselves, as checkers only recognise those. mypy before 1.1 does not
know PEP 681: configure typehost.mypy_plugin for it (see docs/schemas-and-stubs.md).
"""

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, MutableSequence
from dataclasses import KW_ONLY as KW_ONLY
from dataclasses import MISSING as MISSING
from dataclasses import FrozenInstanceError as FrozenInstanceError
from dataclasses import InitVar as InitVar
from typing import Any, ClassVar, Generic, SupportsIndex, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")
_K = TypeVar("_K")
_V = TypeVar("_V")
_O = TypeVar("_O", bound="Object")

__version__: str

class Error(Exception): ...
class RegistrationError(Error, TypeError): ...

class ValidationError(Error, ValueError):
    path: str

class Object:
    """Base class of every registered type; instances keep their fields in C++ storage."""

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    def __eq__(self, other: object) -> bool: ...
    def __repr__(self) -> str: ...

class Field(dataclasses.Field[_T]):
    schema: str | None
    doc: str | None

@overload
def field(*, default: _T, init: bool = True, repr: bool = True, hash: bool | None = None,
          compare: bool = True, kw_only: bool = ..., doc: str | None = None,
          metadata: Mapping[Any, Any] | None = None) -> _T: ...
@overload
def field(*, default_factory: Callable[[], _T], init: bool = True, repr: bool = True,
          hash: bool | None = None, compare: bool = True, kw_only: bool = ..., doc: str | None = None,
          metadata: Mapping[Any, Any] | None = None) -> _T: ...
@overload
def field(*, init: bool = True, repr: bool = True, hash: bool | None = None, compare: bool = True,
          kw_only: bool = ..., doc: str | None = None, metadata: Mapping[Any, Any] | None = None) -> Any: ...

@overload
@dataclass_transform(field_specifiers=(field, Field, dataclasses.field, dataclasses.Field))
def py_class(cls: type[_T], /) -> type[_T]: ...
@overload
def py_class(type_key: str | None = None, *, init: bool = True, repr: bool = True, eq: bool = True,
             order: bool = False, unsafe_hash: bool = False, frozen: bool = False, kw_only: bool = False,
             match_args: bool = True) -> Callable[[type[_T]], type[_T]]: ...

def fields(class_or_instance: Object | type[Object]) -> tuple[Field[Any], ...]: ...
def asdict(obj: Object, *, dict_factory: Callable[[list[tuple[str, Any]]], Any] = ...) -> dict[str, Any]: ...
def replace(obj: _O, /, **changes: Any) -> _O: ...

def to_json(value: Any, *, indent: int | None = None) -> str: ...
@overload
def from_json(text: str | bytes, cls: type[_T]) -> _T: ...
@overload
def from_json(text: str | bytes, cls: Any = None) -> Any: ...
def to_builtins(value: Any) -> Any: ...
@overload
def convert(data: Any, cls: type[_T]) -> _T: ...
@overload
def convert(data: Any, cls: Any = None) -> Any: ...

class TypeInfo:
    key: str
    index: int
    generation: int
    kind: str
    parent: str | None
    origin: str
    plugin: str | None
    owner: str
    doc: str
    stale: bool
    frozen: bool
    file: str
    line: int
    fields: tuple[Field[Any], ...]
    members: tuple[tuple[str, Any], ...]

def type_info(what: Any) -> TypeInfo: ...
def type_keys() -> list[str]: ...
def get_class(key: str) -> Any: ...
def schema_of(cls: Any) -> str: ...
def json_schema(cls_or_key: Any = None) -> dict[str, Any]: ...
def stubs() -> str: ...

def publish(name: str, value: Any) -> None: ...
def unpublish(name: str) -> None: ...
def published() -> dict[str, Any]: ...

class List(MutableSequence[_T], Generic[_T]):
    """A live, validating view on a typed C++ list."""

    @overload
    def __getitem__(self, index: SupportsIndex) -> _T: ...
    @overload
    def __getitem__(self, index: slice) -> list[_T]: ...
    @overload
    def __setitem__(self, index: SupportsIndex, value: _T) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[_T]) -> None: ...
    def __delitem__(self, index: SupportsIndex | slice) -> None: ...
    def __len__(self) -> int: ...
    def insert(self, index: SupportsIndex, value: _T) -> None: ...
    def sort(self, *, key: Callable[[_T], Any] | None = None, reverse: bool = False) -> None: ...

class Dict(MutableMapping[_K, _V], Generic[_K, _V]):
    """A live, validating view on a typed C++ dict (str or int keys, insertion ordered)."""

    def __getitem__(self, key: _K) -> _V: ...
    def __setitem__(self, key: _K, value: _V) -> None: ...
    def __delitem__(self, key: _K) -> None: ...
    def __iter__(self) -> Iterator[_K]: ...
    def __len__(self) -> int: ...

class PluginTimeout(KeyboardInterrupt): ...

class PluginStatus:
    name: str
    path: str
    version: str
    description: str
    requires: list[str]
    native: bool
    state: str
    load_seconds: float
    types: list[str]
    error: str
    traceback: str
    def as_dict(self) -> dict[str, Any]: ...

def plugins() -> list[PluginStatus]: ...
