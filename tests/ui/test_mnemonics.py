"""Every Alt+letter of the main window does one thing: no mnemonic is taken twice."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton

from tests.helpers.gui import run

_MNEMONIC = re.compile(r"&([^&\s])")


def _letters(texts: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for text in texts:
        match = _MNEMONIC.search(text.replace("&&", ""))
        if match:
            found[match.group(1).lower()] += 1
    return found


def test_no_mnemonic_of_the_main_window_is_taken_twice(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    menus = [action.text() for action in window.menuBar().actions()]
    buttons = [button.text() for button in window.findChildren(QAbstractButton)]
    twice = {letter: n for letter, n in _letters(menus + buttons).items() if n > 1}
    assert twice == {}, (twice, sorted(t for t in menus + buttons if "&" in t))
