"""The side-by-side diff, the outline and the backup store: plain Python, no Qt."""

from __future__ import annotations

from pathlib import Path

from spec_automation.ui.backups import BackupStore
from spec_automation.ui.outline import headings
from spec_automation.ui.textdiff import RowKind, side_by_side, word_spans


def test_rows_line_up_with_fillers_and_mark_each_kind() -> None:
    old = "# A\nsame\nold line\ngone\nend"
    new = "# A\nsame\nnew line\nend\nadded"
    result = side_by_side(old, new)
    kinds = [row.kind for row in result.rows]
    assert kinds.count(RowKind.EQUAL) == 3
    assert RowKind.CHANGED in kinds
    assert RowKind.REMOVED in kinds
    assert RowKind.ADDED in kinds
    assert len(result.old_text.split("\n")) == len(result.new_text.split("\n")) == len(result.rows)
    added = kinds.index(RowKind.ADDED)
    assert result.old_text.split("\n")[added] == ""  # a filler opposite the added line
    assert result.changed


def test_changed_words_are_located_within_the_line() -> None:
    old_spans, new_spans = word_spans("the quick brown fox", "the slow brown fox")
    assert [("the quick brown fox"[a:b]) for a, b in old_spans] == ["quick"]
    assert [("the slow brown fox"[a:b]) for a, b in new_spans] == ["slow"]


def test_hunks_and_sections_point_at_rows() -> None:
    old = "# One\na\n# Two\nb\nc\n"
    new = "# One\nA\n# Two\nb\nC\n"
    result = side_by_side(old, new)
    assert len(result.hunks) == 2
    assert dict(result.sections) == {"One": 0, "Two": 2}
    assert not side_by_side("same\n", "same\n").changed


def test_headings_skip_front_matter_and_fences() -> None:
    text = "---\n# not: a heading\n---\n# Real\n```\n# code\n```\n## Sub ##\n"
    assert [(h.level, h.title, h.line) for h in headings(text)] == [(1, "Real", 3), (2, "Sub", 7)]


def test_backups_round_trip_and_are_per_project(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "project-a", root=tmp_path / "backups")
    other = BackupStore(tmp_path / "project-b", root=tmp_path / "backups")
    store.write("prd.md", "unsaved text", "hash1")
    assert [(b.artifact, b.text, b.base_hash) for b in store.pending()] == [
        ("prd.md", "unsaved text", "hash1")
    ]
    assert other.pending() == []
    (store.folder / "broken.json").write_text("{not json")
    assert len(store.pending()) == 1  # a damaged backup is skipped
    store.discard("prd.md")
    assert store.pending() == []


def test_the_front_matter_rows_are_told_apart_and_not_counted_as_body_changes() -> None:
    old = "---\nphase: PM\nhash: aaa\n---\n\n# Title\nsame\nold\n"
    new = "---\nphase: PM\nhash: bbb\n---\n\n# Title\nsame\nnew\n"
    result = side_by_side(old, new)
    assert result.front_matter_rows == 4  # the fences and the fields, not the blank line after
    assert len(result.hunks) == 2  # the hash and the body's line
    assert [result.rows[row].new_line for row in result.body_hunks] == [7]
    assert side_by_side("# No front matter\na\n", "# No front matter\nb\n").front_matter_rows == 0
    # Front matter added where there was none: its lines are front matter rows all the same
    added = side_by_side("# Title\n", "---\nphase: PM\n---\n# Title\n")
    assert added.front_matter_rows == 3
    assert added.body_hunks == ()
