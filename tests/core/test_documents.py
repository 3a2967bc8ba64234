"""Document parsing on the four sample documents: detected as their type, valid, and extracted."""

from __future__ import annotations

import pytest

from spec_automation.core.documents import (
    PROCESSORS,
    DocumentType,
    Endpoint,
    ProposedEdit,
    UserStory,
    detect_type,
    process,
)
from spec_automation.core.spec import load_spec
from spec_automation.resources import bundled_spec_path, resource_path

SAMPLES = {
    DocumentType.PRD: "prd.md",
    DocumentType.FUNCTIONAL_SPEC: "functional-spec.md",
    DocumentType.TECHNICAL_SPEC: "technical-spec.md",
    DocumentType.SPRINT_CHANGE_PROPOSAL: "sprint-change-proposal.md",
}


def sample(document_type: DocumentType) -> str:
    path = resource_path("samples", "clinic-scheduling", "documents", SAMPLES[document_type])
    return path.read_text(encoding="utf-8")


def line_of(text: str, number: int) -> str:
    return text.splitlines()[number - 1]


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_each_sample_is_detected_as_its_own_type(document_type: DocumentType) -> None:
    detection = detect_type(sample(document_type))
    assert detection.type is document_type
    assert detection.score == dict(detection.scores)[document_type]
    assert detection.score > max(score for t, score in detection.scores if t is not document_type)
    assert detection.reasons
    assert all(reason[0].isupper() and reason.endswith(".") for reason in detection.reasons)


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_each_sample_validates_without_findings(document_type: DocumentType) -> None:
    processed = process(sample(document_type), document_type)
    assert processed.type is document_type
    assert processed.findings == ()


@pytest.mark.parametrize("document_type", list(DocumentType))
def test_the_registry_has_one_processor_per_type(document_type: DocumentType) -> None:
    processor = PROCESSORS[document_type]
    text = sample(document_type)
    assert processor.type is document_type
    assert process(text, document_type.value).extraction == processor.extract(text)


def test_the_project_brief_is_not_taken_for_any_document_type() -> None:
    brief = resource_path("samples", "clinic-scheduling", "brief.md").read_text(encoding="utf-8")
    detection = detect_type(brief)
    assert detection.type is None
    assert "type has to be given" in detection.reasons[0]


# --- PRD ---------------------------------------------------------------------------------------


def test_prd_requirements_keep_their_identifiers_priorities_and_lines() -> None:
    text = sample(DocumentType.PRD)
    requirements = process(text, DocumentType.PRD).extraction.requirements
    identifiers = [r.identifier for r in requirements]
    assert identifiers == [f"FR-{n}" for n in range(1, 13)] + [f"NFR-{n}" for n in range(1, 6)]
    first = requirements[0]
    assert first.statement == (
        "Managers build a weekly rota from shift templates and assign clinicians by drag and drop."
    )
    assert first.priority == "Must"
    assert first.line == 45
    by_id = {r.identifier: r for r in requirements}
    assert by_id["FR-4"].priority == "Should"
    assert by_id["FR-12"].priority == "Could"
    assert by_id["FR-12"].line == 84
    assert by_id["NFR-5"].line == 93
    for requirement in requirements:
        assert requirement.identifier in line_of(text, requirement.line)


def test_prd_acceptance_criteria_are_the_nested_bullets() -> None:
    requirements = process(sample(DocumentType.PRD), DocumentType.PRD).extraction.requirements
    by_id = {r.identifier: r for r in requirements}
    assert by_id["FR-1"].acceptance_criteria == (
        "Given a clinic with shift templates, when the manager starts a new week, then every "
        "template shift appears unassigned for that week.",
        "A clinician dropped onto a shift appears on it at once, and the change is saved "
        "without a separate save step.",
    )
    assert len(by_id["FR-9"].acceptance_criteria) == 1
    assert all(by_id[f"FR-{n}"].acceptance_criteria for n in range(1, 13))
    assert all(not by_id[f"NFR-{n}"].acceptance_criteria for n in range(1, 6))


def test_prd_user_stories_are_read_with_their_parts() -> None:
    stories = process(sample(DocumentType.PRD), DocumentType.PRD).extraction.user_stories
    assert [s.identifier for s in stories] == ["US-1", "US-2", "US-3", "US-4", "US-5"]
    assert stories[0] == UserStory(
        identifier="US-1",
        role="clinic manager",
        goal="build next week's rota from shift templates",
        benefit="I spend minutes rather than hours on it",
        line=33,
    )
    assert stories[-1].role == "payroll officer"
    assert stories[-1].line == 37


# --- functional spec ---------------------------------------------------------------------------


def test_functional_spec_features_carry_their_scenarios_as_criteria() -> None:
    text = sample(DocumentType.FUNCTIONAL_SPEC)
    features = process(text, DocumentType.FUNCTIONAL_SPEC).extraction.requirements
    assert [f.identifier for f in features] == ["F-1", "F-2", "F-3", "F-4", "F-5", "F-6"]
    assert [f.line for f in features] == [24, 45, 61, 77, 98, 113]
    rota = features[0]
    assert rota.priority == "Must"
    assert rota.statement.startswith("Managers create a weekly rota from shift templates")
    assert rota.acceptance_criteria == (
        "Start a week from templates: Given a clinic with five shift templates on weekdays, "
        "when the manager creates the rota for the week of 6 January, then five unassigned "
        "shifts appear on each weekday of that week.",
        "Overtime warning: Given a clinician already assigned 44 hours in the week, when the "
        "manager assigns them an eight-hour shift, then the assignment is made and the "
        "clinician is flagged as over 48 hours.",
    )
    (skill_mix,) = features[1].acceptance_criteria
    assert skill_mix.endswith(", and the Publish button asks for a reason before it goes ahead.")
    assert [len(f.acceptance_criteria) for f in features] == [2, 1, 1, 2, 1, 1]
    assert features[5].priority == "Should"


# --- technical spec ----------------------------------------------------------------------------


def test_technical_spec_components_are_named_with_responsibilities() -> None:
    components = process(
        sample(DocumentType.TECHNICAL_SPEC), DocumentType.TECHNICAL_SPEC
    ).extraction.components
    assert [c.name for c in components] == [
        "Web app",
        "Mobile app",
        "API service",
        "Rules engine",
        "Notification worker",
        "Payroll export job",
        "PostgreSQL database",
    ]
    assert components[0].line == 14
    assert components[0].responsibility.startswith("the React and TypeScript single-page app")
    assert components[-1].line == 20


def test_technical_spec_entities_take_fields_from_tables_and_bullets() -> None:
    entities = process(
        sample(DocumentType.TECHNICAL_SPEC), DocumentType.TECHNICAL_SPEC
    ).extraction.entities
    by_name = {e.name: e for e in entities}
    assert list(by_name) == [
        "Clinic",
        "Clinician",
        "Shift",
        "Assignment",
        "SwapRequest",
        "LeaveRequest",
        "AuditEntry",
    ]
    assert by_name["Clinic"].fields == ("id", "name", "region", "opening_hours")  # a table
    assert by_name["Clinic"].line == 24
    assert by_name["Shift"].fields == (  # bullets
        "id",
        "clinic_id",
        "starts_at",
        "ends_at",
        "required_roles",
        "status",
    )
    assert by_name["AuditEntry"].line == 78


def test_technical_spec_endpoints_come_from_the_table_and_the_text() -> None:
    endpoints = process(
        sample(DocumentType.TECHNICAL_SPEC), DocumentType.TECHNICAL_SPEC
    ).extraction.endpoints
    assert len(endpoints) == 10
    assert endpoints[0] == Endpoint(
        "GET",
        "/api/v1/clinics/{clinicId}/rotas/{weekStart}",
        "The rota of one clinic for one week",
        96,
    )
    assert [e.method for e in endpoints].count("POST") == 5
    assert endpoints[-1] == Endpoint(
        "GET",
        "/api/v1/payroll/exports/{periodId}",
        "downloads the CSV file of a closed pay period.",
        106,
    )


# --- sprint change proposal --------------------------------------------------------------------


def test_change_proposal_edits_name_their_artifacts_and_sections() -> None:
    edits = process(
        sample(DocumentType.SPRINT_CHANGE_PROPOSAL), DocumentType.SPRINT_CHANGE_PROPOSAL
    ).extraction.proposed_edits
    assert [(e.target, e.section, e.line) for e in edits] == [
        ("prd.md", "Functional requirements", 20),
        ("user-flows.md", "Request time off", 25),
        ("data-model.md", "Entities", 30),
        ("api-spec.md", "Endpoints", 35),
        ("epics.md", "Time off", 40),
    ]
    assert edits[2] == ProposedEdit(
        target="data-model.md",
        section="Entities",
        change="Add second_approver_id and second_decided_at to LeaveRequest, and the status "
        "awaiting_second_approval.",
        line=30,
    )
    assert edits[0].change.startswith("Amend FR-8 so that study leave")


def test_change_proposal_targets_are_artifacts_of_the_default_workflow() -> None:
    produced = set(load_spec(bundled_spec_path()).artifacts)
    edits = process(
        sample(DocumentType.SPRINT_CHANGE_PROPOSAL), DocumentType.SPRINT_CHANGE_PROPOSAL
    ).extraction.proposed_edits
    assert {e.target for e in edits} <= produced
