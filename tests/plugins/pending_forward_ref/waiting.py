"""Leaves a class waiting for a forward reference (Later is never defined), then fails: the
waiting class must not register later, when a fixed version defines Later."""

from typehost import Object, py_class

__plugin__ = {"name": "waiting", "version": "1.0"}


@py_class("corpus.pending_forward_ref.Waiting")
class Waiting(Object):
    later: "Later"  # noqa: F821 - defined by the fixed version only


raise RuntimeError("waiting fails while Waiting waits for Later")
