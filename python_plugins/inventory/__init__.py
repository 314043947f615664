"""Stock keeping: items, warehouses and their mutual references (a package plugin)."""

from .models import Item, Sku, Status, Warehouse

__plugin__ = {
    "name": "inventory",
    "version": "0.9.1",
    "description": "Items and warehouses with forward and mutual references",
    "requires": [],
}

__all__ = ["Item", "Sku", "Status", "Warehouse"]


def register():
    from typehost import publish

    depot = Warehouse("north", kind="depot")
    bolt = Item(Sku("BOLT-M4"), "M4 bolt", quantity=1200, tags=["metric", "steel"],
                thumbnail=bytes(range(8)), dimensions=(4.0, 4.0, 20.0))
    lamp = Item(Sku("LAMP-01", revision=3), "Desk lamp", quantity=7, status=Status.RETIRED)
    depot.items["BOLT-M4"] = bolt
    depot.items["LAMP-01"] = lamp
    publish("inventory.north", depot)
    # The back reference (item -> warehouse) lives in a value of its own: a published value
    # must be a tree to be shown as JSON, and depot -> item -> depot would be a cycle.
    publish("inventory.low_stock", [Item(Sku("LAMP-01", revision=3), "Desk lamp", quantity=7,
                                         status=Status.RETIRED, warehouse=Warehouse("south"))])


def unregister():
    from typehost import published, unpublish

    for name in ("inventory.north", "inventory.low_stock"):
        if name in published():
            unpublish(name)
