"""The explorer keeps artifact names readable however long a state gets."""

from __future__ import annotations

from typing import Any

from spec_automation.ui.explorer import STATE_SHARE, ArtifactEntry, ArtifactState, ProjectExplorer


def _entries() -> list[ArtifactEntry]:
    return [
        ArtifactEntry(
            "component-mapping.md",
            "SPEC_DESIGN_COMPONENTS",
            4,
            ArtifactState.EDITED,
            2,
            gate_pending="architecture_approved",
        ),
        ArtifactEntry("prd.md", "SPEC_PM", 3, ArtifactState.GENERATED, 1),
    ]


def test_a_long_state_never_squeezes_the_names_in_a_narrow_explorer(qtbot: Any) -> None:
    explorer = ProjectExplorer()
    qtbot.addWidget(explorer)
    explorer.resize(210, 400)
    explorer.show()
    explorer.show_entries(_entries())
    qtbot.waitExposed(explorer)
    width = explorer.viewport().width()
    state = explorer.header().sectionSize(1)
    assert state <= width * STATE_SHARE + 1
    assert explorer.header().sectionSize(0) >= width * (1 - STATE_SHARE) - 1
    # wide enough: the state column takes what its longest state needs, no more
    explorer.resize(700, 400)
    qtbot.waitUntil(lambda: explorer.header().sectionSize(1) < explorer.viewport().width() * 0.45)
    assert explorer.header().sectionSize(1) >= explorer.sizeHintForColumn(1)
