"""Markdown syntax highlighting for the artifact editor, with Pygments for fenced code.

A ``QSyntaxHighlighter`` sees one line at a time and carries a small integer state from line
to line: ordinary text, inside the YAML front matter, or inside a fenced code block (which
language, which fence character). Code lines are lexed by Pygments in the fence's language.
"""

from __future__ import annotations

import re
from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, String, Token
from pygments.util import ClassNotFound
from PySide6.QtGui import QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from spec_automation.ui.theme import Theme, current_theme

__all__ = ["MarkdownHighlighter"]

_NORMAL, _FRONT_MATTER, _FENCE_BASE = 0, 1, 100

_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t].*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")
_QUOTE = re.compile(r"^ {0,3}>.*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_INLINE = (
    ("code", re.compile(r"`[^`]+`")),
    ("strong", re.compile(r"\*\*[^*]+\*\*|__[^_]+__")),
    ("emphasis", re.compile(r"(?<![*\w])\*[^*\s][^*]*\*(?!\*)|(?<![_\w])_[^_\s][^_]*_(?!\w)")),
    ("link", re.compile(r"!?\[[^\]]*\]\([^)]*\)|<https?://[^>]+>")),
    ("muted", re.compile(r"<!--.*?-->")),
)


@cache
def _lexer(language: str) -> Lexer | None:
    if not language:
        return None
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


class MarkdownHighlighter(QSyntaxHighlighter):
    """Colours headings, emphasis, code, links, quotes, front matter and fenced code."""

    def __init__(self, document: QTextDocument, theme: Theme | None = None) -> None:
        self._languages: list[str] = []
        self._formats: dict[str, QTextCharFormat] = {}
        self._colours: dict[str, str] = {}
        self.set_theme(theme or current_theme(), rehighlight=False)
        super().__init__(document)

    def set_theme(self, theme: Theme, *, rehighlight: bool = True) -> None:
        """Use ``theme``'s colours (live theme switching). The colours in use already change
        nothing: re-highlighting a 10,000-line document takes a third of a second, and a tab
        opened in the current theme was highlighted in it when its text was set."""
        if theme.colours == self._colours:
            return
        self._colours = dict(theme.colours)

        def fmt(colour: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            result = QTextCharFormat()
            result.setForeground(theme.colour(colour))
            if bold:
                result.setFontWeight(QFont.Weight.Bold)
            result.setFontItalic(italic)
            return result

        self._formats = {
            "heading": fmt("heading", bold=True),
            "strong": fmt("text", bold=True),
            "emphasis": fmt("text", italic=True),
            "code": fmt("code"),
            "link": fmt("link"),
            "quote": fmt("quote", italic=True),
            "muted": fmt("text-muted"),
            "marker": fmt("syn-keyword"),
            "keyword": fmt("syn-keyword", bold=True),
            "string": fmt("syn-string"),
            "comment": fmt("syn-comment", italic=True),
            "number": fmt("syn-number"),
            "name": fmt("syn-name"),
        }
        if rehighlight:
            self.rehighlight()

    def _language_state(self, language: str, fence_char: str) -> int:
        if language not in self._languages:
            self._languages.append(language)
        return _FENCE_BASE + 2 * self._languages.index(language) + (fence_char == "~")

    def highlightBlock(self, text: str) -> None:
        """Highlight one line, given the state the previous line left."""
        previous = self.previousBlockState()
        block_number = self.currentBlock().blockNumber()
        if block_number == 0 and text.strip() == "---":
            self.setFormat(0, len(text), self._formats["muted"])
            self.setCurrentBlockState(_FRONT_MATTER)
            return
        if previous == _FRONT_MATTER:
            self.setFormat(0, len(text), self._formats["muted"])
            ends = text.strip() in ("---", "...")
            self.setCurrentBlockState(_NORMAL if ends else _FRONT_MATTER)
            return
        fence = _FENCE.match(text)
        if previous >= _FENCE_BASE:
            fence_char = "~" if (previous - _FENCE_BASE) % 2 else "`"
            if fence and fence.group(1)[0] == fence_char and not fence.group(2):
                self.setFormat(0, len(text), self._formats["muted"])
                self.setCurrentBlockState(_NORMAL)
                return
            self._highlight_code(text, self._languages[(previous - _FENCE_BASE) // 2])
            self.setCurrentBlockState(previous)
            return
        self.setCurrentBlockState(_NORMAL)
        if fence:
            self.setFormat(0, len(text), self._formats["muted"])
            self.setCurrentBlockState(
                self._language_state(fence.group(2).lower(), fence.group(1)[0])
            )
            return
        if _HEADING.match(text):
            self.setFormat(0, len(text), self._formats["heading"])
            return
        if _QUOTE.match(text):
            self.setFormat(0, len(text), self._formats["quote"])
        marker = _LIST.match(text)
        if marker:
            self.setFormat(0, marker.end(), self._formats["marker"])
        if text.lstrip().startswith("|"):
            for index, char in enumerate(text):
                if char == "|":
                    self.setFormat(index, 1, self._formats["muted"])
        for name, pattern in _INLINE:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self._formats[name])

    def _highlight_code(self, text: str, language: str) -> None:
        lexer = _lexer(language)
        if lexer is None:
            self.setFormat(0, len(text), self._formats["code"])
            return
        position = 0
        for token, value in lexer.get_tokens(text):
            length = len(value)
            name = _token_format(token)
            if name and position < len(text):
                self.setFormat(position, min(length, len(text) - position), self._formats[name])
            position += length


def _token_format(token: object) -> str:
    if token in Keyword:
        return "keyword"
    if token in String or token in Literal.String:
        return "string"
    if token in Comment:
        return "comment"
    if token in Number:
        return "number"
    if token in Name.Function or token in Name.Class or token in Name.Builtin:
        return "name"
    if token in Operator or token in Token.Punctuation:
        return "muted"
    return ""
