"""The quality gates panel: running the gates from it shows a lint error, a type error and a
failing test as findings with file and line; a finding opens its file at that line in the
code view (in the theme's colours, never through a link); Cancel stops a hanging gate; the
run list and the chart show the recorded runs; problems are said in sentences."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTreeWidgetItem

from spec_automation.core.quality import DEFAULT_GATES
from spec_automation.resources import bundled_spec_path
from spec_automation.services import create_project, open_project
from spec_automation.ui.quality_area import read_code_file
from spec_automation.ui.theme import load_theme
from spec_automation.workspace import UnsafeFileError
from tests.helpers.code_folders import FAILING_TEST, LINT_ERROR, TYPE_ERROR, write_code_folder
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui

_BRIEF = "# Shapes\n\nA small package that measures rectangles.\n"


@pytest.fixture(scope="module")
def broken_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose code folder has one lint error, one type error and a failing test."""
    folder = tmp_path_factory.mktemp("quality") / "shapes"
    create_project(folder, brief_text=_BRIEF, git_enabled=False).close()
    write_code_folder(folder / "code", broken=True)
    return folder


def _copy(template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "projects" / template.name
    shutil.copytree(template, target)
    return target


def _with_gates(project: Path, gates_yaml: str) -> None:
    """Give the project its own spec: the bundled one with ``quality_gates:``."""
    spec = bundled_spec_path().read_text(encoding="utf-8")
    (project / "orchestrator_spec.yml").write_text(
        f"{spec.rstrip()}\n\nquality_gates:\n{gates_yaml}", encoding="utf-8"
    )


def _items(tree_item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    return [tree_item.child(i) for i in range(tree_item.childCount())]


def _gate_item(window: Any, gate: str) -> QTreeWidgetItem:
    results = window.quality.panel.results
    for index in range(results.topLevelItemCount()):
        item = results.topLevelItem(index)
        if item.text(0) == gate:
            return item
    raise AssertionError(f"no {gate} in the results tree")


def _finding(window: Any, gate: str, file: str, line: int) -> QTreeWidgetItem:
    """The item of ``gate``'s finding in ``file`` at ``line``, as the tree shows them."""
    files = {item.text(0): item for item in _items(_gate_item(window, gate))}
    assert file in files, (gate, sorted(files))
    for item in _items(files[file]):
        if item.text(0).split(":")[0] == str(line):
            return item
    raise AssertionError(
        f"no {gate} finding at {file}:{line}: {[i.text(0) for i in _items(files[file])]}"
    )


def _click(window: Any, item: QTreeWidgetItem) -> None:
    tree = window.quality.panel.results
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre
    )


def _colours_on_line(window: Any, line: int) -> set[str]:
    block = window.quality.panel.code.document().findBlockByNumber(line - 1)
    return {f.format.foreground().color().name() for f in block.layout().formats()}


def test_running_the_gates_from_the_panel_shows_each_problem_at_its_file_and_line(
    make_window: Callable[..., Any],
    loop: asyncio.AbstractEventLoop,
    broken_template: Path,
    tmp_path: Path,
) -> None:
    project = _copy(broken_template, tmp_path)
    window = make_window()
    run(loop, window.open_project(project))
    panel = window.quality.panel
    assert window.quality.dock.isVisibleTo(window)
    run(loop, until(lambda: "not run on this project yet" in panel.status.text()))
    assert panel.run_list.count() == 0
    seen: list[tuple[str, str]] = []
    panel.gate_table.itemChanged.connect(
        lambda item, column: seen.append((item.text(0), item.text(1))) if column == 1 else None
    )

    QTest.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert window.quality.running
    assert not panel.run_button.isEnabled()
    assert panel.cancel_button.isEnabled()
    run(loop, until(lambda: panel.report is not None and not window.quality.running, 60))

    # Live progress: each gate was shown running, then failed (all three have a problem).
    for gate in ("ruff", "basedpyright", "pytest"):
        assert (gate, "running") in seen, seen
        assert (gate, "failed") in seen, seen
    rows = panel.gate_table.rows
    assert {name: row.text(1) for name, row in rows.items()} == dict.fromkeys(
        ("ruff", "basedpyright", "pytest"), "failed"
    )
    assert rows["ruff"].text(3) == "1 error"
    assert rows["pytest"].text(3) == "1 passed, 1 failed, 1 xfailed"
    assert rows["basedpyright"].text(2).endswith(" s")
    assert panel.run_list.count() == 1
    assert "did not pass" in panel.status.text()

    lint = _finding(window, "ruff", *LINT_ERROR)
    assert (lint.text(1), lint.text(3)) == ("F401", "error")
    assert "imported but unused" in lint.text(2)
    typed = _finding(window, "basedpyright", *TYPE_ERROR)
    assert (typed.text(1), typed.text(3)) == ("reportReturnType", "error")
    test = _finding(window, "pytest", *FAILING_TEST)
    assert (test.text(1), test.text(3)) == ("test_perimeter_is_wrong", "failed")
    assert "assert 1 == 2" in test.text(2)
    assert test.parent().isExpanded()
    assert test.parent().parent().isExpanded()

    # A click on the type error opens pkg/shapes.py at line 10, highlighted in the theme.
    _click(window, typed)
    code = panel.code
    run(loop, until(lambda: code.file_name == TYPE_ERROR[0]))
    assert code.isReadOnly()
    assert (code.line, code.current_line()) == (TYPE_ERROR[1], TYPE_ERROR[1])
    assert code.textCursor().block().text() == '    return "rectangle"'
    assert panel.code_title.text() == f"{TYPE_ERROR[0]}, line {TYPE_ERROR[1]}"
    dark = load_theme("dark").colours
    assert {dark["syn-keyword"], dark["syn-string"]} <= _colours_on_line(window, TYPE_ERROR[1])

    # Enter on the failing test opens the test file at its line.
    panel.results.setFocus()
    panel.results.setCurrentItem(test)
    QTest.keyClick(panel.results, Qt.Key.Key_Return)
    run(loop, until(lambda: code.file_name == FAILING_TEST[0]))
    assert code.current_line() == FAILING_TEST[1]
    assert "assert area(1, 1) == 2" in code.textCursor().block().text()

    # The other theme: the code's colours and the tree's follow it.
    window.appearance.set_theme("light")
    light = load_theme("light").colours
    run(loop, until(lambda: light["syn-keyword"] in _colours_on_line(window, 12)))
    assert dark["syn-keyword"] not in _colours_on_line(window, 12)
    failed = _finding(window, "pytest", *FAILING_TEST)
    assert failed.foreground(3).color() == QColor(light["error"])


def test_cancel_stops_a_hanging_gate_and_the_run_is_recorded_cancelled(
    make_window: Callable[..., Any],
    loop: asyncio.AbstractEventLoop,
    broken_template: Path,
    tmp_path: Path,
) -> None:
    project = _copy(broken_template, tmp_path)
    marker = tmp_path / "hang-started"
    _with_gates(
        project,
        "  - name: hang\n"
        f"    command: ['{{python}}', '-c', \"open(r'{marker}', 'w').close(); import time; time.sleep(120)\"]\n"
        "    timeout_s: 300\n"
        "  - name: quick\n"
        "    command: ['{python}', '-c', 'pass']\n",
    )
    window = make_window()
    run(loop, window.open_project(project))
    panel = window.quality.panel
    window.commands["run_gates"].trigger()
    rows = panel.gate_table.rows
    run(loop, until(lambda: marker.exists() and rows["quick"].text(1) == "passed", 20))
    assert rows["hang"].text(1) == "running"
    assert window.commands["cancel_gates"].isEnabled()
    assert "1 of 2 gates finished; hang running" in panel.status.text()

    QTest.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    run(loop, until(lambda: not window.quality.running, 10))
    assert "cancelled" in panel.status.text()
    run(loop, until(lambda: panel.run_list.count() == 1 and panel.report is not None))
    assert {name: row.text(1) for name, row in rows.items()} == {
        "hang": "cancelled",
        "quick": "passed",
    }
    assert "cancelled" in panel.run_list.itemText(0)
    assert panel.run_button.isEnabled()
    assert not panel.cancel_button.isEnabled()
    assert window.unexpected_errors == []


def test_the_run_list_and_chart_show_recorded_runs_newest_first(
    make_window: Callable[..., Any], loop: asyncio.AbstractEventLoop, sample_project: Path
) -> None:
    code = sample_project / "code"
    shutil.rmtree(code)  # the scaffold the sample's workflow wrote, checked in its run #1
    write_code_folder(code, broken=True)
    ruff = DEFAULT_GATES[:1]  # quick: the list, not the tools, is what is checked here
    service = open_project(sample_project)
    try:
        workflow = service.status().last_run_id
        assert workflow is not None
        (own,) = service.quality.list().items
        first = run(loop, service.quality.run(gates=ruff, run_id=workflow, round=1))
        write_code_folder(code)  # the repair round fixes the lint error
        second = run(loop, service.quality.run(gates=ruff, run_id=workflow, round=2))
        (code / "pkg" / "extra.py").write_text("import os\nimport sys\n", encoding="utf-8")
        third = run(loop, service.quality.run(gates=ruff))
    finally:
        service.close()

    window = make_window()
    run(loop, window.open_project(sample_project))
    panel = window.quality.panel
    run(loop, until(lambda: panel.report is not None))
    labels = [panel.run_list.itemText(i) for i in range(panel.run_list.count())]
    assert len(labels) == 4
    assert labels[3].startswith(f"#{own.id} ")
    assert labels[3].endswith("passed · run #1 round 1")
    assert labels[0].startswith(f"#{third.id} ")
    assert "round" not in labels[0]
    assert labels[1].startswith(f"#{second.id} ")
    assert labels[1].endswith(f"run #{workflow} round 2")
    assert labels[2].startswith(f"#{first.id} ")
    assert labels[2].endswith(f"run #{workflow} round 1")
    assert "failed" in labels[0]
    assert "passed" in labels[1]
    assert panel.report.id == third.id  # the newest is shown
    assert panel.chart.totals() == {own.id: 0, first.id: 1, second.id: 0, third.id: 2}
    assert [bar.run_id for bar in panel.chart.bars] == [own.id, first.id, second.id, third.id]
    assert panel.chart.selected == third.id

    # Choosing a run in the list shows it; so does clicking its bar in the chart.
    panel.run_list.setCurrentIndex(1)
    run(loop, until(lambda: panel.report is not None and panel.report.id == second.id))
    assert panel.gate_table.rows["ruff"].text(1) == "passed"
    assert "workflow run #" in panel.status.text()
    assert "Dev-QA round 2" in panel.status.text()
    panel.chart.resize(360, 150)
    panel.chart.grab()  # paints, which places the bars
    area = panel.chart.bar_area(first.id)
    assert area is not None
    QTest.mouseClick(
        panel.chart,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        area.center().toPoint(),
    )
    run(loop, until(lambda: panel.report is not None and panel.report.id == first.id))
    assert panel.run_list.currentIndex() == 2
    assert panel.chart.selected == first.id
    assert _finding(window, "ruff", *LINT_ERROR).text(1) == "F401"


def test_no_code_folder_and_a_missing_tool_are_said_in_sentences(
    make_window: Callable[..., Any], loop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    project = tmp_path / "empty"
    create_project(project, brief_text=_BRIEF, git_enabled=False).close()
    window = make_window()
    run(loop, window.open_project(project))
    panel = window.quality.panel
    run(loop, until(lambda: "no code folder yet" in panel.status.text()))
    QTest.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    run(loop, until(lambda: not window.quality.running))
    text = panel.status.text()
    assert text.startswith("This project has no code folder yet")
    assert text.endswith(".")
    assert panel.status.property("role") == "error"
    assert window.unexpected_errors == []

    run(loop, window.close_project())
    write_code_folder(project / "code")
    _with_gates(project, "  - name: lint\n    command: no-such-linter-anywhere --check\n")
    run(loop, window.open_project(project))
    window.commands["run_gates"].trigger()
    run(loop, until(lambda: panel.report is not None and not window.quality.running))
    row = panel.gate_table.rows["lint"]
    assert row.text(1) == "missing"
    assert row.toolTip(4).startswith("no-such-linter-anywhere is not installed")
    assert window.unexpected_errors == []


def test_the_code_view_reads_only_inside_the_code_folder_and_never_through_a_link(
    make_window: Callable[..., Any],
    loop: asyncio.AbstractEventLoop,
    broken_template: Path,
    tmp_path: Path,
) -> None:
    project = _copy(broken_template, tmp_path)
    code = project / "code"
    secret = tmp_path / "secret.py"
    secret.write_text("TOKEN = 'do not show'\n", encoding="utf-8")
    os.symlink(secret, code / "pkg" / "linked.py")
    os.symlink(tmp_path, code / "outside")
    root = project
    assert "def area" in read_code_file(root, code, "pkg/shapes.py")
    for bad in ("pkg/linked.py", "outside/secret.py", "../../secret.py", str(secret)):
        with pytest.raises(UnsafeFileError):
            read_code_file(root, code, bad)

    window = make_window()
    run(loop, window.open_project(project))
    panel = window.quality.panel
    run(loop, window.quality.open_finding("pkg/linked.py", 1))
    assert "do not show" not in panel.code.toPlainText()
    assert "cannot be shown" in panel.code.toPlainText()
    assert "link" in panel.code.toPlainText()
    run(loop, window.quality.open_finding("pkg/gone.py", 3))
    assert (
        panel.code.toPlainText()
        == "pkg/gone.py is no longer in the code folder; run the gates again."
    )


def test_the_gates_have_their_own_keys_menu_entries_and_dock(
    make_window: Callable[..., Any], loop: asyncio.AbstractEventLoop
) -> None:
    window = make_window()
    bindings = window.commands.bindings()
    assert bindings["Ctrl+Shift+G"] == ["run_gates"]
    assert bindings["Ctrl+5"] == ["show_quality"]
    assert not window.commands["run_gates"].isEnabled()  # no project open
    run_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Run")
    assert {"Run quality gates", "Cancel quality gates"} <= {a.text() for a in run_menu.actions()}
    assert not window.quality.dock.isVisibleTo(window)


def test_the_code_folder_chosen_in_the_app_is_the_one_the_gates_check(
    make_window: Callable[..., Any],
    loop: asyncio.AbstractEventLoop,
    broken_template: Path,
    tmp_path: Path,
) -> None:
    project = _copy(broken_template, tmp_path)
    elsewhere = tmp_path / "own-repository"
    write_code_folder(elsewhere)  # a clean package of its own
    window = make_window()
    run(loop, window.open_project(project))
    assert window.commands["code_folder"].isEnabled()

    chosen = run(loop, window.quality.choose_code_folder(elsewhere))
    assert chosen == elsewhere
    assert f"Code folder: {elsewhere}." in window.notice_text.text()
    window.commands["run_gates"].trigger()
    panel = window.quality.panel
    run(loop, until(lambda: panel.report is not None and not window.quality.running), 60)
    assert panel.report.code_dir == str(elsewhere)
    assert panel.report.passed  # the clean folder, not the project's broken code/

    refused = run(loop, window.quality.choose_code_folder(project / "artifacts"))
    assert refused is None
    said = window.notice_text.text()
    assert said.startswith("The code folder was not changed: artifacts/ is the app's own")
    assert window.service.code_folder() == elsewhere
    assert window.unexpected_errors == []


@pytest.mark.parametrize("how", ["close the project", "close the window"])
def test_closing_while_the_gates_run_records_them_cancelled_before_the_store_closes(
    make_window: Callable[..., Any],
    loop: asyncio.AbstractEventLoop,
    broken_template: Path,
    tmp_path: Path,
    how: str,
) -> None:
    project = _copy(broken_template, tmp_path)
    marker = tmp_path / "hang-started"
    _with_gates(
        project,
        "  - name: hang\n"
        f"    command: ['{{python}}', '-c', \"open(r'{marker}', 'w').close(); import time; time.sleep(120)\"]\n"
        "    timeout_s: 300\n",
    )
    window = make_window()
    run(loop, window.open_project(project))
    window.commands["run_gates"].trigger()
    run(loop, until(lambda: marker.exists(), 20))
    task = window.quality.task

    if how == "close the project":
        assert run(loop, window.close_project())
    else:
        window.shutdown()
        run(loop, until(lambda: task.done(), 10))
    assert window.unexpected_errors == []

    with open_project(project) as reopened:
        [recorded] = reopened.quality.list(5, 0).items
        assert recorded.status == "cancelled"
