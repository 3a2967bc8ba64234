"""How long the command line and the desktop app take to start, against a floor.

The floor is a process that only imports SQLAlchemy's ORM and PyYAML (what any command that
reads a project must load). Measured in this run, best of several, each as its own process:

* ``spec-automation --version``                       (target <= 0.5x the floor);
* ``spec-automation status`` and ``plan`` on the sample (target <= 1.6x the floor);
* the desktop app on the sample, offscreen: until the main window is first painted
  (target <= 1.5 s) and until the explorer lists the project's artifacts (target <= 2.5 s).

Byte-code caches are written and used, as on an installed copy (``PYTHONDONTWRITEBYTECODE`` is
cleared for the children, and one warm-up run of each command fills the caches).
Run: .venv/bin/python bench/startup.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7

_GUI_CHILD = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

marks = {}

class Watch(QObject):
    def eventFilter(self, obj, event):
        if (
            "painted" not in marks
            and event.type() == QEvent.Type.Paint
            and obj.isWidgetType()
            and obj.window().objectName() == "mainWindow"
        ):
            marks["painted"] = time.monotonic()
        return False

def poll():
    for widget in QApplication.topLevelWidgets():
        explorer = getattr(widget, "explorer", None)
        if explorer is not None and explorer.topLevelItemCount() > 0 and explorer.entries:
            marks["explorer"] = time.monotonic()
            print(json.dumps(marks), flush=True)
            os._exit(0)

from spec_automation.ui.app import application

app = application()
watch = Watch()
app.installEventFilter(watch)
timer = QTimer()
timer.timeout.connect(poll)
timer.start(2)
from spec_automation.cli import main

sys.exit(main(["gui", "-p", sys.argv[1]]))
"""


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["SPEC_AUTOMATION_CONFIG_DIR"] = str(tmp / "config")
    env["SPEC_AUTOMATION_DATA_DIR"] = str(tmp / "data")
    return env


def best_of(command: list[str], env: dict[str, str]) -> float:
    """The fastest of ``RUNS`` runs of ``command`` after a warm-up (seconds)."""
    subprocess.run(command, env=env, capture_output=True, check=True)
    times = []
    for _ in range(RUNS):
        start = time.monotonic()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.monotonic() - start)
    return min(times)


def gui_marks(project: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from process start until the window is painted and the explorer is filled
    (best of ``RUNS``, after a warm-up)."""
    command = [sys.executable, "-c", _GUI_CHILD, str(project)]
    subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)
    painted, filled = [], []
    for _ in range(RUNS):
        start = time.monotonic()
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        marks = json.loads(done.stdout.strip().splitlines()[-1])
        painted.append(marks["painted"] - start)
        filled.append(marks["explorer"] - start)
    return min(painted), min(filled)


def main() -> int:
    """Measure and print every figure with its target."""
    cli = [sys.executable, "-m", "spec_automation"]
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        tmp = Path(folder)
        env = _env(tmp)
        project = tmp / "shiftcare"
        subprocess.run([*cli, "init", str(project), "--sample"], env=env, check=True,
                       capture_output=True)
        subprocess.run([*cli, "run", "-p", str(project), "--latency-scale", "0",
                        "--auto-approve", "--json"], env=env, check=True, capture_output=True)
        floor = best_of([sys.executable, "-c", "import sqlalchemy.orm, yaml"], env)
        print(f"floor (import sqlalchemy.orm, yaml): {1000 * floor:.0f} ms")
        rows = [
            ("--version", [*cli, "--version"], 0.5),
            ("status", [*cli, "status", "-p", str(project)], 1.6),
            ("plan", [*cli, "plan", "-p", str(project)], 1.6),
        ]
        for name, command, target in rows:
            seconds = best_of(command, env)
            ratio = seconds / floor
            verdict = "ok" if ratio <= target else "OVER"
            print(f"{name:10} {1000 * seconds:6.0f} ms  {ratio:4.2f}x floor  "
                  f"(target <= {target}x)  {verdict}")
        painted, filled = gui_marks(project, env)
        for name, seconds, target in (("window painted", painted, 1.5),
                                      ("explorer filled", filled, 2.5)):
            verdict = "ok" if seconds <= target else "OVER"
            print(f"{name:16} {seconds:5.2f} s  {seconds / floor:4.1f}x floor  "
                  f"(target <= {target} s)  {verdict}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
