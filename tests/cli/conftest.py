"""Fixtures for command-line tests: run the CLI in-process or as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from spec_automation.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``spec-automation ARGS`` in this process and capture what it prints."""

    def run(*args: str) -> Result:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def spawn(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start ``python -m spec_automation ARGS`` as a real process."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "spec_automation", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )


@pytest.fixture
def sample_project(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    """A new project made from the bundled sample brief, without the implementation stage
    (its gates are tested on their own, and with the whole default workflow in test_cli)."""
    folder = tmp_path / "sample"
    result = cli("init", folder, "--sample", "--no-code")
    assert result.code == 0, result.err
    return folder


@pytest.fixture
def generated(cli: Callable[..., Result], sample_project: Path) -> Path:
    """The sample after one complete offline run (gates approved at once)."""
    ran = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve")
    assert ran.code == 0, ran.err
    return sample_project
