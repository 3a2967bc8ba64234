"""How a run, the store and the read commands grow with the size of the workflow.

For generated specs of 50, 100, 200 and 400 phases (a layered random DAG: each phase reads
one to three of the twelve phases before it, the shape ``_workloads.random_dag`` draws), a
project is created and run end to end through the command line, offline with zero latency:
every second measured is the product's own work (planning, the offline authors, the store,
the files, git). Then an early artifact is edited and ``scan``, ``status`` and ``impact``
are timed on the result.

Prints, per size: the run's wall time, the store's size, and the ``status`` and ``impact``
times; then the growth exponent of the run time between 100 and 400 phases (log(t400/t100) /
log 4: 1.0 is linear, n·log n over that range is about 1.16, 2.0 quadratic). Targets: an
exponent no worse than about n·log n and 400 phases in under a minute.

Last, the bundled workflow is run on a brief just under the 4 MiB the app accepts (about
95,000 feature lines): the brief is parsed once, in a worker thread, however many phases read it.

Run: .venv/bin/python bench/scaling.py [--sizes 50,100,200,400]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "spec_automation"]
ROLES = ("reviewer", "analyst_two", "auditor", "planner_x")
BRIEF = """# Field notes

A small app for naturalists to log sightings in the field, offline first, and share them
with their club.

## Users
- Naturalists on a walk
- Club coordinators

## Features
- Log a sighting with a photo and a place
- Browse the club's sightings on a map
"""


def generated_spec(phases: int, seed: int = 7) -> str:
    """A spec of ``phases`` generic phases, each reading 1-3 of the 12 before it."""
    rng = random.Random(seed)
    names = [f"P{i:03d}" for i in range(phases)]
    roots = max(2, phases // 25)
    lines = ["version: 1", f"name: generated {phases}", "phases:"]
    for i, name in enumerate(names):
        window = names[max(0, i - 12) : i]
        deps = (
            [] if i < roots else sorted(rng.sample(window, k=min(len(window), rng.randint(1, 3))))
        )
        lines += [
            f"  {name}:",
            f"    description: Review part {i} of the product and record its decisions.",
            f"    agent: {ROLES[i % len(ROLES)]}",
            f"    produces: [{name.lower()}.md]",
            f"    depends_on: [{', '.join(deps)}]",
            "    estimated_duration_s: 1",
        ]
    return "\n".join(lines) + "\n"


def cli(*args: str, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def checked(label: str, done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        sys.exit(f"{label} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")


def measure(phases: int, workdir: Path, env: dict[str, str]) -> dict[str, float]:
    project = workdir / f"p{phases}"
    brief = workdir / "brief.md"
    brief.write_text(BRIEF, encoding="utf-8")
    checked("init", cli("init", str(project), "--brief", str(brief), env=env)[1])
    (project / "orchestrator_spec.yml").write_text(generated_spec(phases), encoding="utf-8")
    run_s, done = cli("run", "-p", str(project), "--latency-scale", "0", "--auto-approve", env=env)
    checked("run", done)
    made = len(list((project / "artifacts").glob("*.md")))
    if made != phases:
        sys.exit(f"the run made {made} artifacts, not {phases}:\n{done.stdout}")
    first = project / "artifacts" / "p000.md"
    first.write_text(first.read_text(encoding="utf-8") + "\n- A decision added by hand.\n")
    checked("scan", cli("scan", "-p", str(project), env=env)[1])
    status_s, done = cli("status", "-p", str(project), env=env)
    checked("status", done)
    impact_s, done = cli("impact", "-p", str(project), env=env)
    checked("impact", done)
    store = project / ".spec_automation" / "state.db"
    return {
        "run_s": run_s,
        "store_mb": store.stat().st_size / 1e6,
        "status_s": status_s,
        "impact_s": impact_s,
    }


def long_brief_run(workdir: Path, env: dict[str, str]) -> tuple[float, int]:
    """The bundled workflow's run time on a brief just under the size limit."""
    brief = workdir / "long-brief.md"
    line = "- Feature {}: log a sighting with a photo and a place\n"
    lines, size = ["# Field notes\n\n## Features\n"], 30
    index = 0
    while size < 4 * 1024 * 1024 - 200:
        lines.append(line.format(index))
        size += len(lines[-1])
        index += 1
    brief.write_text("".join(lines), encoding="utf-8")
    project = workdir / "long-brief"
    checked("init", cli("init", str(project), "--brief", str(brief), env=env)[1])
    run_s, done = cli("run", "-p", str(project), "--latency-scale", "0", "--auto-approve", env=env)
    checked("run", done)
    return run_s, brief.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200,400")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("ANTHROPIC_API_KEY", None)
        print(f"{'phases':>6}  {'run':>8}  {'store':>8}  {'status':>7}  {'impact':>7}")
        for n in sizes:
            r = results[n] = measure(n, Path(tmp), env)
            print(
                f"{n:>6}  {r['run_s']:>7.2f}s  {r['store_mb']:>6.2f}MB"
                f"  {r['status_s']:>6.2f}s  {r['impact_s']:>6.2f}s",
                flush=True,
            )
        run_s, size = long_brief_run(Path(tmp), env)
        print(f"bundled workflow on a {size / 1024 / 1024:.2f} MiB brief: {run_s:.1f} s")
    if 100 in results and 400 in results:
        exponent = math.log(results[400]["run_s"] / results[100]["run_s"]) / math.log(4)
        nlogn = math.log(400 * math.log(400) / (100 * math.log(100))) / math.log(4)
        print(
            f"run time exponent 100->400 phases: {exponent:.2f} "
            f"(linear 1.00, n·log n {nlogn:.2f}, quadratic 2.00)"
        )
        verdict = "under" if results[400]["run_s"] < 60 else "OVER"
        print(f"400 phases: {results[400]['run_s']:.1f} s, {verdict} the 60 s target")


if __name__ == "__main__":
    main()
