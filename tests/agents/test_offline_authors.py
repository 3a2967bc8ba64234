"""The offline authors over the default workflow: structure, traceability and coverage."""

from __future__ import annotations

import re

import pytest

from spec_automation.agents.artifact_text import sections, strip_front_matter
from spec_automation.agents.brief import parse_brief
from spec_automation.agents.offline import author_artifacts
from spec_automation.core.spec import PhaseSpec
from spec_automation.core.validation import REQUIRED_HEADINGS
from tests.helpers.specs import SPECIFICATION_ARTIFACTS, STAGE_ARTIFACTS

DEFAULT_ARTIFACTS = SPECIFICATION_ARTIFACTS + STAGE_ARTIFACTS


def body(chain, name):
    return strip_front_matter(chain[name])


def level2(text):
    return {s.title.lower() for s in sections(text) if s.level == 2}


def phase_of(spec, artifact):
    return spec.producer_of(artifact)


def test_every_default_artifact_is_produced_with_its_required_headings(chain):
    assert {name for name in chain if not name.startswith("code/")} == set(DEFAULT_ARTIFACTS)
    assert "code/pyproject.toml" in chain, "the developer's scaffold comes with its manifest"
    for name in DEFAULT_ARTIFACTS:
        text = body(chain, name)
        assert text.startswith("# "), name
        assert not text.startswith("---"), name
        missing = {h.lower() for h in REQUIRED_HEADINGS.get(name, ())} - level2(text)
        assert not missing, f"{name} lacks {missing}"


def test_author_returns_exactly_the_produced_artifacts(default_spec, sample_brief):
    phase = default_spec.phases["SPEC_ARCHITECT"]
    bodies = author_artifacts(phase, sample_brief, {}, "clinic")
    assert list(bodies) == list(phase.produces)


def test_chain_is_deterministic(default_spec, sample_brief, chain, chain_runner):
    assert chain_runner(default_spec, sample_brief) == chain


def test_one_functional_requirement_per_feature(chain, sample_brief):
    prd = body(chain, "prd.md")
    ids = re.findall(r"^### (FR-\d+):", prd, re.MULTILINE)
    assert len(ids) == len(sample_brief.features)
    assert ids == [f"FR-{i}" for i in range(1, len(ids) + 1)]
    assert "Priority: Must" in prd
    assert "Acceptance criteria" in prd


def test_user_flows_cite_requirements(chain):
    assert re.search(r"\(FR-1\)", body(chain, "user-flows.md"))


def test_stack_lists_machine_readable_layers(chain):
    stack = body(chain, "stack.md")
    assert "- Frontend: React 19 with TypeScript" in stack
    assert "- Mobile: React Native" in stack


def test_desktop_brief_gets_a_qt_stack_and_commands(wrap):
    brief = parse_brief("# Notes\n\nA desktop app for researchers.\n\n## Features\n\n- Tag notes\n")
    phase = PhaseSpec("S", "Choose stack", "architect", ("stack.md",), (), 1.0)
    stack = author_artifacts(phase, brief, {}, "")["stack.md"]
    assert "PySide6" in stack
    arch = PhaseSpec("A", "Design", "architect", ("api-spec.md",), (), 1.0)
    api = author_artifacts(arch, brief, {"stack.md": wrap("S", stack)}, "")["api-spec.md"]
    assert "create_" in api
    assert "/api/" not in api


def test_edited_prd_flows_into_architecture_epics_and_tasks(
    default_spec, sample_brief, chain, wrap
):
    prd = body(chain, "prd.md").replace(
        "## Non-functional requirements",
        "### FR-12: Bank holiday rules\n\n- Statement: Rotas respect regional bank holidays.\n"
        "- Priority: Should\n\n## Non-functional requirements",
    )
    assert "FR-12" not in sample_brief.text
    inputs = {n: chain[n] for n in ("analysis.md", "stack.md", "user-flows.md")}
    inputs["prd.md"] = wrap("SPEC_PM", prd)

    def run(phase_name):
        phase = default_spec.phases[phase_name]
        inputs.update(
            {
                n: wrap(phase_name, b)
                for n, b in author_artifacts(phase, sample_brief, dict(inputs), "").items()
            }
        )

    for name in ("SPEC_ARCHITECT", "DEPENDENCIES", "SOLUTIONING_EPICS", "SOLUTIONING_TASKS"):
        run(name)
    traceability = strip_front_matter(inputs["architecture.md"]).split(
        "## Requirement traceability"
    )[1]
    for number in range(1, 13):
        assert f"| FR-{number} |" in traceability
    assert "Bank holiday rules" in traceability
    epics = strip_front_matter(inputs["epics.md"])
    cited = re.findall(r"^Requirements: (.+)$", epics, re.MULTILINE)
    all_cited = [rid.strip() for line in cited for rid in line.split(",")]
    assert sorted(all_cited) == sorted(f"FR-{n}" for n in range(1, 13))  # each FR exactly once
    assert re.search(r"Epic: E-\d+ · Requirements: FR-12", inputs["tasks.md"])


def test_validation_report_catches_an_uncovered_requirement(
    default_spec, sample_brief, chain, wrap
):
    tasks = body(chain, "tasks.md")
    kept = [block for block in tasks.split("\n### ") if "Requirements: FR-2\n" not in block + "\n"]
    assert len(kept) < len(tasks.split("\n### "))
    inputs = dict(chain)
    inputs["tasks.md"] = wrap("SOLUTIONING_TASKS", "\n### ".join(kept))
    phase = default_spec.phases["VALIDATE"]
    report = author_artifacts(phase, sample_brief, inputs, "")["validation-report.md"]
    assert "| FR-2 | Skill-mix rules | — | NOT COVERED |" in report
    assert "- FR-2 is not covered by any task." in report
    assert "- Not covered: 1" in report
    assert "NEEDS ATTENTION" in report


def test_validation_report_flags_epics_citing_unknown_requirements(
    default_spec, sample_brief, chain
):
    inputs = dict(chain)
    inputs["epics.md"] = chain["epics.md"].replace(
        "Requirements: FR-1", "Requirements: FR-1, FR-99"
    )
    phase = default_spec.phases["VALIDATE"]
    report = author_artifacts(phase, sample_brief, inputs, "")["validation-report.md"]
    assert "cites FR-99, which is not in prd.md" in report


def test_sample_chain_validates_clean(chain):
    report = body(chain, "validation-report.md")
    assert "- Result: PASS" in report
    assert "- Not covered: 0" in report


def test_handoff_indexes_artifacts_and_names_first_tasks(chain):
    handoff = body(chain, "handoff.md")
    assert "`prd.md`" in handoff
    assert "- T-1:" in handoff


def test_missing_upstream_artifacts_fall_back_to_the_brief(default_spec, sample_brief):
    for phase in default_spec.phases.values():
        bodies = author_artifacts(phase, sample_brief, {}, "")
        assert all(bodies[name].startswith("# ") for name in phase.produces)
    epics = author_artifacts(default_spec.phases["SOLUTIONING_EPICS"], sample_brief, {}, "")
    assert "FR-11" in epics["epics.md"]


def test_empty_brief_produces_every_artifact(default_spec, chain_runner):
    brief = parse_brief("", "Empty")
    inputs = chain_runner(default_spec, brief)
    assert "Empty" in body(inputs, "analysis.md")


def test_design_tokens_follow_the_design_rules(chain):
    tokens = body(chain, "design-tokens.md")
    typography = tokens.split("## Typography")[1].split("## ")[0]
    assert len(re.findall(r"^\| `font\.size\.", typography, re.MULTILINE)) == 4
    ratios = [float(r) for r in re.findall(r"(\d+\.\d+):1", tokens)]
    assert ratios
    assert min(ratios) >= 4.5
    assert "#0f766e" in tokens
    for word in ("purple", "blob", "gradient"):
        assert word not in tokens.lower()
    assert not re.search(r"\bInter\b", tokens)
    assert not re.search(r"\bInter\b", body(chain, "component-mapping.md"))


def test_component_mapping_uses_the_stack_kit(chain):
    mapping = body(chain, "component-mapping.md")
    assert "shadcn/ui" in mapping
    assert "--primary" in mapping


def test_journey_maps_are_mermaid_flowcharts(chain):
    journeys = body(chain, "journey-maps.md")
    blocks = re.findall(r"```mermaid\n(.*?)```", journeys, re.DOTALL)
    assert len(blocks) == 4  # one per persona
    for block in blocks:
        assert block.startswith("flowchart TD")
        assert re.search(r'^    A\["[^"]+"\]$', block, re.MULTILINE)


def test_dependencies_read_components_from_architecture(chain):
    deps = body(chain, "dependencies.md")
    assert "User interface → API" in deps
    assert "prisma" in deps


@pytest.mark.parametrize("name", ["threat-model.md"])
def test_generic_author_uses_description_and_inputs(chain, sample_brief, name):
    phase = PhaseSpec(
        name="SECURITY_REVIEW",
        description="Model threats to patient and staff data and propose mitigations.",
        agent="security_reviewer",
        produces=(name,),
        depends_on=("SPEC_ARCHITECT",),
        estimated_duration_s=10,
    )
    inputs = {"architecture.md": chain["architecture.md"], "prd.md": chain["prd.md"]}
    text = author_artifacts(phase, sample_brief, inputs, "")[name]
    assert text.startswith("# Threat model: ShiftCare")
    assert "Model threats to patient and staff data" in text
    assert "### architecture.md" in text
    assert "Requirement traceability" in text
    assert "FR-4: Shift swaps" in text
    assert author_artifacts(phase, sample_brief, inputs, "")[name] == text
