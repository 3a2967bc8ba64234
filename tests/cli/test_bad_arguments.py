"""Bad numbers on the command line and hostile spec files: one ``error:`` sentence, exit 2.

Issue 13: ``--rate-limit -1`` and ``history --limit 99999999999999999999`` ended in an internal
error (exit 70); so did a spec holding a 5,000-digit number, and an alias bomb in a spec took
minutes and gigabytes before failing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from spec_automation.cli.parser import build_parser
from tests.cli.conftest import Result
from tests.helpers.specs import PHASE_A

Cli = Callable[..., Result]

HUGE = "99999999999999999999"  # past SQLite's 64-bit integers


def one_error_line(err: str) -> str:
    """The single ``error:`` line of what the command printed to stderr."""
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


def refused(cli: Cli, capsys: pytest.CaptureFixture[str], *args: str | Path) -> str:
    """Run a command the parser must refuse; return its one ``error:`` line."""
    with pytest.raises(SystemExit) as exited:
        cli(*args)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return one_error_line(captured.err)


# --- numbers the parser refuses ------------------------------------------------------------

BAD_ARGUMENTS = {
    "negative rate limit": (
        ["run", "--rate-limit", "-1"],
        "error: argument --rate-limit: rate limit must be zero or more, not -1",
    ),
    "rate limit not a number": (
        ["run", "--rate-limit", "nan"],
        "error: argument --rate-limit: rate limit must be a number, not 'nan'",
    ),
    "huge history limit": (
        ["history", "prd.md", "--limit", HUGE],
        f"error: argument --limit: page size must be at most 10000, not {HUGE}",
    ),
    "5000-digit history limit": (
        ["history", "prd.md", "--limit", "9" * 5000],
        "error: argument --limit: page size must be at most 10000, not "
        "999999999999999999999999999...",
    ),
    "zero history limit": (
        ["history", "prd.md", "--limit", "0"],
        "error: argument --limit: page size must be at least 1, not 0",
    ),
    "negative history offset": (
        ["history", "prd.md", "--offset", "-1"],
        "error: argument --offset: offset must be zero or more, not -1",
    ),
    "huge runs offset": (
        ["runs", "--offset", HUGE],
        f"error: argument --offset: offset must be at most 1000000000, not {HUGE}",
    ),
    "snapshots limit too large": (
        ["snapshots", "--limit", "10001"],
        "error: argument --limit: page size must be at most 10000, not 10001",
    ),
    "zero concurrency": (
        ["run", "--concurrency", "0"],
        "error: argument --concurrency: concurrency must be at least 1, not 0",
    ),
    "concurrency past the settings' maximum": (
        ["regenerate", "--strategy", "ignore", "--concurrency", "65"],
        "error: argument --concurrency: concurrency must be at most 64, not 65",
    ),
    "huge plan concurrency": (
        ["plan", "--concurrency", HUGE],
        f"error: argument --concurrency: concurrency must be at most 64, not {HUGE}",
    ),
    "zero phase timeout": (
        ["run", "--phase-timeout", "0"],
        "error: argument --phase-timeout: phase timeout must be more than 0, not 0",
    ),
    "phase timeout over a week": (
        ["run", "--phase-timeout", "1e9"],
        "error: argument --phase-timeout: phase timeout must be at most 604800, not 1e9",
    ),
    "negative latency scale": (
        ["run", "--latency-scale", "-1"],
        "error: argument --latency-scale: latency scale must be zero or more, not -1",
    ),
    "infinite latency scale": (
        ["regenerate", "--strategy", "ignore", "--latency-scale", "inf"],
        "error: argument --latency-scale: latency scale must be at most 10, not inf",
    ),
    "rate limit too large to be a float": (
        ["run", "--rate-limit", "9" * 5000],
        "error: argument --rate-limit: rate limit must be at most 100000, not "
        "999999999999999999999999999...",
    ),
    "run id past SQLite's integers": (
        ["run-show", HUGE],
        f"error: argument ID: run id must be at most 9223372036854775807, not {HUGE}",
    ),
    "change id zero": (
        ["impact", "0"],
        "error: argument CHANGE_ID: change id must be at least 1, not 0",
    ),
    "huge change id": (
        ["regenerate", "--strategy", "ignore", "--change", HUGE],
        f"error: argument --change: change id must be at most 9223372036854775807, not {HUGE}",
    ),
    "negative snapshot id": (
        ["rollback", "-3"],
        "error: argument SNAPSHOT_ID: snapshot id must be at least 1, not -3",
    ),
    "limit not a whole number": (
        ["runs", "--limit", "2.5"],
        "error: argument --limit: page size must be a whole number, not '2.5'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ARGUMENTS))
def test_a_bad_number_is_refused_by_the_parser_in_one_sentence(
    cli: Cli, capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    args, line = BAD_ARGUMENTS[case]
    folder = tmp_path / "project"
    command, *rest = args
    assert refused(cli, capsys, command, "-p", folder, *rest) == line
    assert not folder.exists(), "nothing was done"


def test_numbers_at_the_limits_are_accepted() -> None:
    parser = build_parser()
    limits = ["--rate-limit", "0", "--concurrency", "64", "--phase-timeout", "604800"]
    run = parser.parse_args(["run", *limits, "--latency-scale", "10"])
    assert (run.rate_limit, run.concurrency, run.phase_timeout, run.latency_scale) == (
        0.0,
        64,
        604800.0,
        10.0,
    )
    history = parser.parse_args(["history", "prd.md", "--limit", "10000", "--offset", "0"])
    assert (history.limit, history.offset) == (10000, 0)
    rollback = parser.parse_args(["rollback", "9223372036854775807"])
    assert rollback.snapshot_id == 2**63 - 1


# --- hostile specs, checked with `plan --spec FILE` ----------------------------------------


def laughs(levels: int) -> str:
    lines = ["    x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels):
        lines.append(f"    x{n}: &x{n} [" + ", ".join([f"*x{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


#: Spec text, and a pattern its one error line must hold after the file name.
HOSTILE_SPECS = {
    "alias bomb in sensitivity": (
        PHASE_A + "sensitivity:\n  a.md:\n" + laughs(7),
        r"line 17, field 'sensitivity': a\.md: this holds more than 100000 values "
        r"once its aliases are followed$",
    ),
    "list nested 5000 deep": (
        PHASE_A.replace("[a.md]", "[" * 5000 + "]" * 5000),
        # libyaml stops at 1,000 levels itself; the pure-Python parser reaches our limit
        r"not valid YAML \(exceeded maximum nesting depth\)$"
        r"|values are nested more than 32 levels deep$",
    ),
    "5000-digit number": (
        PHASE_A.replace("estimated_duration_s: 1", "estimated_duration_s: " + "9" * 5000),
        r"line 9, phase A: field 'estimated_duration_s': the number 9{27}\.\.\.9{28} "
        r"is too long \(at most 30 characters\)$",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SPECS))
def test_a_hostile_spec_is_one_error_line_and_exit_2(
    cli: Cli, tmp_path: Path, case: str
) -> None:
    text, problem = HOSTILE_SPECS[case]
    spec = tmp_path / "spec.yml"
    spec.write_text(text, encoding="utf-8")
    result = cli("plan", "--spec", spec)
    assert result.code == 2
    assert result.out == ""
    line = one_error_line(result.err)
    assert result.err.strip() == line, "nothing but the error line"
    assert line.startswith(f"error: {spec}: ")
    assert re.search(problem, line), line
    assert len(line) < 300


@pytest.mark.timeout(10)  # opening it waits for a writer that never comes: fail, do not hang
def test_a_spec_that_is_a_pipe_is_one_error_line(cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    result = cli("plan", "--spec", fifo)
    assert result.code == 2
    assert one_error_line(result.err) == (
        f"error: {fifo}: is not a regular file (a spec is a YAML file)"
    )
