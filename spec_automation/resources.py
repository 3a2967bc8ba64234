"""Where the bundled files live: the default spec, prompts, samples, themes.

In a source checkout (and an editable install) they sit at the repository root; a wheel carries
them inside the package under ``_bundled/``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_spec_path", "resource_path", "sample_brief_path", "samples"]

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "_bundled", _PACKAGE.parent)


def _first_existing(relative: str) -> Path:
    for base in _CANDIDATES:
        candidate = base / relative
        if candidate.exists():
            return candidate
    return _CANDIDATES[-1] / relative


def bundled_spec_path() -> Path:
    """The default ``orchestrator_spec.yml``."""
    return _first_existing("orchestrator_spec.yml")


def resource_path(*parts: str) -> Path:
    """A path under ``resources/``."""
    return _first_existing("/".join(("resources", *parts)))


def samples() -> list[str]:
    """Names of the bundled sample projects."""
    folder = resource_path("samples")
    return (
        sorted(p.name for p in folder.iterdir() if (p / "brief.md").is_file())
        if folder.is_dir()
        else []
    )


def sample_brief_path(name: str | None = None) -> Path:
    """The brief of a bundled sample (the first one when no name is given)."""
    names = samples()
    if not names:
        raise FileNotFoundError("no bundled sample project was found")
    chosen = name or names[0]
    if chosen not in names:
        raise FileNotFoundError(
            f"no bundled sample named {chosen!r} (there are: {', '.join(names)})"
        )
    return resource_path("samples", chosen, "brief.md")
