"""`spec-automation import` and `documents`: the four types in, bad input refused unwritten."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result

SAMPLES = Path(__file__).resolve().parents[2] / "resources/samples/clinic-scheduling/documents"

Cli = Callable[..., Result]


def _rows(project: Path) -> dict[str, int]:
    """How many rows the import tables and the inputs' history hold."""
    with sqlite3.connect(project / ".spec_automation" / "state.db") as db:
        return {
            "documents": db.execute("SELECT count(*) FROM documents").fetchone()[0],
            "processing_results": db.execute("SELECT count(*) FROM processing_results").fetchone()[
                0
            ],
            "input_versions": db.execute(
                "SELECT count(*) FROM artifact_versions WHERE artifact LIKE 'inputs/%'"
            ).fetchone()[0],
        }


def _nothing_written(project: Path, before: dict[str, int]) -> None:
    assert sorted(p.name for p in (project / "inputs").iterdir()) == []
    assert _rows(project) == before


def test_each_sample_type_is_detected_processed_and_listed(cli: Cli, sample_project: Path) -> None:
    files = [SAMPLES / f"{n}.md" for n in ("prd", "functional-spec", "technical-spec")]
    files.append(SAMPLES / "sprint-change-proposal.md")
    result: Result = cli("import", "-p", sample_project, *files, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert isinstance(report, dict)
    by_name = {d["name"]: d for d in report["documents"]}
    assert {n: d["type"] for n, d in by_name.items()} == {
        "prd.md": "prd",
        "functional-spec.md": "functional-spec",
        "technical-spec.md": "technical-spec",
        "sprint-change-proposal.md": "sprint-change-proposal",
    }
    assert by_name["prd.md"]["extracted"]["requirements"] == 17
    assert by_name["technical-spec.md"]["extracted"]["endpoints"] == 10
    assert all(d["type_source"] == "detected" and d["version"] == 1 for d in by_name.values())
    for name in by_name:  # copied byte for byte into inputs/
        assert (sample_project / "inputs" / name).read_text() == (SAMPLES / name).read_text()
    assert _rows(sample_project) == {
        "documents": 4,
        "processing_results": 4,
        "input_versions": 4,
    }

    listed = cli("documents", "-p", sample_project, "--json").json()
    assert [d["name"] for d in listed] == sorted(by_name)  # type: ignore[union-attr]
    shown = cli("documents", "show", "prd.md", "-p", sample_project, "--json").json()
    assert isinstance(shown, dict)
    first = shown["extraction"]["requirements"][0]
    assert (first["identifier"], first["priority"], first["line"]) == ("FR-1", "Must", 45)
    assert first["statement"].startswith("Managers build a weekly rota")
    assert any("FR-1" in reason for reason in shown["reasons"])
    plain = cli("documents", "show", "inputs/technical-spec.md", "-p", sample_project)
    assert plain.code == 0
    assert "endpoint" in plain.out
    assert "GET" in plain.out


def test_the_import_is_committed_to_the_projects_repository(cli: Cli, sample_project: Path) -> None:
    assert cli("import", "-p", sample_project, SAMPLES / "prd.md").code == 0
    log = subprocess.run(
        ["git", "-C", str(sample_project), "log", "--name-only", "--format=%s", "-1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert log == ["Import", "inputs/prd.md", "inputs/prd.md"]


def test_findings_are_stored_with_line_numbers_and_the_type_can_be_given(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nWe want a rota app.\n\n## Goals\n\n- Fewer gaps in cover.\n")
    refused = cli("import", "-p", sample_project, notes)
    assert refused.code == 2
    assert "--type" in refused.err
    given = cli("import", "-p", sample_project, notes, "--type", "prd", "--json").json()
    assert isinstance(given, dict)
    document = given["documents"][0]
    assert (document["type"], document["type_source"], document["status"]) == (
        "prd",
        "given",
        "errors",
    )
    assert all(f["line"] >= 1 and f["message"].endswith(".") for f in document["findings"])
    assert any("requirement" in f["message"].lower() for f in document["findings"])


def test_a_new_text_under_the_same_name_is_the_next_version(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    first = tmp_path / "prd.md"
    first.write_text((SAMPLES / "prd.md").read_text())
    assert cli("import", "-p", sample_project, first).code == 0
    first.write_text(first.read_text().replace("weekly rota", "fortnightly rota"))
    again = cli("import", "-p", sample_project, first, "--json")
    assert again.code == 0, again.err
    assert again.json()["documents"][0]["version"] == 2  # type: ignore[index]
    assert "fortnightly" in (sample_project / "inputs" / "prd.md").read_text()
    assert _rows(sample_project) == {"documents": 1, "processing_results": 2, "input_versions": 2}


def _latin1(path: Path) -> None:
    path.write_bytes("# PRD\n\nCafé requirements\n".encode("latin-1"))


def _binary(path: Path) -> None:
    path.write_bytes(b"# PRD\n\x00\x01\x02 binary\n")


def _huge(path: Path) -> None:
    path.write_text("# PRD\n\n" + "- FR-1 The system does a thing.\n" * 180_000)


def _unknown(path: Path) -> None:
    path.write_text("Shopping list\n\n- eggs\n- bread\n")


@pytest.mark.parametrize(
    ("file_name", "make", "extra", "said"),
    [
        ("latin.md", _latin1, (), "not UTF-8"),
        ("binary.md", _binary, (), "binary data"),
        ("huge.md", _huge, (), "larger than 5 MB"),
        ("list.md", _unknown, (), "could not tell what kind of document"),
        ("report.pdf", _unknown, (), "imports markdown (.md) and plain text"),
        (
            "prd.md",
            lambda p: p.write_text((SAMPLES / "prd.md").read_text()),
            ("--name", "../x.md"),
            "not a plain file name",
        ),
        (
            "prd.md",
            lambda p: p.write_text((SAMPLES / "prd.md").read_text()),
            ("--name", ".x.md"),
            "hidden file",
        ),
        ("empty.md", lambda p: p.write_text("\n\n"), ("--type", "prd"), "is empty"),
    ],
)
def test_bad_input_is_refused_with_a_sentence_and_nothing_written(
    cli: Cli,
    sample_project: Path,
    tmp_path: Path,
    file_name: str,
    make: Callable[[Path], Any],
    extra: tuple[str, ...],
    said: str,
) -> None:
    before = _rows(sample_project)
    source = tmp_path / file_name
    make(source)
    result: Result = cli("import", "-p", sample_project, source, *extra)
    assert result.code == 2
    assert said in result.err
    assert "Traceback" not in result.err
    _nothing_written(sample_project, before)


def test_a_duplicate_is_refused_and_nothing_changes(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    assert cli("import", "-p", sample_project, SAMPLES / "prd.md").code == 0
    before = _rows(sample_project)
    copy = tmp_path / "copy-of-prd.md"
    copy.write_text((SAMPLES / "prd.md").read_text())
    result = cli("import", "-p", sample_project, copy)
    assert result.code == 2
    assert "already imported as inputs/prd.md" in result.err
    assert sorted(p.name for p in (sample_project / "inputs").iterdir()) == ["prd.md"]
    assert _rows(sample_project) == before


def test_one_bad_file_stops_the_whole_import(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    before = _rows(sample_project)
    bad = tmp_path / "bad.md"
    _binary(bad)
    result = cli("import", "-p", sample_project, SAMPLES / "prd.md", bad)
    assert result.code == 2
    assert "binary" in result.err
    _nothing_written(sample_project, before)


def test_a_linked_inputs_folder_is_never_written_through(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (sample_project / "inputs").rmdir()
    (sample_project / "inputs").symlink_to(outside)
    result = cli("import", "-p", sample_project, SAMPLES / "prd.md")
    assert result.code == 2
    assert "link" in result.err
    assert list(outside.iterdir()) == []


def test_a_file_in_inputs_the_app_did_not_write_is_not_overwritten(
    cli: Cli, sample_project: Path
) -> None:
    mine = sample_project / "inputs" / "prd.md"
    mine.write_text("my own notes\n")
    result = cli("import", "-p", sample_project, SAMPLES / "prd.md")
    assert result.code == 2
    assert "was not imported by the app" in result.err
    assert mine.read_text() == "my own notes\n"
    renamed = cli("import", "-p", sample_project, SAMPLES / "prd.md", "--name", "shiftcare.md")
    assert renamed.code == 0
    assert (sample_project / "inputs" / "shiftcare.md").exists()


def test_an_imported_file_changed_on_disk_is_not_replaced_by_a_reimport(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    source = tmp_path / "prd.md"
    source.write_text((SAMPLES / "prd.md").read_text())
    assert cli("import", "-p", sample_project, source).code == 0
    stored = sample_project / "inputs" / "prd.md"
    stored.write_text(stored.read_text() + "\nA note I added.\n")
    source.write_text(source.read_text().replace("weekly", "monthly"))
    result = cli("import", "-p", sample_project, source)
    assert result.code == 2
    assert "was changed since it was imported" in result.err
    assert stored.read_text().endswith("A note I added.\n")


def test_showing_an_unknown_document_says_what_there_is(cli: Cli, sample_project: Path) -> None:
    assert cli("import", "-p", sample_project, SAMPLES / "prd.md").code == 0
    result = cli("documents", "show", "nope.md", "-p", sample_project)
    assert result.code == 2
    assert "imported: prd.md" in result.err


def test_an_imported_prd_makes_its_readers_stale_and_the_next_run_builds_on_it(
    cli: Cli, generated: Path
) -> None:
    assert cli("import", "-p", generated, SAMPLES / "prd.md").code == 0
    states = {
        a["name"]: a
        for a in cli("status", "-p", generated, "--json").json()["artifacts"]  # type: ignore[index]
    }
    reason = "the imported document inputs/prd.md was imported since it was made"
    assert reason in states["analysis.md"]["reason"]
    assert reason in states["prd.md"]["reason"]
    assert states["design-tokens.md"]["reason"] != reason  # the designer does not read it
    ran = cli("run", "-p", generated, "--latency-scale", "0", "--auto-approve")
    assert ran.code == 0, ran.err
    prd = (generated / "artifacts" / "prd.md").read_text()
    assert "- Source: inputs/prd.md line 45" in prd
    epics = (generated / "artifacts" / "epics.md").read_text()
    assert "FR-1: Managers build a weekly rota from shift templates" in epics
    assert "Not covered: 0" in (generated / "artifacts" / "validation-report.md").read_text()
    after = cli("status", "-p", generated, "--json").json()
    assert all(not a["stale"] for a in after["artifacts"])  # type: ignore[index]


def test_an_imported_prd_used_as_prd_md_is_kept_and_everything_after_it_built_from_it(
    cli: Cli, sample_project: Path, tmp_path: Path
) -> None:
    # A PRD whose requirements are numbered items, without identifiers.
    source = tmp_path / "rota-prd.md"
    source.write_text(
        "# Rota product requirements\n\n## Goals\n\n- No unfilled shifts.\n\n"
        "## Functional requirements\n\n"
        "1. Managers publish a monthly rota for each ward.\n"
        "2. Nurses swap night shifts with a colleague of the same grade.\n"
        "3. Payroll receives approved overtime every Friday.\n\n"
        "## Acceptance criteria\n\n- A published rota shows on every nurse's phone.\n"
    )
    result = cli("import", "-p", sample_project, source, "--use-as", "prd.md", "--json")
    assert result.code == 0, result.err
    assert result.json()["used_as"] == "prd.md"  # type: ignore[index]
    prd = (sample_project / "artifacts" / "prd.md").read_text()
    assert "1. FR-1: Managers publish a monthly rota for each ward." in prd
    assert "3. FR-3: Payroll receives approved overtime every Friday." in prd
    assert prd.replace("FR-1: ", "").replace("FR-2: ", "").replace("FR-3: ", "") == (
        source.read_text()
    )  # the user's text, with only the identifiers written in
    states = {
        a["name"]: a
        for a in cli("status", "-p", sample_project, "--json").json()["artifacts"]  # type: ignore[index]
    }
    assert (states["prd.md"]["state"], states["prd.md"]["edit_kept"]) == ("edited", True)

    ran = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve")
    assert ran.code == 0, ran.err
    assert (sample_project / "artifacts" / "prd.md").read_text() == prd  # never rewritten
    flows = (sample_project / "artifacts" / "user-flows.md").read_text()
    epics = (sample_project / "artifacts" / "epics.md").read_text()
    tasks = (sample_project / "artifacts" / "tasks.md").read_text()
    for identifier in ("FR-1", "FR-2", "FR-3"):
        assert identifier in flows
        assert identifier in epics
        assert identifier in tasks
    assert "Managers publish a monthly rota" in epics
    assert "FR-4" not in epics  # nothing but the imported requirements
    assert "Not covered: 0" in (sample_project / "artifacts" / "validation-report.md").read_text()
    again = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve")
    assert again.code == 0, again.err
    assert "up to date" in again.out.lower()


def test_use_as_refuses_a_document_of_the_wrong_type_and_writes_nothing(
    cli: Cli, sample_project: Path
) -> None:
    before = _rows(sample_project)
    result = cli(
        "import", "-p", sample_project, SAMPLES / "technical-spec.md", "--use-as", "prd.md"
    )
    assert result.code == 2
    assert "only a PRD can be used as prd.md" in result.err
    _nothing_written(sample_project, before)
    assert not (sample_project / "artifacts" / "prd.md").exists()


def test_a_change_proposal_is_previewed_then_applied_from_the_command_line(
    cli: Cli, generated: Path
) -> None:
    assert cli("import", "-p", generated, SAMPLES / "sprint-change-proposal.md").code == 0
    preview = cli("proposal", "sprint-change-proposal.md", "-p", generated, "--json")
    assert preview.code == 0, preview.err
    shown = preview.json()
    assert isinstance(shown, dict)
    assert shown["targets"] == [
        "prd.md",
        "user-flows.md",
        "data-model.md",
        "api-spec.md",
        "epics.md",
    ]
    assert "Change from" not in (generated / "artifacts" / "prd.md").read_text()  # previewed only
    unsaid = cli("proposal", "sprint-change-proposal.md", "-p", generated, "--apply")
    assert unsaid.code == 2
    assert "--strategy" in unsaid.err
    applied = cli(
        "proposal",
        "sprint-change-proposal.md",
        "-p",
        generated,
        "--apply",
        "--strategy",
        "regenerate_all",
        "--latency-scale",
        "0",
        "--auto-approve",
    )
    assert applied.code == 0, applied.err
    assert "after the change proposal inputs/sprint-change-proposal.md: completed" in applied.out
    assert "Gate" not in applied.out  # approved at once: no hint to approve by hand
    assert "Amend FR-8" in (generated / "artifacts" / "prd.md").read_text()
