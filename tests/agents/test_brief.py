"""Reading briefs: the tidy sample, a free-form paragraph and nothing at all."""

from __future__ import annotations

from spec_automation.agents.brief import parse_brief


def test_sample_brief_reads_every_field(sample_brief):
    assert sample_brief.name == "ShiftCare"
    assert "shift scheduling" in sample_brief.summary
    assert "spreadsheets" in sample_brief.problem
    assert [p.name for p in sample_brief.users][:2] == ["Clinic manager", "Clinician"]
    assert len(sample_brief.features) == 11
    assert sample_brief.features[0].title == "Rota builder"
    assert "drag clinicians" in sample_brief.features[0].detail
    assert sample_brief.platforms[:1] == ("web",)
    assert "mobile" in sample_brief.platforms
    assert "api" not in sample_brief.platforms  # "at rest" is not a REST API
    assert any("Entra ID" in item for item in sample_brief.integrations)
    assert any("UK GDPR" in item for item in sample_brief.constraints)
    assert any("WCAG" in item for item in sample_brief.non_functional)
    assert len(sample_brief.success_metrics) == 4
    assert sample_brief.brand_colour == "#0f766e"


def test_free_form_paragraph_still_gives_features_and_platform():
    text = (
        "We want a mobile app for dog walkers. Walkers can book walks with owners. "
        "Owners can pay invoices by card. The route of each walk is tracked on a map. "
        "Our brand colour is oklch(0.62 0.15 45)."
    )
    brief = parse_brief(text, project_name="Walkies")
    assert brief.name == "Walkies"
    assert "mobile" in brief.platforms
    assert len(brief.features) >= 3
    assert any("invoices" in f.detail for f in brief.features)
    assert brief.users
    assert brief.users[0].name == "Dog walkers"
    assert brief.brand_colour == "oklch(0.62 0.15 45)"


def test_empty_brief_has_a_clear_placeholder():
    brief = parse_brief("", project_name="Demo")
    assert brief.name == "Demo"
    assert "No brief" in brief.summary
    assert brief.features == ()
    assert brief.is_empty


def test_odd_input_never_raises():
    for text in ("#", "- ", "## Features\n\n", "|a|b|\n|-|-|", "\x00\x01", "---\nx: 1\n---\n"):
        parse_brief(text)
