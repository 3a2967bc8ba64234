"""Quality gates: what a gate is, and reading what its tool printed into findings.

A gate is a command run in the code folder (ruff, basedpyright, pytest, or anything else)
with a timeout and a parser that turns its output into :class:`Finding` values: ruff's JSON
(``ruff_json``), basedpyright's ``--outputjson`` (``pyright_json``), pytest's JUnit XML
(``junit_xml``) or, for any other command, its exit code alone (``exit_code``).

This module is pure: it starts nothing. ``services.quality`` runs the commands and hands
their output to :func:`parse_output`; ``parse_quality_gates`` reads a spec's
``quality_gates:`` list. Every problem is said in a sentence: output that cannot be read makes
the gate an ``error`` with the reason, never an exception.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import posixpath
import re
import shlex
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from spec_automation.core.plain_yaml import shown

__all__ = [
    "DEFAULT_GATES",
    "GATE_STATUSES",
    "JUNIT_PLACEHOLDER",
    "PARSERS",
    "PYTHON_PLACEHOLDER",
    "Finding",
    "GateResult",
    "QualityGateSpec",
    "QualityRun",
    "finding_counts",
    "overall_status",
    "parse_output",
    "parse_quality_gates",
    "rebase_findings",
]

#: How a gate's output is read.
PARSERS = ("ruff_json", "pyright_json", "junit_xml", "exit_code")
#: What a gate can come to: passed, failed (it found problems), error (it could not check:
#: it crashed, or its output could not be read), missing (its tool is not installed),
#: timeout (stopped at its time limit), cancelled (the user stopped the run).
GATE_STATUSES = ("passed", "failed", "error", "missing", "timeout", "cancelled")
#: In a command, replaced by the path of a temporary file for pytest's JUnit report.
JUNIT_PLACEHOLDER = "{junit}"
#: In a command, replaced by the Python interpreter the gates run with (the app's own).
PYTHON_PLACEHOLDER = "{python}"

#: The most gates a spec may list, and the longest time one may take (a day).
MAX_GATES = 32
MAX_TIMEOUT_S = 24 * 3600.0
_MAX_WORDS = 200
#: A finding's message is cut to this many characters (a traceback can be long).
MAX_MESSAGE_CHARS = 4000
_GATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")
_GATE_FIELDS = ("name", "command", "cwd", "timeout_s", "parser", "env")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
#: pytest's outcomes, in the order they are counted.
_OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed")
#: The outcomes that leave nothing to fix.
_NOT_PROBLEMS = frozenset({"passed", "skipped", "xfailed"})


@dataclass(frozen=True, slots=True)
class QualityGateSpec:
    """One gate: a command run in ``cwd`` (relative to the code folder), stopped after
    ``timeout_s`` seconds, its output read by ``parser`` (one of :data:`PARSERS`).

    ``command`` may hold :data:`JUNIT_PLACEHOLDER` and :data:`PYTHON_PLACEHOLDER`; ``env``
    holds variables set for the command besides the app's environment.
    """

    name: str
    command: tuple[str, ...]
    cwd: str = "."
    timeout_s: float = 300.0
    parser: str = "exit_code"
    env: tuple[tuple[str, str], ...] = ()


#: The gates a project has when its spec lists none: lint, types and tests.
DEFAULT_GATES: tuple[QualityGateSpec, ...] = (
    QualityGateSpec("ruff", ("ruff", "check", "--output-format", "json", "."), parser="ruff_json"),
    QualityGateSpec(
        # The app's interpreter, so the imports the tests make (pytest) are found.
        "basedpyright",
        ("basedpyright", "--outputjson", "--pythonpath", PYTHON_PLACEHOLDER),
        parser="pyright_json",
    ),
    QualityGateSpec(
        # ``python -m`` puts the code folder on the import path; xunit1 records each test's
        # file and line; --rootdir makes test ids relative to the code folder.
        "pytest",
        (
            PYTHON_PLACEHOLDER,
            "-m",
            "pytest",
            "-q",
            f"--junitxml={JUNIT_PLACEHOLDER}",
            "-o",
            "junit_family=xunit1",
            "--rootdir=.",
        ),
        parser="junit_xml",
        # The code folder's tests, not the app's: the pytest plugins installed with the app
        # (pytest-qt would load Qt into every run) are not loaded; it also starts 3x faster.
        env=(("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1"),),
    ),
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a gate found, where it is (``file`` relative to the code folder, ``line``
    and ``column`` from 1, 0 when unknown).

    For a linter or a type checker ``rule`` is the rule's code and ``severity`` error,
    warning or info. For pytest ``rule`` is the test's id and ``severity`` its outcome:
    passed, failed, error, skipped or xfailed.
    """

    gate: str
    file: str
    line: int
    column: int
    rule: str
    message: str
    severity: str

    @property
    def is_problem(self) -> bool:
        """Whether it is something to fix: not a test that passed, was skipped or was
        expected to fail."""
        return self.severity not in _NOT_PROBLEMS


@dataclass(frozen=True, slots=True)
class GateResult:
    """How one gate went: its status (one of :data:`GATE_STATUSES`), how long it took, what it
    found, counts by severity or outcome, and a sentence saying what happened."""

    name: str
    status: str
    duration_s: float
    findings: tuple[Finding, ...]
    counts: Mapping[str, int]
    message: str
    command: tuple[str, ...] = ()
    parser: str = ""

    @property
    def passed(self) -> bool:
        """Whether the gate passed."""
        return self.status == "passed"

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Its findings that are something to fix (see :attr:`Finding.is_problem`)."""
        return tuple(f for f in self.findings if f.is_problem)


@dataclass(frozen=True, slots=True)
class QualityRun:
    """Every gate of one run, and the run's wall time."""

    results: tuple[GateResult, ...]
    wall_s: float
    started_at: datetime

    @property
    def status(self) -> str:
        """passed, failed or cancelled (see :func:`overall_status`)."""
        return overall_status(self.results)


def finding_counts(parser: str, findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings there are of each severity (for pytest: of each outcome), every
    kind the parser reports counted, none left out for being zero."""
    kinds = _OUTCOMES if parser == "junit_xml" else ("error", "warning", "info")
    counts = dict.fromkeys(kinds if parser != "exit_code" else (), 0)
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts


def overall_status(results: Sequence[GateResult]) -> str:
    """A run's status: cancelled when any gate was, passed when every gate passed, else
    failed."""
    statuses = {result.status for result in results}
    if "cancelled" in statuses:
        return "cancelled"
    return "passed" if statuses <= {"passed"} else "failed"


# --- reading a tool's output ----------------------------------------------------------------


class _Unreadable(ValueError):
    """The output is not what the parser reads; ``str()`` says how."""


def parse_output(
    parser: str,
    stdout: str,
    stderr: str,
    exit_code: int,
    junit_text: str = "",
    *,
    gate: str = "",
) -> tuple[str, tuple[Finding, ...], str]:
    """Read what a gate's command printed: its status, its findings and a sentence.

    ``junit_text`` is the JUnit report a ``junit_xml`` gate wrote ("" when none). Output that
    cannot be read gives the status ``error`` and a sentence saying why, never an exception.
    Paths in the findings are as the tool gave them (:func:`rebase_findings` makes them
    relative to the code folder).
    """
    gate = gate or _TOOLS.get(parser, parser)
    if parser not in PARSERS:
        return "error", (), f"{gate} has an unknown parser {shown(parser)}"
    try:
        if parser == "ruff_json":
            return _parse_ruff(gate, stdout, stderr, exit_code)
        if parser == "pyright_json":
            return _parse_pyright(gate, stdout, stderr, exit_code)
        if parser == "junit_xml":
            return _parse_junit(gate, stderr or stdout, exit_code, junit_text)
    except _Unreadable as exc:
        said = _last_line(stderr) or _last_line(stdout)
        tail = f"; it printed: {said}" if said else ""
        return (
            "error",
            (),
            f"{gate}'s output could not be read as {_FORMATS[parser]} ({exc}; exit code "
            f"{exit_code}){tail}",
        )
    if exit_code == 0:
        return "passed", (), f"{gate} exited with code 0."
    said = _last_line(stderr) or _last_line(stdout)
    return "failed", (), f"{gate} exited with code {exit_code}" + (f": {said}" if said else ".")


_TOOLS = {"ruff_json": "ruff", "pyright_json": "basedpyright", "junit_xml": "pytest"}
_FORMATS = {
    "ruff_json": "ruff's JSON report",
    "pyright_json": "basedpyright's JSON report",
    "junit_xml": "a JUnit XML report",
}


def _parse_ruff(
    gate: str, stdout: str, stderr: str, exit_code: int
) -> tuple[str, tuple[Finding, ...], str]:
    if exit_code not in (0, 1):  # 2: ruff itself failed (bad configuration, bad arguments)
        return "error", (), _could_not_check(gate, exit_code, stderr or stdout)
    data = _json(stdout)
    if not isinstance(data, list):
        raise _Unreadable(f"expected a list of problems, got {_kind(data)}")
    findings = []
    for item in data:
        if not isinstance(item, dict):
            raise _Unreadable(f"expected each problem to be an object, got {_kind(item)}")
        location = item.get("location")
        location = location if isinstance(location, dict) else {}
        severity = str(item.get("severity") or "error").lower()
        findings.append(
            Finding(
                gate=gate,
                file=_text(item.get("filename")),
                line=_whole(location.get("row")),
                column=_whole(location.get("column")),
                rule=_text(item.get("code") or item.get("name") or "syntax-error"),
                message=_cut(_text(item.get("message"))),
                severity=severity if severity in ("error", "warning", "info") else "error",
            )
        )
    return _linter_outcome(gate, tuple(findings), exit_code, "problem")


def _parse_pyright(
    gate: str, stdout: str, stderr: str, exit_code: int
) -> tuple[str, tuple[Finding, ...], str]:
    try:
        data = _json(stdout)
    except _Unreadable:
        if exit_code not in (0, 1):  # 2 fatal, 3 configuration, 4 arguments: no report
            return "error", (), _could_not_check(gate, exit_code, stderr or stdout)
        raise
    if not isinstance(data, dict) or not isinstance(data.get("generalDiagnostics"), list):
        raise _Unreadable(f"expected an object with 'generalDiagnostics', got {_kind(data)}")
    findings = []
    for item in data["generalDiagnostics"]:
        if not isinstance(item, dict):
            raise _Unreadable(f"expected each diagnostic to be an object, got {_kind(item)}")
        span = item.get("range")
        start = span.get("start") if isinstance(span, dict) else None
        start = start if isinstance(start, dict) else {}
        severity = str(item.get("severity") or "error").lower()
        severity = "info" if severity.startswith("info") else severity
        findings.append(
            Finding(
                gate=gate,
                file=_text(item.get("file")),
                # basedpyright counts lines and characters from 0.
                line=_whole(start.get("line"), plus=1),
                column=_whole(start.get("character"), plus=1),
                rule=_text(item.get("rule")),
                message=_cut(_text(item.get("message"))),
                severity=severity if severity in ("error", "warning", "info") else "error",
            )
        )
    if exit_code not in (0, 1) and not findings:
        return "error", (), _could_not_check(gate, exit_code, stderr or stdout)
    summary = data.get("summary")
    if exit_code == 0 and isinstance(summary, dict) and summary.get("filesAnalyzed") == 0:
        return "passed", (), f"{gate} found no Python files to check."
    return _linter_outcome(gate, tuple(findings), exit_code, "diagnostic")


def _linter_outcome(
    gate: str, findings: tuple[Finding, ...], exit_code: int, noun: str
) -> tuple[str, tuple[Finding, ...], str]:
    errors = sum(1 for f in findings if f.severity == "error")
    files = len({f.file for f in findings})
    if not findings:
        if exit_code == 0:
            return "passed", findings, f"{gate} found no problems."
        return "failed", findings, f"{gate} exited with code {exit_code} but reported nothing."
    where = f"in {files} file{'s' if files != 1 else ''}"
    found = f"{gate} found {_plural(len(findings), noun)} {where}"
    if errors or exit_code != 0:
        return "failed", findings, f"{found} ({_plural(errors, 'error')})."
    return "passed", findings, f"{found}, none of them an error."


#: "path.py:12: ..." as pytest's tracebacks name each frame.
_FRAME = re.compile(r"^(?P<file>[^\s:\n][^:\n]*\.py):(?P<line>\d+):", re.MULTILINE)


def _parse_junit(
    gate: str, said: str, exit_code: int, junit_text: str
) -> tuple[str, tuple[Finding, ...], str]:
    if not junit_text.strip():
        if exit_code in (0, 1, 2, 5):
            raise _Unreadable("the command wrote no report")
        return "error", (), _could_not_check(gate, exit_code, said)
    if "<!DOCTYPE" in junit_text or "<!ENTITY" in junit_text:
        # pytest never writes either; refusing them leaves no entity to expand.
        raise _Unreadable("it declares a document type, which a JUnit report never does")
    try:
        root = ElementTree.fromstring(junit_text)  # noqa: S314 (no DTD: checked above)
    except ElementTree.ParseError as exc:
        raise _Unreadable(f"not well-formed XML: {exc}") from None
    if root.tag not in ("testsuites", "testsuite"):
        raise _Unreadable(f"expected <testsuites> or <testsuite>, got <{root.tag}>")
    findings = tuple(_test_finding(gate, case) for case in root.iter("testcase"))
    counts = finding_counts("junit_xml", findings)
    bad = counts["failed"] + counts["error"]
    summary = ", ".join(f"{counts[o]} {o}" for o in _OUTCOMES if counts[o])
    if bad:
        return (
            "failed",
            findings,
            f"{_plural(bad, 'test')} of {len(findings)} did not pass ({summary}).",
        )
    if exit_code == 5 or (exit_code == 0 and not findings):
        return "passed", findings, f"{gate} found no tests to run."
    if exit_code == 0:
        return "passed", findings, f"Every test passed or was expected to fail ({summary})."
    return "error", findings, _could_not_check(gate, exit_code, said)


def _test_finding(gate: str, case: ElementTree.Element) -> Finding:
    file = case.get("file", "")
    name = case.get("name", "")
    classname = case.get("classname", "")
    line = _whole(case.get("line"), plus=1)  # pytest's line is counted from 0
    severity, message, details = "passed", "", ""
    for outcome, tag in (("failed", "failure"), ("error", "error"), ("skipped", "skipped")):
        child = case.find(tag)
        if child is not None:
            severity = outcome
            message = child.get("message", "")
            details = child.text or ""
            if outcome == "skipped" and child.get("type") == "pytest.xfail":
                severity = "xfailed"
            break
    if severity in ("failed", "error") and file:
        # Where in the test file it went wrong: the last frame pytest names there.
        frames = [m for m in _FRAME.finditer(details) if _same_path(m.group("file"), file)]
        if frames:
            line = int(frames[-1].group("line"))
    return Finding(
        gate=gate,
        file=file,
        line=line,
        column=0,
        rule=_test_id(file, classname, name),
        message=_cut(message.strip() or _last_line(details)),
        severity=severity,
    )


def _test_id(file: str, classname: str, name: str) -> str:
    """pytest's id of a test (``tests/test_x.py::TestY::test_z``) from the report's names."""
    if not file:
        return f"{classname}.{name}" if classname else name
    module = file.removesuffix(".py").replace("/", ".").replace("\\", ".")
    classes = classname.removeprefix(module).strip(".") if classname.startswith(module) else ""
    return "::".join(part for part in (file, *classes.split("."), name) if part)


def _same_path(a: str, b: str) -> bool:
    return posixpath.normpath(a.replace("\\", "/")) == posixpath.normpath(b.replace("\\", "/"))


# --- small pieces ---------------------------------------------------------------------------


def _json(text: str) -> Any:
    if not text.strip():
        raise _Unreadable("it printed nothing")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    # A line of chatter before or after the report is tolerated.
    start = min((i for i in (text.find("["), text.find("{")) if i >= 0), default=-1)
    end = max(text.rfind("]"), text.rfind("}"))
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except json.JSONDecodeError:
            pass
    raise _Unreadable("not JSON")


def _could_not_check(gate: str, exit_code: int, said: str) -> str:
    line = _last_line(said)
    return f"{gate} could not check the code (exit code {exit_code})" + (
        f": {line}" if line else "."
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _cut(lines[-1], 300) if lines else ""


def _cut(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _whole(value: Any, *, plus: int = 0) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return value + plus if isinstance(value, int) and value >= 0 else 0


def _kind(value: Any) -> str:
    kinds: dict[type, str] = {dict: "an object", list: "a list", str: "text"}
    return kinds.get(type(value), type(value).__name__)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def rebase_findings(
    findings: Sequence[Finding], *, cwd: PurePath, roots: Sequence[PurePath]
) -> tuple[Finding, ...]:
    """``findings`` with their files relative to the code folder: a relative path is taken
    from ``cwd`` (where the gate ran), and a path inside one of ``roots`` (the code folder,
    as given and resolved) is made relative to it; a path outside stays as it is."""
    return tuple(replace(f, file=_relative(f.file, cwd, roots)) if f.file else f for f in findings)


def _relative(file: str, cwd: PurePath, roots: Sequence[PurePath]) -> str:
    path = PurePath(file)
    if not path.is_absolute():
        path = cwd / path
    flat = PurePath(os.path.normpath(path))
    for root in roots:
        try:
            return flat.relative_to(PurePath(os.path.normpath(root))).as_posix()
        except ValueError:
            continue
    return file


# --- the spec's quality_gates: list ---------------------------------------------------------


def parse_quality_gates(raw: Any) -> tuple[QualityGateSpec, ...]:
    """The gates a spec's ``quality_gates:`` list names (:data:`DEFAULT_GATES` when it is
    absent, ``None``; none at all for an empty list).

    Each gate is a mapping: ``name``, ``command`` (a list of words, or a string split as a
    shell would, though no shell runs it), ``cwd`` (a folder inside the code folder,
    default "."), ``timeout_s`` (default 300) and ``parser`` (default ``exit_code``).
    Raises ``ValueError`` with one line naming the gate and the field.
    """
    if raw is None:
        return DEFAULT_GATES
    if not isinstance(raw, list):
        raise ValueError(
            "field 'quality_gates' must be a list of gates, each with a name and a command, "
            f"not {_kind(raw)}"
        )
    if len(raw) > MAX_GATES:
        raise ValueError(f"field 'quality_gates' lists {len(raw)} gates; at most {MAX_GATES}")
    gates: list[QualityGateSpec] = []
    for number, item in enumerate(raw, start=1):
        gate = _parse_gate(number, item)
        if any(g.name == gate.name for g in gates):
            raise ValueError(f"quality gate {gate.name!r}: field 'name': two gates are named so")
        gates.append(gate)
    return tuple(gates)


def _parse_gate(number: int, item: Any) -> QualityGateSpec:
    if not isinstance(item, dict):
        raise ValueError(
            f"quality gate {number}: expected a mapping with a name and a command, "
            f"not {_kind(item)}"
        )
    name = item.get("name")
    if not isinstance(name, str) or not _GATE_NAME.match(name.strip()):
        raise ValueError(
            f"quality gate {number}: field 'name' must be a short name (letters, digits, "
            f"spaces, '.', '_' or '-', up to 64 characters), not {shown(name)}"
        )
    name = name.strip()
    where = f"quality gate {name!r}"
    for key in item:
        if key not in _GATE_FIELDS:
            close = difflib.get_close_matches(str(key), _GATE_FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"{where}: unknown field {shown(key)}{hint}; a gate has {', '.join(_GATE_FIELDS)}"
            )
    if "command" not in item:
        raise ValueError(
            f"{where}: missing field 'command' (the command to run, e.g. ruff check .)"
        )
    gate = QualityGateSpec(
        name=name,
        command=_command(where, item["command"]),
        cwd=_cwd(where, item.get("cwd", ".")),
        timeout_s=_timeout(where, item.get("timeout_s", 300.0)),
        parser=_parser(where, item.get("parser", "exit_code")),
        env=_env(where, item.get("env", {})),
    )
    if gate.parser == "junit_xml" and not any(JUNIT_PLACEHOLDER in w for w in gate.command):
        raise ValueError(
            f"{where}: field 'command' must say where the JUnit report goes with "
            f"{JUNIT_PLACEHOLDER} (e.g. --junitxml={JUNIT_PLACEHOLDER}), which the parser "
            "junit_xml reads"
        )
    return gate


def _env(where: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ValueError(
            f"{where}: field 'env' must be a mapping of variable names to text, not {_kind(value)}"
        )
    pairs: list[tuple[str, str]] = []
    for name, text in value.items():
        if not isinstance(name, str) or not _ENV_NAME.match(name):
            raise ValueError(f"{where}: field 'env': {shown(name)} is not a variable name")
        if isinstance(text, bool) or not isinstance(text, str | int | float):
            raise ValueError(f"{where}: field 'env': {name} must be text, not {_kind(text)}")
        pairs.append((name, str(text)))
    return tuple(pairs)


def _command(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise ValueError(
                f"{where}: field 'command' cannot be split into words: {exc}"
            ) from None
    elif isinstance(value, list):
        for word in value:
            if not isinstance(word, str | int | float) or isinstance(word, bool):
                raise ValueError(
                    f"{where}: field 'command' must be a list of words (text), and "
                    f"{shown(word)} is {_kind(word)}"
                )
        words = [str(word) for word in value]
    else:
        raise ValueError(
            f"{where}: field 'command' must be a command line or a list of words, "
            f"not {_kind(value)}"
        )
    if not words or not words[0].strip():
        raise ValueError(f"{where}: field 'command' is empty: name the program to run")
    if len(words) > _MAX_WORDS:
        raise ValueError(f"{where}: field 'command' has {len(words)} words; at most {_MAX_WORDS}")
    if any("\x00" in word for word in words):
        raise ValueError(f"{where}: field 'command' holds a NUL character")
    return tuple(words)


def _cwd(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise ValueError(
            f"{where}: field 'cwd' must be a folder inside the code folder, such as . or "
            f"backend, not {shown(value)}"
        )
    text = value.strip()
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).anchor:
        raise ValueError(
            f"{where}: field 'cwd' must be relative to the code folder, not the absolute "
            f"path {shown(text)}"
        )
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if ".." in parts:
        raise ValueError(
            f"{where}: field 'cwd' must stay inside the code folder, and {shown(text)} "
            "climbs out of it with '..'"
        )
    return PurePosixPath(*parts).as_posix() if parts else "."


def _timeout(where: str, value: Any) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not 0 < value <= MAX_TIMEOUT_S:
        raise ValueError(
            f"{where}: field 'timeout_s' must be a number of seconds above 0 and at most "
            f"{MAX_TIMEOUT_S:.0f}, not {shown(value)}"
        )
    return float(value)


def _parser(where: str, value: Any) -> str:
    if value not in PARSERS:
        close = difflib.get_close_matches(str(value), PARSERS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"{where}: field 'parser' must be one of {', '.join(PARSERS)}, not {shown(value)}{hint}"
        )
    return str(value)
