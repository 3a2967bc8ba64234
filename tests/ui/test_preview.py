"""The preview renders markdown without ever running or loading what a document embeds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl

from spec_automation.ui.preview import MarkdownPreview, render_markdown

pytestmark = pytest.mark.gui

HOSTILE = """---
artifact: x.md
---
# Title

<script>alert("owned")</script>

<img src="https://tracker.example/pixel.png">

![logo](https://cdn.example/logo.png)

A [link](https://example.org/page) and **bold** text.
"""


def test_script_and_remote_images_are_neither_rendered_nor_loaded(qtbot) -> None:
    preview = MarkdownPreview()
    qtbot.addWidget(preview)
    html = render_markdown(HOSTILE)
    preview.show_html(html)
    preview.resize(600, 400)
    preview.show()
    shown = preview.toHtml()
    for rendered in (html, shown):
        assert "<script" not in rendered.lower()
        assert "<img" not in rendered.lower()
    # the raw HTML is visible as text, so the user sees what the document says
    assert "&lt;script&gt;" in html
    assert "[image: logo" in html
    assert "<h1>Title</h1>" in html
    assert "artifact: x.md" not in html  # front matter is not rendered
    # nothing was fetched: every request the document could make was refused
    assert all("example" not in url for url in preview.refused)
    assert preview.loadResource(2, QUrl("https://tracker.example/pixel.png")) is None
    assert preview.refused[-1] == "https://tracker.example/pixel.png"


def test_a_link_opens_only_after_the_user_confirms(qtbot, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        "spec_automation.ui.preview.QDesktopServices.openUrl",
        lambda url: opened.append(url.toString()),
    )
    answers = [False, True]
    asked: list[str] = []

    def confirm(url: QUrl) -> bool:
        asked.append(url.toString())
        return answers.pop(0)

    preview = MarkdownPreview(confirm_link=confirm)
    qtbot.addWidget(preview)
    preview.anchorClicked.emit(QUrl("https://example.org/page"))
    assert asked == ["https://example.org/page"]
    assert opened == []
    preview.anchorClicked.emit(QUrl("https://example.org/page"))
    assert opened == ["https://example.org/page"]
    preview.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == ["https://example.org/page"]  # local files are never opened
