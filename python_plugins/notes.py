"""Notes and journals: InitVar, __post_init__, ClassVar, ordering and documented fields."""

from __future__ import annotations

from dataclasses import InitVar  # typehost.InitVar is this; pyright knows it by this import only
from typing import Any, ClassVar, Union

from typehost import Object, field, publish, py_class

__plugin__ = {
    "name": "notes",
    "version": "2.0.0",
    "description": "Ordered notes and journals with attachments",
}


@py_class("notes.Note", order=True)
class Note(Object):
    """A short note; notes sort by priority, then title."""

    priority: int
    title: str
    body: str = field(default="", doc="Markdown text", compare=False)
    attachments: dict[int, bytes] = field(default_factory=dict, compare=False,
                                          metadata={"ui": "hex"})
    ref: Union[int, str] = 0
    extra: Any = None
    created: ClassVar[str] = "notes plugin"


@py_class("notes.Journal")
class Journal(Object):
    """A titled list of notes; the author is taken at creation."""

    title: str
    entries: list[Note] = field(default_factory=list)
    author: InitVar[str] = "anonymous"
    owner: str = field(init=False, default="")

    def __post_init__(self, author):
        self.owner = author

    def top(self, n: int = 3) -> list[Note]:
        return sorted(self.entries)[:n]


def register():
    today = Journal("Today", entries=[Note(2, "Reply to mail", body="*soon*"),
                                      Note(1, "Fix the build", attachments={1: b"\x00\x01"}, ref="CI-42"),
                                      Note(3, "Lunch", extra={"where": "canteen", "people": 3})],
                    author="typehost")
    publish("notes.today", today)
    publish("notes.backlog", [Note(i % 5, f"Task {i}") for i in range(200)])
