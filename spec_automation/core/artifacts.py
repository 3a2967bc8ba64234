"""Artifact files: YAML front matter, content hashes.

Every generated artifact starts with front matter saying where it came from (phase, agent,
provider, version, when, and the hashes of the inputs it was made from), so a file read on its
own still tells its story.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spec_automation.core.plain_yaml import PlainYamlError, load_plain_yaml

__all__ = ["ArtifactHeader", "content_hash", "render_artifact", "split_front_matter"]

_FENCE = "---"


def content_hash(content: str) -> str:
    """SHA-256 of the UTF-8 content, as 64 lowercase hex digits."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ArtifactHeader:
    """The front matter of a generated artifact."""

    artifact: str
    phase: str
    agent: str
    provider: str
    version: int
    generated_at: datetime
    run_id: int
    inputs: Mapping[str, str]  # input artifact -> content hash
    model: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for YAML, keys in reading order."""
        data: dict[str, Any] = {
            "artifact": self.artifact,
            "phase": self.phase,
            "agent": self.agent,
            "provider": self.provider,
        }
        if self.model:
            data["model"] = self.model
        data |= {
            "version": self.version,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "inputs": dict(sorted(self.inputs.items())),
        }
        return data


def render_artifact(header: ArtifactHeader, body: str) -> str:
    """The full file content: front matter, a blank line, then the body ending in a newline.

    The header's schema is fixed and flat, so it is emitted directly: a generic YAML dumper
    costs ~10 ms for a phase with many inputs, on every phase of every run.
    """
    lines = []
    for key, value in header.as_dict().items():
        if isinstance(value, dict):
            lines.append(f"{key}:" + ("" if value else " {}"))
            lines.extend(f"  {_scalar(k)}: {_scalar(v)}" for k, v in value.items())
        else:
            lines.append(f"{key}: {_scalar(value)}")
    meta = "\n".join(lines)
    return f"{_FENCE}\n{meta}\n{_FENCE}\n\n{body.strip()}\n"


_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})


def _scalar(value: object) -> str:
    """One YAML scalar: bare when unambiguous, else a JSON string (valid YAML)."""
    if isinstance(value, bool) or value is None:
        raise TypeError("front matter holds text and whole numbers only")
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _BARE.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def split_front_matter(content: str) -> tuple[dict[str, Any] | None, str]:
    """Split a file into (front matter mapping or None, body).

    Content without a leading ``---`` fence has no front matter. A fence that is never closed,
    or front matter that is not a YAML mapping, raises ``ValueError`` with a plain message.
    """
    if not content.startswith(_FENCE + "\n") and not content.startswith(_FENCE + "\r\n"):
        return None, content
    lines = content.splitlines(keepends=True)
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n") == _FENCE:
            raw = "".join(lines[1:index])
            body = "".join(lines[index + 1 :]).lstrip("\r\n")
            try:
                # Bounded: a person may edit this, and an alias bomb must not hang a scan.
                meta = load_plain_yaml(raw)
            except PlainYamlError as exc:
                raise ValueError(f"front matter: {exc}") from None
            if meta is None:
                meta = {}
            if not isinstance(meta, dict):
                raise ValueError("front matter must be a mapping of fields")
            return meta, body
    raise ValueError("front matter starts with '---' but is never closed")
