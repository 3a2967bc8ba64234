"""A read-only view of one file of the code folder, highlighted by Pygments in the theme's
colours, scrolled to a line (the quality gates panel opens a finding's file in it).

The whole file is lexed at once, so a construct that spans lines (a docstring) is coloured
as one; the highlighter then paints each line from that list. The colours are the theme's
syntax colours, read again whenever the application's palette changes (a theme switch).
"""

from __future__ import annotations

from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, String, Token
from pygments.util import ClassNotFound
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from spec_automation.ui.theme import Theme, current_theme

__all__ = ["CodeHighlighter", "CodeView", "token_colour"]


@cache
def _lexer(file_name: str) -> Lexer | None:
    try:
        return get_lexer_for_filename(file_name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def token_colour(token: object) -> str:
    """The theme colour a Pygments token is drawn in ("" for plain text)."""
    if token in Keyword:
        return "syn-keyword"
    if token in String or token in Literal.String:
        return "syn-string"
    if token in Comment:
        return "syn-comment"
    if token in Number:
        return "syn-number"
    if token in Name.Function or token in Name.Class or token in Name.Builtin:
        return "syn-name"
    if token in Name.Decorator:
        return "syn-name"
    if token in Operator or token in Token.Punctuation:
        return "text-muted"
    return ""


class CodeHighlighter(QSyntaxHighlighter):
    """Colours a source file with the Pygments lexer its name calls for."""

    def __init__(self, document: QTextDocument, theme: Theme | None = None) -> None:
        self._formats: dict[str, QTextCharFormat] = {}
        #: Per line: (start, length, colour name) spans, from lexing the whole text.
        self._spans: list[list[tuple[int, int, str]]] = []
        self.set_theme(theme or current_theme(), rehighlight=False)
        super().__init__(document)

    def set_theme(self, theme: Theme, *, rehighlight: bool = True) -> None:
        """Use ``theme``'s syntax colours."""
        formats: dict[str, QTextCharFormat] = {}
        for name in ("syn-keyword", "syn-string", "syn-comment", "syn-number", "syn-name"):
            fmt = QTextCharFormat()
            fmt.setForeground(theme.colour(name))
            if name == "syn-keyword":
                fmt.setFontWeight(QFont.Weight.Bold)
            if name == "syn-comment":
                fmt.setFontItalic(True)
            formats[name] = fmt
        muted = QTextCharFormat()
        muted.setForeground(theme.colour("text-muted"))
        formats["text-muted"] = muted
        self._formats = formats
        if rehighlight:
            self.rehighlight()

    def lex(self, text: str, file_name: str) -> None:
        """Work out the colours of ``text`` (the file ``file_name``) line by line."""
        spans: list[list[tuple[int, int, str]]] = [[] for _ in text.split("\n")]
        lexer = _lexer(file_name)
        if lexer is not None:
            line, column = 0, 0
            for token, value in lexer.get_tokens(text):
                colour = token_colour(token)
                for index, piece in enumerate(value.split("\n")):
                    if index:
                        line, column = line + 1, 0
                    if colour and piece and line < len(spans):
                        spans[line].append((column, len(piece), colour))
                    column += len(piece)
        self._spans = spans

    def highlightBlock(self, text: str) -> None:  # noqa: ARG002 - Qt's signature
        """Paint one line from the spans the whole file's lexing gave."""
        number = self.currentBlock().blockNumber()
        if number >= len(self._spans):
            return
        for start, length, colour in self._spans[number]:
            self.setFormat(start, length, self._formats[colour])


class CodeView(QPlainTextEdit):
    """A read-only, highlighted view of a source file (objectName ``codeView``), with the
    line of a finding marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeView")
        self.setAccessibleName("Code")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.file_name = ""
        #: The line (from 1) shown and marked; 0 when none.
        self.line = 0
        self._theme = current_theme().name
        self.highlighter = CodeHighlighter(self.document())
        self._recolour = QTimer(self)
        self._recolour.setSingleShot(True)
        self._recolour.setInterval(0)
        self._recolour.timeout.connect(self._follow_theme)

    def show_file(self, file_name: str, text: str, line: int = 0) -> None:
        """Show ``text`` (the file ``file_name``) with ``line`` (from 1) in view and marked."""
        self.file_name = file_name
        self.highlighter.lex(text, file_name)
        self.setPlainText(text)
        self.go_to_line(line)

    def clear_file(self, message: str = "") -> None:
        """Show no file, only ``message`` (why there is none)."""
        self.file_name = ""
        self.line = 0
        self.highlighter.lex("", "")
        self.setPlainText(message)
        self.setExtraSelections([])

    def go_to_line(self, line: int) -> None:
        """Put the cursor on ``line`` (from 1), centre it and mark it."""
        count = self.document().blockCount()
        self.line = max(0, min(line, count))
        block = self.document().findBlockByNumber(max(self.line - 1, 0))
        cursor = QTextCursor(block)
        self.setTextCursor(cursor)
        self.centerCursor()
        self._mark()

    def current_line(self) -> int:
        """The line (from 1) the cursor is on."""
        return self.textCursor().blockNumber() + 1

    def _mark(self) -> None:
        if self.line < 1:
            self.setExtraSelections([])
            return
        mark = QTextEdit.ExtraSelection()
        mark.format.setBackground(current_theme().colour("selection"))
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        mark.cursor = QTextCursor(self.document().findBlockByNumber(self.line - 1))
        self.setExtraSelections([mark])

    def changeEvent(self, event: QEvent) -> None:
        """Follow a theme switch: the syntax colours and the marked line (once the switch is
        over: the new theme is named only after its palette is applied)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._recolour.start()

    def _follow_theme(self) -> None:
        theme = current_theme()
        if theme.name != self._theme:
            self._theme = theme.name
            self.highlighter.set_theme(theme)
            self._mark()
