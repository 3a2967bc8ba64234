"""A windowed executable has no stdout or stderr: what the command line prints goes to a log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_with_no_stdout_and_no_stderr_an_error_is_logged_not_a_crash(tmp_path: Path) -> None:
    # Windows starts a console=False executable with sys.stdout and sys.stderr set to None.
    script = (
        "import sys; sys.stdout = None; sys.stderr = None\n"
        "from spec_automation.cli import main\n"
        f"raise SystemExit(main(['status', '-p', {str(tmp_path / 'nothing')!r}]))\n"
    )
    env = {"SPEC_AUTOMATION_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 2, done.stderr
    logs = list((tmp_path / "data").rglob("console.log"))
    assert len(logs) == 1
    assert "is not a spec_automation project" in logs[0].read_text(encoding="utf-8")
