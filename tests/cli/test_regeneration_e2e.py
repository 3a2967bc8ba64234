"""End to end on the sample: edit prd.md on disk, scan, impact, regenerate, runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.conftest import Result

Cli = Callable[..., Result]

REQUIREMENT = (
    "\n### FR-42: Calendar feed export\n\n"
    "- Statement: The product shall publish each clinician's confirmed shifts as a "
    "calendar feed they can subscribe to.\n"
    "- Priority: Should\n"
)


def test_an_added_requirement_flows_into_the_regenerated_high_impact_artifacts(
    sample_project: Path, cli: Cli
) -> None:
    project = sample_project
    ran = cli("run", "-p", project, "--auto-approve", "--latency-scale", "0", "--json")
    assert ran.code == 0, ran.err

    prd = project / "artifacts" / "prd.md"
    prd.write_text(prd.read_text(encoding="utf-8") + REQUIREMENT, encoding="utf-8")

    scan: Any = cli("scan", "-p", project, "--json").json()
    (change,) = scan["changes"]
    assert change["artifact"] == "prd.md"
    assert change["impact_level"] == "HIGH"
    assert [(s["name"], s["kind"]) for s in change["sections"]] == [
        ("FR-42: Calendar feed export", "added")
    ]

    impact: Any = cli("impact", "-p", project, "--json").json()
    downstream = {
        "user-flows.md",
        "architecture.md",
        "data-model.md",
        "api-spec.md",
        "component-mapping.md",
        "journey-maps.md",
        "dependencies.md",
        "epics.md",
        "tasks.md",
        "validation-report.md",
        "handoff.md",
    }
    assert {a["artifact"] for a in impact["affected"]} == downstream
    assert {a["level"] for a in impact["affected"]} == {"HIGH"}
    assert impact["recommended_strategy"] == "regenerate_all"
    high = {a["artifact"] for a in impact["affected"] if a["level"] == "HIGH"}

    regenerated = cli(
        "regenerate",
        "-p",
        project,
        "--strategy",
        "high_impact_only",
        "--latency-scale",
        "0",
        "--auto-approve",
        "--json",
    )
    assert regenerated.code == 0, regenerated.err
    report: Any = regenerated.json()
    assert set(report["artifacts_to_regenerate"]) == high
    assert set(report["artifacts_regenerated"]) | set(report["artifacts_unchanged"]) == high
    assert report["failures"] == {}
    for name in ("architecture.md", "epics.md"):
        assert name in report["artifacts_regenerated"]
        text = (project / "artifacts" / name).read_text(encoding="utf-8")
        assert "FR-42" in text, name
        assert "Calendar feed export" in text, name

    runs: Any = cli("runs", "-p", project, "--json").json()
    assert runs["total"] == 1
    (run,) = runs["items"]
    assert run["id"] == report["run_id"]
    assert run["trigger_artifact"] == "prd.md"
    assert run["trigger_change_id"] == change["id"]
    assert run["strategy"] == "high_impact_only"
    assert run["success"] is True

    shown: Any = cli("runs", str(report["run_id"]), "-p", project, "--json").json()
    assert shown == run
    assert cli("run-show", str(report["run_id"]), "-p", project, "--json").json() == run

    snapshots: Any = cli("snapshots", "-p", project, "--json").json()
    before = next(s for s in snapshots if s["id"] == report["snapshot_id"])
    assert before["label"] == f"before regeneration #{report['run_id']}"
    rollback = cli("rollback", str(report["snapshot_id"]), "-p", project)
    assert rollback.code == 0, rollback.err
    assert "FR-42" not in (project / "artifacts" / "architecture.md").read_text(encoding="utf-8")


def test_refused_choices_are_user_errors(sample_project: Path, cli: Cli) -> None:
    project = sample_project
    assert cli("run", "-p", project, "--auto-approve", "--latency-scale", "0").code == 0
    prd = project / "artifacts" / "prd.md"
    prd.write_text(prd.read_text(encoding="utf-8") + REQUIREMENT, encoding="utf-8")
    ignored = cli("regenerate", "-p", project, "--strategy", "ignore")
    assert ignored.code == 2
    assert "confirm to ignore" in ignored.err
    manual = cli("regenerate", "-p", project, "--strategy", "manual_review", "--artifacts", "x.md")
    assert manual.code == 2
    assert "x.md is not affected" in manual.err
    assert cli("runs", "-p", project, "--json").json() == {"items": [], "total": 0}
    missing = cli("runs", "99", "-p", project)
    assert missing.code == 2
    assert "no regeneration run 99" in missing.err
    confirmed = cli("regenerate", "-p", project, "--strategy", "ignore", "--confirm")
    assert confirmed.code == 0, confirmed.err
    assert "ignored" in confirmed.out
