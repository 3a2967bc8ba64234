"""The change commands as a user meets them: scan, history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.conftest import Result

Cli = Callable[..., Result]


@pytest.fixture
def ran(sample_project: Path, cli: Cli) -> Path:
    result = cli("run", "-p", sample_project, "--auto-approve", "--latency-scale", "0", "--json")
    assert result.code == 0, result.err
    return sample_project


def test_scan_finds_an_edit_and_history_shows_it(ran: Path, cli: Cli) -> None:
    prd = ran / "artifacts" / "prd.md"
    prd.write_text(prd.read_text(encoding="utf-8").replace("Must", "Could", 1), encoding="utf-8")

    scan = cli("scan", "-p", ran)
    assert scan.code == 0, scan.err
    assert "prd.md: MEDIUM" in scan.out
    assert cli("scan", "-p", ran, "--json").json()["changes"] == []  # type: ignore[index]

    history = cli("history", "prd.md", "-p", ran, "--json").json()
    assert history["total"] == 1  # type: ignore[index]
    (change,) = history["items"]  # type: ignore[index]
    assert change["changed_by"] == "user"
    assert change["impact_level"] == "MEDIUM"
    assert change["sections"][0]["kind"] == "modified"

    versions = cli("history", "prd.md", "--versions", "--limit", "1", "-p", ran, "--json").json()
    assert versions["total"] == 2  # type: ignore[index]
    assert [v["kind"] for v in versions["items"]] == ["user_edit"]  # type: ignore[index]

    table = cli("history", "prd.md", "-p", ran)
    assert "changes 1-1 of 1" in table.out
    assert "MEDIUM" in table.out


def test_history_of_an_unknown_artifact_is_a_user_error(ran: Path, cli: Cli) -> None:
    result = cli("history", "nope.md", "-p", ran)
    assert result.code == 2
    assert "no artifact named 'nope.md'" in result.err


def test_metrics_until_a_date_includes_that_whole_day(ran: Path, cli: Cli) -> None:
    today = datetime.now(UTC).date().isoformat()
    metrics = cli("metrics", "-p", ran, "--since", today, "--until", today, "--json").json()
    assert metrics["runs_analysed"] == 1  # type: ignore[index]
    assert metrics["parallel_duration_s"] > 0  # type: ignore[index]
    assert [w["wave"] for w in metrics["waves"]] == list(range(1, 9))  # type: ignore[index]
