"""Shapes in 2-D and 3-D, built on the native geometry plugin's vector and colour types."""

from __future__ import annotations

import enum

from typehost import KW_ONLY, Object, field, publish, py_class, unpublish
from typehost.types import geo  # the native types by key; stubs: typehost-headless stubs

__plugin__ = {
    "name": "shapes",
    "version": "1.2.0",
    "description": "Shapes built on the native geo.Vec3 and geo.Color types",
    "requires": ["geometry"],
}


class Units(enum.Enum):
    """Length units."""

    MM = "mm"
    CM = "cm"
    M = "m"


@py_class("shapes.Point3")
class Point3(geo.Vec3):
    """A labelled point: a native geo.Vec3 with a Python-side label."""

    label: str = ""


@py_class("shapes.Shape")
class Shape(Object):
    """Base of every shape: a name, an optional colour and the length units."""

    name: str
    color: geo.Color | None = None
    units: Units = Units.MM
    _: KW_ONLY
    visible: bool = True


@py_class("shapes.Polygon")
class Polygon(Shape):
    """A closed or open polyline."""

    points: list[Point3] = field(default_factory=list, doc="Corners in order")
    closed: bool = True

    def perimeter(self) -> float:
        pts = list(self.points)
        pairs = zip(pts, pts[1:] + (pts[:1] if self.closed else []))
        return sum(((b.x - a.x) ** 2 + (b.y - a.y) ** 2 + (b.z - a.z) ** 2) ** 0.5 for a, b in pairs)


@py_class("shapes.Sphere")
class Sphere(Shape):
    """A sphere around a centre point."""

    center: Point3 = field(default_factory=Point3)
    radius: float = field(default=1.0, doc="Radius in the shape's units")


@py_class("shapes.Group")
class Group(Shape):
    """Shapes grouped under a name; groups nest (parent is a self-reference)."""

    children: list[Shape] = field(default_factory=list)
    parent: Group | None = None


def register():
    square = Polygon("square", points=[Point3(0, 0, 0, label="a"), Point3(1, 0, 0, label="b"),
                                       Point3(1, 1, 0, label="c"), Point3(0, 1, 0, label="d")])
    ball = Sphere("ball", center=Point3(0, 0, 2), radius=0.5, units=Units.CM)
    publish("shapes.scene", Group("scene", children=[square, ball]))


def unregister():
    try:
        unpublish("shapes.scene")
    except KeyError:
        pass
