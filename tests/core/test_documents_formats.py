"""Document parsing across the ways people write: heading styles, requirement shapes, tables."""

from __future__ import annotations

import pytest

from spec_automation.core.documents import (
    Component,
    DocumentType,
    Endpoint,
    Entity,
    ProposedEdit,
    Requirement,
    assign_identifiers,
    detect_type,
    normal_priority,
    process,
)
from tests.core.test_documents import sample

PRD = DocumentType.PRD
MINIMAL = (
    "# Booking PRD\n\n## Goals\n\nFewer calls.\n\n## Functional requirements\n\n{requirements}"
)


# --- detection ---------------------------------------------------------------------------------


def test_setext_numbered_upper_case_headings_with_colons_are_recognised() -> None:
    text = """\
Booking requirements
====================

1. GOALS:
---------

- Patients book without calling.

2. Functional Requirements:
---------------------------

- FR-1 (Must): Patients book a slot.
  - The slot is held for ten minutes.
"""
    detection = detect_type(text)
    assert detection.type is PRD
    assert "The heading 'GOALS' on line 4 is typical of a PRD." in detection.reasons
    processed = process(text, PRD)
    assert processed.findings == ()
    assert processed.extraction.requirements == (
        Requirement(
            "FR-1", "Patients book a slot.", "Must", ("The slot is held for ten minutes.",), 12
        ),
    )


def test_windows_line_endings_keep_line_numbers() -> None:
    text = sample(PRD).replace("\n", "\r\n")
    requirements = process(text, PRD).extraction.requirements
    assert requirements[0].line == 45
    assert detect_type(text).type is PRD


def test_two_types_scoring_the_same_leave_the_type_open() -> None:
    text = "## Functional requirements\n\nSome text.\n\n## Behaviours\n\nMore text.\n"
    detection = detect_type(text)
    assert detection.type is None
    assert detection.score == 3
    assert detection.reasons == (
        "It fits a PRD and a functional spec equally well (score 3 each), so its type has to "
        "be given.",
    )


@pytest.mark.parametrize("text", ["", "   \n\n", "Just a note about the weekend rota.\n"])
def test_empty_or_shapeless_text_has_no_type(text: str) -> None:
    detection = detect_type(text)
    assert detection.type is None
    assert detection.reasons[0].endswith(".")


def test_a_title_alone_names_the_type() -> None:
    assert detect_type("# Rota service: technical design\n\nNotes.\n").type is (
        DocumentType.TECHNICAL_SPEC
    )


def test_headings_and_endpoints_inside_code_do_not_count() -> None:
    text = "# Notes\n\n```\n## Components\n## Data model\nGET /api/shifts\n```\n"
    detection = detect_type(text)
    assert detection.type is None
    assert dict(detection.scores)[DocumentType.TECHNICAL_SPEC] == 0


# --- requirement shapes ------------------------------------------------------------------------


def test_requirements_written_as_headings_with_fields() -> None:
    text = """\
# Booking PRD

## Goals

Fewer calls.

## Functional requirements

### FR-1: Book a slot

- Statement: Patients book a free slot online.
- Priority: P1
- Acceptance criteria:
  - Given a free slot, when a patient books it, then it is held for them.

### REQ-002 Cancel a booking (priority: high)

Patients cancel a booking up to a day before.

#### Acceptance criteria

- The slot is offered to others at once.

#### Notes

- Cancellation fees are out of scope.
"""
    requirements = process(text, PRD).extraction.requirements
    assert requirements == (
        Requirement(
            "FR-1",
            "Patients book a free slot online.",
            "P1",
            ("Given a free slot, when a patient books it, then it is held for them.",),
            9,
        ),
        Requirement(
            "REQ-002",
            "Patients cancel a booking up to a day before.",
            "High",
            ("The slot is offered to others at once.",),
            16,
        ),
    )
    assert process(text, PRD).findings == ()


def test_requirements_in_a_table() -> None:
    text = """\
# Booking PRD

## Goals

Fewer calls.

## Functional requirements

| ID | Requirement | Priority | Acceptance criteria |
|----|-------------|----------|---------------------|
| FR-1 | Patients book a slot. | Must | The slot is held; the patient gets an email |
| FR-2 | Patients cancel. | Won't | |
"""
    processed = process(text, PRD)
    assert processed.extraction.requirements == (
        Requirement(
            "FR-1",
            "Patients book a slot.",
            "Must",
            ("The slot is held", "the patient gets an email"),
            11,
        ),
        Requirement("FR-2", "Patients cancel.", "Won't", (), 12),
    )
    assert [(f.line, f.severity) for f in processed.findings] == [(12, "warning")]


def test_criteria_in_their_own_section_are_given_to_the_requirement_they_name() -> None:
    text = """\
# Booking PRD

## Goals

Fewer calls.

## Functional requirements

- FR-1: Patients book a slot.
- FR-2: Patients cancel.

## Acceptance criteria

- FR-1: the slot is held for ten minutes.
- FR-2
  - the slot is freed.
  - the patient gets an email.
"""
    processed = process(text, PRD)
    assert [r.acceptance_criteria for r in processed.extraction.requirements] == [
        ("the slot is held for ten minutes.",),
        ("the slot is freed.", "the patient gets an email."),
    ]
    assert processed.findings == ()


def test_a_requirement_paragraph_takes_the_list_below_it() -> None:
    text = """\
# Booking PRD

## Goals

Fewer calls.

## Functional requirements

**FR-7** (Should) Patients see their booking history.

- The last twelve months are listed.
- Cancelled bookings are marked.

Some closing remarks about history.
"""
    (requirement,) = process(text, PRD).extraction.requirements
    assert requirement == Requirement(
        "FR-7",
        "Patients see their booking history.",
        "Should",
        ("The last twelve months are listed.", "Cancelled bookings are marked."),
        9,
    )


def test_a_requirement_about_acceptance_keeps_its_criteria_once() -> None:
    text = """\
# Booking PRD

## Goals

Fewer calls.

## Functional requirements

### FR-9: Acceptance test reports

Testers download a report of each acceptance run.

- The report lists every failed step.
"""
    (requirement,) = process(text, PRD).extraction.requirements
    assert requirement.acceptance_criteria == ("The report lists every failed step.",)


def test_lists_inside_code_blocks_are_not_requirements() -> None:
    text = MINIMAL.format(
        requirements="- FR-1: Patients book.\n  - Held.\n\n```\n- FR-2: an example only\n```\n"
    )
    assert [r.identifier for r in process(text, PRD).extraction.requirements] == ["FR-1"]


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("MUST", "Must"),
        ("must have", "Must"),
        ("Should-have", "Should"),
        ("could", "Could"),
        ("won't", "Won't"),
        ("Will not", "Won't"),
        ("p0", "P0"),
        ("P3.", "P3"),
        ("HIGH", "High"),
        ("medium", "Medium"),
        ("low", "Low"),
        ("urgent", None),
        ("", None),
    ],
)
def test_priorities_are_normalised_within_their_scale(written: str, normal: str | None) -> None:
    assert normal_priority(written) == normal


def test_a_requirement_without_a_priority_has_none() -> None:
    text = "# PRD\n\n## Goals\n\nX.\n\n## Requirements\n\n- FR-1: Patients must book online.\n"
    (requirement,) = process(text, PRD).extraction.requirements
    assert requirement.priority is None
    assert requirement.statement == "Patients must book online."


def test_assign_identifiers_fills_gaps_with_the_prefix() -> None:
    given = [
        Requirement("", "a", None, (), 1),
        Requirement("NFR-1", "b", None, (), 2),
        Requirement("", "c", None, (), 3),
    ]
    assert [r.identifier for r in assign_identifiers(given, "NFR")] == ["NFR-2", "NFR-1", "NFR-3"]
    assert [r.statement for r in assign_identifiers(given)] == ["a", "b", "c"]
    assert [r.identifier for r in assign_identifiers(given)] == ["FR-1", "NFR-1", "FR-2"]


def test_non_functional_requirements_without_identifiers_are_called_nfr() -> None:
    text = sample(PRD).replace("- **NFR-1** (Must): ", "- ").replace("- **NFR-2** (Must): ", "- ")
    identifiers = [r.identifier for r in process(text, PRD).extraction.requirements]
    assert identifiers[-5:] == ["NFR-1", "NFR-2", "NFR-3", "NFR-4", "NFR-5"]


def test_a_user_story_without_benefit_or_identifier() -> None:
    text = "# PRD\n\nAs an admin, I want to export bookings.\n"
    (story,) = process(text, PRD).extraction.user_stories
    assert (story.identifier, story.role, story.goal, story.benefit, story.line) == (
        None,
        "admin",
        "export bookings",
        "",
        3,
    )


# --- technical spec shapes ---------------------------------------------------------------------

TECH = DocumentType.TECHNICAL_SPEC


def test_components_and_entities_in_tables_and_endpoints_in_headings() -> None:
    text = """\
# Booking technical design

## Components

| Component | Responsibility |
|---|---|
| Booking API | Takes and cancels bookings |

### Reminder worker

Sends reminders a day ahead.

## Data model

| Entity | Fields |
|---|---|
| Booking | id, slot_id, patient_id |

- **Slot**: id, starts_at, clinic_id

## Interfaces

### POST /bookings

Books a slot.
"""
    extraction = process(text, TECH).extraction
    assert extraction.components == (
        Component("Booking API", "Takes and cancels bookings", 7),
        Component("Reminder worker", "Sends reminders a day ahead.", 9),
    )
    assert extraction.entities == (
        Entity("Booking", ("id", "slot_id", "patient_id"), 17),
        Entity("Slot", ("id", "starts_at", "clinic_id"), 19),
    )
    assert extraction.endpoints == (Endpoint("POST", "/bookings", "Books a slot.", 23),)
    assert process(text, TECH).findings == ()


def test_an_endpoint_is_kept_once_where_it_first_appears() -> None:
    text = "# Tech spec\n\nUse `GET /slots` to list slots.\n\nLater, GET /slots again.\n"
    assert process(text, TECH).extraction.endpoints == (
        Endpoint("GET", "/slots", "to list slots.", 3),
    )


# --- change proposal shapes --------------------------------------------------------------------


def test_proposed_edits_written_as_list_items() -> None:
    text = """\
# Change proposal

## Issue

Reminders go out too late.

## Analysis

The worker runs once a day.

## Proposed changes

- `architecture.md` › Components: run the reminder worker every hour.
- tasks.md: add a task for the hourly schedule.
  - Section: Tasks

## Impact

Small.
"""
    processed = process(text, DocumentType.SPRINT_CHANGE_PROPOSAL)
    assert processed.extraction.proposed_edits == (
        ProposedEdit("architecture.md", "Components", "run the reminder worker every hour.", 13),
        ProposedEdit("tasks.md", "Tasks", "add a task for the hourly schedule.", 14),
    )
    assert processed.findings == ()
