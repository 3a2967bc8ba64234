"""The technology stack: chosen from the brief, written to stack.md, read back by later phases.

stack.md carries a ``## Chosen stack`` list of ``- Layer: choice`` lines. Later authors read the
stack from that list rather than from the brief, so a person who edits stack.md (say, swaps
React for Vue) sees the change flow into components, dependencies and tasks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from spec_automation.agents.artifact_text import bullets, find_section, strip_front_matter
from spec_automation.agents.brief import Brief

__all__ = ["Layer", "Stack", "choose_stack", "read_stack", "stack_from_inputs"]

_LAYER_LINE = re.compile(r"^([A-Za-z][A-Za-z /&-]{0,40}):\s+(.+)$")


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer of the stack: what it is built with, why, and what else was weighed."""

    name: str
    choice: str
    rationale: str = ""
    alternatives: str = ""


@dataclass(frozen=True, slots=True)
class Stack:
    """The chosen stack as ordered layers."""

    layers: tuple[Layer, ...]

    def choice(self, layer: str) -> str:
        """The choice for a layer (case-insensitive name), or "" when the stack has none."""
        for entry in self.layers:
            if entry.name.lower() == layer.lower():
                return entry.choice
        return ""

    @property
    def text(self) -> str:
        """Every choice in one string, for keyword checks."""
        return " | ".join(layer.choice for layer in self.layers)

    @property
    def ui_kind(self) -> str:
        """``react`` (web React), ``qt``, ``mobile`` or ``generic``: picks the component kit."""
        text = self.text
        if "PySide" in text or re.search(r"\bQt\b", text):
            return "qt"
        if "React Native" in text or "Flutter" in text or "SwiftUI" in text:
            return "mobile" if not re.search(r"React(?! Native)", text) else "react"
        if "React" in text:
            return "react"
        return "generic"

    @property
    def has_server(self) -> bool:
        """Whether the stack has a network backend (else the API is in-process commands)."""
        return bool(self.choice("Backend"))


def choose_stack(brief: Brief) -> Stack:
    """Pick a stack from the brief's platforms, named technologies and integrations.

    A technology the brief names wins over the default for its layer; with no platform
    named, a web application is assumed (the most common and most portable choice).
    """
    platforms = set(brief.platforms) or {"web"}
    tech = set(brief.technologies)
    layers: list[Layer] = []
    if "desktop" in platforms and not platforms & {"web", "mobile"}:
        layers += _desktop_layers(tech)
    if "web" in platforms:
        layers.append(_web_frontend(tech, brief))
    if "mobile" in platforms:
        layers.append(_mobile_layer(tech))
    if platforms & {"web", "mobile", "api"} or not layers:
        layers += _server_layers(tech, brief)
    if "cli" in platforms:
        layers.append(
            Layer(
                "CLI",
                "Python 3.12 with Typer",
                "The brief asks for a command line; Typer gives typed commands and help text.",
                "Click (lower level), argparse (no dependencies but more code).",
            )
        )
    layers.append(_testing_layer(layers))
    return Stack(tuple(layers))


def read_stack(stack_md: str) -> Stack | None:
    """Read the ``## Chosen stack`` list of a stack.md; ``None`` when there is none to read."""
    section = find_section(strip_front_matter(stack_md), "chosen stack")
    layers = []
    for line in bullets(section):
        match = _LAYER_LINE.match(line)
        if match:
            layers.append(Layer(match.group(1).strip(), match.group(2).strip()))
    return Stack(tuple(layers)) if layers else None


def stack_from_inputs(inputs: Mapping[str, str], brief: Brief) -> Stack:
    """The stack from the stack.md input when present and readable, else chosen from the brief."""
    return read_stack(inputs.get("stack.md", "")) or choose_stack(brief)


def _desktop_layers(tech: set[str]) -> list[Layer]:
    if tech & {"Electron", "Tauri"}:
        shell = "Tauri 2" if "Tauri" in tech else "Electron"
        ui = Layer(
            "Desktop UI",
            f"{shell} with React 19 and TypeScript",
            f"The brief names {shell}; web UI skills carry over to the desktop.",
            "PySide6 (native widgets, Python), Flutter desktop.",
        )
    else:
        ui = Layer(
            "Desktop UI",
            "Python 3.12 with PySide6 (Qt 6 widgets)",
            "A desktop app that must feel native on Windows, macOS and Linux; Qt widgets are "
            "mature, accessible and fast, and Python keeps the core easy to test.",
            "Electron (heavier, web skills), Tauri (Rust toolchain), .NET MAUI (weak on Linux).",
        )
    return [
        ui,
        Layer(
            "Application core",
            "Python 3.12 modules with asyncio",
            "Pure domain logic kept apart from widgets so it is tested without a screen.",
            "Putting logic in widget classes (hard to test).",
        ),
        Layer(
            "Storage",
            "SQLite in WAL mode via SQLAlchemy 2 with Alembic migrations",
            "A local single-user store needs no server; WAL keeps reads fast while writing.",
            "Plain JSON files (no queries or transactions), DuckDB (analytics-oriented).",
        ),
        Layer(
            "Packaging",
            "PyInstaller installers per operating system",
            "Users install one file; no Python needed on their machine.",
            "Briefcase, Nuitka.",
        ),
    ]


def _web_frontend(tech: set[str], brief: Brief) -> Layer:
    choices = (
        ("Vue", "Vue 3 with TypeScript (Nuxt 3)", "The brief names Vue."),
        ("Angular", "Angular 18 with TypeScript", "The brief names Angular."),
        ("Svelte", "SvelteKit 2 with TypeScript", "The brief names Svelte."),
    )
    for name, choice, why in choices:
        if name in tech:
            return Layer("Frontend", choice, why, "React 19 with Next.js.")
    users = ", ".join(p.name for p in brief.users[:3]) or "its users"
    return Layer(
        "Frontend",
        "React 19 with TypeScript (Next.js 15 App Router)",
        f"A browser app for {users}: React has the widest component ecosystem (shadcn/ui, "
        "Radix primitives with built-in accessibility) and TypeScript catches contract errors.",
        "Vue 3 with Nuxt (smaller ecosystem), SvelteKit (fewer accessible component kits).",
    )


def _mobile_layer(tech: set[str]) -> Layer:
    if "Flutter" in tech:
        return Layer(
            "Mobile",
            "Flutter 3 (Dart)",
            "The brief names Flutter: one codebase with its own renderer on iOS and Android.",
            "React Native (Expo), native Swift and Kotlin.",
        )
    if tech & {"Swift", "Kotlin"}:
        return Layer(
            "Mobile",
            "Native apps: Swift (SwiftUI) on iOS, Kotlin (Jetpack Compose) on Android",
            "The brief names native languages; best platform fit at the cost of two codebases.",
            "React Native (Expo), Flutter.",
        )
    return Layer(
        "Mobile",
        "React Native (Expo SDK) with TypeScript",
        "iOS and Android from one TypeScript codebase that shares types with the backend.",
        "Flutter (Dart, no shared types), native Swift and Kotlin (two codebases).",
    )


def _server_layers(tech: set[str], brief: Brief) -> list[Layer]:
    backend = _backend(tech)
    database = "PostgreSQL 16"
    for name, choice in (("MySQL", "MySQL 8"), ("MongoDB", "MongoDB 7")):
        if name in tech:
            database = choice
    orm = "Prisma ORM" if "Node.js" in backend.choice else "the framework's ORM and migrations"
    layers = [
        backend,
        Layer(
            "Database",
            f"{database} via {orm}",
            "Relational data with transactions and constraints; the data model is relational.",
            "MongoDB (weak for relations), SQLite (single writer, no network access).",
        ),
        _auth_layer(brief),
    ]
    if "Redis" in tech or _needs_jobs(brief):
        queue = "BullMQ on Redis 7" if "Node.js" in backend.choice else "a Redis 7 backed queue"
        layers.append(
            Layer(
                "Background jobs",
                queue,
                "Reminders, notifications and syncs run outside the request path and retry.",
                "Cron jobs (no retries), a database-polling queue (simpler, slower).",
            )
        )
    layers.append(
        Layer(
            "Hosting",
            "Docker containers on a managed platform with managed PostgreSQL",
            "Repeatable deploys and backups without running servers by hand.",
            "Serverless functions (cold starts, harder long-running jobs), self-managed VMs.",
        )
    )
    return layers


def _backend(tech: set[str]) -> Layer:
    named = (
        ("Django", "Python 3.12 with Django 5"),
        ("FastAPI", "Python 3.12 with FastAPI"),
        ("Flask", "Python 3.12 with Flask"),
        ("Rails", "Ruby 3.3 with Rails 7"),
        ("Spring", "Kotlin with Spring Boot 3"),
        ("Kotlin", "Kotlin with Spring Boot 3"),
        ("Java", "Java 21 with Spring Boot 3"),
        (".NET", "ASP.NET Core 8 (C#)"),
        ("C#", "ASP.NET Core 8 (C#)"),
        ("Golang", "Go 1.22 with the chi router"),
        ("Go", "Go 1.22 with the chi router"),
        ("Rust", "Rust with Axum"),
    )
    for name, choice in named:
        if name in tech:
            return Layer("Backend", choice, f"The brief names {name}.", "Node.js 22 with Next.js.")
    return Layer(
        "Backend",
        "Node.js 22 with TypeScript (Next.js route handlers and server actions)",
        "One language end to end; request and response types are shared with the frontend.",
        "Python with FastAPI (two languages), Go (fast but more boilerplate).",
    )


def _auth_layer(brief: Brief) -> Layer:
    text = " ".join(brief.integrations + brief.constraints + brief.non_functional).lower()
    if re.search(r"saml|sso|single sign|okta|entra|azure ad|oidc", text):
        return Layer(
            "Auth",
            "OpenID Connect / SAML single sign-on with role-based access control",
            "The brief asks for single sign-on with the organisation's identity provider.",
            "Email and password only (weaker, more support), magic links.",
        )
    return Layer(
        "Auth",
        "Email and password plus OAuth sign-in, with role-based access control",
        "Accounts with roles keep each user to the data they are allowed to see.",
        "Magic links only, a hosted identity service (cost, vendor lock-in).",
    )


def _needs_jobs(brief: Brief) -> bool:
    words = " ".join(f"{f.title} {f.detail}" for f in brief.features).lower()
    return bool(re.search(r"notif|remind|email|sms|sync|import|export|digest", words))


def _testing_layer(layers: list[Layer]) -> Layer:
    text = " ".join(layer.choice for layer in layers)
    if "PySide6" in text:
        tools = "pytest with pytest-qt"
    elif "Python" in text and "TypeScript" not in text:
        tools = "pytest, with Playwright for end-to-end tests" if "React" in text else "pytest"
    else:
        tools = "Vitest for units, Playwright for end-to-end tests"
    return Layer(
        "Testing",
        tools,
        "Fast unit tests on the core and a few end-to-end journeys per release.",
        "Manual testing only (slow, misses regressions).",
    )
