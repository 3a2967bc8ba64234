"""Quick commands load only what they need: no Claude SDK, no Alembic, no Qt."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result

HEAVY = ("anthropic", "alembic", "PySide6", "httpx2", "keyring")

_PROBE = """
import json, sys
from spec_automation.cli import main
code = main(sys.argv[2:])
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(sys.argv[1])))
print(json.dumps({"code": code, "loaded": loaded}))
"""


def _loaded_by(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def generated(sample_project: Path, cli: Callable[..., Result]) -> Path:
    result = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve", "--json")
    assert result.code == 0, result.err
    return sample_project


@pytest.mark.parametrize("command", ["status", "plan"])
def test_status_and_plan_load_no_sdk_no_migrations_and_no_qt(generated: Path, command: str) -> None:
    assert _loaded_by(command, "-p", str(generated)) == {"code": 0, "loaded": []}


def test_version_loads_neither_the_store_nor_rich() -> None:
    probe = (
        "import sys\nfrom spec_automation.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'rich', 'yaml'}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "spec-automation 0.1.0" in done.stdout
