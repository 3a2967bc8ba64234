"""Reading artifact markdown: front matter, sections, bullets and numbered items.

Agents read upstream artifacts that a person may have edited by hand, so every reader here is
forgiving: a missing section gives an empty result, never an error. Headings and lists come
from markdown-it-py's token stream; IDs such as ``FR-3`` are matched with regexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "Item",
    "Section",
    "bullets",
    "clean_inline",
    "find_section",
    "items",
    "sections",
    "strip_front_matter",
]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_HEADING_LINE = re.compile(r"^(#{1,6})\s+")
_INLINE_MARKUP = re.compile(r"\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TITLE_SPLIT = re.compile(r"\s+[—–]\s+|\s+-\s+|:\s+")

_PARSER = MarkdownIt("commonmark").enable("table")
#: Parsed documents kept for reuse: agents read the same upstream artifacts many times in a
#: run (every reader of prd.md asks for its sections and bullets), so each is parsed once.
#: Documents longer than this are parsed each time rather than kept (their tokens are big).
_PARSED_KEPT = 128
_KEPT_CHARS = 256 * 1024


def _tokens(markdown: str) -> tuple[Token, ...]:
    """markdown-it's token stream for ``markdown`` (shared: callers only read it)."""
    if len(markdown) > _KEPT_CHARS:
        return tuple(_PARSER.parse(markdown))
    return _kept_tokens(markdown)


@lru_cache(maxsize=_PARSED_KEPT)
def _kept_tokens(markdown: str) -> tuple[Token, ...]:
    return tuple(_PARSER.parse(markdown))


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the markdown text under it (up to the next heading of any level)."""

    title: str
    level: int
    body: str


@dataclass(frozen=True, slots=True)
class Item:
    """A numbered item such as ``FR-3`` with its title and the text that follows it."""

    id: str
    title: str
    body: str


def strip_front_matter(text: str) -> str:
    """Remove a leading YAML front matter block (between ``---`` lines), if there is one."""
    return _FRONT_MATTER.sub("", text, count=1).lstrip("\n")


def clean_inline(text: str) -> str:
    """Plain text of an inline markdown fragment: no emphasis, code ticks or link targets."""
    text = _LINK.sub(r"\1", text)
    text = _INLINE_MARKUP.sub("", text)
    return " ".join(text.split())


def sections(markdown: str) -> list[Section]:
    """Every heading of ``markdown`` with the text under it, in document order."""
    if len(markdown) > _KEPT_CHARS:
        return list(_sections(markdown))
    return list(_kept_sections(markdown))


@lru_cache(maxsize=_PARSED_KEPT)
def _kept_sections(markdown: str) -> tuple[Section, ...]:
    return _sections(markdown)


def _sections(markdown: str) -> tuple[Section, ...]:
    lines = markdown.splitlines()
    tokens = _tokens(markdown)
    starts: list[tuple[int, int, str]] = []  # (line, level, title)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            title = clean_inline(tokens[index + 1].content)
            starts.append((token.map[0], int(token.tag[1]), title))
    result: list[Section] = []
    for position, (line, level, title) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        body = "\n".join(lines[line + 1 : end]).strip("\n")
        result.append(Section(title=title, level=level, body=body))
    return tuple(result)


def find_section(markdown: str, *titles: str) -> str:
    """The text of the first section whose heading contains one of ``titles``, with subsections.

    Matching is case-insensitive on words. Returns "" when no heading matches.
    """
    wanted = [title.lower() for title in titles]
    all_sections = sections(markdown)
    for index, section in enumerate(all_sections):
        if any(word in section.title.lower() for word in wanted):
            parts = [section.body]
            for sub in all_sections[index + 1 :]:
                if sub.level <= section.level:
                    break
                parts.append(f"{'#' * sub.level} {sub.title}\n{sub.body}")
            return "\n".join(part for part in parts if part).strip()
    return ""


def bullets(markdown: str) -> list[str]:
    """The plain text of each top-level list item (bulleted or numbered) in ``markdown``."""
    tokens = _tokens(markdown)
    found: list[str] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.type in {"bullet_list_open", "ordered_list_open"}:
            depth += 1
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            text = _first_inline(tokens, index)
            if text:
                found.append(text)
    return found


def items(markdown: str, prefix: str) -> list[Item]:
    """Items whose line starts with an ID like ``FR-3`` (as a heading, bullet or plain line).

    An item runs until the next item or the next heading of level 1-2. The first definition
    of an ID wins, so a later mention ("see FR-3") never redefines it.
    """
    start = re.compile(
        rf"^\s*(?:#{{1,6}}\s+|[-*+]\s+|\d+[.)]\s+)?[*_`\[]*({re.escape(prefix)}-\d+)\b[*_`\]]*(.*)$"
    )
    found: dict[str, Item] = {}
    current: tuple[str, str, list[str]] | None = None

    def close() -> None:
        if current and current[0] not in found:
            item_id, title, body = current
            found[item_id] = Item(id=item_id, title=title, body="\n".join(body).strip())

    for line in markdown.splitlines():
        match = start.match(line)
        heading = _HEADING_LINE.match(line)
        if match:
            close()
            current = (match.group(1), _item_title(match.group(2)), [])
        elif heading and len(heading.group(1)) <= 2:
            close()
            current = None
        elif current:
            current[2].append(line)
    close()
    return list(found.values())


def _item_title(rest: str) -> str:
    text = clean_inline(rest).lstrip(" :·.—–-)").strip()
    return _TITLE_SPLIT.split(text, maxsplit=1)[0].strip(" *.") if text else ""


def _first_inline(tokens: tuple[Token, ...], start: int) -> str:
    for index in range(start + 1, len(tokens)):  # no slice: a copy per item is quadratic
        token = tokens[index]
        if token.type == "inline":
            return clean_inline(token.content)
        if token.type == "list_item_close":
            break
    return ""
