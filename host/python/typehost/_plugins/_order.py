"""Requirements between plugins: the load order (each plugin after the plugins it requires,
otherwise in discovery order), with the failures it finds (a missing requirement, a cycle, a
requirement that failed, is disabled or was skipped), and the dependents of a plugin."""

from __future__ import annotations

from ._status import DISABLED, FAILED, LOADED, SKIPPED


def dependency_order(candidates: list, by_name: dict) -> list:
    """candidates in dependency order (stable by discovery order); marks missing deps and
    cycles failed. by_name holds every plugin, with those failed at discovery (a requirement
    that failed is "failed", not "not installed")."""
    order: list = []
    visiting: list[str] = []
    done: set = set()

    def visit(p) -> bool:
        if p.name in done:
            return p.state != FAILED
        if p.name in visiting:
            cycle = visiting[visiting.index(p.name):] + [p.name]
            for n in cycle[:-1]:
                q = by_name[n]
                q.state, q.error = FAILED, "dependency cycle: " + " -> ".join(cycle)
            return False
        visiting.append(p.name)
        ok = p.state != FAILED
        for r in p.requires:
            dep = by_name.get(r)
            if dep is None:
                if ok:
                    p.state, p.error = FAILED, f"requires plugin {r!r}, which is not installed"
                ok = False
            elif not visit(dep) or dep.state in (FAILED, DISABLED, SKIPPED):
                if ok and p.state != FAILED:
                    why = "is disabled" if dep.state == DISABLED else (
                        "was skipped" if dep.state == SKIPPED else "failed to load")
                    p.state, p.error = FAILED, f"requires plugin {r!r}, which {why}"
                ok = False
        visiting.pop()
        done.add(p.name)
        order.append(p)
        return ok and p.state != FAILED

    for p in candidates:
        visit(p)
    return order


def dependents(plugins: dict, name: str) -> list[str]:
    """The loaded plugins (of plugins, name -> status) that require name, directly or not; each
    after its own dependents."""
    out: list[str] = []
    for p in plugins.values():
        if name in p.requires and p.state == LOADED and p.name not in out:
            for d in dependents(plugins, p.name):
                if d not in out:
                    out.append(d)
            out.append(p.name)
    return out


def missing_requirement(p, plugins: dict) -> str | None:
    """The first plugin p requires that is not loaded."""
    for r in p.requires:
        q = plugins.get(r)
        if q is None or q.state != LOADED:
            return r
    return None
