"""No Unix-only imports: every module imports, and the run lock works, without them.

Windows has no ``fcntl``, ``resource``, ``termios``, ``pwd`` or ``grp``. Here they are made
unimportable in a child process (a meta-path finder refuses them), which then imports every
module of the package and takes the project's run lock while a second such process tries to.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

UNIX_ONLY = ("fcntl", "resource", "termios", "pwd", "grp")

_BLOCK = textwrap.dedent(
    f"""
    import importlib.abc, sys
    for name in {UNIX_ONLY!r}:
        sys.modules.pop(name, None)

    class NoUnixOnly(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {UNIX_ONLY!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, NoUnixOnly())
    """
)

_IMPORT_ALL = _BLOCK + textwrap.dedent(
    """
    import importlib, json, os, pkgutil
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import spec_automation
    failed = {}
    names = [m.name for m in pkgutil.walk_packages(spec_automation.__path__, "spec_automation.")]
    for name in names:
        if ".migrations." in name or name.endswith("__main__"):
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"imported": len(names), "failed": failed}))
    """
)

_HOLD_LOCK = _BLOCK + textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from spec_automation.workspace import RunLockedError, run_lock
    try:
        with run_lock(Path(sys.argv[1])):
            print("locked", flush=True)
            time.sleep(float(sys.argv[2]))
    except RunLockedError as exc:
        print("refused:", exc, flush=True)
    """
)


def test_every_module_imports_without_unix_only_modules() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}
    assert report["imported"] > 60


def test_the_blocker_really_blocks() -> None:
    probe = _BLOCK + "\ntry:\n    import fcntl\nexcept ImportError:\n    print('blocked')\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "blocked"


@pytest.mark.slow
def test_the_run_lock_still_excludes_a_second_writer(tmp_path: Path) -> None:
    lock = tmp_path / ".spec_automation" / "run.lock"
    first = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(lock), "5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "locked"
        second = subprocess.run(
            [sys.executable, "-c", _HOLD_LOCK, str(lock), "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.stdout.startswith("refused: another run is in progress")
        assert f"pid {first.pid}" in second.stdout
    finally:
        first.kill()
        first.wait()
        if first.stdout is not None:
            first.stdout.close()
    after = subprocess.run(
        [sys.executable, "-c", _HOLD_LOCK, str(lock), "0"], capture_output=True, text=True
    )
    assert after.stdout.strip() == "locked"  # a killed holder leaves no lock behind
