"""The developer, offline: a deterministic Python scaffold built from the specification.

From ``data-model.md`` a module of typed dataclasses (one per entity, its fields typed from
the model's words: text, date, timestamp, number, enum, a reference to another entity); from
``api-spec.md`` one module per resource with a typed function per endpoint or command, each
raising ``NotImplementedError`` with the endpoint and the requirements it serves; from
``prd.md`` one pytest test per acceptance criterion, marked xfail with the criterion as its
reason, calling the stub its requirement is served by, in one test module per epic of
``epics.md`` (the requirements it cites). Written one epic at a time (``fan_out:
epic_code``), the foundation part writes the package and each epic's part its tests. It
passes ruff, basedpyright and pytest as written, so the quality gates check real code from
the first run; ``implementation.md`` lists every file with what it holds.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.artifact_text import find_section, items, sections
from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.upstream import (
    Epic,
    Requirement,
    artifact,
    epics_from_inputs,
    requirement_ids,
    requirements_from_inputs,
)
from spec_automation.core.fan_out import FanOutItem

__all__ = ["Scaffold", "package_name", "write_scaffold"]

_TYPES = {
    "text": "str",
    "string": "str",
    "enum": "str",
    "date": "datetime.date",
    "timestamp": "datetime.datetime",
    "datetime": "datetime.datetime",
    "time": "datetime.time",
    "number": "float",
    "decimal": "float",
    "money": "float",
    "integer": "int",
    "int": "int",
    "count": "int",
    "boolean": "bool",
    "bool": "bool",
    "flag": "bool",
}


@dataclass(frozen=True, slots=True)
class Scaffold:
    """What the developer writes: the manifest's body and the code files (path → text)."""

    manifest: str
    files: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Entity:
    name: str
    fields: tuple[tuple[str, str], ...]  # (python name, python type)
    requirements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Operation:
    function: str
    signature: str
    returns: str
    summary: str  # "GET /api/rotas: List Rota records"
    requirements: tuple[str, ...]


def package_name(brief: Brief) -> str:
    """The product's name as a Python package name ("ShiftCare" → ``shiftcare``)."""
    name = re.sub(r"[^a-z0-9]+", "_", brief.name.lower()).strip("_") or "app"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"app_{name}"
    return name


def write_scaffold(
    brief: Brief, inputs: Mapping[str, str], item: FanOutItem | None = None
) -> Scaffold:
    """The scaffold of the product the specification describes, or one part of it.

    The whole scaffold is the foundation (the package, its models and its API stubs) and one
    test module per epic of ``epics.md`` with the acceptance tests of the requirements it
    cites (one ``tests/test_acceptance.py`` for all of them when there are no epics). For one
    call of a phase that fans out over the epics, ``item`` picks the part: the foundation
    (the lead part) or one epic's tests; the parts together are the whole scaffold.
    """
    package = package_name(brief)
    entities = _entities(artifact(inputs, "data-model.md"))
    resources = _resources(artifact(inputs, "api-spec.md"), {e.name for e in entities})
    requirements = requirements_from_inputs(inputs, brief)
    criteria = _criteria(artifact(inputs, "prd.md"), requirements)
    if item is not None and item.lead:
        files = _foundation(brief, package, entities, resources)
        return Scaffold(_part_manifest(brief, item, files), files)
    epics = epics_from_inputs(inputs)
    if item is not None:
        files = _epic_tests(package, [e for e in epics if e.id == item.key], criteria, resources)
        return Scaffold(_part_manifest(brief, item, files), files)
    files = _foundation(brief, package, entities, resources)
    if epics:
        files.update(_epic_tests(package, epics, criteria, resources))
    else:
        files["tests/test_acceptance.py"] = _tests(package, criteria, resources)
    tested = sum(text.count("@pytest.mark.xfail(") for text in files.values())
    return Scaffold(_manifest(brief, package, files, entities, resources, tested), files)


def _foundation(
    brief: Brief,
    package: str,
    entities: Sequence[_Entity],
    resources: Mapping[str, Sequence[_Operation]],
) -> dict[str, str]:
    """The package every epic builds on: its project file, models and API stubs."""
    files: dict[str, str] = {
        "pyproject.toml": _pyproject(package, brief),
        ".gitignore": "__pycache__/\n.pytest_cache/\n.ruff_cache/\n.venv/\n*.egg-info/\n",
        f"src/{package}/__init__.py": f'"""{brief.name}: the application package."""\n',
        f"src/{package}/py.typed": "",
        f"src/{package}/models.py": _models(brief, entities),
        f"src/{package}/api/__init__.py": f'"""{brief.name}: one module per API resource."""\n',
    }
    for resource, operations in resources.items():
        files[f"src/{package}/api/{_snake(resource)}.py"] = _api_module(
            package, resource, operations, {e.name for e in entities}
        )
    return files


def _epic_tests(
    package: str,
    epics: Sequence[Epic],
    criteria: Sequence[tuple[Requirement, str]],
    resources: Mapping[str, Sequence[_Operation]],
) -> dict[str, str]:
    """One test module per epic: the acceptance tests of the requirements it cites (none for
    an epic whose requirements have no criteria)."""
    files: dict[str, str] = {}
    for epic in epics:
        cited = set(epic.requirement_ids)
        own = [(r, c) for r, c in criteria if r.id in cited]
        if own:
            slug = _snake(epic.title)[:40].strip("_")
            name = f"tests/test_{_snake(epic.id).replace('_', '')}_{slug}.py"
            files[name] = _tests(package, own, resources, f"{epic.id}: {epic.title}")
    return files


# --- reading the specification ----------------------------------------------------------------


def _entities(data_model: str) -> list[_Entity]:
    block = find_section(data_model, "entities")
    found: list[_Entity] = []
    for section in sections("## Entities\n" + block):
        if section.level != 3 or not re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", section.title):
            continue
        name = _pascal(section.title)
        fields = []
        for line in section.body.splitlines():
            match = re.match(r"^\s{2,}[-*]\s+`?([A-Za-z_][A-Za-z0-9_ ]*)`?\s*:\s*(.+)$", line)
            if match:
                fields.append((_snake(match.group(1)), match.group(2).strip()))
        found.append(_Entity(name, tuple(fields), tuple(requirement_ids(section.body))))
    names = {e.name for e in found}
    return [
        _Entity(e.name, tuple((f, _python_type(t, names)) for f, t in e.fields), e.requirements)
        for e in found
    ]


def _python_type(words: str, entities: set[str]) -> str:
    first = re.split(r"[\s(,]", words.strip().strip("`"), maxsplit=1)[0]
    if _pascal(first) in entities:
        return "str"  # a reference: the other entity's id
    return _TYPES.get(first.lower(), "str")


def _resources(api_spec: str, entities: set[str]) -> dict[str, list[_Operation]]:
    block = find_section(api_spec, "endpoints", "commands")
    found: dict[str, list[_Operation]] = {}
    for section in sections("## Endpoints\n" + block):
        if section.level != 3:
            continue
        resource = _pascal(section.title)
        operations: list[_Operation] = []
        seen: set[str] = set()
        for line in section.body.splitlines():
            cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            if (
                len(cells) < 3
                or cells[0].lower() in {"method", "command"}
                or set(cells[0])
                <= {
                    "-",
                    ":",
                }
            ):
                continue
            operation = _operation(resource, cells, resource in entities)
            if operation is not None and operation.function not in seen:
                seen.add(operation.function)
                operations.append(operation)
        if operations:
            found[resource] = operations
    return found


def _operation(resource: str, cells: Sequence[str], is_entity: bool) -> _Operation | None:
    method, path, purpose = cells[0].upper(), cells[1], cells[2]
    requirements = tuple(requirement_ids(" ".join(cells[3:])))
    noun = _snake(resource)
    model = resource if is_entity else "dict[str, object]"
    with_id = "{" in path
    verbs = {
        ("GET", False): (f"list_{noun}s", "page: int = 1", f"list[{model}]"),
        ("GET", True): (f"get_{noun}", f"{noun}_id: str", model),
        ("POST", False): (f"create_{noun}", f"data: {model}", model),
        ("PUT", True): (f"replace_{noun}", f"{noun}_id: str, data: {model}", model),
        ("PATCH", True): (f"update_{noun}", f"{noun}_id: str, changes: dict[str, object]", model),
        ("DELETE", True): (f"delete_{noun}", f"{noun}_id: str", "None"),
    }
    chosen = verbs.get((method, with_id))
    if chosen is None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", _snake(method)):
            return None
        chosen = (_snake(method), "", "None")  # a command named in the first column
    function, signature, returns = chosen
    return _Operation(function, signature, returns, f"{method} {path}: {purpose}", requirements)


def _criteria(prd: str, requirements: Sequence[Requirement]) -> list[tuple[Requirement, str]]:
    """Each requirement's acceptance criteria (the bullets under "Acceptance criteria:"),
    or its statement when it lists none."""
    bodies = {item.id: item.body for item in items(prd, "FR")}
    found: list[tuple[Requirement, str]] = []
    for requirement in requirements:
        body = bodies.get(requirement.id, "")
        _, marker, after = body.partition("Acceptance criteria")
        criteria = (
            [m.group(1).strip() for m in re.finditer(r"^\s+[-*]\s+(.+)$", after, re.MULTILINE)]
            if marker
            else []
        )
        found.extend((requirement, c) for c in criteria or [requirement.statement])
    return found


# --- writing the code -------------------------------------------------------------------------


def _pyproject(package: str, brief: Brief) -> str:
    return (
        "[project]\n"
        f'name = "{package}"\n'
        'version = "0.1.0"\n'
        f'description = "{_quoted(brief.summary or brief.name)}"\n'
        'requires-python = ">=3.11"\n\n'
        "[tool.pytest.ini_options]\n"
        'testpaths = ["tests"]\n'
        'pythonpath = ["src"]\n'
        "xfail_strict = true\n\n"
        "[tool.ruff]\n"
        "line-length = 100\n"
        'src = ["src", "tests"]\n\n'
        "[tool.basedpyright]\n"
        'include = ["src", "tests"]\n'
        'extraPaths = ["src"]\n'
        'typeCheckingMode = "standard"\n'
    )


def _models(brief: Brief, entities: Sequence[_Entity]) -> str:
    uses_datetime = any("datetime." in t for e in entities for _f, t in e.fields)
    lines = [
        f'"""The entities of {_quoted(brief.name)}, as data-model.md describes them."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if uses_datetime:
        lines.append("import datetime")
    lines += ["from dataclasses import dataclass", ""]
    if not entities:
        lines += ["", "# data-model.md names no entities yet.", ""]
    for entity in entities:
        served = ", ".join(entity.requirements) or "every requirement"
        lines += [
            "",
            "@dataclass(slots=True)",
            f"class {entity.name}:",
            f'    """{entity.name} (serves {served})."""',
            "",
            "    id: str",
            "    created_at: datetime.datetime" if uses_datetime else "    created_at: str",
            "    updated_at: datetime.datetime" if uses_datetime else "    updated_at: str",
        ]
        taken = {"id", "created_at", "updated_at"}
        for field, kind in entity.fields:
            if field in taken or keyword.iskeyword(field):
                continue
            taken.add(field)
            lines.append(f"    {field}: {kind}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _api_module(
    package: str, resource: str, operations: Sequence[_Operation], entities: set[str]
) -> str:
    lines = [
        f'"""The {resource} resource: one function per endpoint of api-spec.md, to implement."""',
        "",
        "from __future__ import annotations",
        "",
    ]
    if resource in entities:
        lines += [f"from {package}.models import {resource}", ""]
    for operation in operations:
        served = ", ".join(operation.requirements) or "no requirement named"
        lines += [
            "",
            f"def {operation.function}({operation.signature}) -> {operation.returns}:",
            f'    """{_quoted(operation.summary)} (serves {served})."""',
            f'    raise NotImplementedError("{_quoted(operation.summary)}")',
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _tests(
    package: str,
    criteria: Sequence[tuple[Requirement, str]],
    resources: Mapping[str, Sequence[_Operation]],
    epic: str = "",
) -> str:
    by_requirement: dict[str, tuple[str, _Operation]] = {}
    for resource, operations in resources.items():
        for operation in operations:
            for served_id in operation.requirements:
                by_requirement.setdefault(served_id, (resource, operation))
    cited = {r.id for r, _c in criteria}
    imports = sorted({_snake(r) for rid, (r, _o) in by_requirement.items() if rid in cited})
    scope = f" of {_quoted(epic)}" if epic else ""
    lines = [
        f'"""One test per acceptance criterion{scope} in prd.md: each fails until it is built."""',
        "",
        "from __future__ import annotations",
        "",
        "import pytest",
        "",
    ]
    if len(imports) == 1:
        lines += [f"from {package}.api import {imports[0]}", ""]
    elif imports:
        lines += [f"from {package}.api import (", *(f"    {m}," for m in imports), ")", ""]
    counts: dict[str, int] = {}
    for requirement, criterion in criteria:
        counts[requirement.id] = counts.get(requirement.id, 0) + 1
        name = f"test_{_snake(requirement.id)}_{counts[requirement.id]}"
        lines += [
            "",
            "@pytest.mark.xfail(",
            f'    reason="{_quoted(requirement.id)}: {_quoted(criterion)}",',
            "    raises=NotImplementedError,",
            ")",
            f"def {name}() -> None:",
            f'    """{_quoted(requirement.id)} {_quoted(requirement.title)}."""',
        ]
        served = by_requirement.get(requirement.id)
        if served is None:
            lines.append(f'    raise NotImplementedError("{_quoted(requirement.id)}")')
        else:
            resource, operation = served
            lines.append(f"    {_snake(resource)}.{operation.function}({_arguments(operation)})")
        lines.append("")
    if not criteria:
        lines += ["", "def test_the_package_imports() -> None:", f"    import {package}", ""]
        lines[-2] = f"    import {package}  # noqa: F401"
    return "\n".join(lines).rstrip() + "\n"


def _arguments(operation: _Operation) -> str:
    """Arguments for a stub call in a test: an id, a page, or nothing the stub needs."""
    arguments = []
    for parameter in filter(None, (p.strip() for p in operation.signature.split(","))):
        name, _, rest = parameter.partition(":")
        if "=" in rest:
            continue
        kind = rest.strip()
        value = '"id-1"' if kind == "str" else "{}" if kind.startswith("dict") else None
        if value is None:
            return ""  # a model instance: the call would need one; the stub is named only
        arguments.append(f"{name.strip()}={value}")
    return ", ".join(arguments)


_NEXT_STEPS = (
    "- Implement the API functions, resource by resource, in the order of tasks.md.\n"
    "- Each acceptance test turns from an expected failure into a pass as its requirement is "
    "built; remove its xfail mark then."
)


def _manifest(
    brief: Brief,
    package: str,
    files: Mapping[str, str],
    entities: Sequence[_Entity],
    resources: Mapping[str, Sequence[_Operation]],
    tested: int,
) -> str:
    stubs = sum(len(o) for o in resources.values())
    return (
        "\n\n".join(
            [
                f"# Implementation: {brief.name}",
                f"A Python package `{package}` scaffolded from the specification: {len(entities)} "
                f"entities, {stubs} API functions to implement in {len(resources)} modules, and "
                f"{tested} acceptance tests that fail until their requirement is built.",
                "## Files",
                _listing(files),
                "## Next steps",
                _NEXT_STEPS,
            ]
        )
        + "\n"
    )


def _part_manifest(brief: Brief, item: FanOutItem, files: Mapping[str, str]) -> str:
    """One part's manifest: merged with the others' under a heading for each part."""
    tested = sum(text.count("@pytest.mark.xfail(") for text in files.values())
    what = (
        "the package, its models and its API stubs"
        if item.lead
        else f"{tested} acceptance tests of {item.key}"
    )
    listing = _listing(files) or f"Nothing to write: {item.key} cites no requirement with a test."
    return (
        "\n\n".join(
            [
                f"# Implementation: {brief.name}",
                f"{item.heading}: {what}.",
                "## Files",
                listing,
                "## Next steps",
                _NEXT_STEPS,
            ]
        )
        + "\n"
    )


def _listing(files: Mapping[str, str]) -> str:
    return "\n".join(f"- `{path}` ({len(text.splitlines())} lines)" for path, text in files.items())


def _snake(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text.strip())
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "item"


def _pascal(text: str) -> str:
    return (
        "".join(
            part.capitalize() if part.islower() else part
            for part in re.split(r"[^A-Za-z0-9]+", text)
            if part
        )
        or "Item"
    )


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
