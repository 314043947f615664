"""The inventory types. Item refers to Warehouse before Warehouse exists (a forward
reference that completes when Warehouse is defined), and Warehouse refers back to Item."""

from __future__ import annotations

import enum
from typing import Literal

from typehost import KW_ONLY, Object, field, py_class


class Status(enum.IntEnum):
    ACTIVE = 1
    RETIRED = 2


@py_class("inventory.Sku", frozen=True)
class Sku(Object):
    """A stock keeping unit: immutable and hashable."""

    code: str
    revision: int = 0


@py_class("inventory.Item")
class Item(Object):
    """One kind of item held in stock."""

    sku: Sku
    name: str
    quantity: int = 0
    status: Status = Status.ACTIVE
    tags: list[str] = field(default_factory=list)
    warehouse: Warehouse | None = None
    _: KW_ONLY
    thumbnail: bytes = b""
    dimensions: tuple[float, float, float] = (0.0, 0.0, 0.0)


@py_class("inventory.Warehouse")
class Warehouse(Object):
    """A place that holds items, by SKU code."""

    name: str
    kind: Literal["store", "depot", "virtual"] = "depot"
    items: dict[str, Item] = field(default_factory=dict)
