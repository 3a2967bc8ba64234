"""The live markdown preview: markdown-it-py with raw HTML off, shown in a QTextBrowser.

Nothing the document says is ever fetched: raw HTML is escaped by the renderer, images are
shown as their alt text, and ``loadResource`` refuses every request (and remembers it, so a
test can prove none was honoured). Clicking a link asks the user before the system browser
opens it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser, QWidget

from spec_automation.ui.theme import Theme, current_theme

__all__ = [
    "LARGE_DOCUMENT_LINES",
    "MarkdownPreview",
    "preview_source",
    "render_markdown",
    "render_preview",
    "strip_front_matter",
]

# Above this many lines the preview shows the section at the cursor, not the whole document:
# laying out tens of thousands of lines of HTML would freeze the window on every keystroke.
LARGE_DOCUMENT_LINES = 2000
_WINDOW_LINES = 400


def _image_as_text(
    renderer: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render an image as its alt text: the preview never loads anything."""
    del options, env, renderer
    token = tokens[idx]
    alt = "".join(child.content for child in token.children or ()) or "image"
    source = token.attrGet("src") or ""
    return f'<span class="image">[image: {html.escape(alt)} — {html.escape(str(source))}]</span>'


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    md.add_render_rule("image", _image_as_text)
    return md


_MD = _parser()


def strip_front_matter(text: str) -> str:
    """The document without its leading YAML front matter block."""
    if not text.startswith("---"):
        return text
    lines = text.split("\n")
    for number in range(1, len(lines)):
        if lines[number].strip() in ("---", "..."):
            return "\n".join(lines[number + 1 :])
    return text


def preview_source(text: str, cursor_line: int) -> tuple[str, str]:
    """What the preview renders: the whole text, or for a large document the section the
    cursor is in (from the heading above it, at most 400 lines), and a note saying so."""
    lines = text.split("\n")
    if len(lines) <= LARGE_DOCUMENT_LINES:
        return text, ""
    start = max(0, min(cursor_line, len(lines) - 1))
    floor = max(0, start - _WINDOW_LINES)
    while start > floor and not lines[start].lstrip().startswith("#"):
        start -= 1
    end = min(len(lines), start + _WINDOW_LINES)
    note = (
        f"Large document ({len(lines):,} lines): the preview shows the section at the cursor, "
        f"lines {start + 1}–{end}."
    )
    return "\n".join(lines[start:end]), note


def render_preview(text: str, cursor_line: int) -> str:
    """The preview's HTML for a document with the cursor on ``cursor_line``."""
    source, note = preview_source(text, cursor_line)
    fragment = render_markdown(source)
    if note:
        fragment = f'<p class="image">{html.escape(note)}</p>' + fragment
    return fragment


def render_markdown(text: str) -> str:
    """Markdown to an HTML fragment; raw HTML in the source comes out as visible text."""
    return str(_MD.render(strip_front_matter(text)))


def _css(theme: Theme) -> str:
    c = theme.colours
    return (
        f"body {{ color: {c['text']}; font-size: 14px; }}"
        f"h1 {{ color: {c['heading']}; font-size: 24px; margin: 16px 0 8px 0; }}"
        f"h2 {{ color: {c['heading']}; font-size: 18px; margin: 16px 0 8px 0; }}"
        f"h3, h4, h5, h6 {{ color: {c['heading']}; font-size: 14px; margin: 8px 0 4px 0; }}"
        f"p, li {{ margin: 4px 0; }}"
        f"code, pre {{ color: {c['code']}; font-family: monospace; }}"
        f"pre {{ background-color: {c['panel']}; padding: 8px; }}"
        f"a {{ color: {c['link']}; }}"
        f"blockquote {{ color: {c['quote']}; margin: 8px 16px; }}"
        f"th {{ color: {c['text']}; background-color: {c['panel']}; padding: 4px 8px; }}"
        f"td {{ padding: 4px 8px; }}"
        f".image {{ color: {c['text-muted']}; }}"
    )


class MarkdownPreview(QTextBrowser):
    """The rendered document; remote (and local) resources are refused, links confirmed."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        confirm_link: Callable[[QUrl], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("markdownPreview")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.refused: list[str] = []  # every resource the document asked for, all refused
        self.confirm_link = confirm_link or (lambda _url: False)
        self.anchorClicked.connect(self._on_link)
        self._html = ""
        self.set_theme(current_theme())

    def set_theme(self, theme: Theme) -> None:
        """Restyle the rendered document."""
        self.document().setDefaultStyleSheet(_css(theme))
        if self._html:
            self.show_html(self._html)

    def show_html(self, fragment: str) -> None:
        """Show an HTML fragment made by :func:`render_markdown`, keeping the scroll place."""
        self._html = fragment
        bar = self.verticalScrollBar()
        place = bar.value()
        self.setHtml(fragment)
        bar.setValue(min(place, bar.maximum()))

    def rendered_html(self) -> str:
        """The fragment last shown (what the document turned into)."""
        return self._html

    def heading_tops(self) -> list[float]:
        """The top of every heading in the rendered document, in order, in scroll units."""
        tops = []
        layout = self.document().documentLayout()
        block = self.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                tops.append(layout.blockBoundingRect(block).top())
            block = block.next()
        return tops

    def follow(self, heading: int, fraction: float) -> None:
        """Scroll to ``fraction`` (0-1) of the way from heading number ``heading`` to the
        next one (-1: before the first), as the editor shows its source."""
        tops = self.heading_tops()
        if not tops:
            return
        bar = self.verticalScrollBar()
        end = float(self.document().size().height())
        start = 0.0 if heading < 0 else tops[min(heading, len(tops) - 1)]
        following = heading + 1
        stop = tops[following] if 0 <= following < len(tops) else (tops[0] if heading < 0 else end)
        bar.setValue(min(bar.maximum(), round(start + (stop - start) * fraction)))

    def loadResource(self, kind: int, name: QUrl) -> Any:
        """Refuse: a document shown here never makes the app fetch or read anything."""
        del kind
        self.refused.append(name.toString())
        return None

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto") and self.confirm_link(url):
            QDesktopServices.openUrl(url)
