"""Documents in, in the desktop app: File ▸ Import document… (Ctrl+I), dropping files on the
window, the question asked when a type cannot be told, refusals, the explorer's Inputs group
and the document inspector."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from spec_automation.resources import sample_brief_path
from spec_automation.services import create_project
from spec_automation.settings import AppSettings
from spec_automation.ui.document_type_dialog import DocumentTypeDialog
from spec_automation.ui.theme import load_theme
from tests.helpers.gui import run, until
from tests.ui.prompting import ImportPrompter

pytestmark = pytest.mark.gui

SAMPLES = Path(__file__).resolve().parents[2] / "resources/samples/clinic-scheduling/documents"
PRD, SPEC, TECH, PROPOSAL = (
    SAMPLES / f"{name}.md"
    for name in ("prd", "functional-spec", "technical-spec", "sprint-change-proposal")
)
PRD_TITLE = "ShiftCare: product requirements document"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A new project made from the sample brief (nothing generated, nothing imported)."""
    folder = tmp_path / "projects" / "shiftcare"
    service = create_project(folder, brief_text=sample_brief_path().read_text(encoding="utf-8"))
    service.close()
    return folder


@pytest.fixture
def window_on(make_window, loop) -> Callable[..., Any]:
    """A main window with ``project`` open."""

    def build(folder: Path, **kwargs: Any) -> Any:
        window = make_window(**kwargs)
        run(loop, window.open_project(folder))
        return window

    return build


def choose_in_file_dialog(monkeypatch: pytest.MonkeyPatch, *files: Path) -> list[str]:
    """Make the file dialog return ``files``; the titles it was opened with."""
    opened: list[str] = []

    def fake(parent: object, caption: str, folder: str, filters: str) -> tuple[list[str], str]:
        opened.append(caption)
        assert "*.md" in filters
        return [str(f) for f in files], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(fake))
    return opened


def documents_shown(window: Any) -> list[tuple[str, str]]:
    """The imported documents' rows in the explorer's Inputs group."""
    return [row for row in window.explorer.input_rows() if not row[1].startswith("your ")]


def drop(window: Any, urls: list[QUrl]) -> bool:
    """Drag ``urls`` over the window and drop them; whether the drag was taken."""
    mime = QMimeData()
    mime.setUrls(urls)
    centre = window.rect().center()
    enter = QDragEnterEvent(
        centre, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(
        QPointF(centre),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(window, dropped)
    return dropped.isAccepted()


def with_a_warning(tmp_path: Path) -> Path:
    """The sample PRD with FR-9's only acceptance criterion removed (one warning)."""
    text = PRD.read_text(encoding="utf-8").replace(
        "  - Balances update as soon as a leave request is approved or cancelled.\n", ""
    )
    target = tmp_path / "rota-prd.md"
    target.write_text(text, encoding="utf-8")
    return target


def fr9_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if "**FR-9**" in line)


# --- importing ---------------------------------------------------------------------------------


def test_ctrl_i_imports_the_chosen_files_and_lists_them_under_inputs(
    window_on, loop, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = choose_in_file_dialog(monkeypatch, PRD, SPEC)
    window = window_on(project)
    action = window.commands["import_document"]
    file_menu = window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    assert action.shortcut().toString() == "Ctrl+I"
    assert window.explorer.input_rows() == [("brief.md", "your brief")]

    async def press() -> None:
        QTest.keySequence(window, "Ctrl+I")
        await until(lambda: "Imported" in window.notice_message())
        # The notice comes first; the last document's inspector opens right after it.
        await until(lambda: window.documents.current_inspector() is not None)

    run(loop, press())
    assert opened == ["Import documents"]
    assert documents_shown(window) == [("functional-spec.md", "functional spec"), ("prd.md", "PRD")]
    assert (project / "inputs" / "prd.md").read_text(encoding="utf-8") == PRD.read_text(
        encoding="utf-8"
    )
    assert (project / "inputs" / "functional-spec.md").is_file()
    assert window.notice_message().startswith(
        "Imported inputs/prd.md as a PRD (detected, 17 requirements, 5 user stories); "
        "inputs/functional-spec.md as a functional spec (detected, 6 requirements)."
    )
    # the last one imported is shown in an inspector tab, in front
    inspector = window.documents.current_inspector()
    assert inspector is not None
    assert inspector.title.text() == "ShiftCare functional specification"
    tabs = window.editors.tabs
    assert tabs.tabText(tabs.currentIndex()) == "inputs/functional-spec.md"


def test_dropping_files_on_the_window_imports_them(window_on, loop, project: Path) -> None:
    window = window_on(project)

    async def dropped() -> bool:
        taken = drop(window, [QUrl.fromLocalFile(str(TECH)), QUrl.fromLocalFile(str(PROPOSAL))])
        await until(lambda: "Imported" in window.notice_message())
        # The notice comes first; the last document's inspector opens right after it.
        await until(lambda: window.documents.current_inspector() is not None)
        return taken

    assert run(loop, dropped())
    assert sorted(documents_shown(window)) == [
        ("sprint-change-proposal.md", "change proposal"),
        ("technical-spec.md", "technical spec"),
    ]
    assert sorted(p.name for p in (project / "inputs").iterdir()) == [
        "sprint-change-proposal.md",
        "technical-spec.md",
    ]
    inspector = window.documents.current_inspector()
    assert inspector.type_value.text() == "sprint change proposal (detected)"
    assert inspector.record_table_rows()[0][:2] == ["Proposed edit", "prd.md"]


def test_dropping_a_web_link_or_a_folder_says_why_and_imports_nothing(
    window_on, loop, project: Path, tmp_path: Path
) -> None:
    window = window_on(project)
    assert drop(window, [QUrl("https://example.com/prd.md"), QUrl.fromLocalFile(str(PRD))])
    message = window.notice_message()
    assert message.startswith("Nothing was imported: https://example.com/prd.md is not a file")
    assert window.notice_text.property("role") == "error"

    folder = tmp_path / "docs"
    folder.mkdir()
    assert drop(window, [QUrl.fromLocalFile(str(folder))])
    assert f"{folder} is a folder" in window.notice_message()
    assert not (project / "inputs").exists() or not any((project / "inputs").iterdir())
    assert documents_shown(window) == []


def test_a_refused_file_shows_the_sentence_and_nothing_is_imported(
    window_on, loop, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_text = tmp_path / "notes.pdf"
    not_text.write_bytes(b"%PDF-1.7\n")
    choose_in_file_dialog(monkeypatch, PRD, not_text)
    window = window_on(project)

    async def imported() -> None:
        window.commands["import_document"].trigger()
        await until(lambda: "Nothing was imported" in window.notice_message())

    run(loop, imported())
    message = window.notice_message()
    assert message == (
        f"Nothing was imported: {not_text} is a .pdf file; the app imports markdown (.md) and "
        "plain text (.txt): export the document as one of those and import that"
    )
    assert "Traceback" not in message
    assert window.notice_text.property("role") == "error"
    assert not (project / "inputs" / "prd.md").exists()
    assert documents_shown(window) == []
    assert window.documents.inspectors() == []


def test_an_unknown_type_is_asked_for_and_imported_as_the_type_chosen(
    window_on, loop, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "meeting-notes.md"
    notes.write_text(sample_brief_path().read_text(encoding="utf-8"), encoding="utf-8")
    choose_in_file_dialog(monkeypatch, PRD, notes)
    prompter = ImportPrompter(types=("functional-spec",))
    window = window_on(project, prompter=prompter)

    async def imported() -> None:
        window.commands["import_document"].trigger()
        await until(lambda: "Imported" in window.notice_message())
        await until(lambda: window.documents.current_inspector() is not None)

    run(loop, imported())
    assert prompter.types_asked == [notes]
    shown = dict(documents_shown(window))
    assert shown["prd.md"] == "PRD"
    assert shown["meeting-notes.md"].startswith("functional spec")
    assert "inputs/meeting-notes.md as a functional spec (named by you" in window.notice_message()
    inspector = window.documents.current_inspector()
    assert inspector.type_value.text() == "functional spec (named by you)"
    assert (project / "inputs" / "meeting-notes.md").is_file()
    assert (project / "inputs" / "prd.md").is_file()


def test_cancelling_the_type_question_imports_nothing(
    window_on, loop, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "meeting-notes.md"
    notes.write_text(sample_brief_path().read_text(encoding="utf-8"), encoding="utf-8")
    choose_in_file_dialog(monkeypatch, notes, PRD)
    prompter = ImportPrompter(types=("",))
    window = window_on(project, prompter=prompter)

    async def cancelled() -> None:
        window.commands["import_document"].trigger()
        await until(lambda: "Nothing was imported" in window.notice_message())

    run(loop, cancelled())
    assert prompter.types_asked == [notes]
    assert window.notice_message() == "Nothing was imported: no type was chosen."
    assert not (project / "inputs" / "prd.md").exists()
    assert documents_shown(window) == []


def test_the_type_dialog_imports_only_once_a_type_is_picked(qtbot) -> None:
    dialog = DocumentTypeDialog(Path("/somewhere/meeting-notes.md"))
    qtbot.addWidget(dialog)
    labels = [button.text().split(":")[0] for button in dialog.buttons.values()]
    assert labels == ["PRD", "Functional spec", "Technical spec", "Sprint change proposal"]
    assert not dialog.import_button.isEnabled()
    dialog.buttons["technical-spec"].click()
    assert dialog.import_button.isEnabled()
    dialog.box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.choice == "technical-spec"

    again = DocumentTypeDialog(Path("notes.md"))
    qtbot.addWidget(again)
    again.buttons["prd"].click()
    again.box.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert again.choice == ""


# --- the inspector ------------------------------------------------------------------------------


def test_the_inspector_shows_type_findings_requirements_and_text(
    window_on, loop, project: Path, tmp_path: Path
) -> None:
    source = with_a_warning(tmp_path)
    window = window_on(project)
    run(loop, window.documents.import_files([source]))
    assert documents_shown(window) == [("rota-prd.md", "PRD ⚠")]
    for inspector in window.documents.inspectors():  # close the tab the import opened
        window.editors.remove_tab(window.editors.tabs.indexOf(inspector))
    explorer = window.explorer
    group = explorer.topLevelItem(0)
    row = next(
        group.child(i) for i in range(group.childCount()) if group.child(i).text(0) == "rota-prd.md"
    )
    centre = explorer.visualItemRect(row).center()

    async def open_from_explorer() -> None:
        # a double-click as a mouse makes it: a click, then the second press
        for click in (QTest.mouseClick, QTest.mouseDClick):
            click(explorer.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), centre)
        await until(lambda: window.documents.current_inspector() is not None)

    run(loop, open_from_explorer())
    inspector = window.documents.current_inspector()
    assert inspector.tabs.currentWidget() is inspector.overview_page
    assert inspector.title.text() == PRD_TITLE
    assert inspector.type_value.text() == "PRD (detected)"
    assert inspector.status_value.text() == "1 finding: usable, with warnings"
    assert inspector.version_value.text() == "v1 · 103 lines · inputs/rota-prd.md"
    assert inspector.source_value.text() == str(source)
    assert "names it a PRD" in inspector.reasons.text()
    line = fr9_line(source)
    assert inspector.finding_rows() == [
        ["warning", str(line), "The requirement FR-9 has no acceptance criteria."]
    ]
    requirements = inspector.requirement_rows()
    assert requirements[0][0] == "FR-1"
    assert requirements[0][1].startswith("Managers build a weekly rota")
    assert requirements[0][2:] == ["Must", "2", "45"]
    assert [requirements[8][0], requirements[8][3]] == ["FR-9", "0"]
    assert len(requirements) == 17
    assert inspector.tabs.tabText(1) == "Extracted (22)"
    assert [row[0] for row in inspector.record_table_rows()] == ["User story"] * 5
    assert inspector.text.toPlainText() == source.read_text(encoding="utf-8")
    assert inspector.text.isReadOnly()

    # showing it again brings the same tab to the front
    assert run(loop, window.documents.show_document("rota-prd.md")) is inspector
    assert window.documents.inspectors() == [inspector]

    # double-clicking the finding shows its line in the text
    finding = inspector.findings.topLevelItem(0)
    inspector.findings.itemDoubleClicked.emit(finding, 0)
    assert inspector.tabs.currentWidget() is inspector.text
    assert inspector.text.textCursor().blockNumber() == line - 1


def test_the_brief_opens_in_the_editor_and_a_saved_edit_is_versioned(
    window_on, loop, project: Path
) -> None:
    window = window_on(project)
    explorer = window.explorer
    brief_row = explorer.topLevelItem(0).child(0)
    assert brief_row.text(0) == "brief.md"
    explorer.itemActivated.emit(brief_row, 0)
    run(loop, until(lambda: window.editors.tab_for("brief.md") is not None))
    tab = window.editors.tab_for("brief.md")
    assert tab.text() == (project / "brief.md").read_text(encoding="utf-8")
    assert not tab.editor.isReadOnly()
    tab.editor.setPlainText(tab.text() + "\n## Notes\n\nPilot in two clinics first.\n")
    assert run(loop, window.edits.save_current())
    assert (project / "brief.md").read_text(encoding="utf-8").endswith("two clinics first.\n")
    changes = window.service.change_history("brief.md")
    assert changes.total == 1
    assert [s.name for s in changes.items[0].sections] == ["Notes"]
    assert "brief.md" in window.notice_message()

    # a constitution appears once the project has one
    (project / "constitution.md").write_text("# Principles\n\nNo dark patterns.\n", "utf-8")
    run(loop, window.refresh_explorer())
    assert explorer.input_rows() == [
        ("brief.md", "your brief"),
        ("constitution.md", "your constitution"),
    ]


def test_the_inspector_follows_the_theme(window_on, loop, project: Path, tmp_path: Path) -> None:
    window = window_on(project, settings=AppSettings(theme="dark"))
    run(loop, window.documents.import_files([with_a_warning(tmp_path)]))
    inspector = window.documents.current_inspector()
    severity = inspector.findings.topLevelItem(0)
    assert severity.foreground(0).color().name() == load_theme("dark").colours["warning"]
    window.commands["theme"].trigger()
    light = load_theme("light").colours["warning"]
    run(loop, until(lambda: severity.foreground(0).color().name() == light))
    gutter = inspector.text._gutter_colours[1].name()
    assert gutter == load_theme("light").colours["panel"]


def test_no_key_is_bound_twice_and_ctrl_i_only_imports(window_on, project: Path) -> None:
    window = window_on(project)
    twice = {key: names for key, names in window.commands.bindings().items() if len(names) > 1}
    assert twice == {}
    bound = [
        key.toString() for action in window.findChildren(QAction) for key in action.shortcuts()
    ] + [shortcut.key().toString() for shortcut in window.findChildren(QShortcut)]
    assert bound.count("Ctrl+I") == 1
    assert window.commands.bindings()["Ctrl+I"] == ["import_document"]
