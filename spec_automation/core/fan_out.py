"""Fan-out: one phase run as one call per item of an upstream list, merged into one artifact.

A phase that declares ``fan_out: epics`` writes its artifact (``tasks.md``) one epic at a time:
the engine splits ``epics.md`` into its items (``### E-n: Title`` sections), runs one call per
item in parallel within the run's limits, and merges the replies deterministically, in item
order. Each item's call reads the phase's other inputs unchanged and, instead of the whole list,
only its own item, so editing one epic changes one item's request: the others are reused from
the response cache.

A spec names a rule (``fan_out: epics``) or gives one (``fan_out: {from: epics.md, items: E}``:
the items are the headings ``E-n`` of that artifact). Everything here is pure text work.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from spec_automation.core.artifacts import split_front_matter

__all__ = [
    "FAN_OUT_RULES",
    "FanOutItem",
    "FanOutRule",
    "fan_out_wall_s",
    "item_source",
    "merge_items",
    "part_counts",
    "split_items",
]

#: Items assumed when the list a phase fans out over does not exist yet (for estimates).
ASSUMED_ITEMS = 5


@dataclass(frozen=True, slots=True)
class FanOutRule:
    """How a phase fans out: over which artifact's items, and how the parts are merged."""

    name: str
    source: str  # the upstream artifact whose items are split out
    prefix: str  # items are headings whose text starts with PREFIX-n ("E" for E-1, E-2...)
    label: str  # what one item is called ("epic")
    #: A part written before the items, for work none of them owns (set-up), or ("", "").
    lead: tuple[str, str] = ("", "")
    #: IDs of the parts' own items ("T" for T-n tasks), renumbered in order when merged.
    child_prefix: str = ""
    child_word: str = "items"
    #: What a model is told besides its item: for the lead part, and for an item's part.
    notes: tuple[str, str] = ("", "")


#: Rules a spec may name with ``fan_out: NAME``.
FAN_OUT_RULES: Mapping[str, FanOutRule] = {
    "epics": FanOutRule(
        name="epics",
        source="epics.md",
        prefix="E",
        label="epic",
        lead=(
            "Foundation",
            "The set-up every epic builds on and none of them owns: the project skeleton "
            "with its build and test pipeline, the design tokens as the UI theme, and the "
            "shared components.",
        ),
        child_prefix="T",
        child_word="tasks",
    ),
    "epic_code": FanOutRule(
        name="epic_code",
        source="epics.md",
        prefix="E",
        label="epic",
        lead=(
            "Foundation",
            "The code every epic builds on and none of them owns: the project file with its "
            "lint, type and test settings, the package, the data model's types and the API's "
            "modules.",
        ),
        child_word="files",
        notes=(
            "Write the foundation's files only; every epic's part writes its own code and "
            "tests next to them.",
            "Write this epic's code and its acceptance tests only, in modules and test files "
            "of its own (named after the epic, such as tests/test_e1_*.py); the foundation "
            "part writes the project file, the package's __init__, the models and the API "
            "modules, so do not write those again. Where two parts write the same file, the "
            "earlier part's version is kept.",
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class FanOutItem:
    """One part of a fanned-out phase: an item of the source list, or the rule's lead part."""

    index: int  # 0-based position in the merged artifact
    key: str  # "E-2", or the lead part's title
    title: str
    text: str  # the item's section as written in the source (heading included)
    count: int  # how many parts the phase has
    lead: bool = False

    @property
    def heading(self) -> str:
        """The item's heading in the merged artifact ("E-2: Skill mix", "Foundation")."""
        return self.key if self.lead or not self.title else f"{self.key}: {self.title}"


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def split_items(rule: FanOutRule, source_content: str) -> tuple[FanOutItem, ...]:
    """The parts of a fanned-out phase, in order: the lead part, then one per item found.

    No items (the source has none, or is missing) gives no parts: the phase then runs as one
    call over the whole source.
    """
    found = _sections(_body(source_content), rule.prefix)
    if not found:
        return ()
    lead_title, lead_text = rule.lead
    parts: list[tuple[str, str, str, bool]] = []
    if lead_title:
        parts.append((lead_title, "", lead_text, True))
    parts.extend((key, title, text, False) for key, title, text, _start, _end in found)
    count = len(parts)
    return tuple(
        FanOutItem(index, key, title, text, count, lead)
        for index, (key, title, text, lead) in enumerate(parts)
    )


def item_source(rule: FanOutRule, item: FanOutItem, source_content: str) -> str:
    """The source artifact as one item's call sees it: every other item's section removed.

    The lead part sees the source with no item at all.
    """
    body = _body(source_content)
    lines = body.splitlines(keepends=True)
    kept: list[str] = []
    cursor = 0
    for key, _title, _text, start, end in _sections(body, rule.prefix):
        kept.extend(lines[cursor:start])
        if key == item.key and not item.lead:
            kept.extend(lines[start:end])
        cursor = end
    kept.extend(lines[cursor:])
    return "".join(kept)


def merge_items(rule: FanOutRule, items: Sequence[FanOutItem], bodies: Sequence[str]) -> str:
    """One artifact body from the parts' bodies, deterministically, in item order.

    Each part is a complete small document (``# Title``, its ``## Main`` section, maybe more
    sections). The merged body keeps the first part's title, nests every part's main section
    under a heading for its item, renumbers the parts' own IDs (``T-n``) in order, and gathers
    every other section once, its lines in order without repeats.
    """
    title = ""
    main_heading = ""
    nested: list[str] = []
    others: dict[str, tuple[str, list[str]]] = {}
    next_id = 1
    children = 0
    for item, body in zip(items, bodies, strict=True):
        if rule.child_prefix:
            body, found = _renumbered(body, rule.child_prefix, next_id)
            next_id += found
            children += found
        part_title, sections = _top_sections(body)
        title = title or part_title
        if not sections:
            nested.append(f"### {item.heading}\n\n{body.strip()}")
            continue
        (heading, text), *rest = sections
        main_heading = main_heading or heading
        nested.append(f"### {item.heading}\n\n{_deeper(text).strip() or 'Nothing to do.'}")
        for other_heading, other_text in rest:
            key = other_heading.casefold()
            entry = others.setdefault(key, (other_heading, []))
            entry[1].append(other_text)
    items_word = f"{rule.label}s" if len(items) - _leads(items) != 1 else rule.label
    counted = (
        f"{children} {rule.child_word} across {len(items) - _leads(items)} {items_word}"
        if rule.child_prefix
        else f"{len(items) - _leads(items)} {items_word}"
    )
    lead = next((i.key.lower() for i in items if i.lead), "")
    summary = (
        f"{counted}{f' and the {lead}' if lead else ''}, one section per {rule.label}, "
        f"in {rule.label} order."
    )
    parts = [title or "# " + rule.child_word.capitalize(), summary]
    parts.append(f"## {main_heading or rule.child_word.capitalize()}")
    parts.extend(nested)
    for heading, texts in others.values():
        parts.append(f"## {heading}")
        parts.append(_unique_lines(texts))
    return "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"


def part_counts(
    phases: Iterable[tuple[str, FanOutRule | None]], read: Callable[[str], str | None]
) -> dict[str, int]:
    """Phase → how many calls it will make, for the phases that fan out over an artifact
    that exists (``read`` gives its content, ``None`` when it does not exist yet: the phase
    is then left out, and estimates assume a few parts). An artifact with no items: 1 call."""
    counts: dict[str, int] = {}
    for name, rule in phases:
        if rule is None:
            continue
        content = read(rule.source)
        if content is not None:
            counts[name] = max(1, len(split_items(rule, content)))
    return counts


def fan_out_wall_s(estimated_s: float, items: int, concurrency: int) -> float:
    """The wall time of a phase whose ``estimated_s`` of work is split over ``items`` calls
    run ``concurrency`` at a time (each call doing an equal share)."""
    if items <= 1:
        return estimated_s
    rounds = math.ceil(items / max(1, concurrency))
    return rounds * estimated_s / items


# --- internals -----------------------------------------------------------------------------


def _body(content: str) -> str:
    return split_front_matter(content)[1] if content.startswith("---") else content


def _sections(body: str, prefix: str) -> list[tuple[str, str, str, int, int]]:
    """(key, title, text, first line, end line) of each heading item ``PREFIX-n``; an item
    runs to the next heading of its level or higher. The first section of an ID wins."""
    lines = body.splitlines(keepends=True)
    item = re.compile(rf"^[*_`\[]*({re.escape(prefix)}-\d+)\b[*_`\]]*[\s:.)\u2013\u2014-]*(.*)$")
    headings: list[tuple[int, int, str]] = []
    fenced = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line.rstrip("\n"))
        if match:
            headings.append((number, len(match.group(1)), match.group(2)))
    found: list[tuple[str, str, str, int, int]] = []
    seen: set[str] = set()
    for position, (start, level, text) in enumerate(headings):
        matched = item.match(text)
        if not matched or matched.group(1) in seen:
            continue
        end = next((n for n, lv, _t in headings[position + 1 :] if lv <= level), len(lines))
        seen.add(matched.group(1))
        title = matched.group(2).strip().strip("*_`").strip()
        found.append((matched.group(1), title, "".join(lines[start:end]).strip(), start, end))
    return found


def _top_sections(body: str) -> tuple[str, list[tuple[str, str]]]:
    """A part's ``# title`` line and its level-2 sections (heading, text under it)."""
    title = ""
    sections: list[tuple[str, list[str]]] = []
    fenced = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match and len(match.group(1)) == 1 and not title and not sections:
            title = line.strip()
            continue
        if match and len(match.group(1)) == 2:
            sections.append((match.group(2), []))
            continue
        if sections:
            sections[-1][1].append(line)
    return title, [(heading, "\n".join(text)) for heading, text in sections]


def _deeper(text: str) -> str:
    """Headings one level deeper (a part's ``### T-1`` sits under its item's ``###``)."""
    out = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and _HEADING.match(line) and not line.startswith("######"):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def _renumbered(body: str, prefix: str, first: int) -> tuple[str, int]:
    """The body with its own ``PREFIX-n`` headings numbered from ``first`` (references to
    them in the body follow), and how many it has."""
    own = re.compile(rf"^#{{1,6}}\s+[*_`\[]*{re.escape(prefix)}-(\d+)\b", re.MULTILINE)
    numbers = list(dict.fromkeys(int(m.group(1)) for m in own.finditer(body)))
    mapping = {old: first + offset for offset, old in enumerate(numbers)}
    if not mapping:
        return body, 0
    mention = re.compile(rf"\b{re.escape(prefix)}-(\d+)\b")

    def renumber(match: re.Match[str]) -> str:
        old = int(match.group(1))
        return f"{prefix}-{mapping[old]}" if old in mapping else match.group(0)

    return mention.sub(renumber, body), len(mapping)


def _unique_lines(texts: Sequence[str]) -> str:
    """The texts' lines in order, each non-blank line once; one list stays one list."""
    seen: set[str] = set()
    out: list[str] = []
    for text in texts:
        lines = text.strip().splitlines()
        fresh = [line for line in lines if not line.strip() or line not in seen]
        seen.update(line for line in lines if line.strip())
        while fresh and not fresh[0].strip():
            fresh.pop(0)
        if not fresh:
            continue
        if out and not (_LIST_ITEM.match(out[-1]) and _LIST_ITEM.match(fresh[0])):
            out.append("")
        for line in fresh:
            if not line.strip() and out and not out[-1].strip():
                continue
            out.append(line)
    return "\n".join(out).strip()


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _leads(items: Sequence[FanOutItem]) -> int:
    return sum(1 for i in items if i.lead)
