"""Change detection, impact analysis and regeneration: how fast, measured in one run.

Prints:

* change detection on a ~1 MB markdown document of ~2,000 sections with one section edited
  deep inside (target <= 100 ms; best of 5);
* impact analysis from a root artifact of a synthetic 500-artifact graph (target <= 20 ms;
  best of 20);
* for a HIGH change to prd.md on the sample with simulated latency, regeneration wall time
  in parallel divided by the same regeneration run sequentially (both really run).

Run: .venv/bin/python bench/changes.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workloads import random_dag

from spec_automation.core.changes import ChangeDetector, ImpactLevel
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.impact import ImpactAnalyzer
from spec_automation.core.ports import RunMode
from spec_automation.resources import sample_brief_path
from spec_automation.services import RunOptions, create_project

LATENCY_SCALE = 0.02  # the sample's critical path of estimates (~250 s) takes ~5 s


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``action``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def big_document(sections: int = 2000) -> str:
    """A PRD-like markdown document: nested requirement sections with prose and lists."""
    parts = ["---\nartifact: prd.md\nversion: 3\n---\n\n# Product requirements\n\n"]
    for i in range(sections):
        if i % 20 == 0:
            parts.append(f"## Area {i // 20}\n\nThe requirements of area {i // 20}.\n\n")
        parts.append(
            f"### FR-{i + 1}: Requirement number {i + 1}\n\n"
            + "- Statement: The product shall let a clinic manager do something useful with "
            "the rota, without retyping anything.\n"
            + "- Priority: Must\n- Acceptance criteria:\n"
            + "  - Given a signed-in manager, when they act, then the result is saved and "
            "shown at once.\n"
            * 2
            + "\nSome prose about why this matters to clinicians, who work shifts at several "
            "clinics\nand want to see and swap shifts from their phone.\n\n"
        )
    return "".join(parts)


def detection() -> None:
    old = big_document()
    new = old.replace(
        "### FR-1500: Requirement number 1500\n",
        "### FR-1500: Requirement number 1500\n\nA new sentence the user added.\n",
    )
    detector = ChangeDetector()
    change = detector.detect(old, new)
    assert change is not None
    assert [s.name for s in change.sections] == ["FR-1500: Requirement number 1500"]
    seconds = best_of(5, lambda: detector.detect(old, new))
    sections = old.count("\n#")
    print(
        f"change detection: {len(old) / 1e6:.2f} MB, {sections} sections: "
        f"{seconds * 1000:.1f} ms (target <= 100 ms)"
    )


def impact() -> None:
    spec = random_dag(500, seed=7, min_s=1.0, max_s=10.0)
    graph = WorkflowGraph(spec)
    analyzer = ImpactAnalyzer.for_graph(graph)
    # The artifact with the most downstream of it: the heaviest analysis of the graph.
    root = max(spec.artifacts, key=lambda a: len(graph.downstream_artifacts(a)))
    analysis = analyzer.analyze(root, ImpactLevel.MEDIUM)
    seconds = best_of(20, lambda: analyzer.analyze(root, ImpactLevel.MEDIUM))
    print(
        f"impact analysis: 500-artifact graph, {len(analysis.affected)} affected: "
        f"{seconds * 1000:.2f} ms (target <= 20 ms)"
    )


async def regeneration_ratio() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SPEC_AUTOMATION_CONFIG_DIR"] = str(Path(tmp) / "config")
        brief = sample_brief_path(None).read_text(encoding="utf-8")
        with create_project(Path(tmp) / "p", brief_text=brief, git_enabled=False) as project:
            await project.run_workflow(RunOptions(latency_scale=0, auto_approve=True))
            text = project.read_artifact("prd.md") + (
                "\n### FR-77: Calendar feed\n\n- Statement: The product shall publish "
                "shifts as a calendar feed.\n- Priority: Should\n"
            )
            change = project.save_artifact("prd.md", text).change
            assert change is not None
            assert change.impact_level == "HIGH"
            timings = {}
            for mode in (RunMode.PARALLEL, RunMode.SEQUENTIAL):
                # No response cache: after the rollback the second mode would reuse the
                # first one's replies and measure nothing.
                options = RunOptions(
                    mode=mode, latency_scale=LATENCY_SCALE, concurrency=4, use_cache=False
                )
                start = time.perf_counter()
                report = await project.regenerate(change.id, "regenerate_all", options=options)
                timings[mode] = time.perf_counter() - start
                assert report.status == "completed", report.failures
                assert report.snapshot_id is not None
                # Back to the artifacts before, so the second mode regenerates the same work.
                project.rollback(report.snapshot_id)
            ratio = timings[RunMode.PARALLEL] / timings[RunMode.SEQUENTIAL]
            print(
                f"regeneration after a HIGH prd.md change ({len(report.artifacts_to_regenerate)} "
                f"artifacts, latency scale {LATENCY_SCALE}): parallel "
                f"{timings[RunMode.PARALLEL]:.2f} s / sequential "
                f"{timings[RunMode.SEQUENTIAL]:.2f} s = {ratio:.2f}"
            )


def main() -> None:
    """Print the three measurements."""
    detection()
    impact()
    asyncio.run(regeneration_ratio())


if __name__ == "__main__":
    main()
