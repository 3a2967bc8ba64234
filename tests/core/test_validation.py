"""Validators: each rule fires on what breaks it and stays quiet otherwise."""

from __future__ import annotations

import pytest

from spec_automation.core.validation import check_flowchart, contrast_checks, validate_artifacts

FRONT = "---\nartifact: x.md\nphase: P\nagent: a\nprovider: offline\nversion: 1\ngenerated_at: now\n---\n\n"

TOKENS = (
    FRONT
    + """# Design tokens

## Colour

60/30/10 roles: dominant, secondary and accent.

| Token | Hex | OKLCH |
|---|---|---|
| `color.dominant` | #fafafa | oklch(0.985 0.000 0.0) |
| `color.secondary` | #e5e5e5 | oklch(0.922 0.000 0.0) |
| `color.accent` | #0f766e | oklch(0.511 0.086 186.4) |
| `color.text` | #262626 | oklch(0.269 0.000 0.0) |
| `color.surface` | #ffffff | oklch(1.000 0.000 0.0) |
| `color.on-accent` | #ffffff | oklch(1.000 0.000 0.0) |

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

Durations 120ms and 240ms, easing cubic-bezier(0.2, 0, 0, 1).
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


# --- design tokens: colour roles, contrast recomputed from the tokens, motion -----------------


def test_contrast_is_recomputed_from_the_token_values() -> None:
    checks = {(c.foreground, c.background): c.ratio for c in contrast_checks(TOKENS)}
    assert checks[("color.text", "color.dominant")] == pytest.approx(14.50, abs=0.01)
    assert checks[("color.on-accent", "color.accent")] == pytest.approx(5.47, abs=0.01)
    assert all(c.passes for c in contrast_checks(TOKENS))


def test_a_text_pair_below_4_5_to_1_is_an_error_naming_the_pair() -> None:
    weak = TOKENS.replace(
        "| `color.text` | #262626 | oklch(0.269 0.000 0.0) |", "| `color.text` | #777777 |"
    )
    found = messages(["structure"], {"design-tokens.md": weak})
    assert ("error", "color.text on color.dominant has a contrast of 4.29:1, below 4.5:1") in found
    assert ("error", "color.text on color.surface has a contrast of 4.48:1, below 4.5:1") in found


def test_text_on_the_accent_is_checked() -> None:
    pale = TOKENS.replace(
        "| `color.accent` | #0f766e | oklch(0.511 0.086 186.4) |", "| `color.accent` | #5eead4 |"
    )
    assert (
        "error",
        "color.on-accent on color.accent has a contrast of 1.48:1, below 4.5:1",
    ) in messages(["structure"], {"design-tokens.md": pale})


def test_a_token_given_only_in_oklch_is_checked_as_it_renders() -> None:
    only_oklch = TOKENS.replace(
        "| `color.text` | #262626 | oklch(0.269 0.000 0.0) |", "| `color.text` | oklch(0.9 0 0) |"
    )
    assert (
        "error",
        "color.text on color.dominant has a contrast of 1.29:1, below 4.5:1",
    ) in messages(["structure"], {"design-tokens.md": only_oklch})


def test_missing_colour_roles_are_errors() -> None:
    text = TOKENS.replace("| `color.surface` | #ffffff | oklch(1.000 0.000 0.0) |\n", "")
    assert ("error", "defines no colour token color.surface") in messages(
        ["structure"], {"design-tokens.md": text}
    )


def test_a_hex_that_is_not_its_oklch_colour_is_a_warning() -> None:
    text = TOKENS.replace("| `color.dominant` | #fafafa |", "| `color.dominant` | #f0fafa |")
    assert (
        "warning",
        "color.dominant: #f0fafa is not the colour oklch(0.985 0.000 0.0) renders as (#fafafa)",
    ) in messages(["structure"], {"design-tokens.md": text})


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Durations 120ms and 240ms, easing", "Easing", "gives no animation durations"),
        ("easing cubic-bezier(0.2, 0, 0, 1)", "no curves", "gives no animation easings"),
    ],
)
def test_motion_needs_durations_and_easings(old: str, new: str, message: str) -> None:
    assert ("error", message) in messages(
        ["structure"], {"design-tokens.md": TOKENS.replace(old, new)}
    )


def test_exactly_four_type_sizes_gives_no_warning_and_three_does() -> None:
    assert not [m for m in messages(["anti_ai_slop"], {"t.md": TOKENS}) if "typography" in m[1]]
    three = TOKENS.replace("| `font.size.display` | 32px | 40px | 700 |\n", "")
    assert ("warning", "defines 3 typography sizes instead of exactly 4") in messages(
        ["anti_ai_slop"], {"t.md": three}
    )


@pytest.mark.parametrize(
    "innocent",
    [
        "The Interface panel uses IBM Plex Sans as its font.",
        "A teal gradient on the header.",
        "Globs of files are matched by the importer.",
    ],
)
def test_forbidden_patterns_stay_quiet_on_lookalikes(innocent: str) -> None:
    assert [
        m
        for m in messages(["anti_ai_slop"], {"t.md": TOKENS + "\n" + innocent + "\n"})
        if m[0] == "error"
    ] == []


def test_design_system_warnings_only_apply_to_design_documents() -> None:
    assert messages(["anti_ai_slop"], {"prd.md": FRONT + "# PRD\n\n## Overview\n\nText.\n"}) == []


# --- journey maps: Mermaid flowcharts that parse ------------------------------------------------

GOOD_FLOWCHART = """flowchart TD
    A["Clinician signs in"]
    B["Offers a shift (FR-4)"]
    A --> B
    B -->|accepted| C{"Manager approves?"}
    C -- yes --> D(["Swap recorded"]) & E
    C -.-> F[Not yet]
    subgraph Later["Payroll"]
        E --> F
    end
    %% a comment
    classDef done fill:#eee
    class D done
"""


def test_a_flowchart_of_the_emitted_subset_parses() -> None:
    assert check_flowchart(GOOD_FLOWCHART) == []
    assert check_flowchart("graph LR\n  A --> B --> C\n") == []


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        ("", "the diagram is empty"),
        ("A --> B\n", "line 1: a flowchart starts with 'flowchart TD' (or LR, ...)"),
        ("flowchart XY\nA --> B\n", "line 1: unknown direction 'XY'"),
        ('flowchart TD\nA["never closed]\n', "line 2: the label of node A has no closing quote"),
        ('flowchart TD\nA["label"\n', "line 2: the label of node A is not closed with ']'"),
        (
            "flowchart TD\nA[Rota (FR-1)]\n",
            "line 2: the label of node A needs double quotes around it",
        ),
        ("flowchart TD\nA -->\n", "line 2: an arrow points to nothing"),
        ("flowchart TD\nA B\n", "line 2: expected an arrow at 'B'"),
        ("flowchart TD\nsubgraph S\nA --> B\n", "line 2: subgraph is never closed with 'end'"),
        ("flowchart TD\nA --> B\nend\n", "line 3: 'end' closes no subgraph"),
        ("flowchart TD\nA --> end\n", "line 2: 'end' cannot be a node name"),
        ("flowchart TD\n%% only a comment\n", "the diagram has no nodes"),
    ],
)
def test_a_broken_flowchart_is_rejected_with_the_line(broken: str, problem: str) -> None:
    assert problem in check_flowchart(broken)


def test_journey_maps_need_flowcharts_that_parse() -> None:
    good = FRONT + "# Journeys\n\n## Journeys\n\n```mermaid\n" + GOOD_FLOWCHART + "```\n"
    assert messages(["structure"], {"journey-maps.md": good}) == []
    broken = good.replace("A --> B", "A -->")
    assert ("error", "Mermaid diagram 1: line 4: an arrow points to nothing") in messages(
        ["structure"], {"journey-maps.md": broken}
    )
    none = FRONT + "# Journeys\n\n## Journeys\n\nNo diagrams.\n"
    assert messages(["structure"], {"journey-maps.md": none}) == [
        ("error", "has no Mermaid flowchart")
    ]
