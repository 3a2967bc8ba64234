"""The quality gates' pure side: the spec's quality_gates list, checked field by field, and
output a parser cannot read said in a sentence (the parsers on real tool output are tested
in tests/test_services_quality.py, where the tools run)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest

from spec_automation.core.quality import (
    DEFAULT_GATES,
    Finding,
    GateResult,
    QualityGateSpec,
    overall_status,
    parse_output,
    parse_quality_gates,
    rebase_findings,
)


def test_no_list_means_the_default_gates_and_an_empty_list_none() -> None:
    assert parse_quality_gates(None) == DEFAULT_GATES
    assert [g.name for g in DEFAULT_GATES] == ["ruff", "basedpyright", "pytest"]
    assert parse_quality_gates([]) == ()


def test_a_gate_is_read_with_its_defaults_and_a_command_line_split_as_a_shell_would() -> None:
    gates = parse_quality_gates(
        [
            {"name": "lint", "command": "ruff check --select 'E,F' .", "parser": "ruff_json"},
            {
                "name": "api tests",
                "command": ["pytest", "-q", "--junitxml={junit}"],
                "cwd": "./backend/",
                "timeout_s": 60,
                "parser": "junit_xml",
            },
        ]
    )
    assert gates == (
        QualityGateSpec("lint", ("ruff", "check", "--select", "E,F", "."), parser="ruff_json"),
        QualityGateSpec(
            "api tests",
            ("pytest", "-q", "--junitxml={junit}"),
            cwd="backend",
            timeout_s=60.0,
            parser="junit_xml",
        ),
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"name": "x"},
            "field 'quality_gates' must be a list of gates, each with a name and a command, not an object",
        ),
        (["ruff"], "quality gate 1: expected a mapping with a name and a command, not text"),
        ([{"command": "ruff"}], "quality gate 1: field 'name' must be a short name"),
        ([{"name": "lint"}], "quality gate 'lint': missing field 'command'"),
        (
            [{"name": "lint", "comand": "ruff"}],
            "quality gate 'lint': unknown field 'comand' (did you mean 'command'?)",
        ),
        ([{"name": "lint", "command": ""}], "quality gate 'lint': field 'command' is empty"),
        (
            [{"name": "lint", "command": "ruff 'check"}],
            "quality gate 'lint': field 'command' cannot be split into words: No closing quotation",
        ),
        (
            [{"name": "lint", "command": ["ruff", {"a": 1}]}],
            "quality gate 'lint': field 'command' must be a list of words",
        ),
        (
            [{"name": "lint", "command": "ruff", "cwd": "../up"}],
            "quality gate 'lint': field 'cwd' must stay inside the code folder",
        ),
        (
            [{"name": "lint", "command": "ruff", "cwd": "/etc"}],
            "quality gate 'lint': field 'cwd' must be relative to the code folder",
        ),
        (
            [{"name": "lint", "command": "ruff", "timeout_s": 0}],
            "quality gate 'lint': field 'timeout_s' must be a number of seconds above 0",
        ),
        (
            [{"name": "lint", "command": "ruff", "timeout_s": "10"}],
            "quality gate 'lint': field 'timeout_s' must be a number",
        ),
        (
            [{"name": "lint", "command": "ruff", "timeout_s": True}],
            "quality gate 'lint': field 'timeout_s' must be a number",
        ),
        (
            [{"name": "lint", "command": "ruff", "parser": "ruff"}],
            "quality gate 'lint': field 'parser' must be one of ruff_json, pyright_json, junit_xml, exit_code, not 'ruff'",
        ),
        (
            [{"name": "t", "command": "pytest", "parser": "junit_xml"}],
            "quality gate 't': field 'command' must say where the JUnit report goes with {junit}",
        ),
        (
            [{"name": "a", "command": "x"}, {"name": "a", "command": "y"}],
            "quality gate 'a': field 'name': two gates are named so",
        ),
        (
            [{"name": "t", "command": "pytest", "env": ["X=1"]}],
            "quality gate 't': field 'env' must be a mapping of variable names to text",
        ),
        (
            [{"name": "t", "command": "pytest", "env": {"NOT A NAME": "1"}}],
            "quality gate 't': field 'env': 'NOT A NAME' is not a variable name",
        ),
        (
            [{"name": "t", "command": "pytest", "env": {"X": ["1"]}}],
            "quality gate 't': field 'env': X must be text",
        ),
    ],
)
def test_a_bad_gate_is_one_line_naming_the_gate_and_the_field(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        parse_quality_gates(raw)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("parser", "stdout", "exit_code", "reason"),
    [
        ("ruff_json", "", 1, "it printed nothing"),
        ("ruff_json", '{"a": 1}', 1, "expected a list of problems, got an object"),
        ("ruff_json", "[1, 2]", 1, "expected each problem to be an object"),
        ("pyright_json", "[]", 1, "expected an object with 'generalDiagnostics', got a list"),
        ("pyright_json", "Traceback (most recent call last):", 1, "not JSON"),
    ],
)
def test_output_a_parser_cannot_read_is_an_error_saying_why(
    parser: str, stdout: str, exit_code: int, reason: str
) -> None:
    status, findings, message = parse_output(parser, stdout, "", exit_code, gate="lint")
    assert (status, findings) == ("error", ())
    assert message.startswith("lint's output could not be read as ")
    assert f"({reason}" in message


def test_a_tool_that_could_not_check_says_what_it_printed() -> None:
    assert parse_output("ruff_json", "", "error: unknown rule XYZ\n", 2, gate="ruff") == (
        "error",
        (),
        "ruff could not check the code (exit code 2): error: unknown rule XYZ",
    )
    assert parse_output("pyright_json", "", "Config file not valid\n", 3)[0] == "error"
    assert parse_output("junit_xml", "", "ERROR: usage: pytest [options]\n", 4)[2] == (
        "pytest could not check the code (exit code 4): ERROR: usage: pytest [options]"
    )


def test_a_junit_report_that_declares_entities_is_refused_unexpanded() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><testsuites>&a;</testsuites>'
    status, _, message = parse_output("junit_xml", "", "", 1, bomb)
    assert status == "error"
    assert "declares a document type" in message


def test_no_tests_collected_passes_and_says_so() -> None:
    report = '<testsuites><testsuite name="pytest" tests="0"/></testsuites>'
    assert parse_output("junit_xml", "", "", 5, report) == (
        "passed",
        (),
        "pytest found no tests to run.",
    )


def test_a_collection_error_is_a_finding_where_the_module_broke() -> None:
    report = (
        '<testsuites><testsuite><testcase classname="" name="tests.test_x" file="tests/test_x.py">'
        '<error message="collection failure">tests/test_x.py:3: in &lt;module&gt;\n'
        "    import nothing\nE   ModuleNotFoundError: No module named 'nothing'</error>"
        "</testcase></testsuite></testsuites>"
    )
    status, findings, _ = parse_output("junit_xml", "", "", 2, report)
    assert status == "failed"
    assert [(f.file, f.line, f.severity, f.message) for f in findings] == [
        ("tests/test_x.py", 3, "error", "collection failure")
    ]


def test_any_command_passes_on_exit_code_zero_and_fails_otherwise() -> None:
    assert parse_output("exit_code", "ok\n", "", 0, gate="audit")[0] == "passed"
    assert parse_output("exit_code", "", "2 vulnerabilities\n", 1, gate="audit") == (
        "failed",
        (),
        "audit exited with code 1: 2 vulnerabilities",
    )


def test_paths_become_relative_to_the_code_folder() -> None:
    found = [
        Finding("g", "/work/code/pkg/a.py", 1, 1, "R", "m", "error"),
        Finding("g", "tests/test_a.py", 2, 0, "R", "m", "failed"),
        Finding("g", "/usr/lib/python3/os.py", 3, 0, "R", "m", "error"),
    ]
    rebased = rebase_findings(
        found, cwd=PurePosixPath("/work/code/backend"), roots=[PurePosixPath("/work/code")]
    )
    assert [f.file for f in rebased] == [
        "pkg/a.py",
        "backend/tests/test_a.py",
        "/usr/lib/python3/os.py",
    ]


def test_a_run_passes_only_when_every_gate_does() -> None:
    def gate(status: str) -> GateResult:
        return GateResult("g", status, 0.0, (), {}, "")

    assert overall_status([gate("passed"), gate("passed")]) == "passed"
    assert overall_status([gate("passed"), gate("missing")]) == "failed"
    assert overall_status([gate("timeout"), gate("cancelled")]) == "cancelled"
