"""Validators: each rule fires on what breaks it and stays quiet otherwise."""

from __future__ import annotations

import pytest

from spec_automation.core.validation import validate_artifacts

FRONT = "---\nartifact: x.md\nphase: P\nagent: a\nprovider: offline\nversion: 1\ngenerated_at: now\n---\n\n"

TOKENS = (
    FRONT
    + """# Design tokens

## Colour

60/30/10 roles: dominant `oklch(0.98 0.01 200)`, secondary `oklch(0.9 0.02 200)`,
accent `oklch(0.55 0.12 180)`.

## Spacing

An 8pt grid: 8px, 16px, 24px, 32px.

## Typography

| Token | Size | Line height | Weight |
|---|---|---|---|
| `font.size.caption` | 14px | 20px | 400 |
| `font.size.body` | 16px | 24px | 400 |
| `font.size.title` | 24px | 32px | 600 |
| `font.size.display` | 32px | 40px | 700 |

## Motion

Durations 120ms and 240ms.
"""
)


def messages(validators: list[str], artifacts: dict[str, str]) -> list[tuple[str, str]]:
    return [(i.severity, i.message) for i in validate_artifacts(validators, artifacts).issues]


def test_a_good_design_token_document_passes_every_rule() -> None:
    assert (
        messages(
            ["presence", "markdown_frontmatter", "structure", "anti_ai_slop"],
            {"design-tokens.md": TOKENS},
        )
        == []
    )


def test_typography_counts_sizes_not_line_heights() -> None:
    five = TOKENS.replace(
        "| `font.size.display` | 32px | 40px | 700 |",
        "| `font.size.display` | 32px | 40px | 700 |\n| `font.size.huge` | 48px | 56px | 700 |",
    )
    assert ("warning", "defines 5 typography sizes instead of exactly 4") in messages(
        ["anti_ai_slop"], {"t.md": five}
    )


def test_typography_sizes_from_bullets() -> None:
    bullets = (
        TOKENS.split("## Typography")[0]
        + "## Typography\n\n- Body size 16px, line height 24px\n- Title size 24px\n\n## Motion\n"
    )
    assert ("warning", "defines 2 typography sizes instead of exactly 4") in messages(
        ["anti_ai_slop"], {"t.md": bullets}
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Hero: a purple gradient from #7c3aed to pink.", "uses a purple gradient"),
        ("Font family: Inter, sans-serif", "uses Inter as the font"),
        ("Background: soft blobs behind the cards.", "uses blob backgrounds"),
    ],
)
def test_forbidden_patterns_are_errors(line: str, message: str) -> None:
    assert ("error", message) in messages(["anti_ai_slop"], {"t.md": TOKENS + "\n" + line + "\n"})


def test_a_rule_stated_as_a_rule_is_not_a_violation() -> None:
    text = TOKENS + "\nNever use purple gradients, blob backgrounds or Inter as the font.\n"
    assert messages(["anti_ai_slop"], {"t.md": text}) == []


@pytest.mark.parametrize(
    ("remove", "message"),
    [
        ("oklch(", "gives no OKLCH colours"),
        ("60/30/10", "does not apply the 60/30/10 colour rule"),
        ("An 8pt grid", "does not use an 8pt grid"),
    ],
)
def test_missing_design_rules_are_warnings(remove: str, message: str) -> None:
    text = TOKENS.replace(remove, "xx" if remove != "oklch(" else "rgb(")
    assert ("warning", message) in messages(["anti_ai_slop"], {"t.md": text})


def test_presence_and_front_matter_and_structure() -> None:
    assert ("error", "is empty") in messages(["presence"], {"a.md": FRONT})
    assert ("error", "has no heading") in messages(
        ["presence"], {"a.md": "just words, no heading at all"}
    )
    assert ("error", "has no front matter") in messages(["markdown_frontmatter"], {"a.md": "# A\n"})
    lacks = messages(["markdown_frontmatter"], {"a.md": "---\nphase: P\n---\n# A\n"})
    assert lacks == [
        ("error", "front matter lacks artifact, agent, provider, version, generated_at")
    ]
    missing = messages(
        ["structure"], {"prd.md": FRONT + "# PRD\n\n## Overview\n\n## Functional requirements\n"}
    )
    assert missing == [("error", "lacks the section '## Non-functional requirements'")]
    assert messages(["structure"], {"other.md": FRONT + "# Anything\n"}) == []
