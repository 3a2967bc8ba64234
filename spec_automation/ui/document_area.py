"""Documents in: importing the user's PRDs, specs and change proposals from the File menu
(Ctrl+I) or by dropping files on the window, and showing the project's inputs in document
inspector tabs in the editor area (opened from the explorer's Inputs group, as artifacts are).

The import is the service's (``service.documents.import_files``), run in a worker thread: it
checks every file before writing any, and a refusal is its sentence in the notification bar
with nothing imported. When the type of a file cannot be told from its structure, the user is
asked which it is and the import runs again with that type for that file (the files whose type
was detected are imported together first, then each file whose type the user named).

When one document is imported on its own and it is a PRD or a technical spec whose artifact
the project's spec has, the user is offered to start from it: the import then makes it the
project's ``prd.md`` (or ``architecture.md``) as their kept version (``use_as``). Its type is
detected first, off the UI thread, from the file's text. A sprint change proposal, once
imported (or from Review and apply… in its inspector), goes to the regeneration flow: the
impact dialog on its edits, then the proposal applied as the user chooses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import QFileDialog, QWidget

from spec_automation.core.documents import DocumentType, detect_type
from spec_automation.services import ProjectError, ProjectService
from spec_automation.services.documents import (
    DOCUMENT_SUFFIXES,
    USES,
    UnknownDocumentType,
    read_document_file,
)
from spec_automation.services.reports import DocumentInfo
from spec_automation.ui.dialogs import ask_later
from spec_automation.ui.document_inspector import DocumentInspector, type_label
from spec_automation.ui.explorer import InputKind
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["DocumentArea", "dropped_files"]

_FILTER = "Documents ({}) ;;All files (*)".format(" ".join(f"*{s}" for s in DOCUMENT_SUFFIXES))
_ONE = {
    "requirements": "requirement",
    "user_stories": "user story",
    "components": "component",
    "entities": "entity",
    "endpoints": "endpoint",
    "proposed_edits": "proposed edit",
}


def dropped_files(mime: QMimeData) -> tuple[list[Path], list[str]]:
    """The local files among dropped URLs, and a sentence for each URL that is not one (a
    web address, a folder)."""
    files: list[Path] = []
    refused: list[str] = []
    for url in mime.urls():
        if not url.isLocalFile():
            refused.append(
                f"{url.toDisplayString()} is not a file on this computer; save it as a "
                "markdown or text file first, then import that file"
            )
            continue
        path = Path(url.toLocalFile())
        if path.is_dir():
            refused.append(f"{path} is a folder; drop the documents inside it, not the folder")
            continue
        files.append(path)
    return files, refused


class DocumentArea(WindowPart):
    """Owns the import action, the drop target and the document inspector tabs."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        window.commands.add(
            "import_document",
            "Import document…",
            self.choose_files,
            "Ctrl+I",
            tip="Import PRDs, functional or technical specs, or sprint change proposals",
        )

    def update_actions(self) -> None:
        """Import needs an open project."""
        self.window.commands["import_document"].setEnabled(self.window.service is not None)

    # --- choosing files ---------------------------------------------------------------------

    def choose_files(self) -> None:
        """File ▸ Import document…: pick markdown or text files, then import them."""
        service = self.window.service
        if service is None:
            return
        names, _filter = QFileDialog.getOpenFileNames(
            self.window, "Import documents", str(Path.home()), _FILTER
        )
        if names:
            self.start_import([Path(name) for name in names])

    def accepts(self, mime: QMimeData) -> bool:
        """Whether a drag carries files (or links) this window takes."""
        return mime.hasUrls()

    def drop(self, mime: QMimeData) -> None:
        """Import the files dropped on the window; say why anything else was not imported."""
        files, refused = dropped_files(mime)
        if self.window.service is None:
            self.window.notify(
                "Open a project first: documents are imported into a project.", error=True
            )
            return
        if refused:
            self.window.notify("Nothing was imported: " + "; ".join(refused) + ".", error=True)
            return
        if files:
            self.start_import(files)

    def start_import(self, files: Sequence[Path]) -> None:
        """Import ``files`` as a task, with progress once it takes a while."""
        count = len(files)
        label = f"Importing {files[0].name}…" if count == 1 else f"Importing {count} documents…"
        self.window.start(self.import_files(files), label)

    # --- importing --------------------------------------------------------------------------

    async def import_files(self, files: Sequence[Path]) -> list[DocumentInfo]:
        """Import ``files`` into the open project (asking for any type it cannot tell) and
        show the result; the documents imported (none when refused or cancelled)."""
        window = self.window
        service = window.service
        if service is None:
            return []
        imported: list[DocumentInfo] = []
        notices: list[str] = []
        alone = files[0] if len(files) == 1 else None
        try:
            use_as = await self._start_from(service, alone) if alone else ""
            if use_as is None:
                window.notify("Nothing was imported.")
                return []
            named = await self._import_detected(service, list(files), imported, notices, use_as)
            if named is None:
                window.notify("Nothing was imported: no type was chosen.")
                return []
            for path, doc_type in named:
                use_as = await self._start_from(service, path, doc_type) if alone else ""
                if use_as is None:
                    break
                report = await asyncio.to_thread(
                    service.documents.import_files, [path], doc_type=doc_type, use_as=use_as or None
                )
                imported += report.documents
                notices += [*_used_sentence(report.documents, report.used_as), *report.notices]
        except ProjectError as exc:
            self._refused(exc, imported)
            return imported
        finally:
            if imported and window.service is service:
                await window.refresh_explorer()
        said = " ".join([_imported_sentence(imported), *notices])
        window.notify(said)
        if imported and window.service is service:
            await self.show_document(imported[-1].name)
            for document in imported:
                if document.type == DocumentType.SPRINT_CHANGE_PROPOSAL:
                    window.regeneration.review_proposal(document.name, said_first=said)
        return imported

    async def _start_from(
        self, service: ProjectService, path: Path, doc_type: str | None = None
    ) -> str | None:
        """For a document imported on its own: the artifact the user chose it to become
        ('' for none, or when it cannot become one; None when they cancelled the import)."""
        offer = await asyncio.to_thread(_start_offer, service, path, doc_type)
        if offer is None:
            return ""
        artifact, document_type, replaces = offer
        return await ask_later(
            lambda: self.window.prompter.choose_use_as(
                self.window, path, document_type.label, artifact, replaces
            )
        )

    async def _import_detected(
        self,
        service: ProjectService,
        files: list[Path],
        imported: list[DocumentInfo],
        notices: list[str],
        use_as: str = "",
    ) -> list[tuple[Path, str]] | None:
        """Import together the files whose type is detected (the one file as ``use_as``, if
        given); the files whose type the user named instead (None when the user cancelled
        the question)."""
        named: list[tuple[Path, str]] = []
        remaining = list(files)
        while remaining:
            try:
                report = await asyncio.to_thread(
                    service.documents.import_files, remaining, use_as=use_as or None
                )
            except UnknownDocumentType as exc:
                choice = await ask_later(
                    lambda path=exc.path: self.window.prompter.choose_document_type(
                        self.window, path
                    )
                )
                if not choice:
                    return None
                named.append((exc.path, choice))
                remaining = [path for path in remaining if path != exc.path]
                continue
            imported += report.documents
            notices += [*_used_sentence(report.documents, report.used_as), *report.notices]
            break
        return named

    def _refused(self, error: ProjectError, imported: Sequence[DocumentInfo]) -> None:
        sentence = str(error)
        if imported:
            names = ", ".join(d.name for d in imported)
            self.window.notify(f"Imported {names}, but not the rest: {sentence}", error=True)
        else:
            self.window.notify(f"Nothing was imported: {sentence}", error=True)

    # --- showing ----------------------------------------------------------------------------

    async def show_input(self, kind: str, name: str) -> QWidget | None:
        """Show an input chosen in the explorer: an imported document in its inspector; the
        brief or the constitution in the editor, where it is edited like an artifact (a
        saved edit is versioned, and its impact reaches every phase that reads it)."""
        if kind == InputKind.DOCUMENT.value:
            return await self.show_document(name)
        return await self.window.editors.open_artifact(name)

    async def show_document(self, name: str) -> DocumentInspector | None:
        """Show an imported document in its inspector tab (opened, or brought to the front)."""
        service = self.window.service
        if service is None:
            return None
        detail, text = await asyncio.to_thread(
            lambda: (service.documents.show(name), service.documents.text(name))
        )
        if self.window.service is not service:
            return None
        inspector = self._tab(InputKind.DOCUMENT.value, name, detail.document.path)
        inspector.show_document(detail, text)
        return inspector

    def review_proposal(self, name: str) -> None:
        """Review and apply…: the impact of the change proposal ``name``, then apply it as
        the user chooses (the regeneration flow's dialog and run)."""
        if self.window.service is not None:
            self.window.regeneration.review_proposal(name)

    def inspectors(self) -> list[DocumentInspector]:
        """The open inspector tabs, left to right."""
        tabs = self.window.editors.tabs
        return [
            widget
            for index in range(tabs.count())
            if isinstance(widget := tabs.widget(index), DocumentInspector)
        ]

    def current_inspector(self) -> DocumentInspector | None:
        """The inspector tab in front, if the front tab is one."""
        widget = self.window.editors.tabs.currentWidget()
        return widget if isinstance(widget, DocumentInspector) else None

    def _tab(self, kind: str, name: str, title: str) -> DocumentInspector:
        """The inspector tab of an input, in front (a new one the first time)."""
        editors = self.window.editors
        for inspector in self.inspectors():
            if inspector.input_key == (kind, name):
                editors.tabs.setCurrentWidget(inspector)
                return inspector
        inspector = DocumentInspector()
        inspector.input_key = (kind, name)
        inspector.applyRequested.connect(self.review_proposal)
        index = editors.add_tab(inspector, title)
        editors.tabs.setTabToolTip(index, f"{title} (read-only)")
        editors.update_page()
        return inspector


def _start_offer(
    service: ProjectService, path: Path, doc_type: str | None
) -> tuple[str, DocumentType, bool] | None:
    """(the artifact, the document's type, whether the artifact exists) when the document at
    ``path`` (of ``doc_type``, or the type detected from its text) can become an artifact of
    the project's spec; None when it cannot, or cannot be read (the import says why)."""
    if doc_type is None:
        try:
            found = detect_type(read_document_file(path)).type
        except ProjectError:
            return None
    else:
        found = DocumentType(doc_type)
    artifact = next((a for a, t in USES.items() if t is found), None)
    if found is None or artifact is None or artifact not in service.spec.artifacts:
        return None
    return artifact, found, service.paths.artifact(artifact).is_file()


def _used_sentence(documents: Sequence[DocumentInfo], used_as: str) -> list[str]:
    if not used_as or not documents:
        return []
    return [
        f"{documents[0].path} is now the project's {used_as}, as your version: the next run "
        "builds everything after it from it."
    ]


def _imported_sentence(documents: Sequence[DocumentInfo]) -> str:
    parts = []
    for document in documents:
        counts = ", ".join(
            f"{n} {_ONE.get(kind, kind) if n == 1 else kind.replace('_', ' ')}"
            for kind, n in document.extracted.items()
            if n
        )
        given = "named by you" if document.type_source == "given" else "detected"
        status = {"warnings": "; with warnings", "errors": "; with errors"}.get(document.status, "")
        parts.append(
            f"{document.path} as a {type_label(document.type)} ({given}"
            + (f", {counts}" if counts else "")
            + f"{status})"
        )
    return "Imported " + "; ".join(parts) + "." if parts else "Nothing was imported."
