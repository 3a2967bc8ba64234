"""The document inspector: one imported document as the app read it, in a tab of the editor
area (where artifacts are read too), so it has the room a table of requirements needs.

It says what type the document is (detected from its structure, or given by the user) and why,
its processor's verdict, version and source file, the findings (severity, line, sentence), the
records extracted from it (a table of requirements with their priority and number of acceptance
criteria; user stories, components, entities, endpoints and proposed edits) and the text itself
with line numbers. Double-clicking a finding or a record shows its line in the text. A sprint
change proposal has a Review and apply… button, which asks the window to show the impact of its
edits and apply them (``applyRequested``). (The brief and the constitution open in the editor:
they are edited like artifacts.)

Colours come from the theme in use: the widgets are styled by the application's style sheet,
and the few colours set in code (severities, the gutter, markdown highlighting) are applied
again when the style sheet changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from spec_automation.core.documents import DocumentType, Extraction, Finding
from spec_automation.services.reports import DocumentDetail
from spec_automation.ui.editor import NumberedTextEdit
from spec_automation.ui.highlighter import MarkdownHighlighter
from spec_automation.ui.theme import current_theme

__all__ = ["DocumentInspector", "record_rows", "type_label"]

_LINE_ROLE = Qt.ItemDataRole.UserRole
_SEVERITY_COLOUR = {"error": "error", "warning": "warning"}
_STATUS_WORDS = {
    "ok": "no findings",
    "warnings": "usable, with warnings",
    "errors": "has errors: not usable as its type until they are fixed",
}


def type_label(value: str) -> str:
    """A document type in words ("PRD", "functional spec"); an unknown value as stored."""
    try:
        return DocumentType(value).label
    except ValueError:
        return value


def record_rows(extraction: Extraction) -> list[tuple[str, str, str, int]]:
    """Every extracted record but the requirements, as (kind, name, detail, line) rows."""
    rows: list[tuple[str, str, str, int]] = []
    for story in extraction.user_stories:
        benefit = f", so that {story.benefit}" if story.benefit else ""
        rows.append(
            (
                "User story",
                story.identifier or "",
                f"As {story.role}, I want {story.goal}{benefit}",
                story.line,
            )
        )
    rows += [("Component", c.name, c.responsibility, c.line) for c in extraction.components]
    rows += [("Entity", e.name, ", ".join(e.fields), e.line) for e in extraction.entities]
    rows += [("Endpoint", f"{e.method} {e.path}", e.summary, e.line) for e in extraction.endpoints]
    rows += [
        (
            "Proposed edit",
            edit.target,
            f"{edit.section}: {edit.change}" if edit.section else edit.change,
            edit.line,
        )
        for edit in extraction.proposed_edits
    ]
    return rows


def _table(name: str, headers: Sequence[str], stretch: int) -> QTreeWidget:
    """A flat, sortable-looking table of rows in the app's tree style."""
    table = QTreeWidget()
    table.setObjectName(name)
    table.setHeaderLabels(list(headers))
    table.setRootIsDecorated(False)
    table.setUniformRowHeights(True)
    table.setAlternatingRowColors(True)
    header = table.header()
    header.setStretchLastSection(False)
    for column in range(len(headers)):
        mode = (
            QHeaderView.ResizeMode.Stretch
            if column == stretch
            else (QHeaderView.ResizeMode.ResizeToContents)
        )
        header.setSectionResizeMode(column, mode)
    return table


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "caption")
    return label


def _section(caption: QLabel, widget: QWidget) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(8, 8, 8, 0)
    layout.setSpacing(4)
    layout.addWidget(caption)
    layout.addWidget(widget, 1)
    return holder


class DocumentInspector(QWidget):
    """One document in detail (objectName ``documentInspector``).

    Signals:
        applyRequested(str name): Review and apply… was pressed on a change proposal.
    """

    applyRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentInspector")
        self.detail: DocumentDetail | None = None
        self.shown_name = ""  # the file shown: a document's name, brief.md or constitution.md
        self.input_key: tuple[str, str] = ("", "")  # (input kind, name) of the tab's input
        self._theme_name = ""

        self.title = QLabel("No document open")
        self.title.setObjectName("documentTitle")
        self.title.setProperty("role", "title")
        self.title.setWordWrap(True)
        self.apply_button = QPushButton("Review and &apply…")
        self.apply_button.setObjectName("reviewProposalButton")
        self.apply_button.setToolTip(
            "Show what the proposal's edits change and affect, then choose how to apply them"
        )
        self.apply_button.clicked.connect(lambda: self.applyRequested.emit(self.shown_name))
        self.type_value = QLabel()
        self.status_value = QLabel()
        self.status_value.setWordWrap(True)
        self.version_value = QLabel()
        self.source_value = QLabel()
        self.source_value.setWordWrap(True)
        self.source_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Two facts a row: the tab is wide and short (the Run dock shares the height).
        self.facts = QWidget()
        grid = QGridLayout(self.facts)
        grid.setContentsMargins(8, 4, 8, 8)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        for index, (label, value) in enumerate(
            (
                ("Type", self.type_value),
                ("Status", self.status_value),
                ("Version", self.version_value),
                ("Source", self.source_value),
            )
        ):
            value.setTextFormat(Qt.TextFormat.PlainText)
            row, column = divmod(index, 2)
            grid.addWidget(_caption(label), row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)

        self.reasons = QLabel()
        self.reasons.setObjectName("documentReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.PlainText)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.reasons.setContentsMargins(0, 0, 8, 0)
        reasons = QScrollArea()
        reasons.setWidget(self.reasons)
        reasons.setWidgetResizable(True)
        reasons.setFrameShape(QFrame.Shape.NoFrame)
        self.findings = _table("documentFindings", ["Severity", "Line", "Finding"], 2)
        self.findings.setUniformRowHeights(False)
        self.findings.setWordWrap(True)
        self.findings_caption = _caption("Findings")
        overview = QSplitter(Qt.Orientation.Vertical)
        overview.setChildrenCollapsible(False)
        overview.addWidget(_section(_caption("Why this type"), reasons))
        overview.addWidget(_section(self.findings_caption, self.findings))
        overview.setStretchFactor(0, 1)
        overview.setStretchFactor(1, 1)

        self.requirements = _table(
            "documentRequirements", ["ID", "Requirement", "Priority", "Criteria", "Line"], 1
        )
        self.records = _table("documentRecords", ["Kind", "Name", "Detail", "Line"], 2)
        self.requirements_caption = _caption("Requirements")
        self.records_caption = _caption("Other records")
        self.requirements_section = _section(self.requirements_caption, self.requirements)
        self.records_section = _section(self.records_caption, self.records)
        extracted = QSplitter(Qt.Orientation.Vertical)
        extracted.setChildrenCollapsible(False)
        extracted.addWidget(self.requirements_section)
        extracted.addWidget(self.records_section)

        self.text = NumberedTextEdit()
        self.text.setObjectName("documentText")
        self.text.setReadOnly(True)
        self.highlighter = MarkdownHighlighter(self.text.document(), current_theme())

        self.tabs = QTabWidget()
        self.tabs.setObjectName("documentInspectorTabs")
        self.tabs.setDocumentMode(True)
        self.overview_page = overview
        self.extracted_page = extracted
        self.tabs.addTab(overview, "Overview")
        self.tabs.addTab(extracted, "Extracted")
        self.tabs.addTab(self.text, "Text")
        for table in (self.findings, self.requirements, self.records):
            table.itemDoubleClicked.connect(self._show_line)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(0)
        heading = QHBoxLayout()
        heading.setContentsMargins(8, 0, 8, 4)
        heading.setSpacing(8)
        heading.addWidget(self.title, 1)
        heading.addWidget(self.apply_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.tabs, 1)
        self.clear()
        self._follow_theme()

    # --- what is shown ----------------------------------------------------------------------

    def clear(self) -> None:
        """Show nothing (no document chosen)."""
        self.detail = None
        self.shown_name = ""
        self.title.setText("No document open")
        self.apply_button.hide()
        self.facts.hide()
        for table in (self.findings, self.requirements, self.records):
            table.clear()
        self.reasons.setText("")
        self.text.setPlainText(
            "Choose a document under Inputs in the project explorer, or import one "
            "(File ▸ Import document…, or drop files on the window)."
        )
        self._show_pages(documents=False)

    def show_document(self, detail: DocumentDetail, text: str) -> None:
        """Show an imported document: its facts, findings, extracted records and text."""
        self.detail = detail
        document = detail.document
        self.shown_name = document.name
        self.title.setText(document.title or document.name)
        self.title.setToolTip(document.path)
        given = "named by you" if document.type_source == "given" else "detected"
        self.type_value.setText(f"{type_label(document.type)} ({given})")
        count = len(document.findings)
        summary = _STATUS_WORDS.get(document.status, document.status)
        if count:
            summary = f"{count} finding{'s' if count != 1 else ''}: {summary}"
        self.status_value.setText(summary)
        self.status_value.setProperty("role", _status_role(document.status))
        self._repolish(self.status_value)
        self.version_value.setText(
            f"v{document.version} · {document.lines} lines · {document.path}"
        )
        self.source_value.setText(document.source or "—")
        self.facts.show()
        self.apply_button.setVisible(document.type == DocumentType.SPRINT_CHANGE_PROPOSAL)

        self.reasons.setText(
            "\n".join(f"• {reason}" for reason in detail.reasons)
            if detail.reasons
            else "You named the type when importing it."
        )
        self._fill_findings(document.findings)
        self._fill_extraction(detail.extraction)
        self._set_text(text)
        self._show_pages(documents=True)
        self._recolour()

    def requirement_rows(self) -> list[list[str]]:
        """The requirements table as shown, one list of cell texts per row."""
        return _rows(self.requirements)

    def finding_rows(self) -> list[list[str]]:
        """The findings as shown."""
        return _rows(self.findings)

    def record_table_rows(self) -> list[list[str]]:
        """The other records as shown."""
        return _rows(self.records)

    # --- filling ----------------------------------------------------------------------------

    def _fill_findings(self, findings: Sequence[Finding]) -> None:
        self.findings.clear()
        self.findings_caption.setText(f"Findings ({len(findings)})")
        if not findings:
            item = QTreeWidgetItem(["", "", "None: every section this type needs is there."])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.findings.addTopLevelItem(item)
            return
        ordered = sorted(findings, key=lambda f: (f.severity != "error", f.line))
        for finding in ordered:
            item = QTreeWidgetItem([finding.severity, str(finding.line), finding.message])
            item.setData(0, _LINE_ROLE, finding.line)
            item.setToolTip(2, str(finding))
            self.findings.addTopLevelItem(item)

    def _fill_extraction(self, extraction: Extraction) -> None:
        self.requirements.clear()
        for requirement in extraction.requirements:
            criteria = requirement.acceptance_criteria
            item = QTreeWidgetItem(
                [
                    requirement.identifier,
                    requirement.statement,
                    requirement.priority or "—",
                    str(len(criteria)),
                    str(requirement.line),
                ]
            )
            item.setData(0, _LINE_ROLE, requirement.line)
            tip = requirement.statement + "".join(f"\n  • {c}" for c in criteria)
            item.setToolTip(1, tip)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight)
            item.setTextAlignment(4, Qt.AlignmentFlag.AlignRight)
            self.requirements.addTopLevelItem(item)
        count = len(extraction.requirements)
        self.requirements_caption.setText(f"Requirements ({count})")
        self.requirements_section.setVisible(count > 0)

        self.records.clear()
        rows = record_rows(extraction)
        for kind, name, detail, line in rows:
            item = QTreeWidgetItem([kind, name, detail, str(line)])
            item.setData(0, _LINE_ROLE, line)
            item.setToolTip(2, detail)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight)
            self.records.addTopLevelItem(item)
        self.records_caption.setText(f"Other records ({len(rows)})")
        self.records_section.setVisible(bool(rows) or count == 0)
        if not rows and count == 0:
            self.records_caption.setText("Nothing was extracted from this document.")
        self.tabs.setTabText(1, f"Extracted ({count + len(rows)})")

    def _set_text(self, text: str) -> None:
        self.text.setPlainText(text)
        self.text.verticalScrollBar().setValue(0)

    def _show_pages(self, *, documents: bool) -> None:
        for page in (self.overview_page, self.extracted_page):
            self.tabs.setTabVisible(self.tabs.indexOf(page), documents)
        if not documents:
            self.tabs.setTabText(1, "Extracted")
            self.tabs.setCurrentWidget(self.text)
        else:
            self.tabs.setCurrentWidget(self.overview_page)

    def _show_line(self, item: QTreeWidgetItem) -> None:
        line = item.data(0, _LINE_ROLE)
        if isinstance(line, int) and line > 0:
            self.tabs.setCurrentWidget(self.text)
            self.text.go_to_line(line - 1)

    # --- theme ------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        """Follow a theme switch: the style sheet changes first, the theme's name after, so
        the colours set in code are applied once the switch is complete."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.StyleChange:
            QTimer.singleShot(0, self, self._follow_theme)

    def _follow_theme(self) -> None:
        theme = current_theme()
        if theme.name == self._theme_name:
            return
        self._theme_name = theme.name
        self.text.set_gutter_theme(theme)
        self.highlighter.set_theme(theme)
        self._recolour()

    def _recolour(self) -> None:
        theme = current_theme()
        for index in range(self.findings.topLevelItemCount()):
            item = self.findings.topLevelItem(index)
            colour = _SEVERITY_COLOUR.get(item.text(0))
            if colour is not None:
                item.setForeground(0, QBrush(theme.colour(colour)))

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _status_role(status: str) -> str:
    return {"warnings": "warning", "errors": "error"}.get(status, "")


def _rows(table: QTreeWidget) -> list[list[str]]:
    return [
        [table.topLevelItem(i).text(c) for c in range(table.columnCount())]
        for i in range(table.topLevelItemCount())
    ]
