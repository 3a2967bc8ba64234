"""Document validation on deliberately broken variants of the samples: each fault is reported."""

from __future__ import annotations

import re

import pytest

from spec_automation.core.documents import DocumentType, Finding, process
from tests.core.test_documents import sample


def without_section(text: str, heading: str) -> str:
    """The text with the section headed ``heading`` (and its subsections) cut out."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip("\n") == heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(rf"#{{1,{level}}} ", lines[i])),
        len(lines),
    )
    return "".join(lines[:start] + lines[end:])


def line_number(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def errors(text: str, document_type: DocumentType) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in process(text, document_type).errors]


def warnings(text: str, document_type: DocumentType) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in process(text, document_type).warnings]


PRD = DocumentType.PRD


# --- PRD ---------------------------------------------------------------------------------------


def test_prd_without_goals_is_an_error_on_the_title_line() -> None:
    text = without_section(sample(PRD), "## 2. Goals")
    assert errors(text, PRD) == [(1, "The PRD has no goals section; add one headed 'Goals'.")]


def test_prd_without_functional_requirements_lacks_them_and_their_criteria() -> None:
    text = without_section(sample(PRD), "## 5. Functional requirements")
    assert errors(text, PRD) == [
        (1, "The PRD has no acceptance criteria section; add one headed 'Acceptance criteria'."),
        (
            1,
            "The PRD has no functional requirements section; add one headed "
            "'Functional requirements'.",
        ),
    ]
    assert [r.identifier for r in process(text, PRD).extraction.requirements] == [
        f"NFR-{n}" for n in range(1, 6)
    ]


def test_a_requirement_without_criteria_is_a_warning_on_its_line() -> None:
    text = sample(PRD).replace(
        "  - Balances update as soon as a leave request is approved or cancelled.\n", ""
    )
    fr9 = line_number(text, "**FR-9**")
    assert warnings(text, PRD) == [(fr9, "The requirement FR-9 has no acceptance criteria.")]
    assert errors(text, PRD) == []


def test_a_duplicate_identifier_is_an_error_on_the_second_use() -> None:
    text = sample(PRD).replace("**FR-12** (Could)", "**FR-11** (Could)")
    assert errors(text, PRD) == [
        (84, "The identifier FR-11 is used again; it was first used on line 82.")
    ]


def test_requirements_without_identifiers_are_called_fr_1_onwards_in_order() -> None:
    text = re.sub(r"- \*\*FR-\d+\*\* ", "- ", sample(PRD))
    processed = process(text, PRD)
    functional = [r for r in processed.extraction.requirements if r.identifier.startswith("FR")]
    assert [r.identifier for r in functional] == [f"FR-{n}" for n in range(1, 13)]
    assert functional[0].statement.startswith("Managers build a weekly rota")
    assert functional[0].priority == "Must"
    assert functional[0].line == 45
    assert processed.errors == ()
    assert [(f.line, f.message) for f in processed.warnings] == [
        (
            39,
            "12 requirements in 'Functional requirements' have neither an identifier nor a "
            "number; they are called FR-1 to FR-12 in order.",
        )
    ]


MINIMAL_PRD = """\
# Booking PRD

## Goals

- Patients book without calling.

## Functional requirements

{requirements}
"""


def test_numbered_requirements_get_identifiers_without_a_warning() -> None:
    text = MINIMAL_PRD.format(
        requirements="1. Patients book a slot.\n   - The slot is held.\n"
        "2. Patients cancel.\n   - The slot is freed.\n"
    )
    processed = process(text, PRD)
    assert [(r.identifier, r.statement, r.line) for r in processed.extraction.requirements] == [
        ("FR-1", "Patients book a slot.", 9),
        ("FR-2", "Patients cancel.", 11),
    ]
    assert processed.findings == ()


def test_assigned_identifiers_skip_those_the_document_uses() -> None:
    text = MINIMAL_PRD.format(
        requirements="- FR-2: Patients book.\n  - Held.\n- Patients cancel.\n  - Freed.\n"
        "- FR-1: Patients pay.\n  - Paid.\n- Patients rate.\n  - Rated.\n"
    )
    requirements = process(text, PRD).extraction.requirements
    assert [r.identifier for r in requirements] == ["FR-2", "FR-3", "FR-1", "FR-4"]


def test_requirements_section_with_prose_only_is_an_error() -> None:
    text = MINIMAL_PRD.format(requirements="Patients book and cancel slots online.\n")
    assert (
        7,
        "The section 'Functional requirements' lists no requirements; number them or give "
        "each an identifier such as FR-1.",
    ) in errors(text, PRD)


def test_an_empty_section_is_a_warning_on_its_heading() -> None:
    text = sample(PRD).replace(
        "- Sign-in uses the organisation's Microsoft Entra ID accounts; there are no separate "
        "passwords.\n- The first release is live before the winter rota period, six months "
        "from now.\n",
        "",
    )
    assert warnings(text, PRD) == [(101, "The section 'Constraints and assumptions' is empty.")]


def test_findings_come_sorted_by_line_with_full_sentences() -> None:
    text = without_section(sample(PRD), "## 2. Goals").replace(
        "**FR-12** (Could)", "**FR-11** (Could)"
    )
    text = text.replace(
        "  - Balances update as soon as a leave request is approved or cancelled.\n", ""
    )
    findings = process(text, PRD).findings
    assert [f.line for f in findings] == sorted(f.line for f in findings)
    assert len(findings) == 3
    assert all(f.message[0].isupper() and f.message.endswith(".") for f in findings)
    assert str(findings[0]) == "Line 1: The PRD has no goals section; add one headed 'Goals'."


def test_an_empty_document_is_one_error() -> None:
    assert process("  \n\n", PRD).findings == (Finding(1, "error", "The document is empty."),)


def test_an_unknown_type_name_is_refused_with_a_sentence() -> None:
    with pytest.raises(ValueError, match="There is no document type 'memo'; the types are prd, "):
        process("# Memo", "memo")


# --- functional spec ---------------------------------------------------------------------------

SPEC = DocumentType.FUNCTIONAL_SPEC


def test_functional_spec_without_features_is_an_error() -> None:
    text = without_section(sample(SPEC), "## 3. Features")
    assert errors(text, SPEC) == [
        (1, "The functional spec has no behaviours section; add one headed 'Behaviours'."),
        (1, "The functional spec has no features section; add one headed 'Features'."),
    ]


def test_a_feature_without_behaviours_is_a_warning_on_its_heading() -> None:
    text = sample(SPEC)
    start = text.index("### F-6 Staffing dashboard")
    end = text.index("## 4. Business rules")
    feature = "### F-6 Staffing dashboard\n\nThe regional lead sees staffing.\n\n"
    text = text[:start] + feature + text[end:]
    assert warnings(text, SPEC) == [(113, "The feature F-6 has no behaviours.")]
    assert errors(text, SPEC) == []


# --- technical spec ----------------------------------------------------------------------------

TECH = DocumentType.TECHNICAL_SPEC


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        (
            "## 2. Components",
            "The technical spec has no components section; add one headed 'Components'.",
        ),
        (
            "## 3. Data model",
            "The technical spec has no data section; add one headed 'Data model'.",
        ),
        (
            "## 4. Interfaces",
            "The technical spec has no interfaces section; add one headed 'Interfaces'.",
        ),
    ],
)
def test_technical_spec_without_a_needed_section_names_it(heading: str, message: str) -> None:
    assert errors(without_section(sample(TECH), heading), TECH) == [(1, message)]


def test_a_data_model_without_fields_is_a_warning() -> None:
    text = sample(TECH)
    start, end = text.index("### Clinic\n"), text.index("## 4. Interfaces")
    text = (
        text[:start] + "Clinics, clinicians and shifts are stored in PostgreSQL.\n\n" + text[end:]
    )
    assert warnings(text, TECH) == [
        (22, "The section 'Data model' describes no entity with fields.")
    ]


# --- sprint change proposal --------------------------------------------------------------------

PROPOSAL = DocumentType.SPRINT_CHANGE_PROPOSAL


@pytest.mark.parametrize(
    ("heading", "role", "example"),
    [
        ("## 1. Issue", "issue", "Issue"),
        ("## 2. Analysis", "analysis", "Analysis"),
        ("## 3. Proposed edits", "proposed edits", "Proposed edits"),
        ("## 4. Impact", "impact", "Impact"),
    ],
)
def test_change_proposal_without_a_needed_section_names_it(
    heading: str, role: str, example: str
) -> None:
    text = without_section(sample(PROPOSAL), heading)
    message = f"The sprint change proposal has no {role} section; add one headed '{example}'."
    assert errors(text, PROPOSAL) == [(1, message)]


def test_an_edit_naming_no_artifact_is_an_error_and_is_not_extracted() -> None:
    text = sample(PROPOSAL).replace("### Edit 3: data-model.md", "### Edit 3: the data model")
    assert errors(text, PROPOSAL) == [
        (30, "This proposed edit names no artifact; name the file it changes, such as prd.md.")
    ]
    targets = [e.target for e in process(text, PROPOSAL).extraction.proposed_edits]
    assert targets == ["prd.md", "user-flows.md", "api-spec.md", "epics.md"]


def test_an_edit_saying_no_change_is_a_warning() -> None:
    text = sample(PROPOSAL)
    start, end = text.index("### Edit 5: epics.md"), text.index("## 4. Impact")
    text = text[:start] + "### Edit 5: epics.md\n\n- **Section**: Time off\n\n" + text[end:]
    assert warnings(text, PROPOSAL) == [
        (40, "The proposed edit to epics.md does not say what to change.")
    ]


def test_proposed_edits_without_any_edit_is_an_error() -> None:
    text = sample(PROPOSAL)
    start, end = text.index("### Edit 1: prd.md"), text.index("## 4. Impact")
    text = text[:start] + "We will work out the edits next week.\n\n" + text[end:]
    assert errors(text, PROPOSAL) == [
        (
            18,
            "The section 'Proposed edits' proposes no edit; list each edit with the artifact it "
            "changes, such as prd.md.",
        )
    ]
