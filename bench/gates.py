"""Quality gates: the three default gates at once against each alone and one after another.

On a generated small Python project (a package of a few typed modules and their passing
tests), the default gates (ruff, basedpyright, pytest) run through ``run_gates``:

* all three at once (as the quality phase runs them);
* each alone, and the three one after another.

Prints the parallel wall time against the slowest gate alone (target <= 1.15 x: running them
together costs little more than waiting for the slowest) and against one after another. Each
figure is the median of ROUNDS rounds, after one warm-up round (the first basedpyright start
reads Node and its typeshed from disk). The gates share the machine's cores with whatever
else runs: the load average before and after is printed beside the figures.

Run: .venv/bin/python bench/gates.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from spec_automation.core.quality import DEFAULT_GATES, QualityGateSpec, QualityRun
from spec_automation.services.quality import run_gates

ROUNDS = 5
TARGET = 1.15
MODULES = ("catalogue", "orders", "payments", "shipping", "customers", "reports")


def write_project(folder: Path) -> Path:
    """A package ``shop`` of typed modules (a dataclass and a few functions each) and one
    test module per module, every test passing; the gates find nothing."""
    package = folder / "shop"
    package.mkdir(parents=True)
    (folder / "tests").mkdir()
    (package / "__init__.py").write_text('"""A small shop."""\n', encoding="utf-8")
    for name in MODULES:
        entity = name.rstrip("s").capitalize()
        (package / f"{name}.py").write_text(
            f'"""{entity} records and what is done with them."""\n\n'
            "from __future__ import annotations\n\n"
            "from dataclasses import dataclass, field\n\n\n"
            "@dataclass(frozen=True)\n"
            f"class {entity}:\n"
            f'    """One {name.rstrip("s")}."""\n\n'
            "    identifier: int\n"
            "    name: str\n"
            "    amounts: tuple[int, ...] = field(default_factory=tuple)\n\n"
            "    def total(self) -> int:\n"
            '        """The sum of the amounts."""\n'
            "        return sum(self.amounts)\n\n\n"
            f"def largest(items: list[{entity}]) -> {entity} | None:\n"
            '    """The item with the largest total, or None when there is none."""\n'
            "    return max(items, key=lambda item: item.total(), default=None)\n\n\n"
            f"def by_name(items: list[{entity}]) -> dict[str, {entity}]:\n"
            '    """The items by name."""\n'
            "    return {item.name: item for item in items}\n",
            encoding="utf-8",
        )
        tests = [
            f'"""Tests of shop.{name}."""\n\n',
            f"from shop.{name} import {entity}, by_name, largest\n\n",
        ]
        for number in range(8):
            tests.append(
                f"\ndef test_total_{number}() -> None:\n"
                f"    item = {entity}({number}, 'n{number}', ({number}, {number + 1}))\n"
                f"    assert item.total() == {2 * number + 1}\n"
                f"    assert largest([item]) == item\n"
                f"    assert by_name([item]) == {{'n{number}': item}}\n\n"
            )
        (folder / "tests" / f"test_{name}.py").write_text("".join(tests), encoding="utf-8")
    return folder


def timed(folder: Path, gates: tuple[QualityGateSpec, ...]) -> tuple[float, QualityRun]:
    start = time.perf_counter()
    run = asyncio.run(run_gates(folder, gates))
    return time.perf_counter() - start, run


def children_cpu_s() -> float:
    """CPU seconds (user + system) of every finished child process so far (0: not POSIX)."""
    try:
        import resource
    except ImportError:  # pragma: no cover (Windows)
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-gates-") as temporary:
        folder = write_project(Path(temporary) / "code")
        _, warm = timed(folder, DEFAULT_GATES)
        broken = [r for r in warm.results if r.status != "passed"]
        if broken:
            for result in broken:
                print(f"{result.name}: {result.status}: {result.message}")
            print("The generated project should pass every gate; it did not.")
            return 1
        tests = warm.results[2].counts.get("passed", 0)
        print(
            f"Generated project: {len(MODULES)} modules, {tests} tests; default gates: "
            f"{', '.join(g.name for g in DEFAULT_GATES)}; median of {ROUNDS} rounds"
        )
        load_before = _load()
        parallel: list[float] = []
        alone: dict[str, list[float]] = {g.name: [] for g in DEFAULT_GATES}
        sequential: list[float] = []
        cpu: list[float] = []
        for _ in range(ROUNDS):
            before = children_cpu_s()
            parallel.append(timed(folder, DEFAULT_GATES)[0])
            cpu.append(children_cpu_s() - before)
            total = 0.0
            for gate in DEFAULT_GATES:  # one after another: each alone, back to back
                seconds = timed(folder, (gate,))[0]
                alone[gate.name].append(seconds)
                total += seconds
            sequential.append(total)
        wall = statistics.median(parallel)
        each = {name: statistics.median(times) for name, times in alone.items()}
        slowest = max(each, key=lambda name: each[name])
        one_after_another = statistics.median(sequential)
        for name, seconds in each.items():
            print(f"  {name:<13} alone: {seconds:6.2f} s")
        print(f"  all three at once:   {wall:6.2f} s")
        print(f"  one after another:   {one_after_another:6.2f} s")
        ratio = wall / each[slowest]
        verdict = "within" if ratio <= TARGET else "over"
        print(
            f"Parallel / slowest alone ({slowest}): {ratio:.2f} x "
            f"({verdict} the {TARGET:.2f} x target)"
        )
        print(
            f"Parallel / one after another: {wall / one_after_another:.2f} x "
            f"({one_after_another - wall:.2f} s saved)"
        )
        cores = os.cpu_count() or 1
        print(
            f"CPU time of the three at once: {statistics.median(cpu):.2f} s, at least "
            f"{statistics.median(cpu) / cores:.2f} s of wall time on {cores} cores; load "
            f"average (1 min) before and after: {load_before} and {_load()} (other work "
            "competes for the same cores)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
