"""The architect: stack.md, architecture.md, data-model.md, api-spec.md and dependencies.md.

Components, entities and endpoints are derived from the requirements read from prd.md and the
stack read from stack.md, so edits to either flow into the design.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spec_automation.agents.artifact_text import bullets, find_section, sections
from spec_automation.agents.brief import Brief
from spec_automation.agents.offline.stack import Stack, choose_stack, stack_from_inputs
from spec_automation.agents.offline.upstream import (
    Requirement,
    artifact,
    group_by_theme,
    requirements_from_inputs,
)

__all__ = [
    "write_api_spec",
    "write_architecture",
    "write_data_model",
    "write_dependencies",
    "write_stack",
]


@dataclass(frozen=True, slots=True)
class _Component:
    name: str
    responsibility: str
    depends_on: tuple[str, ...]
    requirement_ids: tuple[str, ...]


# Field sets for entities whose names are common in briefs; others get a generic set.
_KNOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "shift": ("starts_at: timestamp", "ends_at: timestamp", "role: text", "status: enum"),
    "request": ("kind: enum", "starts_on: date", "ends_on: date", "status: enum", "note: text"),
    "notification": ("channel: enum", "message: text", "sent_at: timestamp", "read_at: timestamp"),
    "report": ("period_start: date", "period_end: date", "format: enum"),
    "invoice": ("number: text", "amount_cents: integer", "currency: text", "due_on: date"),
    "payment": ("amount_cents: integer", "currency: text", "paid_at: timestamp"),
    "message": ("body: text", "sent_at: timestamp"),
    "document": ("title: text", "file_url: text", "version: integer"),
    "location": ("name: text", "address: text", "timezone: text"),
    "clinic": ("name: text", "address: text", "timezone: text"),
    "site": ("name: text", "address: text", "timezone: text"),
    "schedule": (
        "period_start: date",
        "period_end: date",
        "status: enum",
        "published_at: timestamp",
    ),
    "rota": ("period_start: date", "period_end: date", "status: enum", "published_at: timestamp"),
    "task": ("title: text", "status: enum", "due_on: date"),
    "comment": ("body: text",),
    "appointment": ("starts_at: timestamp", "ends_at: timestamp", "status: enum"),
    "booking": ("starts_at: timestamp", "ends_at: timestamp", "status: enum"),
}


def write_stack(brief: Brief, inputs: Mapping[str, str]) -> str:  # noqa: ARG001
    """Write stack.md: the chosen layers (machine-readable), rationale and alternatives."""
    stack = choose_stack(brief)
    platforms = ", ".join(brief.platforms) or "web (assumed; the brief names no platform)"
    named = ", ".join(brief.technologies) or "none"
    parts = [
        f"# Technology stack: {brief.name}",
        f"Platforms from the brief: {platforms}. Technologies the brief names: {named}.",
        "## Chosen stack",
        "\n".join(f"- {layer.name}: {layer.choice}" for layer in stack.layers),
        "## Rationale",
        "\n".join(f"- **{layer.name}**: {layer.rationale}" for layer in stack.layers),
        "## Alternatives considered",
        "\n".join(f"- **{layer.name}**: {layer.alternatives}" for layer in stack.layers),
        "## Constraints honoured",
        "\n".join(f"- {c}" for c in brief.constraints) or "- None stated in the brief.",
    ]
    return "\n\n".join(parts) + "\n"


def write_architecture(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write architecture.md: components from the requirement themes and the stack, with a
    traceability table covering every ``FR-n`` of prd.md."""
    requirements = requirements_from_inputs(inputs, brief)
    stack = stack_from_inputs(inputs, brief)
    components = _components(requirements, stack, brief)
    parts = [
        f"# Architecture: {brief.name}",
        "## Overview",
        _overview(stack, components),
        "## Components",
        "\n\n".join(_component_block(c) for c in components),
        "## Requirement traceability",
        _traceability(requirements, components),
        "## Cross-cutting concerns",
        "\n".join(f"- {need}" for need in brief.non_functional)
        or "- Logging, error reporting and access control apply to every component.",
    ]
    return "\n\n".join(parts) + "\n"


def write_data_model(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write data-model.md: one entity per requirement theme plus User, with fields and links."""
    requirements = requirements_from_inputs(inputs, brief)
    entities = _entities(requirements)
    blocks = [_entity_block(name, ids, entities) for name, ids in entities]
    parts = [
        f"# Data model: {brief.name}",
        "Entities come from the nouns of the functional requirements. Every entity has an "
        "`id` (UUID), `created_at` and `updated_at`.",
        "## Entities",
        "\n\n".join(blocks),
        "## Relations",
        "\n".join(f"- {name} belongs to User (`owner_id`)" for name, _ in entities[1:])
        or "- No relations yet.",
    ]
    return "\n\n".join(parts) + "\n"


def write_api_spec(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write api-spec.md: REST endpoints per entity, or in-process commands for a desktop stack."""
    requirements = requirements_from_inputs(inputs, brief)
    stack = stack_from_inputs(inputs, brief)
    entities = _entities(requirements)[1:] or [("Item", ())]
    if stack.has_server:
        intro = (
            "JSON over HTTPS. All endpoints need an authenticated session; errors use "
            "RFC 9457 problem details."
        )
        blocks = [_rest_block(name, ids) for name, ids in entities]
    else:
        intro = (
            "The desktop app has no network API: the UI calls these application-core "
            "commands (async functions) directly, and they return plain dataclasses."
        )
        blocks = [_command_block(name, ids) for name, ids in entities]
    parts = [f"# API specification: {brief.name}", intro, "## Endpoints", "\n\n".join(blocks)]
    return "\n\n".join(parts) + "\n"


def write_dependencies(brief: Brief, inputs: Mapping[str, str]) -> str:
    """Write dependencies.md: libraries per stack layer and the component graph of
    architecture.md."""
    stack = stack_from_inputs(inputs, brief)
    libraries = _libraries(stack)
    parts = [
        f"# Dependencies: {brief.name}",
        "## Libraries",
        "| Layer | Library | Purpose |\n|---|---|---|\n"
        + "\n".join(f"| {layer} | {lib} | {purpose} |" for layer, lib, purpose in libraries),
        "## Services",
        "\n".join(
            f"- {name}: external integration (credentials per environment)"
            for name in brief.integrations
        )
        or "- None beyond the stack's own.",
        "## Component dependencies",
        _component_dependencies(artifact(inputs, "architecture.md")),
    ]
    return "\n\n".join(parts) + "\n"


# --- components -----------------------------------------------------------------------------


def _components(
    requirements: Sequence[Requirement], stack: Stack, brief: Brief
) -> list[_Component]:
    ui_name = "Mobile app" if stack.ui_kind == "mobile" else "User interface"
    core = "API" if stack.has_server else "Application core"
    store = "Data store"
    themed = []
    for theme, members in group_by_theme(requirements):
        name = f"{theme.replace('-', ' ').capitalize()} module"
        responsibility = "Owns " + "; ".join(r.title.lower() for r in members) + "."
        themed.append(_Component(name, responsibility, (store,), tuple(r.id for r in members)))
    all_ids = tuple(r.id for r in requirements)
    core_choice = stack.choice("Backend") or stack.choice("Application core") or "the core language"
    store_choice = stack.choice("Database") or stack.choice("Storage") or "a relational database"
    ui_choice = stack.choice("Frontend") or stack.choice("Desktop UI") or stack.choice("Mobile")
    components = [
        _Component(
            ui_name,
            f"Screens and interaction, built with {ui_choice or 'the chosen UI toolkit'}.",
            (core,),
            all_ids,
        ),
        _Component(
            core,
            f"Entry point for every user action, built with {core_choice}; "
            "checks permissions and calls the modules.",
            tuple(c.name for c in themed),
            all_ids,
        ),
        *themed,
        _Component(
            store,
            f"Persistence: {store_choice}.",
            (),
            (),
        ),
    ]
    if brief.integrations:
        names = ", ".join(brief.integrations)
        components.append(_Component("Integrations gateway", f"Adapters for {names}.", (core,), ()))
    return components


def _overview(stack: Stack, components: Sequence[_Component]) -> str:
    layers = "; ".join(f"{layer.name}: {layer.choice}" for layer in stack.layers)
    return (
        f"A layered design of {len(components)} components. Requests flow from the user "
        "interface through one entry point to domain modules, which own their data in the data "
        f"store. Stack: {layers}."
    )


def _component_block(component: _Component) -> str:
    depends = ", ".join(component.depends_on) or "none"
    ids = ", ".join(component.requirement_ids) or "supporting"
    return (
        f"### {component.name}\n\n{component.responsibility}\n\n"
        f"- Depends on: {depends}\n- Requirements: {ids}"
    )


def _traceability(requirements: Sequence[Requirement], components: Sequence[_Component]) -> str:
    rows = []
    for requirement in requirements:
        owners = [c.name for c in components if requirement.id in c.requirement_ids]
        rows.append(f"| {requirement.id} | {requirement.title} | {', '.join(owners) or '—'} |")
    if not rows:
        return "No functional requirements were found in prd.md."
    return "| Requirement | Title | Components |\n|---|---|---|\n" + "\n".join(rows)


def _component_dependencies(architecture_md: str) -> str:
    components = find_section(architecture_md, "components")
    lines = []
    for section in sections(components):
        depends = ""
        for line in bullets(section.body):
            match = re.match(r"depends on:\s*(.+)", line, re.IGNORECASE)
            if match:
                depends = match.group(1)
        lines.append(f"- {section.title} → {depends or 'none stated'}")
    return "\n".join(lines) or "- architecture.md is not available; components to be listed."


# --- data model and API ---------------------------------------------------------------------


def _entities(requirements: Sequence[Requirement]) -> list[tuple[str, tuple[str, ...]]]:
    """(Entity name, requirement IDs) with User first; one entity per requirement theme."""
    entities: list[tuple[str, tuple[str, ...]]] = [("User", ())]
    for theme, members in group_by_theme(requirements):
        name = "".join(part.capitalize() for part in theme.split("-"))
        if name == "User":
            entities[0] = ("User", tuple(r.id for r in members))
        else:
            entities.append((name, tuple(r.id for r in members)))
    return entities


def _entity_block(name: str, ids: Sequence[str], entities: Sequence[tuple[str, object]]) -> str:
    if name == "User":
        fields = ["email: text (unique)", "display_name: text", "role: enum"]
    else:
        fields = ["owner_id: User"]
        fields += list(
            _KNOWN_FIELDS.get(name.lower(), ("name: text", "status: enum", "notes: text"))
        )
    cites = f"Requirements: {', '.join(ids)}" if ids else "Supports every requirement"
    rows = "\n".join(f"  - {field}" for field in fields)
    related = [other for other, _ in entities if other != name]
    relations = (
        "has many " + ", ".join(related) if name == "User" and related else "belongs to User"
    )
    return f"### {name}\n\n{cites}\n\n- Fields:\n{rows}\n- Relations: {relations}"


def _plural(name: str) -> str:
    slug = re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
    if slug.endswith("y") and not slug.endswith(("ay", "ey", "oy")):
        return slug[:-1] + "ies"
    return slug + ("es" if slug.endswith(("s", "x", "ch", "sh")) else "s")


def _rest_block(name: str, ids: Sequence[str]) -> str:
    path = f"/api/{_plural(name)}"
    endpoints = [
        ("GET", path, f"List {name} records (paged, filterable)"),
        ("POST", path, f"Create a {name}"),
        ("GET", f"{path}/{{id}}", f"Read one {name}"),
        ("PATCH", f"{path}/{{id}}", f"Update a {name}"),
        ("DELETE", f"{path}/{{id}}", f"Delete a {name}"),
    ]
    return _operations_block(name, ("Method", "Path", "Purpose"), endpoints, ids)


def _command_block(name: str, ids: Sequence[str]) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    commands = [
        (f"list_{snake}s(filter)", f"List {name} records"),
        (f"create_{snake}(data)", f"Create a {name}"),
        (f"update_{snake}(id, changes)", f"Update a {name}"),
        (f"delete_{snake}(id)", f"Delete a {name}"),
    ]
    return _operations_block(name, ("Command", "Purpose"), commands, ids)


def _operations_block(
    name: str, columns: Sequence[str], operations: Sequence[Sequence[str]], ids: Sequence[str]
) -> str:
    """An entity's heading and a table of its operations, each row citing its requirements."""
    cites = ", ".join(ids) or "—"
    header = f"| {' | '.join(columns)} | Requirements |\n" + "|---" * (len(columns) + 1) + "|\n"
    rows = [f"| {' | '.join(cells)} | {cites} |" for cells in operations]
    return f"### {name}\n\n" + header + "\n".join(rows)


# --- libraries ------------------------------------------------------------------------------

# Keyword in the stack → (layer, library, purpose). Checked in order; each row at most once.
_LIBRARIES: tuple[tuple[str, str, str, str], ...] = (
    ("Next.js", "Frontend", "next", "Routing, server rendering and route handlers"),
    ("React 19", "Frontend", "react, react-dom", "UI components"),
    ("React", "Frontend", "shadcn/ui (Radix UI primitives)", "Accessible UI components"),
    ("React", "Frontend", "tailwindcss", "Styling from the design tokens"),
    ("React", "Frontend", "react-hook-form + zod", "Forms with typed validation"),
    ("React", "Frontend", "@tanstack/react-query", "Server state and caching"),
    ("Vue", "Frontend", "vue, nuxt, pinia", "UI, routing and state"),
    ("Prisma", "Database", "prisma, @prisma/client", "Schema, migrations and typed queries"),
    ("Node.js", "Backend", "zod", "Request validation"),
    ("BullMQ", "Background jobs", "bullmq, ioredis", "Job queue with retries"),
    ("Django", "Backend", "django, djangorestframework", "Web framework and REST API"),
    ("FastAPI", "Backend", "fastapi, pydantic, uvicorn", "HTTP API with typed models"),
    ("FastAPI", "Database", "sqlalchemy, alembic, psycopg", "ORM and migrations"),
    ("Spring Boot", "Backend", "spring-boot-starter-web, spring-data-jpa", "Web and persistence"),
    ("PostgreSQL", "Database", "PostgreSQL 16 server", "Primary relational store"),
    ("PySide6", "Desktop UI", "PySide6", "Qt 6 widgets"),
    ("PySide6", "Desktop UI", "qasync", "asyncio on the Qt event loop"),
    ("SQLite", "Storage", "sqlalchemy, alembic", "ORM and schema migrations"),
    ("PyInstaller", "Packaging", "pyinstaller", "Standalone installers"),
    ("React Native", "Mobile", "expo, react-native", "Cross-platform mobile runtime"),
    ("React Native", "Mobile", "expo-sqlite", "Offline storage on the device"),
    ("Flutter", "Mobile", "flutter_riverpod, drift", "State and local storage"),
    ("Typer", "CLI", "typer, rich", "Commands and terminal output"),
    ("single sign-on", "Auth", "openid-client / SAML library of the backend", "Single sign-on"),
    ("OAuth", "Auth", "Auth.js (or the backend's auth library)", "Sign-in and sessions"),
    ("Vitest", "Testing", "vitest, @testing-library/react", "Unit and component tests"),
    ("Playwright", "Testing", "@playwright/test", "End-to-end tests"),
    ("pytest", "Testing", "pytest", "Unit tests"),
    ("pytest-qt", "Testing", "pytest-qt", "Widget tests"),
)


def _libraries(stack: Stack) -> list[tuple[str, str, str]]:
    text = stack.text
    rows = [(layer, lib, purpose) for key, layer, lib, purpose in _LIBRARIES if key in text]
    return rows or [("Core", "the standard library of the chosen language", "Everything")]
