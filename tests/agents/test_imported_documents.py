"""Imported documents as phase inputs: who reads them, in the prompt, the cache key and the
offline PM's requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.runner import AgentPhaseRunner
from spec_automation.core.documents import DocumentType
from spec_automation.core.documents.readers import SourceDocument, documents_for
from spec_automation.core.ports import PhaseRequest
from spec_automation.llm.offline import OfflineProvider
from tests.agents.conftest import SAMPLE_BRIEF
from tests.helpers.providers import ScriptedProvider

SAMPLES = Path(__file__).resolve().parents[2] / "resources/samples/clinic-scheduling/documents"


def _document(name: str, kind: DocumentType) -> SourceDocument:
    return SourceDocument(f"inputs/{name}", kind, (SAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture
def brief_text() -> str:
    return SAMPLE_BRIEF.read_text(encoding="utf-8")


PRD = _document("prd.md", DocumentType.PRD)
TECH = _document("technical-spec.md", DocumentType.TECHNICAL_SPEC)
PROPOSAL = _document("sprint-change-proposal.md", DocumentType.SPRINT_CHANGE_PROPOSAL)
FUNCTIONAL = _document("functional-spec.md", DocumentType.FUNCTIONAL_SPEC)


def _request(spec, name: str, brief_text: str) -> PhaseRequest:  # type: ignore[no-untyped-def]
    return PhaseRequest(
        phase=spec.phases[name], project_name="clinic", brief=brief_text, inputs={}, run_id=1
    )


def test_the_analyst_and_pm_read_specs_the_architect_a_technical_spec_and_no_one_a_proposal() -> (
    None
):
    every = (TECH, PROPOSAL, PRD)
    assert documents_for("analyst", every) == (PRD, TECH)  # in name order
    assert documents_for("pm", every) == (PRD, TECH)
    assert documents_for("architect", every) == (TECH,)
    assert documents_for("designer", every) == ()


def test_a_document_goes_after_the_brief_in_the_prompt_of_a_phase_that_reads_it(  # type: ignore[no-untyped-def]
    default_spec, brief_text
) -> None:
    runner = AgentPhaseRunner(
        ScriptedProvider(answer=lambda r: ""), spec=default_spec, documents=(PRD, PROPOSAL)
    )
    request = runner.build_prompt(_request(default_spec, "ANALYSIS", brief_text))
    labels = [b.label for b in request.shared]
    assert labels == ["brief", "inputs/prd.md"]
    assert request.shared[1].text.startswith('<document name="inputs/prd.md" type="prd">')
    assert "Managers build a weekly rota" in request.shared[1].text
    tokens = runner.build_prompt(_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text))
    assert [b.label for b in tokens.shared] == ["brief"]


def test_the_cache_key_changes_with_a_document_only_for_the_phases_reading_it(  # type: ignore[no-untyped-def]
    default_spec, brief_text
) -> None:
    plain = AgentPhaseRunner(OfflineProvider(), spec=default_spec)
    with_prd = AgentPhaseRunner(OfflineProvider(), spec=default_spec, documents=(PRD,))
    analysis = _request(default_spec, "ANALYSIS", brief_text)
    tokens = _request(default_spec, "SPEC_DESIGN_TOKENS", brief_text)
    assert plain.cache_key(analysis).digest != with_prd.cache_key(analysis).digest
    assert plain.cache_key(tokens).digest == with_prd.cache_key(tokens).digest


def test_the_offline_pm_builds_the_prd_on_the_imported_requirements(  # type: ignore[no-untyped-def]
    default_spec, sample_brief
) -> None:
    drafted = author_artifacts(
        default_spec.phases["SPEC_PM"], sample_brief, {}, "clinic", documents=(PRD, FUNCTIONAL)
    )
    prd = drafted["prd.md"]
    # The PRD's own identifiers, priorities, criteria and source lines; the functional spec
    # restates them feature by feature, so it adds none.
    assert "### FR-1: Managers build a weekly rota from shift templates" in prd
    assert "- Source: inputs/prd.md line 45" in prd
    assert "every template shift appears unassigned for that week" in prd
    assert prd.count("\n### FR-") == 12
    # Its non-functional requirements replace those the brief implies.
    assert "- **NFR-2**: The service is available 99.9% of the time" in prd
    assert "(from inputs/prd.md line" in prd
    assert "### F-1" not in prd
    # The user flows, a phase of their own now, walk through the PRD's requirements.
    flows = author_artifacts(
        default_spec.phases["SPEC_USER_FLOWS"],
        sample_brief,
        {"prd.md": prd},
        "clinic",
        documents=(PRD, FUNCTIONAL),
    )["user-flows.md"]
    assert "FR-1" in flows
    alone = author_artifacts(
        default_spec.phases["SPEC_PM"], sample_brief, {}, "clinic", documents=(FUNCTIONAL,)
    )
    # Without a PRD, the features, numbered as the later phases trace them.
    assert "### FR-1: Managers create a weekly rota from shift templates" in alone["prd.md"]
    assert "- Source: F-1 in inputs/functional-spec.md line 24" in alone["prd.md"]
    without = author_artifacts(default_spec.phases["SPEC_PM"], sample_brief, {}, "clinic")
    assert "Source: inputs/" not in without["prd.md"]
