"""Hostile specs: alias bombs, deep nesting, huge numbers and endless files are one clear line.

Issue 13 (points 9 and 13): a few hundred bytes of nested YAML aliases used to be expanded by
the error message that quoted them (9 s, then MemoryError at 700 MB); a list nested 5,000 deep
or a 5,000-digit number ended in an internal error.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from spec_automation.core.spec import SpecError, load_spec, parse_spec
from tests.helpers.specs import PHASE_A, spec_error


def error_of(text: str) -> str:
    message = spec_error(text)
    assert len(message) < 300, "a quoted value is cut short"
    return message


def laughs(indent: str, levels: int) -> str:
    """A billion-laughs mapping body: each key holds nine aliases of the one before."""
    lines = [f"{indent}x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels):
        lines.append(f"{indent}x{n}: &x{n} [" + ", ".join([f"*x{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


#: The line each field of phase A is on (a field PHASE_A lacks is added as line 10).
LINE = {"produces": 7, "depends_on": 8, "estimated_duration_s": 9}


def with_field(field: str, value: str) -> str:
    """PHASE_A with phase A's ``field`` set to ``value`` (a YAML flow value), in its place."""
    line = f"    {field}: {value}"
    lines = PHASE_A.splitlines()
    if field in LINE:
        lines[LINE[field] - 1] = line
    else:
        lines.append(line)
    return "\n".join(lines) + "\n"


# --- alias bombs ---------------------------------------------------------------------------


def test_an_alias_bomb_in_sensitivity_is_refused_at_once_without_expanding_it() -> None:
    # 9**7 values: 48 times the budget, yet small enough that code which did expand it
    # (quoting it in a message: a 33 MB line) fails this test in a second, not after minutes.
    text = PHASE_A + "sensitivity:\n  a.md:\n" + laughs("    ", levels=7)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message = error_of(text)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == (
        "spec.yml: line 17, field 'sensitivity': a.md: "
        "this holds more than 100000 values once its aliases are followed"
    )
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024, f"{peak} bytes: the bomb was expanded"


@pytest.mark.parametrize(
    ("shape", "value"),
    [
        (
            "sequences",
            "[&a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"
            + "".join(
                f", &{b} [" + ", ".join([f"*{a}"] * 9) + "]"
                for a, b in zip("abcdefghi", "bcdefghij", strict=True)
            )
            + "]",
        ),
        (
            "mappings",
            "[&a {a: lol, b: lol, c: lol, d: lol, e: lol, f: lol, g: lol, h: lol, i: lol}"
            + "".join(
                f", &{b} {{" + ", ".join(f"{k}: *{a}" for k in "abcdefghi") + "}"
                for a, b in zip("abcdefghi", "bcdefghij", strict=True)
            )
            + "]",
        ),
        (
            "merge keys",
            "[&a {a: lol}"
            + "".join(
                f", &{b} {{<<: [" + ", ".join([f"*{a}"] * 9) + "]}"
                for a, b in zip("abcdefghi", "bcdefghij", strict=True)
            )
            + "]",
        ),
    ],
)
def test_an_alias_bomb_in_a_phase_field_names_the_phase_and_field(
    shape: str, value: str
) -> None:
    message = error_of(with_field("validators", value))
    assert message == (
        "spec.yml: line 10, phase A: field 'validators': "
        "this holds more than 100000 values once its aliases are followed"
    ), shape


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    for value in ("&c [*c]", "&c {a: *c}"):
        assert error_of(with_field("produces", value)) == (
            "spec.yml: line 7, phase A: field 'produces': "
            "an alias refers to a value that contains it, so the value never ends"
        )


def test_more_aliases_than_the_budget_are_refused() -> None:
    text = with_field("validators", "[&v presence, " + ", ".join(["*v"] * 501) + "]")
    assert error_of(text) == (
        "spec.yml: phase A: field 'validators': the YAML uses more than 500 aliases (*name)"
    )


def test_aliases_that_share_values_between_phases_still_load() -> None:
    text = (
        "version: 1\nname: t\nphases:\n"
        "  A: &phase\n"
        "    description: first\n    agent: analyst\n    produces: [a.md]\n"
        "    depends_on: []\n    estimated_duration_s: 1\n"
        "    validators: &checks [presence, structure]\n"
        "  B:\n"
        "    description: second\n    agent: analyst\n    produces: [b.md]\n"
        "    depends_on: [A]\n    estimated_duration_s: 1\n"
        "    validators: *checks\n"
    )
    spec = parse_spec(text, source="spec.yml")
    assert spec.phases["B"].validators == ("presence", "structure")


# --- deep nesting and huge numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "[" * 100 + "]" * 100,
        "{a: " * 100 + "1" + "}" * 100,
        "{a: " * 900 + "1" + "}" * 900,  # was a RecursionError in our own mapping constructor
    ],
    ids=["list 100 deep", "mapping 100 deep", "mapping 900 deep"],
)
def test_deep_nesting_names_the_phase_and_field(value: str) -> None:
    message = error_of(with_field("produces", value))
    assert message.endswith("values are nested more than 32 levels deep")
    if len(value) < 1000:  # without libyaml, the parser itself overflows on the deep one
        assert message.startswith("spec.yml: line 7, phase A: field 'produces': ")


@pytest.mark.parametrize(
    "value",
    ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "1" + "}" * 5000],
    ids=["list", "mapping"],
)
def test_nesting_5000_deep_is_one_line(value: str) -> None:
    message = error_of(with_field("produces", value))
    assert "nest" in message  # libyaml: "exceeded maximum nesting depth"; else ours


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("estimated_duration_s", "9" * 5000),
        ("priority", "-" + "1" * 5000),
        ("depends_on", "[" + "9" * 5000 + "]"),
    ],
)
def test_a_5000_digit_number_is_one_line(field: str, value: str) -> None:
    message = error_of(with_field(field, value))
    line = LINE.get(field, 10)
    assert message.startswith(f"spec.yml: line {line}, phase A: field '{field}': the number ")
    assert message.endswith(" is too long (at most 30 characters)")


def test_a_5000_digit_number_in_sensitivity_is_one_line() -> None:
    message = error_of(PHASE_A + "sensitivity:\n  a.md: " + "9" * 5000 + "\n")
    assert message.startswith("spec.yml: line 11, field 'sensitivity': a.md: the number 999")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2026-13-45", "'2026-13-45' is not a date or time"),
        ("!!bool maybe", "'maybe' is not true or false"),
        ("!!int twelve", "'twelve' is not a whole number"),
        ("!!float fast", "'fast' is not a number"),
    ],
)
def test_a_scalar_yaml_cannot_build_is_one_line(value: str, problem: str) -> None:
    assert error_of(with_field("estimated_duration_s", value)) == f"spec.yml: line 9: {problem}"


def test_a_list_as_a_mapping_key_is_one_line() -> None:
    assert error_of(PHASE_A + "? [a, b]\n: c\n") == (
        "spec.yml: line 10: a key must be text or a number, not a list"
    )


# --- values quoted in messages are cut short -----------------------------------------------


def test_a_huge_value_is_quoted_cut_short() -> None:
    message = error_of(PHASE_A + "sensitivity:\n  a.md: " + "x" * 1_000_000 + "\n")
    assert message.startswith("spec.yml: field 'sensitivity': a.md: 'xxxxx")
    assert message.endswith("xxxx' is not high, medium or low")


def test_an_artifact_name_too_long_for_a_file_is_refused() -> None:
    message = error_of(with_field("produces", "[" + "a" * 300 + ".md]"))
    assert message.startswith("spec.yml: phase A: field 'produces': 'aaaa")
    assert message.endswith(".md' is longer than 200 characters")


# --- files that are not specs --------------------------------------------------------------


def test_a_spec_file_over_a_megabyte_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yml"
    path.write_text(PHASE_A + "# " + "x" * (1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value) == f"{path}: is larger than 1 MB; a spec is far smaller"


@pytest.mark.timeout(10)  # opening it waits for a writer that never comes: fail, do not hang
def test_a_spec_that_is_a_pipe_is_refused_unopened(tmp_path: Path) -> None:
    # /dev/zero takes the same path; it is not used here because code that read it would
    # exhaust the machine's memory instead of failing.
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    with pytest.raises(SpecError) as info:
        load_spec(fifo)
    assert str(info.value) == f"{fifo}: is not a regular file (a spec is a YAML file)"
