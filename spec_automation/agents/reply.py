"""The multi-artifact reply format: one agent reply carrying several artifact files.

A reply holds one block per file::

    <<<FILE prd.md>>>
    # Product requirements
    ...
    <<<END FILE>>>

The parser accepts only the files the phase produces; a reply naming any other file, or a path
that would leave the artifacts folder, is rejected before anything is written. A reply that
is empty, lacks one of the phase's files or leaves one empty is an ``IncompleteReply``: the
runner gives the model one repair attempt for it, as for a validation error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from spec_automation.core.ports import PhaseError

__all__ = [
    "CODE_PREFIX",
    "IncompleteReply",
    "ReplyError",
    "code_path",
    "parse_files",
    "parse_reply",
    "render_reply",
]

_BLOCK = re.compile(r"^<<<FILE (?P<name>[^\n>]+)>>>\n(?P<body>.*?)^<<<END FILE>>>\s*$", re.M | re.S)


class ReplyError(PhaseError):
    """An agent reply that cannot be accepted."""


class IncompleteReply(ReplyError):
    """A reply that is empty, lacks one of the phase's files, or leaves one empty."""


def render_reply(artifacts: Mapping[str, str]) -> str:
    """Join artifact bodies into one reply."""
    return "\n".join(
        f"<<<FILE {name}>>>\n{body.rstrip()}\n<<<END FILE>>>\n" for name, body in artifacts.items()
    )


def parse_reply(reply: str, produces: Iterable[str]) -> dict[str, str]:
    """Split a reply into artifact bodies, accepting only the phase's own artifacts."""
    return parse_files(reply, produces)[0]


def parse_files(
    reply: str, produces: Iterable[str], *, code: bool = False
) -> tuple[dict[str, str], dict[str, str]]:
    """Split a reply into artifact bodies and, with ``code``, code files: blocks named
    ``code/PATH`` (PATH relative, inside the code folder). Anything else is refused."""
    allowed = tuple(produces)
    found: dict[str, str] = {}
    files: dict[str, str] = {}
    for match in _BLOCK.finditer(reply):
        name = match.group("name").strip()
        if code and name.startswith(CODE_PREFIX):
            path = code_path(name[len(CODE_PREFIX) :])
            if path in files:
                raise ReplyError(f"the reply contains {name!r} twice; nothing was written")
            files[path] = match.group("body")
            continue
        if name not in allowed:
            raise ReplyError(
                f"the reply contains {name!r}, which this phase does not produce "
                f"(it produces {', '.join(allowed)}); nothing was written"
            )
        if name in found:
            raise ReplyError(f"the reply contains {name!r} twice; nothing was written")
        found[name] = match.group("body")
    if not reply.strip():
        raise IncompleteReply(f"the reply is empty (it should hold {', '.join(allowed)})")
    if not found and not files and len(allowed) == 1:
        return {allowed[0]: reply}, files  # a single-artifact reply needs no markers
    missing = [a for a in allowed if a not in found]
    if missing:
        raise IncompleteReply(f"the reply lacks {', '.join(missing)}")
    empty = [a for a in allowed if not found[a].strip()]
    if empty:
        raise IncompleteReply(f"the reply leaves {', '.join(empty)} empty")
    return found, files


#: How a reply names a file of the code folder: ``<<<FILE code/src/app/models.py>>>``.
CODE_PREFIX = "code/"
_CODE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
#: Hidden files a code folder may hold (never a hidden folder: no ``.git/hooks``).
_DOTFILES = frozenset({".gitignore", ".editorconfig"})


def code_path(path: str) -> str:
    """``path`` checked as a plain relative path inside the code folder (no ``..``, no
    absolute path, no backslash, no hidden or odd names); ``ReplyError`` otherwise."""
    parts = path.split("/")
    plain = [(_CODE_PART.fullmatch(p) is not None and p not in (".", "..")) for p in parts]
    plain[-1] = plain[-1] or parts[-1] in _DOTFILES
    if not path or path.startswith("/") or "\\" in path or not all(plain):
        raise ReplyError(
            f"the reply names the code file {path!r}, which is not a plain path inside the "
            "code folder; nothing was written"
        )
    return "/".join(parts)
