"""The security check: a plugin is refused when another user could change its code (the plugin,
the directory holding it, anything inside a package, and every directory a symbolic link on the
way passes through; docs/plugins.md, "Security")."""

from __future__ import annotations

import os
import stat


def _link_chain(path: str) -> list[str]:
    """path, then every name it resolves through as a symbolic link, ending at its real path.
    Whoever may write to the directory that holds one of them can change what path loads."""
    current = os.path.abspath(path)
    chain = [current]
    for _ in range(40):   # the kernel's limit of links in one lookup
        if not os.path.islink(current):
            break
        try:
            target = os.readlink(current)
        except OSError:
            break
        # Relative to the link's real directory, so that ".." in the target means what it does
        # to the kernel.
        current = os.path.normpath(os.path.join(os.path.realpath(os.path.dirname(current)), target))
        chain.append(current)
    real = os.path.realpath(path)
    if real != chain[-1]:
        chain.append(real)   # a directory on the way was a link
    return chain


def _package_entries(path: str) -> list[str]:
    """Everything inside the package directory path, depth first in sorted order, following
    linked directories as an import does (each real directory once)."""
    entries: list[str] = []
    seen: set = set()

    def walk(directory: str):
        real = os.path.realpath(directory)
        if real in seen:
            return
        seen.add(real)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return
        for name in names:
            entry = os.path.join(directory, name)
            entries.append(entry)
            if os.path.isdir(entry):
                walk(entry)

    walk(path)
    return entries


def _writable_by_others(path: str, *, sticky_ok: bool) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & stat.S_IWOTH) and not (sticky_ok and stat.S_ISDIR(mode) and mode & stat.S_ISVTX)


def insecure_path(path: str) -> tuple[str, str] | None:
    """(the path other users may write to, a note saying how it matters) for the first such
    path among the plugin file or directory, the directory holding it, and everything inside
    a package. A symbolic link is checked as what it points to: the target, and the directory
    holding each link on the way and the target. A world-writable directory with the sticky
    bit (like /tmp) is fine as the holder of a plugin or of a link's target, not inside a
    package."""
    def check(entry: str, inside: bool):
        chain = _link_chain(entry)
        real = chain[-1]
        if len(chain) == 1:
            note = ""
        elif os.path.islink(entry):
            note = f"{entry} is a symbolic link to {real}"
        else:
            note = f"{entry} is {real} through a linked directory"
        if _writable_by_others(entry, sticky_ok=False):
            return (real, note) if note else (entry, "")
        # The directory holding the entry itself: inside a package it is checked as an entry.
        for i, name in enumerate(chain):
            if inside and i == 0:
                continue
            holder = os.path.dirname(name)
            if _writable_by_others(holder, sticky_ok=True):
                return holder, (note if i > 0 else "")
        return None

    entry = os.path.abspath(path)
    found = check(entry, inside=False)
    if found is None and os.path.isdir(entry):
        for inner in _package_entries(entry):
            found = check(inner, inside=True)
            if found is not None:
                break
    return found


def refusal(name: str, path: str) -> str | None:
    """The error of plugin name at path when other users can change its code, else None."""
    found = insecure_path(path)
    if found is None:
        return None
    bad, note = found
    return (f"refusing to load plugin {name!r}: {bad} is writable by other users"
            f"{f' ({note})' if note else ''}; "
            f"fix it with 'chmod o-w {bad}' or start with --allow-insecure-plugins")
