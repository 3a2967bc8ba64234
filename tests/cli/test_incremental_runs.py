"""`run` on a project that already has artifacts: only what is out of date runs, the user's
edits are never rewritten without their choice, nothing changes when nothing changed, and
`status` tells each artifact's state the way the explorer does."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spec_automation import services
from tests.cli.conftest import Result

FAST = ("--latency-scale", "0", "--auto-approve")
REQUIREMENT = "\n### FR-12: Export the rota as CSV\n\nManagers download the week's rota.\n"

Cli = Callable[..., Result]


def commits(project: Path) -> list[str]:
    log = subprocess.run(
        ["git", "log", "--format=%H"], cwd=project, capture_output=True, text=True, check=True
    )
    return log.stdout.split()


def files(project: Path) -> dict[str, tuple[int, str]]:
    """Every artifact's mtime (ns) and text."""
    return {
        p.name: (p.stat().st_mtime_ns, p.read_text(encoding="utf-8"))
        for p in sorted((project / "artifacts").glob("*.md"))
    }


def versions(cli: Cli, project: Path) -> dict[str, Any]:
    status: Any = cli("status", "-p", project, "--json").json()
    return {a["name"]: a for a in status["artifacts"]}


def add_requirement(project: Path) -> str:
    prd = project / "artifacts" / "prd.md"
    edited = prd.read_text(encoding="utf-8") + REQUIREMENT
    prd.write_text(edited, encoding="utf-8")
    return edited


def test_a_plain_run_refuses_to_rewrite_an_edited_prd_and_names_it(
    cli: Cli, generated: Path
) -> None:
    edited = add_requirement(generated)
    before = commits(generated)

    refused = cli("run", "-p", generated, *FAST)

    assert refused.code == 2
    assert "prd.md carries your edits" in refused.err
    assert "--keep-edits" in refused.err
    assert "--overwrite-edits" in refused.err
    assert "Traceback" not in refused.err
    assert "SPEC_PM: prd.md carries your edits" in refused.out  # the preview says why
    assert (generated / "artifacts" / "prd.md").read_text(encoding="utf-8") == edited
    assert commits(generated) == before
    status: Any = cli("status", "-p", generated, "--json").json()
    assert status["last_run_id"] == 1  # no run was started


def test_keep_edits_keeps_prd_and_rebuilds_the_architecture_from_it(
    cli: Cli, generated: Path
) -> None:
    edited = add_requirement(generated)
    architecture = generated / "artifacts" / "architecture.md"
    assert "FR-12" not in architecture.read_text(encoding="utf-8")

    kept = cli("run", "-p", generated, *FAST, "--keep-edits")

    assert kept.code == 0, kept.err
    assert "Kept your edits to prd.md" in kept.out
    assert (generated / "artifacts" / "prd.md").read_text(encoding="utf-8") == edited
    assert "FR-12" in architecture.read_text(encoding="utf-8")  # built from the edited PRD
    state = versions(cli, generated)
    assert state["prd.md"]["state"] == "edited"
    assert state["prd.md"]["edit_kept"] is True
    assert state["architecture.md"]["state"] == "generated"
    assert state["architecture.md"]["version"] == 2
    assert {a["state"] for a in state.values()} == {"generated", "edited"}
    # Kept, the edit gives no reason to run again.
    again = cli("run", "-p", generated, *FAST)
    assert again.code == 0, again.err
    assert "Everything is up to date" in again.out


def test_overwrite_edits_rewrites_prd_and_keeps_the_users_version_in_history(
    cli: Cli, generated: Path
) -> None:
    edited = add_requirement(generated)

    overwritten = cli("run", "-p", generated, *FAST, "--overwrite-edits")

    assert overwritten.code == 0, overwritten.err
    assert "prd.md" in overwritten.out
    assert "history" in overwritten.out  # the run says where the user's version is
    text = (generated / "artifacts" / "prd.md").read_text(encoding="utf-8")
    assert "FR-12" not in text
    history: Any = cli("history", "-p", generated, "prd.md", "--versions", "--json").json()
    assert [v["kind"] for v in history["items"]] == ["generated", "user_edit", "generated"]
    assert versions(cli, generated)["prd.md"]["state"] == "generated"
    with services.open_project(generated) as project:
        assert project.version_content(history["items"][1]["id"]) == edited


def test_an_unchanged_rerun_changes_no_file_version_or_commit(
    cli: Cli, generated: Path
) -> None:
    before_files, before_commits = files(generated), commits(generated)
    before_versions = {n: a["version"] for n, a in versions(cli, generated).items()}

    plain = cli("run", "-p", generated, *FAST)
    every = cli("run", "-p", generated, *FAST, "--all")  # every phase, identical replies

    assert plain.code == 0, plain.err
    assert plain.out == "Everything is up to date: nothing needed to run.\n"
    assert every.code == 0, every.err
    assert "Written again exactly as they were" in every.out
    assert files(generated) == before_files  # same text, same mtime
    assert commits(generated) == before_commits
    assert {n: a["version"] for n, a in versions(cli, generated).items()} == before_versions


def test_status_shows_each_state_with_its_reason_in_text_and_json(
    cli: Cli, sample_project: Path
) -> None:
    fresh: Any = cli("status", "-p", sample_project, "--json").json()
    assert {a["state"] for a in fresh["artifacts"]} == {"missing"}
    assert cli("run", "-p", sample_project, *FAST).code == 0
    edited = add_requirement(sample_project)
    assert cli("scan", "-p", sample_project).code == 0

    state = versions(cli, sample_project)
    text = cli("status", "-p", sample_project)

    assert state["prd.md"]["state"] == "edited"
    assert state["prd.md"]["edited"] is True
    assert state["analysis.md"]["state"] == "generated"
    assert state["architecture.md"]["state"] == "stale"
    assert state["architecture.md"]["reason"] == "prd.md changed since it was made"
    assert state["tasks.md"]["state"] == "stale"  # transitively
    assert "edited by you" in text.out
    assert "stale: prd.md changed since it was made" in text.out

    # Undo the edit: nothing is stale any more (content, not timestamps, decides).
    prd = sample_project / "artifacts" / "prd.md"
    prd.write_text(edited.removesuffix(REQUIREMENT), encoding="utf-8")
    assert cli("scan", "-p", sample_project).code == 0
    assert {a["state"] for a in versions(cli, sample_project).values()} <= {
        "generated",
        "edited",
    }
    assert versions(cli, sample_project)["architecture.md"]["state"] == "generated"


def test_a_rollback_makes_the_downstream_artifacts_stale_again(
    cli: Cli, generated: Path
) -> None:
    add_requirement(generated)
    assert cli("scan", "-p", generated).code == 0
    regenerated = cli(
        "regenerate", "-p", generated, "--strategy", "regenerate_all", *FAST, "--json"
    )
    assert regenerated.code == 0, regenerated.err
    assert versions(cli, generated)["architecture.md"]["state"] == "generated"
    snapshot = regenerated.json()["snapshot_id"]  # type: ignore[index]

    rolled = cli("rollback", "-p", generated, str(snapshot))

    assert rolled.code == 0, rolled.err
    state = versions(cli, generated)
    # The restored architecture was made from the PRD before the edit, which is kept.
    assert "FR-12" in (generated / "artifacts" / "prd.md").read_text(encoding="utf-8")
    assert state["architecture.md"]["state"] == "stale"
    assert "prd.md changed since it was made" in state["architecture.md"]["reason"]
    assert state["tasks.md"]["state"] == "stale"


def test_regenerate_takes_the_provider_and_model_like_run(
    cli: Cli, generated: Path, no_keyring: None
) -> None:
    add_requirement(generated)
    assert cli("scan", "-p", generated).code == 0

    refused = cli(
        "regenerate",
        "-p",
        generated,
        "--strategy",
        "high_impact_only",
        "--provider",
        "anthropic",
        "--model",
        "claude-haiku-4-5",
    )

    assert refused.code == 2
    assert "the anthropic provider needs an API key" in refused.err
    assert "Traceback" not in refused.err


def gate_status(cli: Cli, project: Path) -> dict[str, Any]:
    status: Any = cli("status", "-p", project, "--json").json()
    return {g["gate"]: g for g in status["gates"]}


def reopen_the_architecture_gate(cli: Cli, project: Path) -> Result:
    """Edit the PRD and regenerate only the architecture, approving nothing."""
    add_requirement(project)
    assert cli("scan", "-p", project).code == 0
    return cli(
        "regenerate", "-p", project, "--strategy", "manual_review",
        "--artifacts", "architecture.md", "--keep-edits", "--latency-scale", "0",
    )  # fmt: skip


def test_a_gate_a_regeneration_reopened_is_approved_from_the_cli(
    cli: Cli, generated: Path
) -> None:
    regenerated = reopen_the_architecture_gate(cli, generated)
    assert regenerated.code == 0, regenerated.err
    assert "spec-automation approve architecture_approved" in regenerated.out
    assert gate_status(cli, generated)["architecture_approved"]["status"] == "pending"

    approved = cli("approve", "architecture_approved", "-p", generated, "--note", "fine")

    assert approved.code == 0, approved.err
    gate = gate_status(cli, generated)["architecture_approved"]
    assert (gate["status"], gate["decided_by"], gate["note"]) == ("approved", "cli", "fine")


def test_a_rejected_gate_has_its_phase_redone_with_the_note_by_the_next_run(
    cli: Cli, generated: Path
) -> None:
    assert reopen_the_architecture_gate(cli, generated).code == 0
    note = "Add a PDF export service"

    rejected = cli("reject", "architecture_approved", "-p", generated, "--note", note)

    assert rejected.code == 0, rejected.err
    assert "redoes SPEC_ARCHITECT with your note" in rejected.out
    assert note not in (generated / "artifacts" / "architecture.md").read_text(encoding="utf-8")
    ran = cli("run", "-p", generated, "--keep-edits", *FAST, "--json")
    assert ran.code == 0, ran.err
    assert "SPEC_ARCHITECT" in ran.json()["planned"]  # type: ignore[index]
    assert note in (generated / "artifacts" / "architecture.md").read_text(encoding="utf-8")
    # Redone, the gate opened again for the new architecture and was approved this time.
    assert gate_status(cli, generated)["architecture_approved"]["status"] == "approved"
    assert versions(cli, generated)["epics.md"]["state"] == "generated"
