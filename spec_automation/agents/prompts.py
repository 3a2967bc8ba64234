"""Agent roles: the persona and task template of each, read from editable prompt files.

``resources/prompts/system.md`` holds the standing instructions every phase shares (it opens
every request, so it is the start of the prompt-cache prefix); ``resources/prompts/<role>.md``
holds a role's ``## Persona`` and ``## Task`` sections. A role without a file uses
``generic.md``. A role's *template version* is a hash of the files it is built from, so editing
a prompt stops the response cache from reusing replies written under the old one.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from spec_automation.core.ports import PhaseError
from spec_automation.resources import resource_path

__all__ = ["DEFAULT_ROLES", "PromptError", "PromptLibrary", "Role"]

#: The roles of the default workflow; each has its own prompt file.
#: The roles of the default spec that ask a model (its quality phase runs the gates instead).
DEFAULT_ROLES = (
    "analyst",
    "architect",
    "pm",
    "designer",
    "scrum_master",
    "validator",
    "developer",
)

_SECTION = re.compile(r"^##\s+(Persona|Task)\s*$", re.MULTILINE | re.IGNORECASE)
_FIELDS = (
    "project",
    "phase",
    "agent",
    "description",
    "files",
    "files_line",
    "inputs",
    "role_notes",
    "feedback",
)


class PromptError(PhaseError):
    """A prompt file is missing or malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class Role:
    """One agent role: who it is and how it is asked to work."""

    name: str
    persona: str
    task_template: str
    version: str  # hash of system.md and the role file
    source: Path

    def render_task(self, values: Mapping[str, str]) -> str:
        """The persona and the task with every placeholder filled in.

        Raises:
            PromptError: the template names a placeholder that does not exist.
        """
        try:
            task = string.Template(self.task_template).substitute(values)
        except (KeyError, ValueError) as exc:
            raise PromptError(
                f"the prompt file {self.source} has a bad placeholder ({exc}); "
                f"the placeholders are: {', '.join('$' + f for f in _FIELDS)}"
            ) from None
        task = re.sub(r"\n{3,}", "\n\n", task).strip()
        return f"{self.persona.strip()}\n\n{task}\n"


class PromptLibrary:
    """The prompt files of one folder, read once and kept."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or resource_path("prompts")
        system_path = self.folder / "system.md"
        self.system = _read(system_path)
        self._system_hash = hashlib.sha256(self.system.encode("utf-8")).hexdigest()
        self._roles: dict[str, Role] = {}

    def role(self, name: str) -> Role:
        """The role ``name`` (the generic role when it has no prompt file)."""
        if name not in self._roles:
            path = self.folder / f"{name}.md"
            if not path.is_file():
                path = self.folder / "generic.md"
            self._roles[name] = _parse_role(name, path, self._system_hash)
        return self._roles[name]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"the prompt file {path} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(f"the prompt file {path} cannot be read ({exc})") from None


def _parse_role(name: str, path: Path, system_hash: str) -> Role:
    text = _read(path)
    parts = _SECTION.split(text)
    # split() gives [preamble, heading, body, heading, body, ...]
    sections = {parts[i].lower(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    if "persona" not in sections or "task" not in sections:
        raise PromptError(f"the prompt file {path} needs a '## Persona' and a '## Task' section")
    digest = hashlib.sha256(f"{system_hash}\n{text}".encode()).hexdigest()[:16]
    return Role(name, sections["persona"], sections["task"], digest, path)
