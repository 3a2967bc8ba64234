"""The artifact editor: highlighting (fenced code in its language), line numbers, outline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFont

from spec_automation.ui.editor import EditorTab
from spec_automation.ui.theme import load_theme

pytestmark = pytest.mark.gui

DOCUMENT = """---
artifact: a.md
---
# Heading

Some **bold** text and `code`.

```python
def greet(name):
    return "hi"
```

```
# not a heading inside a fence
```

## Second
"""


def formats_at(tab: EditorTab, line: int) -> list[tuple[int, int, str, bool]]:
    block = tab.editor.document().findBlockByNumber(line)
    return [
        (
            r.start,
            r.length,
            r.format.foreground().color().name(),
            r.format.fontWeight() == QFont.Weight.Bold,
        )
        for r in block.layout().formats()
    ]


def test_markdown_and_fenced_code_are_highlighted(qtbot) -> None:
    tab = EditorTab("a.md", Path("/nonexistent/a.md"), DOCUMENT)
    qtbot.addWidget(tab)
    theme = load_theme("dark")
    tab.set_theme(theme)
    heading = formats_at(tab, 3)
    assert heading[0][2:] == (theme.colours["heading"], True)
    front_matter = formats_at(tab, 1)
    assert front_matter[0][2] == theme.colours["text-muted"]
    code_line = formats_at(tab, 8)  # def greet(name):
    keyword = [f for f in code_line if f[0] == 0]
    assert keyword[0][2] == theme.colours["syn-keyword"]
    string_line = formats_at(tab, 9)  # return "hi"
    assert any(f[2] == theme.colours["syn-string"] for f in string_line)
    # a '#' line inside an unnamed fence is code, not a heading
    fenced = formats_at(tab, 12)
    assert all(f[2] != theme.colours["heading"] for f in fenced)


def test_the_outline_lists_headings_and_navigates(qtbot) -> None:
    tab = EditorTab("a.md", Path("/nonexistent/a.md"), DOCUMENT)
    qtbot.addWidget(tab)
    assert tab.outline_titles() == ["Heading", "Second"]
    assert tab.go_to_heading("Second")
    assert tab.editor.textCursor().blockNumber() == 16


def test_line_numbers_are_painted_in_a_gutter(qtbot) -> None:
    tab = EditorTab("a.md", Path("/nonexistent/a.md"), DOCUMENT * 50)
    qtbot.addWidget(tab)
    assert tab.editor.viewportMargins().left() >= tab.editor.fontMetrics().horizontalAdvance("9999")
    assert tab.editor.line_label(41) == "42"


def test_undo_and_redo(qtbot) -> None:
    tab = EditorTab("a.md", Path("/nonexistent/a.md"), "one\n")
    qtbot.addWidget(tab)
    qtbot.keyClicks(tab.editor, "zero ")
    assert tab.text() == "zero one\n"
    assert tab.dirty
    tab.editor.undo()
    assert tab.text() == "one\n"
    assert not tab.dirty
    tab.editor.redo()
    assert tab.text() == "zero one\n"
