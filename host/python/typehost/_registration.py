"""What @py_class remembers between decorations, as one object (`state`).

- classes waiting for a name (one job dict per class: the class, its key, options, scope,
  owner, where it was defined, and what it waits for);
- every decorated class by module and qualname, so that a forward reference to a class
  decorated in the same scope finds it before the class statement binds its name;
- who owns a class decorated now: the owner hook the plugin manager registers, else a plugin
  set by hand (tests), else the class's module.

The plugin manager snapshots and restores it around a reload and forgets a plugin's classes
when it unloads (`snapshot`, `restore`, `forget`, `pending_of`): nothing outside this module
touches the lists themselves.
"""

from __future__ import annotations

__all__ = ["RegistrationState", "state", "set_owner_hook", "intended_key"]


def intended_key(cls) -> str | None:
    """The key a decorated class asked for (also while it waits), or None."""
    return cls.__dict__.get("__typehost_key__") if isinstance(cls, type) else None


class RegistrationState:
    """The pending registrations, the decorated classes and the owner rule."""

    def __init__(self) -> None:
        self.pending: list[dict] = []
        self.decorated: dict[str, dict[str, type]] = {}
        # The owner of new registrations on every thread, set by hand (tests); the plugin
        # manager never sets it.
        self.current_plugin: str | None = None
        self._owner_hook = None

    # -- ownership

    def set_owner_hook(self, hook) -> None:
        """Registers the function that names the owner of a class decorated now
        ("plugin:<name>", or None when it has nothing to say); None removes it."""
        if hook is not None and not callable(hook):
            raise TypeError(f"the owner hook must be callable or None, got {hook!r}")
        self._owner_hook = hook

    def owner_for(self, cls: type) -> str:
        """The owner of a class decorated now: the hook's answer, else the plugin set by hand,
        else "module:<the class's module>"."""
        if self._owner_hook is not None:
            owner = self._owner_hook(cls)
            if owner is not None:
                return owner
        if self.current_plugin is not None:
            return "plugin:" + self.current_plugin
        return "module:" + str(cls.__module__)

    # -- decorated classes and waiting jobs

    def remember(self, cls: type) -> None:
        self.decorated.setdefault(cls.__module__, {})[cls.__qualname__] = cls

    def forget_class(self, cls: type) -> None:
        """A class whose decoration failed: it must not complete other classes' references."""
        siblings = self.decorated.get(cls.__module__, {})
        if siblings.get(cls.__qualname__) is cls:
            del siblings[cls.__qualname__]

    def sibling(self, module: str, qualname: str):
        return self.decorated.get(module, {}).get(qualname)

    def wait(self, job: dict) -> None:
        """Queues job, replacing an earlier job of the same class or key."""
        cls, key = job["cls"], job["key"]
        self.pending[:] = [p for p in self.pending if p["cls"] is not cls and p["key"] != key]
        self.pending.append(job)

    def waiting_classes(self) -> list[type]:
        return [p["cls"] for p in self.pending]

    def is_waiting(self, cls: type) -> bool:
        return any(p["cls"] is cls for p in self.pending)

    def pending_of(self, owner: str) -> list[dict]:
        """The jobs of one owner still waiting (for the plugin manager's reports)."""
        return [job for job in self.pending if job.get("owner") == owner]

    # -- what the plugin manager does around loads and reloads

    def forget(self, owners: set, modules) -> None:
        """Drops the waiting jobs of these owners and the decorated classes of these modules:
        a job would otherwise register later under an owner that is gone, and a forward
        reference of a new version would find a class of the old one."""
        self.pending[:] = [job for job in self.pending if job["owner"] not in owners]
        for m in modules:
            self.decorated.pop(m, None)

    def snapshot(self) -> tuple:
        return list(self.pending), {m: dict(classes) for m, classes in self.decorated.items()}

    def restore(self, snapshot: tuple) -> None:
        pending, decorated = snapshot
        self.pending[:] = pending
        self.decorated.clear()
        self.decorated.update({m: dict(classes) for m, classes in decorated.items()})


state = RegistrationState()
set_owner_hook = state.set_owner_hook
