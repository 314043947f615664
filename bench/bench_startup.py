#!/usr/bin/python3
"""Start-up cost of typehost-headless, whole process, against /usr/bin/python3 -c pass.

CI runs many short commands, so what counts is the CPU time (user + system) of one whole
process, start to exit. Each command runs --runs times (after one warm-up run that also
writes the bytecode caches a user's second run finds); the median is printed with its ratio to
`python3 -c pass` measured the same way, in the same loop (the runs are interleaved, so a
busy machine slows every command alike).

    bench/bench_startup.py [--build-dir build] [--runs 21] [--fail-above RATIO]

The target of issue 16 is `types` with the bundled plugins <= 3x `python3 -c pass`;
--fail-above makes this script exit 1 when that ratio is higher (a benchmark, not a test:
CI does not run it).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(user + system CPU, wall) seconds of one run of argv."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--fail-above", type=float, default=None, metavar="RATIO")
    args = parser.parse_args()

    host = str(Path(args.build_dir) / "bin" / "typehost-headless")
    if not os.access(host, os.X_OK):
        raise SystemExit(f"{host} not found: build first (scripts/build.sh)")
    # A user's environment: bytecode caches on, no settings of this shell that change start-up.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME", "PYTHONVERBOSE")}
    commands = [
        ("python3 -c pass", ["/usr/bin/python3", "-c", "pass"]),
        ("python3 -c 'import dataclasses, json'", ["/usr/bin/python3", "-c", "import dataclasses, json"]),
        ("typehost-headless --help", [host, "--help"]),
        ("typehost-headless --no-plugins -c pass", [host, "--no-plugins", "-c", "pass"]),
        ("typehost-headless --no-plugins types", [host, "--no-plugins", "types"]),
        ("typehost-headless types", [host, "types"]),
        ("typehost-headless check", [host, "check"]),
        ("typehost-headless show inventory.Item", [host, "show", "inventory.Item"]),
        ("typehost-headless --json dump", [host, "--json", "dump"]),
    ]
    cpu: dict[str, list[float]] = {name: [] for name, _ in commands}
    wall: dict[str, list[float]] = {name: [] for name, _ in commands}
    for _, argv in commands:   # warm-up: page cache, bytecode caches
        cpu_seconds(argv, env)
    for _ in range(args.runs):
        for name, argv in commands:
            c, w = cpu_seconds(argv, env)
            cpu[name].append(c)
            wall[name].append(w)

    base = statistics.median(cpu["python3 -c pass"])
    width = max(len(name) for name, _ in commands)
    print(f"start-up, median of {args.runs} runs (CPU = user + system of the whole process)")
    print(f"{'command':<{width}}  {'CPU ms':>7}  {'wall ms':>7}  {'vs python3 -c pass':>18}")
    for name, _ in commands:
        c = statistics.median(cpu[name])
        print(f"{name:<{width}}  {c * 1e3:7.1f}  {statistics.median(wall[name]) * 1e3:7.1f}  {c / base:17.2f}x")
    ratio = statistics.median(cpu["typehost-headless types"]) / base
    print(f"\ntypes with the bundled plugins: {ratio:.2f}x python3 -c pass (target <= 3.0x)")
    if args.fail_above is not None and ratio > args.fail_above:
        print(f"above {args.fail_above:.2f}x", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
