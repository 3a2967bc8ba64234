"""The main window, driven as a user would: open the sample, edit, save, compare, recover."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QPlainTextEdit, QTabWidget

from spec_automation.services import RunOptions
from spec_automation.settings import AppSettings, load_settings
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.explorer import ArtifactState, ProjectExplorer
from spec_automation.ui.history import HistoryPanel
from spec_automation.workspace import write_atomic
from tests.helpers.gui import ScriptedPrompter, run, until

pytestmark = pytest.mark.gui

ARTIFACT = "prd.md"


def test_the_window_has_the_named_parts(make_window) -> None:
    window = make_window()
    assert window.objectName() == "mainWindow"
    assert isinstance(window.findChild(ProjectExplorer, "projectExplorer"), ProjectExplorer)
    assert isinstance(window.findChild(QTabWidget, "editorTabs"), QTabWidget)
    assert isinstance(window.findChild(HistoryPanel, "historyPanel"), HistoryPanel)
    assert window.pages.currentWidget() is window.welcome
    shortcuts = {a.text(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["Save"] == "Ctrl+S"
    assert shortcuts["Find…"] == "Ctrl+F"
    assert shortcuts["Undo"] == "Ctrl+Z"
    assert shortcuts["Toggle theme"] == "Ctrl+Shift+T"
    assert shortcuts["Preview"] == "Ctrl+Shift+V"
    assert shortcuts["Next tab"] == "Ctrl+Tab"


def test_opening_the_sample_lists_artifacts_by_phase_and_opens_one(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    assert window.pages.currentWidget() is window.editors.stack
    explorer = window.explorer
    phases = [explorer.topLevelItem(i).text(0) for i in range(explorer.topLevelItemCount())]
    assert phases[:2] == ["Inputs", "ANALYSIS"]  # the brief (and imports) come first
    assert "SPEC_PM" in phases
    assert explorer.state_of(ARTIFACT) == ArtifactState.GENERATED

    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    assert tab is not None
    assert tab.editor.objectName() == "documentEditor"
    assert "# Product requirements: ShiftCare" in tab.text()
    assert not tab.dirty
    run(loop, until(lambda: "Personas" in tab.outline_titles()))
    run(
        loop,
        until(lambda: "<h1>Product requirements: ShiftCare</h1>" in tab.preview.rendered_html()),
    )
    # the recent projects now start with it
    assert load_settings().settings.recent_projects[0] == str(sample_project.resolve())


def test_edit_and_save_records_a_version_and_a_change_shown_in_history(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    run(loop, window.history_area.load_history(ARTIFACT))
    assert window.history.versions.topLevelItemCount() == 1
    assert window.history.title.text() == f"{ARTIFACT}: 1 version"

    tab.go_to_heading("Personas")
    cursor = tab.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.EndOfBlock)
    tab.editor.setTextCursor(cursor)
    tab.editor.insertPlainText("\n\nAll personas were confirmed in interviews.")
    assert tab.dirty
    assert window.editors.tabs.tabText(window.editors.tabs.indexOf(tab)).startswith("●")

    assert run(loop, window.edits.save_current())
    assert not tab.dirty
    on_disk = (sample_project / "artifacts" / ARTIFACT).read_text(encoding="utf-8")
    assert "All personas were confirmed in interviews." in on_disk

    history = window.history
    assert history.versions.topLevelItemCount() == 2
    newest = history.versions.topLevelItem(0)
    assert (newest.text(0), newest.text(2)) == ("v2", "your edit")
    assert history.changes.topLevelItemCount() == 1
    assert "Personas" in history.changes.topLevelItem(0).text(2)
    assert "Saved prd.md as version 2" in window.notice_message()
    assert window.explorer.state_of(ARTIFACT) == ArtifactState.EDITED


def test_the_diff_of_two_versions_shows_the_edit(make_window, loop, sample_project: Path) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    text = tab.text()
    tab.editor.setPlainText(text.replace("in minutes", "in under ten minutes", 1))
    assert run(loop, window.edits.save_current())
    run(loop, window.history_area.load_history(ARTIFACT))

    older, newer = reversed(window.history.version_ids())
    window.history.select_versions(older, newer)
    window.history.compare_selected()
    run(loop, until(lambda: isinstance(window.editors.tabs.currentWidget(), DiffViewer)))
    viewer = window.editors.tabs.currentWidget()
    run(loop, until(lambda: viewer.result is not None))
    assert viewer.objectName() == "diffViewer"
    assert viewer.summary.text() == "Change 1 of 1"
    row = viewer.result.hunks[0]
    old_line = viewer.old_pane.document().findBlockByNumber(row).text()
    new_line = viewer.new_pane.document().findBlockByNumber(row).text()
    assert "in minutes" in old_line
    assert "in under ten minutes" in new_line
    start, end = viewer.result.rows[row].new_spans[0]
    assert "under ten" in new_line[start:end]
    # both panes hold the same lines, and scroll together
    assert viewer.old_pane.blockCount() == viewer.new_pane.blockCount()
    viewer.old_pane.verticalScrollBar().setValue(30)
    assert viewer.new_pane.verticalScrollBar().value() == 30
    assert viewer.go_to_section("Personas")


def test_compare_a_version_with_the_unsaved_buffer(make_window, loop, sample_project: Path) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    run(loop, window.history_area.load_history(ARTIFACT))
    tab.editor.appendPlainText("A line only in the editor.")
    viewer = run(loop, window.history_area.compare_with_editor(window.history.version_ids()[0]))
    assert viewer.result is not None
    assert "A line only in the editor." in viewer.new_pane.toPlainText()
    assert "A line only in the editor." not in viewer.old_pane.toPlainText()


CRASHING_SESSION = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    import spec_automation.ui
    from spec_automation.settings import AppSettings
    from spec_automation.ui.app import application
    from spec_automation.ui.mainwindow import MainWindow
    import qasync

    app = application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(AppSettings(autosave_interval_s=0.2))
    window.show()

    async def session():
        await window.open_project(Path(sys.argv[1]))
        tab = await window.editors.open_artifact("prd.md")
        tab.editor.moveCursor(tab.editor.textCursor().MoveOperation.End)
        tab.editor.insertPlainText("\\nTyped just before the crash.\\n")
        while not any(window.backups.folder.glob("*.json")):
            await asyncio.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)

    loop.run_until_complete(session())
    """
)


def test_unsaved_text_is_back_after_the_process_is_killed(
    make_window, loop, sample_project: Path, app_dirs: Path
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_SESSION, str(sample_project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert crashed.returncode == -9, crashed.stderr

    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = window.editors.tab_for(ARTIFACT)
    assert tab is not None
    assert tab.dirty
    assert tab.text().endswith("Typed just before the crash.\n")
    assert "Typed just before" not in (sample_project / "artifacts" / ARTIFACT).read_text()
    assert "Restored unsaved edits to prd.md" in window.notice_message()


def test_a_backup_is_written_soon_after_typing_stops_and_removed_on_save(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window(AppSettings(autosave_interval_s=0.5))
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    tab.editor.insertPlainText("draft ")
    run(loop, until(lambda: bool(window.backups.pending()), timeout=2.0))
    assert window.backups.pending()[0].text.startswith("draft ")
    run(loop, window.edits.save_current())
    assert window.backups.pending() == []


def test_a_file_changed_on_disk_reloads_an_unmodified_tab(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    path = sample_project / "artifacts" / ARTIFACT
    write_atomic(path, path.read_text() + "\nAdded by another editor.\n")
    run(loop, until(lambda: "Added by another editor." in tab.text()))
    assert not tab.dirty
    assert "changed on disk and was reloaded" in window.notice_message()
    # the history follows: the outside edit is the newest version, and once no artifact is
    # open the panel says so instead of showing the closed one
    run(loop, until(lambda: window.history.versions.topLevelItemCount() == 2))
    assert window.history.versions.topLevelItem(0).text(0) == "v2"
    window.editors.close_current_tab()
    run(loop, until(lambda: window.history.title.text() == "No artifact open"))
    assert window.history.versions.topLevelItemCount() == 0


def test_a_file_changed_on_disk_asks_when_the_tab_has_unsaved_edits(
    make_window, loop, sample_project: Path
) -> None:
    prompter = ScriptedPrompter("Keep my edits")
    window = make_window(prompter=prompter)
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    tab.editor.appendPlainText("My unsaved line.")
    path = sample_project / "artifacts" / ARTIFACT
    path.write_text(path.read_text() + "\nTheirs.\n", encoding="utf-8")
    run(loop, until(lambda: bool(prompter.asked)))
    title, _text, choices = prompter.asked[0]
    assert title == "Changed on disk"
    assert choices == ("Reload from disk", "Keep my edits")
    assert "My unsaved line." in tab.text()
    assert tab.dirty


def test_quitting_with_unsaved_changes_asks(make_window, loop, sample_project: Path) -> None:
    prompter = ScriptedPrompter("Cancel", "Discard")
    window = make_window(prompter=prompter)
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    tab.editor.appendPlainText("unsaved")
    assert not window.close()  # cancelled: still open
    assert window.isVisible()
    assert prompter.asked[0][0] == "Quit"
    assert window.close()  # discarded
    assert "unsaved" not in (sample_project / "artifacts" / ARTIFACT).read_text()


def test_theme_switch_restyles_live_and_is_remembered(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window(AppSettings(theme="dark"))
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    dark_sheet = QApplication.instance().styleSheet()
    heading = tab.editor.highlighter._formats["heading"].foreground().color().name()
    window.commands["theme"].trigger()
    assert window.theme.name == "light"
    assert QApplication.instance().styleSheet() != dark_sheet
    assert "#ffffff" in QApplication.instance().styleSheet()
    assert tab.editor.highlighter._formats["heading"].foreground().color().name() != heading
    run(loop, until(lambda: load_settings().settings.theme == "light"))


def test_layout_and_open_tabs_are_restored_at_next_start(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    run(loop, window.editors.open_artifact("analysis.md"))
    run(loop, window.editors.open_artifact(ARTIFACT))
    window.history_dock.hide()
    assert window.close()

    again = make_window(load_settings().settings)
    run(loop, again.open_project(sample_project))
    assert [tab.artifact for tab in again.editors.editor_tabs()] == ["analysis.md", ARTIFACT]
    assert again.editors.current_editor().artifact == ARTIFACT
    assert not again.findChild(QDockWidget, "historyDock").isVisible()


def test_a_service_error_becomes_a_plain_notification(make_window, loop, tmp_path: Path) -> None:
    window = make_window()
    not_a_project = tmp_path / "empty"
    not_a_project.mkdir()
    task = window.start(window.open_project(not_a_project))
    run(loop, until(task.done))
    message = window.notice_message()
    assert "is not a spec_automation project" in message
    assert "Traceback" not in message
    assert window.log_view.toPlainText().count("not a spec_automation project") == 1


def test_an_unexpected_error_is_logged_and_reported_once(make_window, loop, app_dirs: Path) -> None:
    from spec_automation.ui.errors import ErrorReporter

    prompter = ScriptedPrompter()
    window = make_window(prompter=prompter)
    reporter = ErrorReporter(window.report_unexpected)
    window.reporter = reporter

    async def broken() -> None:
        raise ZeroDivisionError("division by zero")

    for _ in range(2):
        task = window.start(broken())
        run(loop, until(task.done))
    run(loop, until(lambda: bool(prompter.informed)))
    reporter.uninstall()
    log = (app_dirs / "data" / "logs" / "gui.log").read_text()
    assert log.count("ZeroDivisionError: division by zero") == 2  # both logged in full
    assert len(prompter.informed) == 1  # the user is told once
    assert "gui.log" in prompter.informed[0]
    assert "Traceback" not in prompter.informed[0]


def test_the_run_view_slot_shows_a_widget_in_a_dock(make_window) -> None:
    window = make_window()
    view = QLabel("waves")
    dock = window.runs.set_run_view(view, "Run")
    assert dock.widget().widget() is view  # in a scroller, so it never forces the window size
    assert dock.objectName() == "runViewDock"
    toggle = dock.toggleViewAction()
    assert toggle in window.view_menu.actions()
    assert toggle.shortcut().toString() == "Ctrl+4"


def test_creating_a_project_from_the_welcome_screen(make_window, loop, tmp_path: Path) -> None:
    window = make_window()
    folder = tmp_path / "new-product"
    run(loop, window.create_project(folder, "A tool for booking rooms.", "Rooms"))
    assert window.service is not None
    assert window.service.info.name == "Rooms"
    assert window.explorer.state_of(ARTIFACT) == ArtifactState.MISSING
    assert (folder / "brief.md").read_text().startswith("A tool for booking rooms.")

    assert "QUALITY" in window.service.spec.phases  # the default spec, code stage included

    window2 = make_window()
    run(loop, window2.create_project(tmp_path / "other", "   ", "Empty"))
    assert "the brief is empty" in window2.welcome.problem.text()
    assert window2.service is None


def test_the_welcome_screens_code_box_leaves_the_code_stage_out(
    make_window, loop, tmp_path: Path
) -> None:
    window = make_window()
    welcome = window.welcome
    assert welcome.with_code.isChecked(), "the default workflow writes and checks code"
    welcome.name.setText("Rooms")
    welcome.folder.setText(str(tmp_path / "rooms"))
    welcome.brief.setPlainText("A tool for booking rooms.")
    QTest.mouseClick(welcome.with_code, Qt.MouseButton.LeftButton)
    assert not welcome.with_code.isChecked()
    QTest.mouseClick(welcome.create_button, Qt.MouseButton.LeftButton)
    run(loop, until(lambda: window.service is not None))
    assert list(window.service.spec.phases)[-1] == "DONE"
    assert (tmp_path / "rooms" / "orchestrator_spec.yml").is_file()


def test_a_brief_file_in_another_encoding_is_named_as_such_and_not_loaded(
    make_window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spec_automation.ui import welcome

    window = make_window()
    latin = tmp_path / "brief.md"
    latin.write_bytes("# Café rota\n\nA rota for the café.\n".encode("latin-1"))
    monkeypatch.setattr(welcome.QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(latin), ""))
    window.welcome._load_brief()
    assert f"{latin} is not UTF-8 text" in window.welcome.problem.text()
    assert window.welcome.brief.toPlainText() == ""

    latin.write_text("# Café rota\n\nA rota for the café.\n", encoding="utf-8")
    window.welcome._load_brief()
    assert window.welcome.brief.toPlainText().startswith("# Café rota")


def test_what_opening_a_project_put_right_is_shown_in_the_notice_bar(
    make_window, loop, sample_project: Path
) -> None:
    state = sample_project / ".spec_automation"
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        (state / name).unlink(missing_ok=True)
    (state / "state.db").write_bytes(b"")  # the store's contents lost
    window = make_window()
    run(loop, window.open_project(sample_project))
    assert "The store held no record of this project" in window.notice_message()
    assert window.explorer.state_of("prd.md") == ArtifactState.EDITED


def test_find_and_replace_in_the_editor_is_one_undo_step(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    original = tab.text()
    count = original.count("clinic")
    assert count > 1
    window.commands["replace"].trigger()
    assert tab.find_bar.isVisible()
    tab.find_bar.find_field.setText("clinic")
    tab.find_bar.case.setChecked(True)
    tab.find_bar.replace_field.setText("practice")
    assert tab.find_bar.replace_all() == count
    assert "clinic" not in tab.text()
    window.commands["undo"].trigger()
    assert tab.text() == original
    window.commands["redo"].trigger()
    assert tab.text().count("practice") >= count


def test_the_log_view_is_plain_text_only(make_window) -> None:
    window = make_window()
    log = window.findChild(QPlainTextEdit, "logView")
    assert log is not None
    assert log.isReadOnly()
    window.notify("<b>not bold</b>")
    assert "<b>not bold</b>" in log.toPlainText()
    assert window.notice_text.textFormat() == Qt.TextFormat.PlainText


def test_the_history_panel_lists_the_projects_regeneration_runs(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    tab = run(loop, window.editors.open_artifact(ARTIFACT))
    tab.editor.setPlainText(tab.text().replace("in minutes", "in under ten minutes", 1))
    assert run(loop, window.edits.save_current())
    change_id = window.history.data.changes[0].id
    options = RunOptions(latency_scale=0.0, auto_approve=True)
    regeneration = window.service.regenerate(
        change_id, "regenerate_all", confirm=True, options=options
    )
    report = run(loop, regeneration, 60)
    run(loop, window.history_area.load_history(ARTIFACT))
    runs = window.history.runs
    assert runs.topLevelItemCount() == 1
    assert runs.topLevelItem(0).text(0) == f"#{report.run_id} after {ARTIFACT}"
    assert runs.topLevelItem(0).text(2) == "regenerate_all"


def _overlapping(real, held_back):
    """A reading function for two overlapping readings: the first one's answer is changed by
    ``held_back`` (it stands for an older state) and held until ``release`` is set."""
    import threading

    release = threading.Event()
    calls: list[object] = []

    def reading(*args):
        calls.append(args)
        answer = real(*args)
        if len(calls) == 1:
            release.wait(10)
            return held_back(answer)
        return answer

    return reading, calls, release


def test_a_late_explorer_reading_never_puts_back_older_states(
    make_window, loop, sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two refreshes overlap (a run's progress and its end): the first one, which read the PRD
    as stale, comes back last; the explorer keeps the newer reading."""
    import dataclasses

    import spec_automation.ui.mainwindow as mainwindow

    window = make_window()
    run(loop, window.open_project(sample_project))
    older = lambda entries: [dataclasses.replace(e, state=ArtifactState.STALE) for e in entries]  # noqa: E731
    reading, calls, release = _overlapping(mainwindow.artifact_states, older)
    monkeypatch.setattr(mainwindow, "artifact_states", reading)

    async def both() -> None:
        first = asyncio.ensure_future(window.refresh_explorer())
        await until(lambda: len(calls) == 1)
        await window.refresh_explorer()  # shown first
        release.set()
        await first  # back last

    run(loop, both())
    assert window.explorer.state_of(ARTIFACT) == ArtifactState.GENERATED


def test_a_late_history_reading_never_puts_back_an_older_list(
    make_window, loop, sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PRD's history is read twice at once; the first reading (an older, shorter list)
    comes back last; the panel keeps the newer list."""
    import dataclasses

    import spec_automation.ui.history_area as history_area

    window = make_window()
    run(loop, window.open_project(sample_project))
    run(loop, window.editors.open_artifact(ARTIFACT))
    run(loop, window.history_area.load_history(ARTIFACT))
    shown = window.history.version_ids()
    assert shown
    older = lambda data: dataclasses.replace(data, versions=[], versions_total=0)  # noqa: E731
    reading, calls, release = _overlapping(history_area.history_data, older)
    monkeypatch.setattr(history_area, "history_data", reading)

    async def both() -> None:
        first = asyncio.ensure_future(window.history_area.load_history(ARTIFACT))
        await until(lambda: len(calls) == 1)
        await window.history_area.load_history(ARTIFACT)  # shown first
        release.set()
        await first  # back last

    run(loop, both())
    assert window.history.version_ids() == shown
