"""Quality runs in the store: recorded with their gates and findings in one go, read back as
they were, paged newest first, tied to a workflow run's Dev-QA rounds, and summed for
metrics."""

from __future__ import annotations

import pytest

from spec_automation.core.ports import RunMode, RunStart
from spec_automation.core.quality import Finding, GateResult, QualityRun
from spec_automation.store import Database, SqlRunRecorder
from spec_automation.store.errors import StoreError
from spec_automation.store.quality import QualityStore
from tests.store.conftest import at


def _run(seconds: float, wall_s: float, *, lint_status: str = "failed") -> QualityRun:
    lint = GateResult(
        "ruff",
        lint_status,
        0.2,
        (Finding("ruff", "pkg/a.py", 3, 5, "F401", "`os` imported but unused", "error"),)
        if lint_status == "failed"
        else (),
        {"error": 1 if lint_status == "failed" else 0, "warning": 0, "info": 0},
        "ruff found 1 problem in 1 file (1 error)." if lint_status == "failed" else "",
        ("ruff", "check", "--output-format", "json", "."),
        "ruff_json",
    )
    tests = GateResult(
        "pytest",
        "passed",
        wall_s,
        (Finding("pytest", "tests/test_a.py", 7, 0, "tests/test_a.py::test_x", "", "passed"),),
        {"passed": 1, "failed": 0, "error": 0, "skipped": 0, "xfailed": 0},
        "Every test passed or was expected to fail (1 passed).",
        ("python", "-m", "pytest"),
        "junit_xml",
    )
    return QualityRun((lint, tests), wall_s, at(seconds))


@pytest.fixture
def store(db: Database, project_id: int) -> QualityStore:
    return QualityStore(db, project_id)


def test_a_run_reads_back_as_it_was_recorded(store: QualityStore) -> None:
    run = _run(0, 1.5)
    recorded = store.run(store.record(run, code_dir="code"))
    assert recorded.gates == run.results
    assert (recorded.status, recorded.wall_s, recorded.started_at) == ("failed", 1.5, at(0))
    assert recorded.finished_at == at(1.5)
    assert (recorded.run_id, recorded.round, recorded.code_dir) == (None, 1, "code")
    assert recorded.finding_counts == (1, 1)


def test_runs_are_paged_newest_first_without_their_findings(store: QualityStore) -> None:
    first = store.record(_run(0, 1.0), code_dir="code")
    second = store.record(_run(60, 2.0, lint_status="passed"), code_dir="code")
    page, total = store.runs(limit=1)
    assert total == 2
    assert [r.id for r in page] == [second]
    assert page[0].status == "passed"
    older, _ = store.runs(limit=1, offset=1)
    assert [r.id for r in older] == [first]
    assert older[0].gates[0].findings == ()  # listed: counted, not read
    assert older[0].finding_counts == (1, 1)


def test_rounds_of_a_workflow_run_are_kept_apart_and_summed(
    store: QualityStore, recorder: SqlRunRecorder
) -> None:
    run_id = recorder.begin_run(RunStart(RunMode.PARALLEL, "default", ("QA",), 4, at(0)))
    store.record(_run(10, 3.0), code_dir="code", run_id=run_id, round=1, phase="QUALITY")
    store.record(_run(20, 2.0, lint_status="passed"), code_dir="code", run_id=run_id, round=2)
    store.record(_run(30, 4.0), code_dir="code")  # run alone, outside any workflow run
    rounds = sorted((r.round, r.status, r.phase) for r in store.runs()[0] if r.run_id)
    assert rounds == [(1, "failed", "QUALITY"), (2, "passed", "")]
    assert store.gate_time_by_run([run_id, run_id + 1]) == {run_id: 5.0}
    assert store.gate_time() == (9.0, 3)
    assert store.gate_time(since=at(15), until=at(25)) == (2.0, 1)


def test_a_run_of_no_workflow_run_is_refused(store: QualityStore) -> None:
    with pytest.raises(StoreError, match="no workflow run 41 in this project"):
        store.record(_run(0, 1.0), code_dir="code", run_id=41)
    assert store.runs() == ([], 0)
    with pytest.raises(StoreError, match="no quality run 1 in this project"):
        store.run(1)
