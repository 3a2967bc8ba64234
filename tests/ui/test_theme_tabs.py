"""A theme switch recolours the tab in front at once and a tab out of sight when it is shown."""

from __future__ import annotations

from pathlib import Path

from spec_automation.settings import AppSettings
from spec_automation.ui.theme import load_theme
from tests.helpers.gui import run


def _heading_colour(tab) -> str:  # type: ignore[no-untyped-def]
    return tab.editor.highlighter._formats["heading"].foreground().color().name()


def test_a_tab_out_of_sight_takes_the_new_theme_when_shown(
    make_window, loop, sample_project: Path
) -> None:
    window = make_window(AppSettings(theme="dark", autosave_interval_s=0.2))
    run(loop, window.open_project(sample_project))
    back = run(loop, window.editors.open_artifact("prd.md"))
    front = run(loop, window.editors.open_artifact("stack.md"))
    dark, light = (load_theme(n).colours["heading"] for n in ("dark", "light"))
    assert _heading_colour(back) == _heading_colour(front) == dark
    window.commands["theme"].trigger()
    assert _heading_colour(front) == light  # the tab in front: at once
    assert _heading_colour(back) == dark  # out of sight: not yet (it costs a re-highlight)
    window.editors.tabs.setCurrentWidget(back)
    assert _heading_colour(back) == light
    window.commands["theme"].trigger()
    window.editors.tabs.setCurrentWidget(front)
    assert _heading_colour(front) == dark
