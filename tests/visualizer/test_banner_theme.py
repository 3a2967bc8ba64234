"""A banner shown in one theme takes the other theme's colours when the theme switches."""

from __future__ import annotations

from typing import Any

from spec_automation.ui.visualizer.banners import Banner
from spec_automation.ui.visualizer.palette import state_colours
from spec_automation.ui.visualizer.run_state import NodeState


def test_a_shown_banner_repaints_in_the_new_theme(qtbot: Any) -> None:
    banner = Banner("completionBanner")
    qtbot.addWidget(banner)
    banner.set_dark(True)
    banner.say("<b>Approved</b> architecture_approved", NodeState.SUCCEEDED)
    dark = state_colours(dark=True)[NodeState.SUCCEEDED]
    light = state_colours(dark=False)[NodeState.SUCCEEDED]
    assert dark.fill != light.fill
    assert dark.fill in banner.styleSheet()
    banner.set_dark(False)
    assert light.fill in banner.styleSheet()
    assert dark.fill not in banner.styleSheet()
