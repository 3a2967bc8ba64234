"""Review changes as one tab: the regenerated artifacts with their change counts, one diff at a
time, the front matter folded away, "change k of n" stepped with Alt+Down and Alt+Up, and never
a sideways jump; a big diff goes into the panes in slices, the window answering between them."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest

from spec_automation.services import RegenerationReport, Strategy
from spec_automation.ui.change_review import ChangeReview, ReviewedArtifact
from spec_automation.ui.diffviewer import DiffViewer
from spec_automation.ui.textdiff import side_by_side
from spec_automation.ui.theme import current_theme
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui


def artifact(body: str, *, inputs: str = "aaa") -> str:
    """An artifact as the app writes it: front matter (its hashes change on every run), then
    the body."""
    return f"---\nartifact: x.md\nphase: SPEC_PM\ninputs_hash: {inputs}\n---\n\n{body}"


BODY = "".join(f"## Part {n}\n\nLine {n} says what it does.\n\n" for n in range(1, 40))
#: Two changes in the body (parts 5 and 30), and new hashes in the front matter.
TWO_CHANGES = BODY.replace("Line 5 says", "Line 5 now says").replace(
    "Line 30 says", "Line 30 really says"
)
LONG = "word " * 120  # about 600 characters: far wider than the pane


def review_of(*items: tuple[str, str, str]) -> ChangeReview:
    """A review of artifacts given as (name, before, after), shown as a window."""
    report = RegenerationReport(
        run_id=7,
        change_id=1,
        trigger_artifact="prd.md",
        strategy=Strategy.REGENERATE_ALL,
        status="completed",
        artifacts_regenerated=tuple(name for name, _old, _new in items),
    )
    reviewed = [
        ReviewedArtifact(
            name, f"{name} v1 (before)", f"{name} v2 (regenerated)", side_by_side(o, n)
        )
        for name, o, n in items
    ]
    review = ChangeReview(report, reviewed, current_theme())
    review.resize(1000, 600)
    review.show()
    review.activateWindow()
    review.start()
    return review


def shown(loop: asyncio.AbstractEventLoop, review: ChangeReview, name: str) -> DiffViewer:
    """Wait until the review shows ``name``'s diff."""
    viewer = review.viewer
    run(loop, until(lambda: viewer.result is not None and viewer.artifact == name))
    run(loop, asyncio.sleep(0.05))  # the panes laid out
    return viewer


@pytest.fixture
def review(loop: asyncio.AbstractEventLoop, qtbot: Any) -> ChangeReview:
    built = review_of(
        ("stack.md", artifact(BODY), artifact(BODY, inputs="bbb")),  # the front matter only
        ("epics.md", artifact(BODY), artifact(TWO_CHANGES, inputs="ccc")),
    )
    qtbot.addWidget(built)
    return built


def test_the_list_counts_the_changes_outside_the_front_matter(review: ChangeReview) -> None:
    rows = [
        (review.artifacts.topLevelItem(i).text(0), review.artifacts.topLevelItem(i).text(1))
        for i in range(review.artifacts.topLevelItemCount())
    ]
    assert rows == [("stack.md", "0"), ("epics.md", "2")]
    stack = review.artifacts.topLevelItem(0)
    assert stack.toolTip(1) == "stack.md: only the front matter changed"
    assert review.artifacts.topLevelItem(1).toolTip(0) == (
        "epics.md: 2 changes outside the front matter"
    )
    assert "2 artifacts" in review.artifacts.toolTip()
    assert "1 of them changed outside the front matter" in review.artifacts.toolTip()


def test_one_diff_at_a_time_starting_with_the_first_that_changed(
    loop: asyncio.AbstractEventLoop, review: ChangeReview
) -> None:
    assert len(review.findChildren(DiffViewer)) == 1
    viewer = shown(loop, review, "epics.md")  # stack.md changed only its front matter
    assert review.current().artifact == "epics.md"
    assert "Line 5 now says" in viewer.new_pane.toPlainText()
    assert viewer.new_title.text() == "epics.md v2 (regenerated)"
    assert viewer.summary.text() == "Change 1 of 2"

    review.artifacts.setFocus()
    QTest.keyClick(review.artifacts, Qt.Key.Key_Up)  # the list picks the artifact
    viewer = shown(loop, review, "stack.md")
    assert "now says" not in viewer.new_pane.toPlainText()
    assert viewer.summary.text() == "Only the front matter changed"
    assert not viewer.next_button.isEnabled()
    assert len(review.findChildren(DiffViewer)) == 1


def test_alt_down_and_alt_up_step_through_the_changes_from_the_list_and_the_diff(
    loop: asyncio.AbstractEventLoop, review: ChangeReview
) -> None:
    viewer = shown(loop, review, "epics.md")
    review.artifacts.setFocus()
    assert viewer.summary.text() == "Change 1 of 2"
    first = viewer.current_row()
    QTest.keyClick(review.artifacts, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert viewer.summary.text() == "Change 2 of 2"
    row = viewer.result.body_hunks[1]
    assert "Line 30 really says" in viewer.new_pane.document().findBlockByNumber(row).text()
    assert viewer.current_row() > first
    assert review.current().artifact == "epics.md"  # Alt+Down moves in the diff, not the list

    viewer.new_pane.setFocus()
    QTest.keyClick(viewer.new_pane, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert viewer.summary.text() == "Change 1 of 2"
    QTest.keyClick(viewer.new_pane, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert viewer.summary.text() == "Change 2 of 2"  # wraps to the last


def test_the_front_matter_is_folded_away_until_asked_for(
    loop: asyncio.AbstractEventLoop, review: ChangeReview
) -> None:
    viewer = shown(loop, review, "epics.md")
    assert viewer.front_matter.isVisible()
    assert not viewer.front_matter.isChecked()
    for pane in (viewer.old_pane, viewer.new_pane):
        document = pane.document()
        assert not document.firstBlock().isVisible()  # the opening ---
        assert not document.findBlockByNumber(3).isVisible()  # the hash that changed
        assert document.findBlockByNumber(viewer.result.front_matter_rows).isVisible()
    viewer.previous_change()
    viewer.previous_change()  # stepping never lands in the folded lines
    assert viewer.current_row() >= viewer.result.front_matter_rows

    viewer.front_matter.click()  # Show front matter: its change is counted and shown first
    assert viewer.new_pane.document().findBlockByNumber(3).isVisible()
    assert viewer.summary.text() == "Change 1 of 3"
    assert viewer.current_row() == 0
    viewer.front_matter.click()
    assert not viewer.new_pane.document().findBlockByNumber(3).isVisible()
    assert viewer.summary.text() == "Change 1 of 2"


def test_moving_to_a_change_never_scrolls_sideways(
    loop: asyncio.AbstractEventLoop, qtbot: Any
) -> None:
    # The changed words sit at the end of lines far wider than the pane.
    old = artifact(BODY.replace("Line 12 says", LONG + "Line 12 says"))
    new = artifact(
        BODY.replace("Line 12 says", LONG + "Line 12 now says").replace(
            "Line 20 says", LONG + "Line 20 also says"
        ),
        inputs="ddd",
    )
    review = review_of(("architecture.md", old, new))
    qtbot.addWidget(review)
    viewer = shown(loop, review, "architecture.md")
    bar = viewer.new_pane.horizontalScrollBar()
    assert bar.maximum() > 0  # it could scroll sideways
    assert viewer.summary.text() == "Change 1 of 2"
    assert bar.value() == 0
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up):
        QTest.keyClick(review.artifacts, key, Qt.KeyboardModifier.AltModifier)
        run(loop, asyncio.sleep(0.02))
        assert bar.value() == 0
        assert viewer.old_pane.horizontalScrollBar().value() == 0
    assert viewer.summary.text() == "Change 2 of 2"


def test_alt_down_in_the_window_steps_the_review_in_front_not_a_diff_out_of_sight(
    make_window, loop: asyncio.AbstractEventLoop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    compare = run(loop, window.history_area.show_diff("prd.md", "a\nb\n", "a\nc\n", "v1", "v2"))
    report = RegenerationReport(
        run_id=3,
        change_id=1,
        trigger_artifact="prd.md",
        strategy=Strategy.REGENERATE_ALL,
        status="completed",
        artifacts_regenerated=("epics.md",),
    )
    items = [
        ReviewedArtifact(
            "epics.md", "before", "after", side_by_side(artifact(BODY), artifact(TWO_CHANGES))
        )
    ]
    review = window.history_area.show_review(report, items)
    viewer = shown(loop, review, "epics.md")
    assert window.editors.tabs.currentWidget() is review
    window.explorer.setFocus()  # the focus elsewhere in the window
    QTest.keyClick(window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert viewer.summary.text() == "Change 2 of 2"
    assert compare.summary.text() == "Change 1 of 1"  # the diff out of sight did not move
    window.editors.tabs.setCurrentWidget(compare)
    QTest.keyClick(window, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert compare.summary.text() == "Change 1 of 1"
    assert viewer.summary.text() == "Change 2 of 2"


def test_the_review_opens_in_sight_when_the_run_view_fills_the_window(
    make_window, loop: asyncio.AbstractEventLoop, sample_project: Path
) -> None:
    window = make_window()
    run(loop, window.open_project(sample_project))
    window.commands["run_page"].trigger()
    assert window.runs.as_page
    review = window.history_area.show_review(
        RegenerationReport(
            run_id=3,
            change_id=1,
            trigger_artifact="prd.md",
            strategy=Strategy.REGENERATE_ALL,
            status="completed",
        ),
        [ReviewedArtifact("epics.md", "before", "after", side_by_side("a\n", "b\n"))],
    )
    run(loop, until(review.isVisible))
    assert not window.runs.as_page
    assert not window.commands["run_page"].isChecked()


def test_a_big_diff_goes_into_the_panes_in_slices_and_the_window_answers_between(
    loop: asyncio.AbstractEventLoop, qtbot: Any
) -> None:
    lines = 12_000
    old = "\n".join(f"Line {n} of a long artifact, as it was." for n in range(lines))
    new = "\n".join(
        f"Line {n} of a long artifact, {'changed' if n % 50 == 0 else 'as it was'}."
        for n in range(lines)
    )
    result = side_by_side(old, new)
    viewer = DiffViewer("big.md")
    qtbot.addWidget(viewer)
    viewer.resize(1000, 600)
    viewer.show()
    seen: list[tuple[float, int]] = []  # (when, lines in the pane) at each tick
    ticker = QTimer()
    ticker.setInterval(2)
    ticker.timeout.connect(
        lambda: seen.append((time.perf_counter(), viewer.new_pane.document().blockCount()))
    )

    async def show() -> None:
        ticker.start()
        await viewer.show_diff(result, "v1", "v2")
        ticker.stop()

    run(loop, show())
    assert viewer.new_pane.document().blockCount() == len(result.rows)
    partly = [count for _when, count in seen if 1 < count < len(result.rows)]
    assert len(partly) >= 3, seen  # the window ran between slices, the text half-way in
    gaps = [later - earlier for (earlier, _), (later, _) in itertools.pairwise(seen)]
    assert max(gaps) < 0.25  # generous for a busy machine; a slice takes a few milliseconds
    assert viewer.summary.text() == f"Change 1 of {len(result.hunks)}"


def test_a_newer_diff_takes_over_from_one_still_going_in(
    loop: asyncio.AbstractEventLoop, qtbot: Any
) -> None:
    big = "\n".join(f"line {n}" for n in range(20_000))
    viewer = DiffViewer("x.md")
    qtbot.addWidget(viewer)
    viewer.show()

    async def both() -> None:
        first = asyncio.ensure_future(viewer.show_diff(side_by_side(big, big + "\nmore")))
        await asyncio.sleep(0)
        await viewer.show_diff(side_by_side("a\nb\n", "a\nc\n"))
        await first

    run(loop, both())
    assert viewer.new_pane.toPlainText() == "a\nc"
    assert viewer.summary.text() == "Change 1 of 1"
