"""The workflow specification: phases, their agents, dependencies and artifacts.

A spec is loaded from ``orchestrator_spec.yml`` strictly: only ``yaml.safe_load``, every field
checked, and every problem reported as one line that names the phase and the field. The graph
rules (unknown dependencies, cycles, one producer per artifact) are checked here too, so a
``WorkflowSpec`` that exists is always runnable.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from spec_automation.core.fan_out import FAN_OUT_RULES, FanOutRule
from spec_automation.core.plain_yaml import PlainYamlError, load_plain_yaml, shown
from spec_automation.core.providers import PROVIDERS
from spec_automation.core.quality import DEFAULT_GATES, QualityGateSpec, parse_quality_gates

__all__ = [
    "DEFAULT_SENSITIVITY",
    "KNOWN_VALIDATORS",
    "SENSITIVITY_LEVELS",
    "PhaseSpec",
    "SpecError",
    "WorkflowSpec",
    "find_cycle",
    "load_spec",
    "parse_spec",
    "phase_fingerprint",
]

#: Validators a phase may name. Their rules live in ``core.validation``.
KNOWN_VALIDATORS = frozenset({"presence", "markdown_frontmatter", "structure", "anti_ai_slop"})

_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.md$")
_PHASE_NAME_MAX = 64
#: Room for the ``.NAME.xxxxxxxx.tmp`` file an artifact is written through (255-byte names).
_ARTIFACT_NAME_MAX = 200
#: A spec file larger than this is refused unread (the bundled spec is 6 KB for 11 phases).
_MAX_SPEC_BYTES = 1024 * 1024
_TOP_LEVEL_FIELDS = frozenset(
    {"version", "name", "description", "phases", "sensitivity", "quality_gates"}
)

#: Levels an artifact's sensitivity may take (how strongly an upstream change affects it).
SENSITIVITY_LEVELS = ("HIGH", "MEDIUM", "LOW")
#: Sensitivity of the default artifacts when the spec does not say; any other is MEDIUM.
DEFAULT_SENSITIVITY: Mapping[str, str] = {
    "architecture.md": "HIGH",
    "data-model.md": "HIGH",
    "api-spec.md": "HIGH",
    "epics.md": "MEDIUM",
    "tasks.md": "MEDIUM",
    "user-flows.md": "MEDIUM",
    "journey-maps.md": "LOW",
    "design-tokens.md": "LOW",
}


class SpecError(ValueError):
    """A spec that cannot be used. ``str(error)`` is one line a user can act on."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """One phase of the workflow: an agent that turns its inputs into artifacts."""

    name: str
    description: str
    agent: str
    produces: tuple[str, ...]
    depends_on: tuple[str, ...]
    estimated_duration_s: float
    phase_type: str = "generate"
    requires_stack: bool = False
    priority: int = 0
    validators: tuple[str, ...] = ()
    approval_gates: tuple[str, ...] = ()
    planned_files: tuple[str, ...] = ()
    #: Artifacts produced further upstream that the phase reads besides the artifacts of
    #: the phases it depends on directly (``reads:`` in the spec).
    reads: tuple[str, ...] = ()
    #: ``reads: all``: the phase reads every artifact produced upstream of it.
    reads_all_upstream: bool = False
    #: Artifacts named in ``depends_on`` instead of their phase: of that phase the phase
    #: reads only these (``depends_on`` holds the producing phase).
    dependency_artifacts: tuple[str, ...] = ()
    #: ``fan_out:``: run one call per item of an upstream list and merge the replies.
    fan_out: FanOutRule | None = None
    #: ``model:`` / ``provider:``: the model (and provider) this phase's calls go to instead
    #: of the run's ('' for the run's); a run with the offline provider drafts every phase
    #: offline whatever is set here.
    model: str = ""
    provider: str = ""


def phase_fingerprint(phase: PhaseSpec) -> str:
    """A hash of what in a phase's definition shapes its artifacts (not its scheduling
    hints: estimate, priority, planned files), so editing those marks nothing stale."""
    shaping = {
        "description": phase.description,
        "agent": phase.agent,
        "produces": list(phase.produces),
        "depends_on": list(phase.depends_on),
        "phase_type": phase.phase_type,
        "requires_stack": phase.requires_stack,
        "validators": list(phase.validators),
    }
    if phase.reads or phase.reads_all_upstream:  # absent keys keep older hashes unchanged
        shaping["reads"] = "all" if phase.reads_all_upstream else list(phase.reads)
    if phase.dependency_artifacts:
        shaping["dependency_artifacts"] = list(phase.dependency_artifacts)
    if phase.fan_out is not None:
        shaping["fan_out"] = [phase.fan_out.source, phase.fan_out.prefix, phase.fan_out.name]
    text = json.dumps(shaping, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """A checked, runnable workflow: phases in the order the file lists them."""

    name: str
    phases: Mapping[str, PhaseSpec]
    version: int = 1
    description: str = ""
    source: str | None = None
    #: Artifact → HIGH, MEDIUM or LOW, as the spec sets it (see ``sensitivity_of``).
    sensitivity: Mapping[str, str] = field(default_factory=dict)
    #: The checks a ``quality`` phase runs on the code folder (``quality_gates:``; by
    #: default ruff, basedpyright and pytest).
    quality_gates: tuple[QualityGateSpec, ...] = DEFAULT_GATES
    _producer: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        producer = {artifact: p.name for p in self.phases.values() for artifact in p.produces}
        object.__setattr__(self, "_producer", producer)

    @property
    def phase_names(self) -> tuple[str, ...]:
        """Phase names in file order."""
        return tuple(self.phases)

    @property
    def artifacts(self) -> tuple[str, ...]:
        """Every artifact the workflow produces, in phase order."""
        return tuple(self._producer)

    def producer_of(self, artifact: str) -> PhaseSpec:
        """The phase that produces ``artifact``; ``KeyError`` if none does."""
        return self.phases[self._producer[artifact]]

    def direct_inputs(self, name: str) -> tuple[str, ...]:
        """The artifacts a phase reads from the phases it depends on: all of a phase named
        in ``depends_on``, only the named ones of a phase reached through an artifact."""
        phase = self.phases[name]
        narrowed = {self._producer[a] for a in phase.dependency_artifacts}
        return tuple(
            artifact
            for dependency in phase.depends_on
            for artifact in self.phases[dependency].produces
            if dependency not in narrowed or artifact in phase.dependency_artifacts
        )

    def sensitivity_of(self, artifact: str) -> tuple[str, bool]:
        """How strongly an upstream change affects ``artifact``, and whether the spec set it.

        The spec's ``sensitivity:`` mapping wins; otherwise ``DEFAULT_SENSITIVITY``, else MEDIUM.
        """
        if artifact in self.sensitivity:
            return self.sensitivity[artifact], True
        return DEFAULT_SENSITIVITY.get(artifact, "MEDIUM"), False

    def gates(self) -> dict[str, str]:
        """Approval gate name → the phase that carries it."""
        return {gate: p.name for p in self.phases.values() for gate in p.approval_gates}


def load_spec(path: Path) -> WorkflowSpec:
    """Read and check the spec at ``path``.

    Raises:
        SpecError: the file is missing, unreadable, not YAML, or breaks a rule.
    """
    source = str(path)
    try:
        # Checked before opening: a FIFO would block the open, /dev/zero never ends.
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise SpecError("is a folder, not a spec file", source=source)
        if not stat.S_ISREG(mode):
            raise SpecError("is not a regular file (a spec is a YAML file)", source=source)
        with path.open("rb") as handle:
            data = handle.read(_MAX_SPEC_BYTES + 1)
        if len(data) > _MAX_SPEC_BYTES:
            raise SpecError(
                f"is larger than {_MAX_SPEC_BYTES // (1024 * 1024)} MB; a spec is far smaller",
                source=source,
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise SpecError("file not found", source=source) from None
    except IsADirectoryError:
        raise SpecError("is a folder, not a spec file", source=source) from None
    except UnicodeDecodeError:
        raise SpecError("not a text file (expected UTF-8 YAML)", source=source) from None
    except OSError as exc:
        raise SpecError(f"cannot be read ({exc.strerror})", source=source) from None
    return parse_spec(text, source=source)


def parse_spec(text: str, *, source: str | None = None) -> WorkflowSpec:
    """Parse and check spec text. See ``load_spec``."""
    data = _safe_yaml(text, source)
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else _type_name(data)
        raise SpecError(f"expected a mapping with a 'phases:' key, got {kind}", source=source)
    for key in data:
        if key not in _TOP_LEVEL_FIELDS:
            raise SpecError(
                f"unknown top-level field {shown(key)}{_suggest(key, _TOP_LEVEL_FIELDS)}",
                source=source,
            )
    name = data.get("name", "workflow")
    if not isinstance(name, str) or not name.strip():
        raise SpecError("field 'name' must be non-empty text", source=source)
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SpecError("field 'version' must be a positive whole number", source=source)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise SpecError("field 'description' must be text", source=source)
    raw_phases = data.get("phases")
    if raw_phases is None:
        raise SpecError("missing field 'phases'", source=source)
    if not isinstance(raw_phases, dict) or not raw_phases:
        raise SpecError(
            "field 'phases' must be a non-empty mapping of phase name to phase", source=source
        )

    phases: dict[str, PhaseSpec] = {}
    for raw_name, raw_phase in raw_phases.items():
        phase = _parse_phase(raw_name, raw_phase, source)
        phases[phase.name] = phase
    phases = _resolve_artifact_dependencies(phases)
    _check_graph(phases, source)
    sensitivity = _parse_sensitivity(data.get("sensitivity", {}), phases, source)
    try:
        gates = parse_quality_gates(data.get("quality_gates"))
    except ValueError as exc:
        raise SpecError(str(exc), source=source) from None
    return WorkflowSpec(
        name=name.strip(),
        version=version,
        description=description,
        phases=phases,
        source=source,
        sensitivity=sensitivity,
        quality_gates=gates,
    )


def _parse_sensitivity(
    raw: Any, phases: Mapping[str, PhaseSpec], source: str | None
) -> dict[str, str]:
    """The ``sensitivity:`` mapping: artifact the spec produces → high, medium or low."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SpecError(
            f"field 'sensitivity' must be a mapping of artifact to high, medium or low, "
            f"got {_type_name(raw)}",
            source=source,
        )
    produced = {a for p in phases.values() for a in p.produces}
    result: dict[str, str] = {}
    for artifact, level in raw.items():
        if artifact not in produced:
            raise SpecError(
                f"field 'sensitivity': {shown(artifact)} is not an artifact of any phase"
                f"{_suggest(str(artifact), produced)}",
                source=source,
            )
        if not isinstance(level, str) or level.strip().upper() not in SENSITIVITY_LEVELS:
            raise SpecError(
                f"field 'sensitivity': {artifact}: {shown(level)} is not high, medium or low",
                source=source,
            )
        result[artifact] = level.strip().upper()
    return result


def find_cycle(edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    """Return one cycle as ``[a, b, ..., a]`` in a node → successors graph, or ``None``."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    for start in edges:
        if colour[start] != white:
            continue
        # Iterative DFS so a deep user spec cannot exhaust the recursion limit.
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        colour[start] = grey
        while stack:
            node, index = stack[-1]
            successors = edges.get(node, ())
            if index < len(successors):
                stack[-1] = (node, index + 1)
                nxt = successors[index]
                state = colour.get(nxt, black)
                if state == grey:
                    return [*path[path.index(nxt) :], nxt]
                if state == white:
                    colour[nxt] = grey
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                colour[node] = black
                stack.pop()
                path.pop()
    return None


# --- parsing helpers -----------------------------------------------------------------------


def _safe_yaml(text: str, source: str | None) -> Any:
    """The spec's YAML as plain data, or a ``SpecError`` naming the line, phase and field."""
    try:
        return load_plain_yaml(text)
    except PlainYamlError as exc:
        where = [f"line {exc.line}"] if exc.line is not None else []
        if exc.path:
            where.append(_location(exc.path))
        prefix = ", ".join(where)
        message = f"{prefix}: {exc.problem}" if prefix else exc.problem
        raise SpecError(message, source=source) from None


def _location(path: Sequence[str]) -> str:
    """Keys leading into a spec, in the words of its errors: ``phase A: field 'produces'``."""
    head, *rest = path
    if head == "phases" and rest:
        phase = f"phase {_cut(rest[0])}"
        return f"{phase}: field {shown(rest[1])}" if len(rest) > 1 else phase
    if head == "sensitivity" and rest:
        return f"field 'sensitivity': {_cut(rest[0])}"
    return f"field {shown(head)}"


def _cut(text: str) -> str:
    return text if len(text) <= 60 else f"{text[:57]}..."


_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # field: (type, required)
    "description": (str, True),
    "agent": (str, True),
    "produces": (list, True),
    "depends_on": (list, True),
    "estimated_duration_s": ((int, float), True),
    "phase_type": (str, False),
    "requires_stack": (bool, False),
    "priority": (int, False),
    "validators": (list, False),
    "approval_gates": (list, False),
    "planned_files": (list, False),
    "reads": ((list, str), False),
    "fan_out": ((str, dict), False),
    "model": (str, False),
    "provider": (str, False),
}
_TYPE_WORDS: dict[type | tuple[type, ...], str] = {
    str: "text",
    list: "a list",
    bool: "true or false",
    int: "a whole number",
    (int, float): "a number",
    (list, str): "a list of artifact names or 'all'",
    (str, dict): "a rule name or a mapping",
}


def _parse_phase(raw_name: Any, raw: Any, source: str | None) -> PhaseSpec:
    if not isinstance(raw_name, str) or not raw_name.strip():
        raise SpecError(f"phase name {shown(raw_name)} must be non-empty text", source=source)
    name = raw_name
    if len(name) > _PHASE_NAME_MAX or not name.isprintable() or name != name.strip():
        raise SpecError(
            f"phase {shown(name)}: name must be printable text of at most {_PHASE_NAME_MAX} "
            "characters without surrounding spaces",
            source=source,
        )

    def fail(message: str) -> SpecError:
        return SpecError(f"phase {name}: {message}", source=source)

    if not isinstance(raw, dict):
        raise fail(f"expected a mapping of fields, got {_type_name(raw)}")
    for key in raw:
        if key not in _FIELDS:
            raise fail(f"unknown field {shown(key)}{_suggest(str(key), _FIELDS)}")
    for key, (expected, required) in _FIELDS.items():
        if key not in raw:
            if required:
                raise fail(f"missing field {key!r}")
            continue
        value = raw[key]
        wrong_bool = isinstance(value, bool) and expected is not bool
        if wrong_bool or not isinstance(value, expected):
            raise fail(f"field {key!r} must be {_TYPE_WORDS[expected]}, got {_type_name(value)}")

    description = raw["description"].strip()
    agent = raw["agent"].strip()
    if not description:
        raise fail("field 'description' must not be empty")
    if not agent or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", agent):
        raise fail(
            f"field 'agent' must be a role name such as 'analyst', got {shown(raw['agent'])}"
        )
    duration = float(raw["estimated_duration_s"])
    if not duration >= 0 or duration == float("inf"):
        raise fail("field 'estimated_duration_s' must be zero or more seconds")

    produces = _text_list(raw["produces"], "produces", fail)
    if not produces:
        raise fail("field 'produces' must name at least one artifact")
    for artifact in produces:
        if len(artifact) > _ARTIFACT_NAME_MAX:
            raise fail(
                f"field 'produces': {shown(artifact)} is longer than {_ARTIFACT_NAME_MAX} "
                "characters"
            )
        if not _ARTIFACT_NAME.fullmatch(artifact):
            raise fail(
                f"field 'produces': {shown(artifact)} is not a plain markdown file name "
                "(like 'prd.md': no folders, no '..', ending in .md)"
            )
    if len(set(produces)) != len(produces):
        raise fail("field 'produces' lists an artifact twice")

    depends_on = _text_list(raw["depends_on"], "depends_on", fail)
    if name in depends_on:
        raise fail("field 'depends_on': a phase cannot depend on itself")
    if len(set(depends_on)) != len(depends_on):
        raise fail("field 'depends_on' lists a phase twice")

    validators = _text_list(raw.get("validators", []), "validators", fail)
    for validator in validators:
        if validator not in KNOWN_VALIDATORS:
            known = ", ".join(sorted(KNOWN_VALIDATORS))
            raise fail(f"field 'validators': unknown validator {shown(validator)} (known: {known})")
    gates = _text_list(raw.get("approval_gates", []), "approval_gates", fail)
    for gate in gates:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", gate):
            raise fail(
                f"field 'approval_gates': {shown(gate)} is not a gate name "
                "like 'architecture_approved'"
            )
    planned = _text_list(raw.get("planned_files", []), "planned_files", fail)
    for path in planned:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or "\\" in path or not path.strip():
            raise fail(
                f"field 'planned_files': {shown(path)} must be a relative path inside the project"
            )

    reads_all, reads = _parse_reads(raw.get("reads", []), produces, fail)
    fan_out = _parse_fan_out(raw.get("fan_out"), produces, fail)
    phase_type = raw.get("phase_type", "generate").strip() or "generate"
    model, provider = _parse_model(raw, fail)
    return PhaseSpec(
        name=name,
        description=description,
        agent=agent,
        produces=tuple(produces),
        depends_on=tuple(depends_on),
        estimated_duration_s=duration,
        phase_type=phase_type,
        requires_stack=raw.get("requires_stack", False),
        priority=raw.get("priority", 0),
        validators=tuple(validators),
        approval_gates=tuple(gates),
        planned_files=tuple(str(PurePosixPath(p)) for p in planned),
        reads=tuple(reads),
        reads_all_upstream=reads_all,
        fan_out=fan_out,
        model=model,
        provider=provider,
    )


def _parse_model(raw: Mapping[str, Any], fail: Any) -> tuple[str, str]:
    """``model:`` (a model's name) and ``provider:`` (one of ``PROVIDERS``), both optional."""
    model = raw.get("model", "").strip()
    provider = raw.get("provider", "").strip()
    if "model" in raw and (not model or not model.isprintable() or len(model) > 128):
        raise fail(
            f"field 'model' must name a model such as 'claude-haiku-4-5', got {shown(raw['model'])}"
        )
    if "provider" in raw and provider not in PROVIDERS:
        raise fail(
            f"field 'provider': unknown provider {shown(raw['provider'])} "
            f"(known: {', '.join(PROVIDERS)})"
        )
    if provider == "openai_compatible" and not model:
        raise fail("field 'provider': an openai_compatible phase needs a 'model:' too")
    return model, provider


def _parse_reads(value: Any, produces: Sequence[str], fail: Any) -> tuple[bool, list[str]]:
    """``reads: all`` or a list of artifact names (checked against the graph later)."""
    if isinstance(value, str):
        if value.strip() != "all":
            raise fail(
                f"field 'reads' must be a list of artifact names or 'all', got {shown(value)}"
            )
        return True, []
    reads = _text_list(value, "reads", fail)
    if len(set(reads)) != len(reads):
        raise fail("field 'reads' lists an artifact twice")
    for artifact in reads:
        if artifact in produces:
            raise fail(f"field 'reads': {shown(artifact)} is produced by this phase itself")
    return False, reads


def _parse_fan_out(value: Any, produces: Sequence[str], fail: Any) -> FanOutRule | None:
    """``fan_out: NAME`` (a known rule) or ``fan_out: {from: ARTIFACT, items: PREFIX}``."""
    if value is None:
        return None
    if len(produces) != 1:
        raise fail("field 'fan_out': a phase that fans out must produce exactly one artifact")
    if isinstance(value, str):
        rule = FAN_OUT_RULES.get(value.strip())
        if rule is None:
            known = ", ".join(sorted(FAN_OUT_RULES))
            raise fail(
                f"field 'fan_out': unknown rule {shown(value)}{_suggest(value, FAN_OUT_RULES)} "
                f"(known: {known}; or give {{from: ARTIFACT, items: PREFIX}})"
            )
        return rule
    if not isinstance(value, dict):
        raise fail(
            "field 'fan_out' must be a rule name such as 'epics' or a mapping "
            f"{{from: ARTIFACT, items: PREFIX}}, got {_type_name(value)}"
        )
    unknown = sorted(str(k) for k in value if k not in ("from", "items", "label", "renumber"))
    if unknown:
        raise fail(
            f"field 'fan_out': unknown key {shown(unknown[0])} (known: from, items, "
            "label, renumber)"
        )
    source, prefix = value.get("from"), value.get("items")
    if not isinstance(source, str) or not _ARTIFACT_NAME.fullmatch(source.strip()):
        raise fail("field 'fan_out': 'from' must name the artifact whose items are split out")
    words: dict[str, str] = {}
    for key, default in (("items", ""), ("label", "item"), ("renumber", "")):
        raw_word = value.get(key, default)
        word = raw_word.strip() if isinstance(raw_word, str) else ""
        if (key == "items" or raw_word) and not re.fullmatch(r"[A-Za-z]{1,8}", word):
            raise fail(
                f"field 'fan_out': {key!r} must be a short ID prefix such as 'E' (for E-1, "
                f"E-2...), got {shown(raw_word if key != 'items' else prefix)}"
            )
        words[key] = word
    return FanOutRule(
        name=f"{source.strip()}:{words['items']}",
        source=source.strip(),
        prefix=words["items"],
        label=words["label"].lower() if value.get("label") else "item",
        child_prefix=words["renumber"],
    )


def _resolve_artifact_dependencies(phases: dict[str, PhaseSpec]) -> dict[str, PhaseSpec]:
    """``depends_on`` may name an artifact instead of a phase: the phase then depends on the
    artifact's producer and reads only that of its artifacts (unknown names stay, for
    ``_check_graph`` to report)."""
    producers = {a: p.name for p in phases.values() for a in p.produces}
    resolved: dict[str, PhaseSpec] = {}
    for name, phase in phases.items():
        named = [d for d in phase.depends_on if d not in phases and d in producers]
        if not named:
            resolved[name] = phase
            continue
        depends: list[str] = []
        for dependency in phase.depends_on:
            target = producers[dependency] if dependency in named else dependency
            if target not in depends:
                depends.append(target)
        if name in depends:
            raise SpecError(
                f"phase {name}: field 'depends_on': {', '.join(named)} is its own artifact"
            )
        whole = {d for d in phase.depends_on if d in phases}
        artifacts = tuple(a for a in named if producers[a] not in whole)
        resolved[name] = replace(phase, depends_on=tuple(depends), dependency_artifacts=artifacts)
    return resolved


def _text_list(value: list[Any], key: str, fail: Any) -> list[str]:
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise fail(f"field {key!r} must be a list of text, found {shown(item)}")
        items.append(item.strip())
    return items


def _check_graph(phases: Mapping[str, PhaseSpec], source: str | None) -> None:
    producers: dict[str, str] = {}
    gates: dict[str, str] = {}
    for phase in phases.values():
        for dependency in phase.depends_on:
            if dependency not in phases and _ARTIFACT_NAME.fullmatch(dependency):
                raise SpecError(
                    f"phase {phase.name}: field 'depends_on': no phase produces "
                    f"{shown(dependency)}{_suggest(dependency, producers_of(phases))}",
                    source=source,
                )
            if dependency not in phases:
                raise SpecError(
                    f"phase {phase.name}: field 'depends_on': unknown phase {shown(dependency)}"
                    f"{_suggest(dependency, phases)}",
                    source=source,
                )
        for field_name, items, owners, taken in (
            (
                "produces",
                phase.produces,
                producers,
                "{} is already produced by phase {} (each artifact has one producer)",
            ),
            ("approval_gates", phase.approval_gates, gates, "gate {} is already on phase {}"),
        ):
            for item in items:
                if item in owners:
                    raise SpecError(
                        f"phase {phase.name}: field {field_name!r}: "
                        + taken.format(shown(item), owners[item]),
                        source=source,
                    )
                owners[item] = phase.name
    cycle = find_cycle({p.name: list(p.depends_on) for p in phases.values()})
    if cycle:
        # depends_on points backwards; report the cycle in the direction work flows.
        flow = list(reversed(cycle))
        raise SpecError(
            f"phase {flow[0]}: field 'depends_on': dependency cycle {' -> '.join(flow)}",
            source=source,
        )
    _check_reads(phases, producers, source)
    _check_fan_out(phases, producers, source)


def producers_of(phases: Mapping[str, PhaseSpec]) -> dict[str, str]:
    """Artifact → the phase producing it."""
    return {a: p.name for p in phases.values() for a in p.produces}


def _check_fan_out(
    phases: Mapping[str, PhaseSpec], producers: Mapping[str, str], source: str | None
) -> None:
    """A phase fans out over an artifact it reads."""
    for phase in phases.values():
        rule = phase.fan_out
        if rule is None:
            continue
        producer = producers.get(rule.source)
        if producer is None:
            raise SpecError(
                f"phase {phase.name}: field 'fan_out': no phase produces {shown(rule.source)}",
                source=source,
            )
        if producer not in phase.depends_on and rule.source not in phase.reads:
            raise SpecError(
                f"phase {phase.name}: field 'fan_out': it splits {rule.source}, which it does "
                f"not read (add {producer} to depends_on)",
                source=source,
            )


def _check_reads(
    phases: Mapping[str, PhaseSpec], producers: Mapping[str, str], source: str | None
) -> None:
    """Every artifact a phase ``reads`` is produced upstream of it (so it exists in time)."""
    upstream: dict[str, set[str]] = {}

    def above(name: str) -> set[str]:
        # Iterative, so a long chain of phases cannot exhaust the stack.
        stack = [name]
        while stack:
            current = stack[-1]
            if current in upstream:
                stack.pop()
                continue
            missing = [d for d in phases[current].depends_on if d not in upstream]
            if missing:
                stack.extend(missing)
                continue
            found: set[str] = set()
            for dependency in phases[current].depends_on:
                found.add(dependency)
                found |= upstream[dependency]
            upstream[current] = found
            stack.pop()
        return upstream[name]

    for phase in phases.values():
        for artifact in phase.reads:
            producer = producers.get(artifact)
            if producer is None:
                raise SpecError(
                    f"phase {phase.name}: field 'reads': no phase produces {shown(artifact)}"
                    f"{_suggest(artifact, producers)}",
                    source=source,
                )
            if producer not in above(phase.name):
                raise SpecError(
                    f"phase {phase.name}: field 'reads': {shown(artifact)} is made by phase "
                    f"{producer}, which is not upstream of it (add {producer} to depends_on)",
                    source=source,
                )


def _suggest(word: str, choices: Any) -> str:
    if len(word) > 100:  # nothing that long is a typo of a field name
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        str: "text",
        list: "a list",
        dict: "a mapping",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
