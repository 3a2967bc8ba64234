"""The command line opens the desktop app and renders its screenshots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from spec_automation.cli import main
from spec_automation.ui.impact_screenshots import IMPACT_SHOTS
from spec_automation.ui.screenshots import SHOTS

pytestmark = pytest.mark.gui


def test_no_command_opens_the_desktop_app(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    monkeypatch.setattr(
        "spec_automation.ui.app.run_gui", lambda project: opened.append(project) or 0
    )
    assert main([]) == 0
    assert opened == [None]


def test_gui_on_a_folder_that_is_not_a_project_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gui", "--project", str(tmp_path)]) == 2
    assert "is not a spec_automation project" in capsys.readouterr().err


@pytest.mark.slow
def test_screenshots_renders_every_view_in_both_themes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "SPEC_AUTOMATION_CONFIG_DIR": str(tmp_path / "config"),
        "SPEC_AUTOMATION_DATA_DIR": str(tmp_path / "data"),
    }
    out = tmp_path / "shots"
    done = subprocess.run(
        [sys.executable, "-m", "spec_automation", "screenshots", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    app_shots = sorted(
        f"app-{view}-{theme}.png"
        for view in SHOTS
        for theme in ("dark", "light")
    )
    assert [n for n in names if n.startswith("app-")] == app_shots
    assert [n for n in names if n.startswith("impact-")] == sorted(
        f"impact-{shot}-{theme}.png" for shot in IMPACT_SHOTS for theme in ("dark", "light")
    )
    visualizer = {n for n in names if n.startswith("visualizer-")}
    assert {
        "visualizer-before.png",
        "visualizer-mid-run.png",
        "visualizer-metrics.png",
    } <= visualizer
    assert all(p.stat().st_size > 10_000 for p in out.glob("*.png"))
    assert not (tmp_path / "config").exists()  # the user's settings were never touched
