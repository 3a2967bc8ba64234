"""Change detection: hashes, sections from the heading tree, cosmetic edits, impact levels."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from spec_automation.core.changes import (
    FRONT_MATTER,
    ChangedBy,
    ChangeDetector,
    ImpactLevel,
    SectionChangeKind,
    parse_sections,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class FixedClock:
    def monotonic(self) -> float:
        return 0.0

    def now(self) -> datetime:
        return T0


PRD = """---
artifact: prd.md
version: 1
---

# Product requirements: ShiftCare

## Overview

ShiftCare schedules shifts for outpatient clinics.

## Functional requirements

### FR-1: Rota builder

- Statement: Managers build a weekly rota from shift templates.
- Priority: Must

#### Acceptance criteria

- Gaps are highlighted.
- Overtime is highlighted.

### FR-2: Shift swaps

- Statement: Clinicians offer a shift and a colleague accepts.
- Priority: Must

#### Acceptance criteria

- The manager approves the swap.

## Risks

- Adoption by clinicians.
"""


def detect(old: str | None, new: str, by: ChangedBy = ChangedBy.USER):  # type: ignore[no-untyped-def]
    change = ChangeDetector(clock=FixedClock()).detect(old, new, changed_by=by)
    assert change is not None
    return change


def kinds(change) -> dict[str, SectionChangeKind]:  # type: ignore[no-untyped-def]
    return {s.name: s.kind for s in change.sections}


def test_identical_content_is_no_change() -> None:
    assert ChangeDetector().detect(PRD, PRD) is None


def test_a_change_carries_both_sha256_hashes_who_and_when() -> None:
    change = detect(PRD, PRD.replace("weekly", "monthly"), ChangedBy.SYSTEM)
    for value in (change.old_hash, change.new_hash):
        assert value is not None
        assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert change.old_hash != change.new_hash
    assert change.changed_by == ChangedBy.SYSTEM
    assert change.detected_at == T0


def test_sections_are_named_by_heading_and_qualified_where_names_repeat() -> None:
    names = [s.name for s in parse_sections(PRD)]
    assert names == [
        FRONT_MATTER,
        "Product requirements: ShiftCare",
        "Overview",
        "Functional requirements",
        "FR-1: Rota builder",
        "FR-1: Rota builder > Acceptance criteria",
        "FR-2: Shift swaps",
        "FR-2: Shift swaps > Acceptance criteria",
        "Risks",
    ]


def test_a_section_own_text_excludes_its_subsections() -> None:
    sections = {s.name: s for s in parse_sections(PRD)}
    own = sections["FR-1: Rota builder"].text
    assert "Managers build a weekly rota" in own
    assert "Gaps are highlighted" not in own


def test_headings_inside_code_fences_do_not_start_sections() -> None:
    text = "# Top\n\n```\n# not a heading\n```\n\n## Real\n\nbody\n"
    assert [s.name for s in parse_sections(text)] == ["Top", "Real"]


def test_setext_headings_count_and_front_matter_is_not_a_heading() -> None:
    text = "---\na: 1\n---\n\nTitle\n=====\n\nSome prose\nwrapped.\n\nNext part\n---------\n\nx\n"
    assert [(s.name, s.level) for s in parse_sections(text)] == [
        (FRONT_MATTER, 0),
        ("Title", 1),
        ("Next part", 2),
    ]


def test_a_modified_subsection_leaves_its_parent_unmodified() -> None:
    new = PRD.replace("- Overtime is highlighted.", "- Overtime over 48 hours is highlighted.")
    assert kinds(detect(PRD, new)) == {
        "FR-1: Rota builder > Acceptance criteria": SectionChangeKind.MODIFIED
    }


def test_a_change_in_the_last_section_is_found() -> None:
    new = PRD.replace("- Adoption by clinicians.", "- Adoption by clinicians and managers.")
    change = detect(PRD, new)
    assert kinds(change) == {"Risks": SectionChangeKind.MODIFIED}
    (section,) = change.sections
    assert "Adoption by clinicians." in section.old_text
    assert "clinicians and managers" in section.new_text


def test_sections_added_and_deleted_with_their_text() -> None:
    added = PRD.replace(
        "## Risks",
        "### FR-3: Leave balances\n\n- Statement: Clinicians see leave left.\n\n## Risks",
    )
    change = detect(PRD, added)
    assert kinds(change) == {"FR-3: Leave balances": SectionChangeKind.ADDED}
    assert change.sections[0].old_text == ""
    assert "Clinicians see leave left" in change.sections[0].new_text

    back = detect(added, PRD)
    assert kinds(back) == {"FR-3: Leave balances": SectionChangeKind.DELETED}
    assert back.sections[0].new_text == ""


def test_a_repeated_heading_added_elsewhere_does_not_disturb_the_others() -> None:
    new = PRD.replace("## Risks", "## Notes\n\n#### Acceptance criteria\n\n- Audited.\n\n## Risks")
    assert kinds(detect(PRD, new)) == {
        "Notes": SectionChangeKind.ADDED,
        "Notes > Acceptance criteria": SectionChangeKind.ADDED,
    }


def test_a_first_version_adds_every_section() -> None:
    change = detect(None, PRD)
    assert change.old_hash is None
    assert set(kinds(change).values()) == {SectionChangeKind.ADDED}
    assert change.impact_level == ImpactLevel.HIGH


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda t: t.replace("Risks", "RISKS"), id="letter case of a heading"),
        pytest.param(lambda t: t.replace("weekly rota", "*weekly* rota"), id="emphasis"),
        pytest.param(lambda t: t.replace("build a weekly", "build a\n  weekly"), id="wrapping"),
        pytest.param(lambda t: t.replace("\n\n## Risks", "\n\n\n\n## Risks  "), id="whitespace"),
    ],
)
def test_formatting_only_edits_are_cosmetic_and_low(edit) -> None:  # type: ignore[no-untyped-def]
    change = detect(PRD, edit(PRD))
    assert change.cosmetic
    assert change.impact_level == ImpactLevel.LOW
    assert change.sections  # still says where the formatting changed


def test_a_reworded_requirement_is_not_cosmetic_and_is_medium() -> None:
    change = detect(PRD, PRD.replace("weekly rota", "fortnightly rota"))
    assert not change.cosmetic
    assert change.impact_level == ImpactLevel.MEDIUM


@pytest.mark.parametrize(
    ("edit", "level"),
    [
        pytest.param(
            lambda t: t.replace("- Gaps are highlighted.\n", "- Gaps are highlighted.\n- New.\n"),
            ImpactLevel.HIGH,
            id="list item added",
        ),
        pytest.param(
            lambda t: t.replace("- Overtime is highlighted.\n", ""),
            ImpactLevel.HIGH,
            id="list item removed",
        ),
        pytest.param(
            lambda t: t.replace("## Risks\n\n- Adoption by clinicians.\n", ""),
            ImpactLevel.HIGH,
            id="section deleted",
        ),
        pytest.param(
            lambda t: t.replace(
                "Priority: Must\n\n#### Acc", "Priority: Must, see FR-9\n\n#### Acc"
            ),
            ImpactLevel.HIGH,
            id="requirement id appears",
        ),
        pytest.param(
            lambda t: t.replace("Priority: Must", "Priority: Should"),
            ImpactLevel.MEDIUM,
            id="requirement modified",
        ),
        pytest.param(
            lambda t: t.replace("version: 1", "version: 2"),
            ImpactLevel.LOW,
            id="front matter only",
        ),
    ],
)
def test_impact_levels(edit, level: ImpactLevel) -> None:  # type: ignore[no-untyped-def]
    assert detect(PRD, edit(PRD)).impact_level == level


def test_windows_line_endings_parse_like_unix_ones() -> None:
    assert [s.name for s in parse_sections(PRD.replace("\n", "\r\n"))] == [
        s.name for s in parse_sections(PRD)
    ]


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        pytest.param("# A\n\ntext\n    # indented, lazy\n\n## B\n", ["A", "B"], id="lazy line"),
        pytest.param("# A\n\n    # code\n\n## B\n", ["A", "B"], id="indented code"),
        pytest.param("# A\n\n<div>\n# inside html\n</div>\n\n## B\n", ["A", "B"], id="html"),
        pytest.param("# A\n\nsome\nprose\n---\n\n## B\n", ["A", "some prose", "B"], id="setext"),
        pytest.param("# A\n\nprose\n\n---\n\n## B\n", ["A", "B"], id="rule after blank"),
        pytest.param("# A\n\n~~~\n# fenced\n~~~\n## B\n", ["A", "B"], id="tilde fence"),
    ],
)
def test_block_structure_decides_what_is_a_heading(text: str, headings: list[str]) -> None:
    assert [s.heading for s in parse_sections(text)] == headings
