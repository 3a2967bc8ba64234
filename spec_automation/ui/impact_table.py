"""The table of the artifacts an edit affects, each level drawn as a coloured chip that also
says the level in words; Space ticks a row for manual review."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from spec_automation.core.changes import ImpactLevel
from spec_automation.services import ImpactReport
from spec_automation.ui.theme import Theme, theme_file

__all__ = ["ARTIFACT_COLUMN", "LEVEL_COLUMN", "AffectedTable", "chip_colours", "level_words"]

#: The palette colour a level's chip is filled with; its text uses the darkest surface colour.
_CHIP_FILL = {
    ImpactLevel.HIGH: "error",
    ImpactLevel.MEDIUM: "warning",
    ImpactLevel.LOW: "text-muted",
}
_CHIP_TEXT = "surface"

_LEVEL_WORDS = {
    ImpactLevel.HIGH: "requirements added or removed",
    ImpactLevel.MEDIUM: "requirements reworded",
    ImpactLevel.LOW: "formatting only",
}

# Columns of the affected-artifacts table.
_ARTIFACT, _LEVEL, _REASON, _PATH, _EDITS = range(5)
_LEVEL_ROLE = Qt.ItemDataRole.UserRole + 1


# Columns of the affected-artifacts table.
ARTIFACT_COLUMN, LEVEL_COLUMN, _REASON, _PATH, _EDITS = range(5)
_LEVEL_ROLE = Qt.ItemDataRole.UserRole + 1


def chip_colours(theme: Theme, level: ImpactLevel | str) -> tuple[str, str]:
    """(fill, text) hex colours of a level's chip in ``theme``."""
    return theme.colours[_CHIP_FILL[ImpactLevel(level)]], theme.colours[_CHIP_TEXT]


def level_words(level: ImpactLevel | str) -> str:
    """What a change of this impact level means, in a few words."""
    return _LEVEL_WORDS[ImpactLevel(level)]


class _ChipDelegate(QStyledItemDelegate):
    """Paints the level column as a rounded chip: colour and the level's name."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw the selection background, then the chip."""
        level = index.data(_LEVEL_ROLE)
        if not isinstance(level, str):
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget is not None else None
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)
        fill, text = chip_colours(self.theme, level)
        metrics = QFontMetrics(option.font)
        width = metrics.horizontalAdvance(level) + 20
        height = metrics.height() + 6
        rect = QRectF(
            option.rect.x() + 8,
            option.rect.y() + (option.rect.height() - height) / 2,
            width,
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(fill), 1))
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        font = option.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, level)
        painter.restore()


class AffectedTable(QTableWidget):
    """The affected artifacts of an impact report, nearest first."""

    def __init__(self, report: ImpactReport, theme: Theme) -> None:
        super().__init__(len(report.affected), 5)
        self.setObjectName("affectedArtifactsTable")
        self.setAccessibleName("Affected artifacts")
        self.setHorizontalHeaderLabels(["Artifact", "Level", "Reason", "Dependency path", "Edits"])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table: keyboard users move on
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setItemDelegateForColumn(LEVEL_COLUMN, _ChipDelegate(theme, self))
        for row, affected in enumerate(report.affected):
            name = QTableWidgetItem(affected.artifact)
            name.setData(Qt.ItemDataRole.UserRole, affected.artifact)
            name.setToolTip(f"{affected.artifact}, made by {affected.phase}")
            level = QTableWidgetItem(str(affected.level))
            level.setData(_LEVEL_ROLE, str(affected.level))
            level.setToolTip(f"{affected.level} impact")
            reason = QTableWidgetItem(affected.reason)
            reason.setToolTip(affected.reason)
            path = QTableWidgetItem(" → ".join(affected.path))
            path.setToolTip(" → ".join(affected.path))
            edits = QTableWidgetItem("✎ your edits" if affected.user_edited else "")
            if affected.user_edited:
                edits.setToolTip("Carries your own edits, which regenerating would replace")
                edits.setForeground(theme.colour("warning"))
            for column, item in enumerate((name, level, reason, path, edits)):
                self.setItem(row, column, item)
        header = self.horizontalHeader()
        header.setSectionResizeMode(ARTIFACT_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(LEVEL_COLUMN, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(_REASON, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(_PATH, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(_EDITS, QHeaderView.ResizeMode.ResizeToContents)
        self.setColumnWidth(LEVEL_COLUMN, 112)
        self.resizeColumnToContents(ARTIFACT_COLUMN)
        # Room for the tick box the style sheet draws, which the contents size leaves out.
        self.setColumnWidth(ARTIFACT_COLUMN, self.columnWidth(ARTIFACT_COLUMN) + 28)
        self.setColumnWidth(_PATH, 300)
        reasons = {a.reason for a in report.affected}
        #: The one reason every row would repeat ('' when they differ): said once, above.
        self.common_reason = reasons.pop() if len(reasons) == 1 and len(report.affected) > 1 else ""
        if self.common_reason:
            self.setColumnHidden(_REASON, True)
            header.setSectionResizeMode(_PATH, QHeaderView.ResizeMode.Stretch)
        # The tick boxes in the theme's colours (the style's own are faint on the dark theme).
        colours = theme.colours
        check = (theme_file(theme.name).parent / f"check-{theme.name}.svg").as_posix()
        self.setStyleSheet(
            f"QTableWidget::indicator {{ width: 14px; height: 14px; border-radius: 3px; "
            f"border: 1px solid {colours['text-muted']}; background-color: {colours['surface']}; }}"
            f"QTableWidget::indicator:checked {{ border: 1px solid {colours['accent']}; "
            f"background-color: {colours['accent']}; image: url({check}); }}"
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Space toggles the current row's check box (manual review only)."""
        if event.key() == Qt.Key.Key_Space and self.currentRow() >= 0:
            item = self.item(self.currentRow(), ARTIFACT_COLUMN)
            if item is not None and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                checked = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
                event.accept()
                return
        super().keyPressEvent(event)
