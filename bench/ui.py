"""How the desktop app copes with a big artifact: open, diff, and typing without freezing.

Offscreen, on a real qasync loop, with a real project and the real main window, it prints:

* time to open a 10,000-line artifact in an editor tab, until the tab is painted (target <= 500 ms);
* time until the diff of two 10,000-line versions is shown in the diff viewer (target <= 1 s);
* the longest event-loop stall while typing into that artifact, while the diff is computed
  and shown, and while a diff computed already is put into the panes (target <= 50 ms each),
  measured with a 5 ms timer heartbeat: a stall is the gap between two beats minus the
  interval;
* the time to switch the theme with every artifact of the spec open in a tab, until the window
  is painted (target <= 300 ms; best of 4).

Each figure is printed with its ratio to the target, measured in this run.
Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _workloads import in_app

LINES = 10_000
HEARTBEAT_MS = 5


def big_document(seed: int) -> str:
    """A 10,000-line markdown artifact: sections, lists, tables and fenced code."""
    lines = ["---", "artifact: prd.md", "phase: SPEC_PM", "---", "", "# Big product"]
    number = 0
    while len(lines) < LINES:
        number += 1
        lines += [
            "",
            f"## Section {number}",
            "",
            f"Paragraph {number} explains **why** the `feature` matters to clinic managers {seed}.",
            f"- FR-{number}: The product shall do thing {number} within {number % 7 + 1} seconds.",
            "- Acceptance: given a manager, when they act, then it is recorded.",
            "",
            "| Column | Value |",
            "|---|---|",
            f"| row {number} | {number * 3} |",
            "",
            "```python",
            f"def handler_{number}(request):",
            f'    return {{"id": {number}, "ok": True}}',
            "```",
        ]
    return "\n".join(lines[:LINES]) + "\n"


class Heartbeat:
    """A timer that should fire every few milliseconds; the longest late beat is a stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.last = 0.0
        self.worst = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.worst = max(self.worst, now - self.last - HEARTBEAT_MS / 1000)
        self.last = now

    def start(self) -> None:
        self.worst = 0.0
        self.last = 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


async def measure(root: Path) -> dict[str, float]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from spec_automation.resources import sample_brief_path
    from spec_automation.services import create_project
    from spec_automation.settings import AppSettings
    from spec_automation.ui.mainwindow import MainWindow
    from spec_automation.ui.textdiff import side_by_side

    folder = root / "big"
    service = create_project(folder, brief_text=sample_brief_path().read_text(encoding="utf-8"))
    service.close()
    (folder / "artifacts" / "prd.md").write_text(big_document(1), encoding="utf-8")

    window = MainWindow(AppSettings(autosave_interval_s=2.0), layout_file=root / "window.ini")
    window.resize(1600, 1000)
    window.show()
    await window.open_project(folder)
    await asyncio.sleep(0.3)
    results: dict[str, float] = {}

    started = time.perf_counter()
    tab = await window.editors.open_artifact("prd.md")
    assert tab is not None
    window.grab()  # the first paint, highlighting of the visible lines included
    results["open_ms"] = (time.perf_counter() - started) * 1000
    await asyncio.sleep(1.0)  # outline and preview settle

    beat = Heartbeat()
    beat.start()
    tab.editor.go_to_line(LINES // 2)
    for char in "Typing into the middle of a ten thousand line artifact. " * 3:
        QTest.keyClick(tab.editor, char if char != " " else Qt.Key.Key_Space)
        await asyncio.sleep(0.02)
    await asyncio.sleep(2.5)  # the preview, outline and backup all run after typing stops
    results["typing_stall_ms"] = beat.stop() * 1000

    old, new = big_document(1), big_document(2)
    beat.start()
    started = time.perf_counter()
    viewer = await window.history_area.show_diff("prd.md", old, new, "v1", "v2")
    viewer.grab()
    results["diff_ms"] = (time.perf_counter() - started) * 1000
    await asyncio.sleep(0.2)
    results["diff_stall_ms"] = beat.stop() * 1000
    results["diff_rows"] = len(viewer.result.rows) if viewer.result else 0
    # The GUI thread's own part alone: a diff computed already, put into the panes in slices.
    computed = side_by_side(old, new)
    beat.start()
    await viewer.show_diff(computed, "v1", "v2")
    viewer.grab()
    await asyncio.sleep(0.2)
    results["apply_stall_ms"] = beat.stop() * 1000
    # Theme switch with 15 tabs open: every artifact of the sample's spec as a tab.
    service = window.service
    assert service is not None
    for name in service.spec.artifacts:
        (folder / "artifacts" / name).write_text(
            f"# {name}\n\n" + big_document(3)[:20_000], encoding="utf-8"
        )
    await window.refresh_explorer()
    for name in service.spec.artifacts:
        await window.editors.open_artifact(name)
    await asyncio.sleep(1.0)
    results["tabs"] = window.editors.tabs.count()
    switches = []
    for _ in range(4):
        started = time.perf_counter()
        window.commands["theme"].trigger()
        window.grab()
        switches.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.3)
    results["theme_ms"] = min(switches)
    window.shutdown()
    return results


def main() -> None:
    results = in_app("bench-ui-", measure)

    rows = [
        ("open a 10,000-line artifact", results["open_ms"], 500.0),
        ("diff of two 10,000-line versions shown", results["diff_ms"], 1000.0),
        ("longest stall while typing", results["typing_stall_ms"], 50.0),
        ("longest stall while the diff is computed", results["diff_stall_ms"], 50.0),
        ("longest stall while the diff is applied", results["apply_stall_ms"], 50.0),
        (f"theme switch with {int(results['tabs'])} tabs open", results["theme_ms"], 300.0),
    ]
    print(f"desktop app, {LINES:,}-line artifact ({int(results['diff_rows']):,} diff rows)")
    for label, value, target in rows:
        verdict = "ok" if value <= target else "OVER"
        print(
            f"  {label:<42} {value:8.1f} ms   target {target:6.0f} ms   ratio {value / target:5.2f}  {verdict}"
        )


if __name__ == "__main__":
    main()
