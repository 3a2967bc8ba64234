"""Quality gates run for real: ruff, basedpyright and pytest subprocesses on small code folders
find a lint error, a type error and a failing test with file and line; a missing tool, a
hanging gate, output that does not parse and a folder outside the code folder each end in a
sentence, never a crash; runs are recorded, listed and shown, and metrics count their time.

basedpyright takes a second or so even on a tiny folder: the broken folder is checked once
for the whole module, every gate of this file's bad-input cases in the same run.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from spec_automation import services
from spec_automation.core.quality import (
    DEFAULT_GATES,
    GateResult,
    QualityGateSpec,
    QualityRun,
    parse_quality_gates,
)
from spec_automation.services import ProjectError, ProjectService
from spec_automation.services.quality import code_folder, run_gates
from spec_automation.services.reports import to_json
from tests.helpers.code_folders import FAILING_TEST, LINT_ERROR, TYPE_ERROR, write_code_folder

PY = sys.executable
#: A gate that starts a child, says both ids, and would sleep for a minute.
_HANG = (
    "import os, pathlib, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "pathlib.Path('hang.pids').write_text(f'{os.getpid()} {child.pid}')\n"
    "time.sleep(60)\n"
)
BAD_INPUT = (
    QualityGateSpec("hang", (PY, "-c", _HANG), timeout_s=1.0),
    QualityGateSpec("nowhere", ("no-such-gate-tool-xyz", "--check")),
    QualityGateSpec("garbage", (PY, "-c", "print('{not json')"), parser="pyright_json"),
    QualityGateSpec(
        "torn report",
        (PY, "-c", "import sys; open(sys.argv[1], 'w').write('<testsuites><oops')", "{junit}"),
        parser="junit_xml",
    ),
)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, QualityRun, list[str]]:
    """The broken folder checked by the three default gates and the bad-input ones at once,
    and the progress reported."""
    folder = write_code_folder(tmp_path_factory.mktemp("code"), broken=True)
    progress: list[str] = []
    run = asyncio.run(
        run_gates(
            folder,
            DEFAULT_GATES + BAD_INPUT,
            on_progress=lambda gate, status: progress.append(f"{gate} {status}"),
        )
    )
    return folder, run, progress


def _gate(run: QualityRun, name: str) -> GateResult:
    return next(result for result in run.results if result.name == name)


def _at(result: GateResult, where: tuple[str, int]) -> list[str]:
    return [f.rule for f in result.findings if (f.file, f.line) == where]


# --- what the default gates find -------------------------------------------------------------


def test_ruff_finds_the_lint_error_with_file_line_and_rule(checked) -> None:
    ruff = _gate(checked[1], "ruff")
    assert ruff.status == "failed"
    assert _at(ruff, LINT_ERROR) == ["F401"]
    finding = ruff.findings[0]
    assert (finding.column, finding.severity) == (8, "error")
    assert "os" in finding.message
    assert ruff.counts["error"] == 1
    assert ruff.message == "ruff found 1 problem in 1 file (1 error)."


def test_basedpyright_finds_the_type_error_with_file_and_line(checked) -> None:
    pyright = _gate(checked[1], "basedpyright")
    assert pyright.status == "failed"
    assert _at(pyright, TYPE_ERROR) == ["reportReturnType"]
    error = next(f for f in pyright.findings if f.rule == "reportReturnType")
    assert error.severity == "error"
    assert error.column == 12  # lines and columns counted from 1, as an editor does
    assert pyright.counts["error"] == 1


def test_pytest_reports_every_test_and_the_failing_one_where_it_failed(checked) -> None:
    pytest_gate = _gate(checked[1], "pytest")
    assert pytest_gate.status == "failed"
    outcomes = {f.rule: f.severity for f in pytest_gate.findings}
    assert outcomes == {
        "tests/test_shapes.py::test_area": "passed",
        "tests/test_shapes.py::test_perimeter_is_wrong": "failed",
        "tests/test_shapes.py::test_volume": "xfailed",
    }
    assert _at(pytest_gate, FAILING_TEST) == ["tests/test_shapes.py::test_perimeter_is_wrong"]
    # What is left to fix: the failing test only, not the one that passed or the xfail.
    assert [f.rule for f in pytest_gate.problems] == [
        "tests/test_shapes.py::test_perimeter_is_wrong"
    ]
    failed = next(f for f in pytest_gate.findings if f.severity == "failed")
    assert "assert 1 == 2" in failed.message
    assert dict(pytest_gate.counts) == {
        "passed": 1,
        "failed": 1,
        "error": 0,
        "skipped": 0,
        "xfailed": 1,
    }
    assert "1 test of 3 did not pass" in pytest_gate.message


def test_the_gates_ran_at_once_and_reported_their_progress(checked) -> None:
    _, run, progress = checked
    names = [gate.name for gate in DEFAULT_GATES + BAD_INPUT]
    for name in names:  # each said it started, then how it ended
        assert [p.removeprefix(f"{name} ") for p in progress if p.startswith(f"{name} ")] == [
            "running",
            _gate(run, name).status,
        ]
    # The three default gates all started before any of them ended: none waited for another.
    defaults = [f"{g.name} running" for g in DEFAULT_GATES]
    first_end = min(progress.index(f"{g.name} {_gate(run, g.name).status}") for g in DEFAULT_GATES)
    assert max(progress.index(p) for p in defaults) < first_end
    assert run.status == "failed"
    assert [r.name for r in run.results] == names


# --- bad input: a sentence and a gate that did not pass, never a crash ----------------------


def test_a_hanging_gate_is_killed_at_its_timeout_with_its_children(checked) -> None:
    folder, run, _ = checked
    hang = _gate(run, "hang")
    assert hang.status == "timeout"
    assert hang.message.startswith("hang did not finish within 1 s and was stopped")
    assert hang.duration_s < 30
    for pid in map(int, (folder / "hang.pids").read_text().split()):
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    # ... while the others went on to their end.
    assert {_gate(run, n).status for n in ("ruff", "basedpyright", "pytest")} == {"failed"}


def test_a_command_that_does_not_exist_is_missing_and_says_so(checked) -> None:
    missing = _gate(checked[1], "nowhere")
    assert missing.status == "missing"
    assert missing.message.startswith(
        "no-such-gate-tool-xyz is not installed: it is neither on PATH"
    )


def test_output_that_does_not_parse_is_an_error_with_the_reason(checked) -> None:
    garbage = _gate(checked[1], "garbage")
    assert garbage.status == "error"
    assert garbage.message == (
        "garbage's output could not be read as basedpyright's JSON report (not JSON; exit "
        "code 0); it printed: {not json"
    )
    torn = _gate(checked[1], "torn report")
    assert torn.status == "error"
    assert "could not be read as a JUnit XML report (not well-formed XML" in torn.message


def test_a_gate_runs_with_the_variables_its_env_sets(tmp_path: Path) -> None:
    says = "import os, sys; sys.exit(0 if os.environ.get('GATE_MODE') == 'strict' else 3)"
    gates = parse_quality_gates(
        [
            {"name": "with", "command": [PY, "-c", says], "env": {"GATE_MODE": "strict"}},
            {"name": "without", "command": [PY, "-c", says]},
        ]
    )
    run = asyncio.run(run_gates(tmp_path, gates))
    assert [(r.name, r.status) for r in run.results] == [("with", "passed"), ("without", "failed")]
    # The default pytest gate leaves out the pytest plugins installed with the app.
    [pytest_gate] = [g for g in DEFAULT_GATES if g.name == "pytest"]
    assert dict(pytest_gate.env) == {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def test_the_code_folders_own_venv_runs_the_gates_first(tmp_path: Path) -> None:
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(PY)  # as venv makes it
    probe = venv / "venv-only-probe"
    probe.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    probe.chmod(0o755)
    own = str(venv / "python")
    which = f"import sys; sys.exit(0 if sys.executable == {own!r} else 3)"
    gates = parse_quality_gates(
        [
            {"name": "interpreter", "command": ["{python}", "-c", which]},
            {"name": "tool", "command": ["venv-only-probe"]},
        ]
    )
    run = asyncio.run(run_gates(tmp_path, gates))
    assert [(r.name, r.status) for r in run.results] == [
        ("interpreter", "passed"),
        ("tool", "passed"),
    ]
    # Without the .venv, the app's own Python stands for {python}, and the tool is missing.
    (tmp_path / ".venv").rename(tmp_path / "elsewhere")
    again = asyncio.run(run_gates(tmp_path, gates))
    assert [r.status for r in again.results] == ["failed", "missing"]
    assert "venv-only-probe is not installed" in again.results[1].message


def test_a_module_the_interpreter_lacks_is_missing(tmp_path: Path) -> None:
    gate = QualityGateSpec("types", ("{python}", "-m", "no_such_checker_module"))
    run = asyncio.run(run_gates(tmp_path, [gate]))
    assert run.results[0].status == "missing"
    assert run.results[0].message.startswith("no_such_checker_module is not installed for ")


@pytest.mark.parametrize("cwd", ["..", "../elsewhere", "/tmp", "sub/../../x"])
def test_a_folder_outside_the_code_folder_is_refused_before_anything_runs(
    tmp_path: Path, cwd: str
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    marker = (PY, "-c", "open('ran', 'w').close()")
    gates = [QualityGateSpec("fine", marker), QualityGateSpec("escapes", marker, cwd=cwd)]
    with pytest.raises(ProjectError, match=r"quality gate 'escapes': its folder .* is outside"):
        asyncio.run(run_gates(code, gates))
    assert not (code / "ran").exists()
    assert not (tmp_path / "ran").exists()


def test_a_folder_reached_through_a_link_is_refused(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", code / "linked")
    gate = QualityGateSpec("linked", (PY, "-c", "open('ran', 'w').close()"), cwd="linked")
    with pytest.raises(ProjectError, match="is a link; the app does not read or write through"):
        asyncio.run(run_gates(code, [gate]))
    assert not (tmp_path / "outside" / "ran").exists()


async def test_cancelling_stops_every_gate_and_says_which_had_finished(tmp_path: Path) -> None:
    quick = QualityGateSpec("quick", (PY, "-c", "pass"))
    slow = QualityGateSpec("slow", (PY, "-c", "import time; time.sleep(60)"), timeout_s=120)
    started: list[str] = []
    stood: list[QualityRun] = []
    task = asyncio.ensure_future(
        run_gates(
            tmp_path,
            [quick, slow],
            on_progress=lambda g, s: started.append(f"{g} {s}"),
            on_cancelled=stood.append,
        )
    )
    while "quick passed" not in started:
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (run,) = stood
    assert [r.status for r in run.results] == ["passed", "cancelled"]
    assert run.status == "cancelled"
    assert run.results[1].message == "slow was stopped: the run was cancelled."


async def test_a_time_limit_around_the_gates_is_still_a_timeout(tmp_path: Path) -> None:
    slow = QualityGateSpec("slow", (PY, "-c", "import time; time.sleep(60)"), timeout_s=120)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await run_gates(tmp_path, [slow])


# --- recorded through the project ------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ProjectService]:
    service = services.create_project(tmp_path / "shop", brief_text="A shop.", git_enabled=False)
    yield service
    service.close()


CHEAP = (
    QualityGateSpec("says yes", (PY, "-c", "pass")),
    QualityGateSpec("says no", (PY, "-c", "import sys; sys.exit('broken: 3 problems')")),
)


async def test_a_run_is_recorded_listed_and_shown_with_its_findings(
    project: ProjectService,
) -> None:
    write_code_folder(code_folder(project), broken=True)
    lint = (QualityGateSpec("ruff", DEFAULT_GATES[0].command, parser="ruff_json"),)
    report = await project.quality.run(gates=CHEAP + lint)
    assert report.status == "failed"
    assert report.code_dir == "code"
    assert [(g.name, g.status) for g in report.gates] == [
        ("says yes", "passed"),
        ("says no", "failed"),
        ("ruff", "failed"),
    ]
    assert report.gates[1].message == "says no exited with code 1: broken: 3 problems"
    assert [(f.file, f.line, f.rule) for f in report.findings] == [(*LINT_ERROR, "F401")]

    shown = project.quality.show(report.id)
    assert shown == report
    page = project.quality.list()
    assert page.total == 1
    listed = page.items[0]
    assert (listed.id, listed.status, listed.run_id, listed.round) == (report.id, "failed", None, 1)
    assert [(g.name, g.findings) for g in listed.gates] == [
        ("says yes", 0),
        ("says no", 0),
        ("ruff", 1),
    ]
    data = to_json(shown)
    assert data["gates"][2]["findings"][0] == {
        "gate": "ruff",
        "file": "pkg/shapes.py",
        "line": 1,
        "column": 8,
        "rule": "F401",
        "message": "`os` imported but unused",
        "severity": "error",
    }
    metrics = project.metrics()
    assert metrics.gate_time_s == pytest.approx(report.wall_s)
    assert metrics.gate_runs == 1


async def test_a_cancelled_run_is_recorded_as_cancelled(project: ProjectService) -> None:
    code_folder(project).mkdir()
    slow = QualityGateSpec("slow", (PY, "-c", "import time; time.sleep(60)"))
    task = asyncio.ensure_future(project.quality.run(gates=(slow,)))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (listed,) = project.quality.list().items
    assert listed.status == "cancelled"
    assert listed.gates[0].status == "cancelled"


async def test_asking_for_what_is_not_there_is_a_sentence(project: ProjectService) -> None:
    with pytest.raises(ProjectError, match=r"this project has no code folder yet \(.*code\)"):
        await project.quality.run(gates=CHEAP)
    code_folder(project).mkdir()
    with pytest.raises(ProjectError, match="no workflow run 99 in this project"):
        await project.quality.run(gates=CHEAP, run_id=99)
    with pytest.raises(ProjectError, match="the spec lists no quality gates"):
        await project.quality.run(gates=())
    with pytest.raises(ProjectError, match="no quality run 5 in this project"):
        project.quality.show(5)
    assert project.quality.list().total == 0  # nothing was recorded by the refusals


def test_a_code_folder_that_is_a_link_is_refused(project: ProjectService, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", code_folder(project))
    with pytest.raises(ProjectError, match="is a link"):
        asyncio.run(project.quality.run(gates=CHEAP))
