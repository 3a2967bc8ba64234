"""``gates run|list|show`` on a project's code folder, with the real ruff, basedpyright and
pytest: results and findings in JSON and in text, a failed gate as exit 1 (a result, not a
crash), and what is not there said in a sentence (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.helpers.code_folders import FAILING_TEST, LINT_ERROR, TYPE_ERROR, write_code_folder


@pytest.fixture
def project(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    folder = tmp_path / "shop"
    assert cli("init", folder, "--brief-text", "A shop that sells hats.").code == 0
    return folder


def test_gates_run_json_reports_the_three_gates_passing_on_clean_code(
    cli: Callable[..., Result], project: Path
) -> None:
    write_code_folder(project / "code")
    result = cli("gates", "run", "-p", project, "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert isinstance(report, dict)
    assert (report["id"], report["status"], report["code_dir"]) == (1, "passed", "code")
    gates = {gate["name"]: gate for gate in report["gates"]}
    assert {name: gate["status"] for name, gate in gates.items()} == {
        "ruff": "passed",
        "basedpyright": "passed",
        "pytest": "passed",
    }
    assert gates["pytest"]["counts"] == {
        "passed": 1,
        "failed": 0,
        "error": 0,
        "skipped": 0,
        "xfailed": 1,
    }
    assert gates["ruff"]["counts"] == {"error": 0, "warning": 0, "info": 0}

    listed = cli("gates", "list", "-p", project, "--json").json()
    assert isinstance(listed, dict)
    assert listed["total"] == 1
    assert [g["findings"] for g in listed["items"][0]["gates"]] == [0, 0, 2]


def test_gates_run_shows_each_problem_with_file_and_line_and_exits_1(
    cli: Callable[..., Result], project: Path
) -> None:
    write_code_folder(project / "code", broken=True)
    result = cli("gates", "run", "-p", project)
    assert result.code == 1, result.err
    out = result.out
    assert "Quality gates on code: failed in" in out
    for gate in ("ruff", "basedpyright", "pytest"):
        assert f"\n{gate}" in out
    assert f"{LINT_ERROR[0]}:{LINT_ERROR[1]}:8" in out
    assert "F401" in out
    assert f"{TYPE_ERROR[0]}:{TYPE_ERROR[1]}:12" in out
    assert "reportReturnType" in out
    assert f"{FAILING_TEST[0]}:{FAILING_TEST[1]} " in out
    assert "assert 1 == 2" in out
    assert "1 test of 3 did not pass" in out

    shown = cli("gates", "show", "1", "-p", project)
    assert shown.code == 0
    assert "reportReturnType" in shown.out
    as_json = cli("gates", "show", "1", "-p", project, "--json").json()
    assert isinstance(as_json, dict)
    failing = [
        (f["file"], f["line"])
        for gate in as_json["gates"]
        for f in gate["findings"]
        if f["severity"] in ("error", "failed")
    ]
    assert sorted(failing) == sorted([LINT_ERROR, TYPE_ERROR, FAILING_TEST])

    listed = cli("gates", "list", "-p", project)
    assert "ruff failed, basedpyright failed, pytest failed" in listed.out

    metrics = cli("metrics", "-p", project, "--json").json()
    assert isinstance(metrics, dict)
    assert metrics["gate_runs"] == 1
    assert metrics["gate_time_s"] == pytest.approx(as_json["wall_s"])


def test_what_is_not_there_is_a_sentence(cli: Callable[..., Result], project: Path) -> None:
    no_code = cli("gates", "run", "-p", project)
    assert no_code.code == 2
    assert "this project has no code folder yet" in no_code.err
    assert cli("gates", "-p", project).out.startswith("No quality gate runs yet.")
    missing = cli("gates", "show", "4", "-p", project)
    assert (missing.code, missing.err.strip()) == (2, "error: no quality run 4 in this project")
    no_id = cli("gates", "show", "-p", project)
    assert no_id.code == 2
    assert "say which run to show: gates show ID" in no_id.err


def test_init_with_a_code_dir_and_the_code_folder_command(cli, tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    project = tmp_path / "clinic"
    made = cli("init", project, "--sample", "--code-dir", repository)
    assert made.code == 0, made.err
    assert f"Code: the implementation stage writes {repository}" in made.out

    shown = cli("code-folder", "-p", project)
    assert shown.code == 0
    assert f"Code folder: {repository}" in shown.out
    back = cli("code-folder", "-p", project, "--default")
    assert f"Code folder: {project / 'code'}" in back.out
    refused = cli("code-folder", "-p", project, project / "inputs")
    assert refused.code == 2
    assert "inputs/ is the app's own folder" in refused.err
    assert "Traceback" not in refused.err


def test_a_code_dir_without_the_stage_or_in_the_apps_folders_writes_nothing(
    cli, tmp_path: Path
) -> None:
    project = tmp_path / "clinic"
    (tmp_path / "repo").mkdir()
    alone = cli("init", project, "--sample", "--no-code", "--code-dir", tmp_path / "repo")
    assert alone.code == 2
    assert "--code-dir and --no-code contradict each other" in alone.err
    inside = cli("init", project, "--sample", "--code-dir", project / "artifacts")
    assert inside.code == 2
    assert "artifacts/ is the app's own folder" in inside.err
    assert not project.exists()
