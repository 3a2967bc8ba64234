"""The command line as a user meets it: exit codes, messages, and what ends up on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from spec_automation.core.artifacts import split_front_matter
from spec_automation.resources import bundled_spec_path
from spec_automation.store import queries
from spec_automation.store.database import open_database
from tests.cli.conftest import Result
from tests.helpers.specs import SPECIFICATION_ARTIFACTS, STAGE_ARTIFACTS

Cli = Callable[..., Result]

#: What a sample run writes, code stage included.
DEFAULT_ARTIFACTS = set(SPECIFICATION_ARTIFACTS + STAGE_ARTIFACTS)


def test_init_from_a_brief_file_creates_the_project(tmp_path: Path, cli: Cli) -> None:
    brief = tmp_path / "brief.txt"
    brief.write_text("# Tiny\n\n## Features\n\n- Sign in\n- Export a report\n", encoding="utf-8")
    result = cli("init", tmp_path / "tiny", "--brief", brief, "--name", "Tiny tool")
    assert result.code == 0, result.err
    assert (tmp_path / "tiny" / "brief.md").read_text(encoding="utf-8") == brief.read_text(
        encoding="utf-8"
    )
    assert (tmp_path / "tiny" / ".spec_automation" / "state.db").is_file()
    status = cli("status", "-p", tmp_path / "tiny", "--json").json()
    assert status["project"]["name"] == "Tiny tool"  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--brief", "missing.md"], "brief file missing.md not found"),
        (["--brief-text", "   "], "the brief is empty"),
        (["--sample", "no-such-sample"], "no bundled sample named 'no-such-sample'"),
    ],
)
def test_init_rejects_bad_input_before_writing_anything(
    tmp_path: Path, cli: Cli, args: list[str], message: str
) -> None:
    folder = tmp_path / "new"
    result = cli("init", folder, *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    assert not folder.exists()


def test_init_refuses_an_existing_project(sample_project: Path, cli: Cli) -> None:
    result = cli("init", sample_project, "--brief-text", "another brief")
    assert result.code == 2
    assert "already a spec_automation project" in result.err


def test_commands_outside_a_project_say_how_to_make_one(tmp_path: Path, cli: Cli) -> None:
    result = cli("status", "-p", tmp_path)
    assert result.code == 2
    assert "is not a spec_automation project" in result.err
    assert "spec-automation init" in result.err


BAD_SPECS = {
    "not yaml": ("phases: [a\n  b: c", "not valid YAML"),
    "not a mapping": ("- one\n- two\n", "expected a mapping"),
    "unknown dependency": (
        "phases:\n  A: {description: a, agent: x, produces: [a.md], depends_on: [B], estimated_duration_s: 1}\n",
        "phase A: field 'depends_on': unknown phase 'B'",
    ),
    "cycle": (
        "phases:\n"
        "  A: {description: a, agent: x, produces: [a.md], depends_on: [B], estimated_duration_s: 1}\n"
        "  B: {description: b, agent: x, produces: [b.md], depends_on: [A], estimated_duration_s: 1}\n",
        "dependency cycle",
    ),
    "duplicate artifact": (
        "phases:\n"
        "  A: {description: a, agent: x, produces: [a.md], depends_on: [], estimated_duration_s: 1}\n"
        "  B: {description: b, agent: x, produces: [a.md], depends_on: [], estimated_duration_s: 1}\n",
        "phase B: field 'produces': 'a.md' is already produced by phase A",
    ),
    "missing field": (
        "phases:\n  A: {description: a, produces: [a.md], depends_on: [], estimated_duration_s: 1}\n",
        "phase A: missing field 'agent'",
    ),
    "wrong type": (
        "phases:\n  A: {description: a, agent: x, produces: a.md, depends_on: [], estimated_duration_s: 1}\n",
        "phase A: field 'produces' must be a list",
    ),
    "path escape": (
        "phases:\n  A: {description: a, agent: x, produces: [../x.md], depends_on: [], estimated_duration_s: 1}\n",
        "phase A: field 'produces': '../x.md' is not a plain markdown file name",
    ),
    "python tag": ("phases: !!python/object/apply:os.getcwd []\n", "is not allowed"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_a_bad_project_spec_is_one_line_and_exit_2(
    sample_project: Path, cli: Cli, case: str
) -> None:
    text, message = BAD_SPECS[case]
    (sample_project / "orchestrator_spec.yml").write_text(text, encoding="utf-8")
    for command in (["plan"], ["run", "--latency-scale", "0"], ["status"]):
        result = cli(*command, "-p", sample_project)
        assert result.code == 2, (command, result.out)
        assert message in result.err
        assert result.err.strip().count("\n") == 0, "one line"
        assert "Traceback" not in result.err
    assert not any((sample_project / "artifacts").iterdir()), "nothing was run"


def test_a_missing_spec_file_is_a_clear_error(tmp_path: Path, cli: Cli) -> None:
    result = cli("plan", "--spec", tmp_path / "nope.yml")
    assert result.code == 2
    assert "nope.yml: file not found" in result.err


def test_plan_shows_waves_critical_path_and_estimates(cli: Cli) -> None:
    plan = cli("plan", "--spec", bundled_spec_path(), "--json").json()
    assert isinstance(plan, dict)
    assert len(plan["waves"]) == 8
    assert plan["critical_path"][0] == "ANALYSIS"
    assert plan["sequential_estimate_s"] == 415
    # The tasks and the code are written one epic at a time: 5 parts assumed before
    # epics.md exists, two rounds at 4 at once (16 s instead of 40 for the tasks, 24 s
    # instead of 60 for the code), then the 20 s of the gates end the critical path.
    assert plan["critical_path"][-2:] == ["IMPLEMENTATION", "QUALITY"]
    assert plan["parallel_estimate_s"] == plan["critical_path_s"] == 200
    text = cli("plan", "--spec", bundled_spec_path()).out
    assert "8 waves" in text
    assert "sequential 415 s, parallel 200 s" in text


def test_a_user_spec_with_its_own_roles_runs_end_to_end(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "custom"
    assert (
        cli(
            "init",
            folder,
            "--brief-text",
            "# Vault\n\n## Features\n\n- Store secrets\n- Rotate keys\n",
        ).code
        == 0
    )
    (folder / "orchestrator_spec.yml").write_text(
        "name: security review\nphases:\n"
        "  Threat modelling:\n    description: Model the threats to the product's secrets.\n"
        "    agent: security_reviewer\n    produces: [threat-model.md]\n    depends_on: []\n"
        "    estimated_duration_s: 3\n"
        "  Mitigations:\n    description: Plan mitigations for each threat.\n"
        "    agent: security_reviewer\n    produces: [mitigations.md]\n"
        "    depends_on: [Threat modelling]\n    estimated_duration_s: 2\n"
        "    validators: [presence, markdown_frontmatter]\n",
        encoding="utf-8",
    )
    result = cli("run", "-p", folder, "--latency-scale", "0")
    assert result.code == 0, result.out + result.err
    meta, body = split_front_matter(
        (folder / "artifacts" / "mitigations.md").read_text(encoding="utf-8")
    )
    assert meta is not None
    assert meta["agent"] == "security_reviewer"
    assert meta["provider"] == "offline"
    assert "threat-model.md" in meta["inputs"]
    assert "Plan mitigations" in body


def test_the_sample_runs_end_to_end_and_store_and_disk_agree(tmp_path: Path, cli: Cli) -> None:
    sample_project = tmp_path / "sample"  # as `init --sample` makes it: the code stage too
    assert cli("init", sample_project, "--sample").code == 0
    result = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert "completed" in result.out
    produced = {p.name for p in (sample_project / "artifacts").iterdir()}
    assert produced == DEFAULT_ARTIFACTS
    assert (sample_project / "code" / "tests" / "test_e1_rota.py").is_file()
    status = cli("status", "-p", sample_project, "--json").json()
    assert isinstance(status, dict)
    assert all(
        a["version"] == 1 and a["on_disk"] and a["matches_store"] for a in status["artifacts"]
    )
    assert status["gates"] == [
        {
            "gate": "architecture_approved",
            "phase": "SPEC_ARCHITECT",
            "status": "approved",
            "decided_by": "auto-approve",
            "note": "approved automatically (--auto-approve)",
        }
    ]
    for name in DEFAULT_ARTIFACTS:
        meta, _ = split_front_matter(
            (sample_project / "artifacts" / name).read_text(encoding="utf-8")
        )
        assert meta is not None
        assert meta["provider"] == ("quality gates" if name == "quality-report.md" else "offline")
        assert meta["version"] == 1
    report = (sample_project / "artifacts" / "validation-report.md").read_text(encoding="utf-8")
    assert "Not covered: 0" in report
    db = open_database(sample_project / ".spec_automation" / "state.db")
    try:
        phases = queries.get_run(db, 1).phases
    finally:
        db.close()
    assert {p.phase: p.warnings for p in phases if p.warnings} == {}, (
        "every artifact passes cleanly"
    )


def test_metrics_report_time_saved_from_recorded_runs(sample_project: Path, cli: Cli) -> None:
    assert cli("metrics", "-p", sample_project, "--json").json()["runs_analysed"] == 0  # type: ignore[index]
    assert cli("run", "-p", sample_project, "--latency-scale", "0.004", "--auto-approve").code == 0
    metrics = cli("metrics", "-p", sample_project, "--json").json()
    assert isinstance(metrics, dict)
    assert metrics["runs_analysed"] == 1
    assert metrics["time_saved_s"] == pytest.approx(
        metrics["sequential_duration_s"] - metrics["parallel_duration_s"]
    )
    assert metrics["time_saved_s"] > 0
    assert [w["wave"] for w in metrics["waves"]] == list(range(1, 9))
    assert metrics["waves"][3]["phases"] == ["SPEC_USER_FLOWS", "SPEC_ARCHITECT"]
    future = cli("metrics", "-p", sample_project, "--since", "2999-01-01", "--json").json()
    assert future["runs_analysed"] == 0  # type: ignore[index]
    assert "Time saved" in cli("metrics", "-p", sample_project).out


def test_sequential_run_is_recorded_as_such(sample_project: Path, cli: Cli) -> None:
    result = cli(
        "run",
        "-p",
        sample_project,
        "--latency-scale",
        "0",
        "--sequential",
        "--auto-approve",
        "--json",
    )
    assert result.code == 0
    report = result.json()
    assert isinstance(report, dict)
    assert report["mode"] == "sequential"
    assert report["status"] == "completed"


def test_resume_with_nothing_to_resume(sample_project: Path, cli: Cli) -> None:
    assert cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve").code == 0
    result = cli("run", "-p", sample_project, "--resume")
    assert result.code == 2
    assert "nothing to resume" in result.err


def test_approving_an_unknown_or_unopened_gate(sample_project: Path, cli: Cli) -> None:
    unknown = cli("approve", "design_approved", "-p", sample_project)
    assert unknown.code == 2
    assert "no approval gate named 'design_approved' (gates: architecture_approved)" in unknown.err
    unopened = cli("approve", "architecture_approved", "-p", sample_project)
    assert unopened.code == 2
    assert "opens when phase SPEC_ARCHITECT finishes" in unopened.err


def test_run_options_are_checked(
    sample_project: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    # The parser refuses them (SystemExit 2 with one sentence) before the service is reached.
    for flag, value, message in (
        ("--concurrency", "0", "concurrency must be at least 1"),
        ("--latency-scale", "-1", "latency scale must be zero or more"),
    ):
        with pytest.raises(SystemExit) as exited:
            cli("run", "-p", sample_project, flag, value)
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


def test_store_integrity_after_a_run(sample_project: Path, cli: Cli) -> None:
    assert cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve").code == 0
    db = open_database(sample_project / ".spec_automation" / "state.db")
    try:
        assert db.integrity_check() == "ok"
    finally:
        db.close()


def test_an_unexpected_error_is_one_line_and_logged(
    sample_project: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setenv("SPEC_AUTOMATION_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("spec_automation.services.ProjectService.status", broken)
    result = cli("status", "-p", sample_project)
    assert result.code == 70
    assert "internal error: RuntimeError: something nobody expected" in result.err
    assert "Traceback" not in result.err
    log = tmp_path / "data" / "logs" / "cli.log"
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert str(log) in result.err
