"""Strict spec loading: every bad spec is one clear line naming the phase and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.core.fan_out import FAN_OUT_RULES
from spec_automation.core.spec import SpecError, load_spec, parse_spec
from tests.helpers.specs import PHASE_A, spec_error

GOOD_PHASE = """
  A:
    description: first
    agent: analyst
    produces: [a.md]
    depends_on: []
    estimated_duration_s: 1
"""


def spec_text(extra: str = "", a: str = GOOD_PHASE) -> str:
    return f"version: 1\nname: t\nphases:{a}{extra}"


error_of = spec_error


def test_default_spec_loads_with_every_phase_of_the_design(default_spec_path: Path) -> None:
    spec = load_spec(default_spec_path)
    assert spec.phase_names == (
        "ANALYSIS",
        "STACK_SELECTION",
        "SPEC_DESIGN_TOKENS",
        "SPEC_PM",
        "SPEC_USER_FLOWS",
        "SPEC_ARCHITECT",
        "SPEC_DATA_MODEL",
        "SPEC_API",
        "SPEC_DESIGN_COMPONENTS",
        "DEPENDENCIES",
        "SOLUTIONING_EPICS",
        "SOLUTIONING_TASKS",
        "VALIDATE",
        "DONE",
        "IMPLEMENTATION",
        "QUALITY",
    )
    # One artifact per call; the gate stays on the architecture.
    assert all(len(p.produces) == 1 for n, p in spec.phases.items() if "COMPONENTS" not in n)
    assert spec.phases["SPEC_ARCHITECT"].approval_gates == ("architecture_approved",)
    assert spec.phases["SPEC_ARCHITECT"].produces == ("architecture.md",)
    assert spec.producer_of("tasks.md").agent == "scrum_master"
    assert spec.producer_of("tasks.md").fan_out == FAN_OUT_RULES["epics"]
    # The same total work as when the PM and the architect wrote several files per call,
    # and the implementation stage's 80 s (the code, one epic at a time, then its gates).
    assert sum(p.estimated_duration_s for p in spec.phases.values()) == 335 + 80
    assert spec.phases["IMPLEMENTATION"].fan_out == FAN_OUT_RULES["epic_code"]
    assert spec.phases["QUALITY"].reads_all_upstream, "a repair sees what the code came from"
    assert all(p.estimated_duration_s > 0 and p.validators for p in spec.phases.values())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"missing\.yml: file not found$"):
        load_spec(tmp_path / "missing.yml")


def test_not_yaml() -> None:
    assert "not valid YAML" in error_of("phases: [unclosed\n  a: b")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", ""])
def test_not_a_mapping(text: str) -> None:
    assert "expected a mapping with a 'phases:' key" in error_of(text)


def test_unknown_dependency_names_phase_and_field() -> None:
    extra = (
        GOOD_PHASE.replace("A:", "B:")
        .replace("[a.md]", "[b.md]")
        .replace("depends_on: []", "depends_on: [AA]")
    )
    message = error_of(spec_text(extra))
    assert "phase B: field 'depends_on': unknown phase 'AA'" in message
    assert "did you mean 'A'" in message


def test_cycle_names_the_phases_in_it() -> None:
    a = GOOD_PHASE.replace("depends_on: []", "depends_on: [C]")
    b = (
        GOOD_PHASE.replace("A:", "B:")
        .replace("[a.md]", "[b.md]")
        .replace("depends_on: []", "depends_on: [A]")
    )
    c = (
        GOOD_PHASE.replace("A:", "C:")
        .replace("[a.md]", "[c.md]")
        .replace("depends_on: []", "depends_on: [B]")
    )
    message = error_of(spec_text(b + c, a=a))
    assert "field 'depends_on': dependency cycle" in message
    cycle = message.split("dependency cycle ")[1]
    assert set(cycle.split(" -> ")) == {"A", "B", "C"}
    assert cycle.split(" -> ")[0] == cycle.split(" -> ")[-1]


def test_self_dependency() -> None:
    a = GOOD_PHASE.replace("depends_on: []", "depends_on: [A]")
    assert "phase A: field 'depends_on': a phase cannot depend on itself" in error_of(
        spec_text(a=a)
    )


def test_two_phases_producing_the_same_artifact() -> None:
    b = GOOD_PHASE.replace("A:", "B:")
    message = error_of(spec_text(b))
    assert "phase B: field 'produces': 'a.md' is already produced by phase A" in message


@pytest.mark.parametrize(
    "field", ["description", "agent", "produces", "depends_on", "estimated_duration_s"]
)
def test_missing_field(field: str) -> None:
    lines = [line for line in GOOD_PHASE.splitlines() if not line.strip().startswith(f"{field}:")]
    message = error_of(spec_text(a="\n".join(lines) + "\n"))
    assert f"phase A: missing field '{field}'" in message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("    produces: a.md", "phase A: field 'produces' must be a list, got text"),
        (
            "    estimated_duration_s: soon",
            "phase A: field 'estimated_duration_s' must be a number, got text",
        ),
        (
            "    estimated_duration_s: true",
            "phase A: field 'estimated_duration_s' must be a number",
        ),
        ("    priority: high", "phase A: field 'priority' must be a whole number, got text"),
        ("    requires_stack: maybe", "phase A: field 'requires_stack' must be true or false"),
        ("    depends_on: [1]", "phase A: field 'depends_on' must be a list of text"),
        (
            "    validators: [spellcheck]",
            "phase A: field 'validators': unknown validator 'spellcheck'",
        ),
        ("    dependson: []", "phase A: unknown field 'dependson' (did you mean 'depends_on'?)"),
        (
            "    estimated_duration_s: -3",
            "phase A: field 'estimated_duration_s' must be zero or more",
        ),
    ],
)
def test_wrongly_typed_field(line: str, expected: str) -> None:
    key = line.split(":")[0].strip()
    lines = [x for x in GOOD_PHASE.splitlines() if not x.strip().startswith(f"{key}:")]
    assert expected in error_of(spec_text(a="\n".join([*lines, line]) + "\n"))


@pytest.mark.parametrize(
    "name", ["../x.md", "/etc/passwd.md", "docs/prd.md", "prd.txt", "..md", "C:\\x.md"]
)
def test_artifact_name_must_be_a_plain_file_name(name: str) -> None:
    a = GOOD_PHASE.replace("[a.md]", f"['{name}']")
    message = error_of(spec_text(a=a))
    assert f"phase A: field 'produces': {name!r} is not a plain markdown file name" in message


def test_python_object_tag_is_refused_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = spec_text() + f"  B: !!python/object/apply:os.system ['touch {marker}']\n"
    message = error_of(text)
    assert "the YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed" in message
    assert not marker.exists()


def test_duplicate_phase_key_is_refused() -> None:
    assert "key 'A' appears twice" in error_of(spec_text(GOOD_PHASE))


def test_user_defined_phases_with_any_names_and_roles() -> None:
    text = """
phases:
  Threat modelling:
    description: Model threats against the architecture.
    agent: security_reviewer
    produces: [threat-model.md]
    depends_on: []
    estimated_duration_s: 12
    planned_files: [docs/threats.md]
"""
    spec = parse_spec(text)
    phase = spec.phases["Threat modelling"]
    assert phase.agent == "security_reviewer"
    assert phase.planned_files == ("docs/threats.md",)
    assert phase.validators == ()


def test_planned_files_outside_the_project_are_refused() -> None:
    a = GOOD_PHASE + "    planned_files: [../outside.txt]\n"
    assert "phase A: field 'planned_files': '../outside.txt' must be a relative path" in error_of(
        spec_text(a=a)
    )


def _chain(*, c_reads: str) -> str:
    """A <- B <- C, where C may name artifacts from further up in ``reads``."""
    b = (
        GOOD_PHASE.replace("A:", "B:")
        .replace("[a.md]", "[b.md]")
        .replace("depends_on: []", "depends_on: [A]")
    )
    c = (
        GOOD_PHASE.replace("A:", "C:")
        .replace("[a.md]", "[c.md]")
        .replace("depends_on: []", f"depends_on: [B]\n    reads: {c_reads}")
    )
    return spec_text(b + c)


def test_reads_names_artifacts_from_further_upstream_or_all() -> None:
    assert parse_spec(_chain(c_reads="[a.md]")).phases["C"].reads == ("a.md",)
    every = parse_spec(_chain(c_reads="all")).phases["C"]
    assert every.reads == ()
    assert every.reads_all_upstream


@pytest.mark.parametrize(
    ("reads", "expected"),
    [
        ("[aa.md]", "phase C: field 'reads': no phase produces 'aa.md' (did you mean 'a.md'?)"),
        ("[c.md]", "phase C: field 'reads': 'c.md' is produced by this phase itself"),
        ("[a.md, a.md]", "phase C: field 'reads' lists an artifact twice"),
        ("everything", "phase C: field 'reads' must be a list of artifact names or 'all', got"),
        ("3", "phase C: field 'reads' must be a list of artifact names or 'all', got a number"),
    ],
)
def test_bad_reads_are_one_sentence(reads: str, expected: str) -> None:
    assert expected in error_of(_chain(c_reads=reads))


def test_reads_of_an_artifact_not_upstream_says_which_dependency_to_add() -> None:
    # B reads c.md, which C makes after B: it could never exist in time.
    text = _chain(c_reads="[]").replace("depends_on: [A]", "depends_on: [A]\n    reads: [c.md]")
    assert (
        "phase B: field 'reads': 'c.md' is made by phase C, which is not upstream of it "
        "(add C to depends_on)"
    ) in error_of(text)


def test_a_top_level_list_is_named_once() -> None:
    assert error_of("- a\n- b\n").endswith("expected a mapping with a 'phases:' key, got a list")
    assert error_of("").endswith("got an empty file")


def test_a_phase_may_name_its_model_and_provider() -> None:
    text = PHASE_A + "    model: claude-haiku-4-5\n    provider: anthropic\n"
    phase = parse_spec(text).phases["A"]
    assert (phase.model, phase.provider) == ("claude-haiku-4-5", "anthropic")
    assert parse_spec(PHASE_A).phases["A"].model == ""  # the run's


def test_a_phase_model_or_provider_that_cannot_be_used_is_refused() -> None:
    assert "unknown provider 'gpt' (known: offline, anthropic, openai_compatible)" in (
        spec_error(PHASE_A + "    provider: gpt\n")
    )
    assert "an openai_compatible phase needs a 'model:' too" in spec_error(
        PHASE_A + "    provider: openai_compatible\n"
    )
    assert "field 'model' must name a model" in spec_error(PHASE_A + "    model: '  '\n")
