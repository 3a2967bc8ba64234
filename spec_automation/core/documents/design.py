"""Reading a technical spec's design: components, data entities and HTTP endpoints.

Components are the subsections or the list items (``- **Rota service**: ...``) or the table rows
of the components section. Entities are the subsections of the data section that list fields
(a table's first or "Field" column, or items starting with a field name), or its items that
nest fields. Endpoints are read anywhere outside code: ``GET /rotas/{id}`` in prose, items or
headings, and table rows with the method and the path in cells of their own; each method and
path is kept once, where it first appears.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spec_automation.core.documents.blocks import Item, Paragraph, Table, column, label, plain
from spec_automation.core.documents.model import Component, Endpoint, Entity
from spec_automation.core.documents.outline import Outline, heading_text
from spec_automation.core.documents.roles import COMPONENTS, DATA

__all__ = ["find_endpoints", "read_components", "read_endpoints", "read_entities"]

_NAMED = re.compile(r"^\s*(?:\*\*(?P<bold>[^*]+)\*\*|`(?P<code>[^`]+)`)\s*(?P<rest>.*)$")
_NAME_SPLIT = re.compile(r":\s+|\s+[—–-]\s+")
_SEPARATORS = re.compile(r"^[\s:;,.|–—-]+|[\s|]+$")
_FIELD = re.compile(
    r"^\s*(?:`(?P<code>[^`]+)`|\*\*(?P<bold>[^*]+)\*\*"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?=\s*(?:[(:,—–]|\s-\s|$)))"
)
_IDENTIFIER_LIST = re.compile(r"^[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+$")
_NAME_COLUMN = re.compile(r"component|service|module|name|part")
_RESPONSIBILITY_COLUMN = re.compile(r"responsib|purpose|description|role|does|owns")
_ENTITY_COLUMN = re.compile(r"entity|table|model")
_FIELDS_COLUMN = re.compile(r"fields|columns|attributes")
_FIELD_COLUMN = re.compile(r"^(?:field|column|attribute|property|name)s?$")
_METHODS = "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS"
# An endpoint in text: "GET /rotas/{id}", or "| GET | /rotas/{id} |" in a table. No look-behind
# (see find_endpoints): it would stop the regex engine from skipping ahead to the methods.
_ENDPOINT = re.compile(
    r"(" + _METHODS + r")(?:[ \t]+|[ \t]*`?[ \t]*\|[ \t]*`?)(/[\w\-./{}:?=&%~]*)"
)


def find_endpoints(text: str) -> Iterator[re.Match[str]]:
    """Matches of ``METHOD /path`` in text: group 1 the method, group 2 the path."""
    for found in _ENDPOINT.finditer(text):
        before = text[found.start() - 1 : found.start()]
        if not (before.isalnum() or before in ("_", "/")):
            yield found


def read_components(outline: Outline) -> tuple[Component, ...]:
    """The components named in the (first) components section, in document order."""
    index = outline.first(COMPONENTS.pattern)
    if index < 0:
        return ()
    found: list[Component] = []
    for block in outline.blocks(index):
        if isinstance(block, Item):
            found.append(_named_item(block))
        elif isinstance(block, Table):
            found.extend(_component_rows(block))
    for child in outline.children(index):
        section = outline.sections[child]
        found.append(Component(heading_text(section.title), _summary(outline, child), section.line))
    return tuple(sorted(found, key=lambda c: c.line))


def _named_item(item: Item) -> Component:
    named = _NAMED.match(item.text)
    if named:
        name = named.group("bold") or named.group("code")
        rest = named.group("rest")
    else:
        parts = _NAME_SPLIT.split(item.text, maxsplit=1)
        name, rest = parts[0], parts[1] if len(parts) > 1 else ""
    more = " ".join(text for _, text in item.more)
    responsibility = _SEPARATORS.sub("", plain(f"{rest} {more}"))
    return Component(plain(name).rstrip(":"), responsibility, item.line)


def _component_rows(table: Table) -> Iterable[Component]:
    name, responsibility = column(table, _NAME_COLUMN), column(table, _RESPONSIBILITY_COLUMN)
    if name < 0:
        return
    for row in table.rows:
        cells = [plain(cell) for cell in row.cells]
        if name < len(cells) and cells[name]:
            text = cells[responsibility] if 0 <= responsibility < len(cells) else ""
            yield Component(cells[name], text, row.line)


def _summary(outline: Outline, index: int) -> str:
    """A section's first paragraph, "Responsibility:" field or first item, as plain text."""
    for block in outline.blocks(index):
        if isinstance(block, Paragraph | Item):
            name, value = label(plain(block.text))
            return value if name.startswith("responsib") else plain(block.text)
    return ""


def read_entities(outline: Outline) -> tuple[Entity, ...]:
    """The entities with fields in the (first) data section, in document order."""
    index = outline.first(DATA.pattern)
    if index < 0:
        return ()
    found: list[Entity] = []
    for position in range(index, outline.sections[index].end):
        section = outline.sections[position]
        blocks = outline.blocks(position)
        if position != index:
            fields = tuple(_fields(blocks))
            if fields:
                found.append(Entity(heading_text(section.title), fields, section.line))
            continue
        for block in blocks:
            if isinstance(block, Item):
                entity = _entity_item(block)
                if entity is not None:
                    found.append(entity)
            elif isinstance(block, Table):
                found.extend(_entity_rows(block))
    return tuple(sorted(found, key=lambda e: e.line))


def _fields(blocks: Iterable[Paragraph | Item | Table]) -> Iterable[str]:
    for block in blocks:
        if isinstance(block, Table):
            at = max(column(block, _FIELD_COLUMN), 0)
            for row in block.rows:
                name = plain(row.cells[at]) if at < len(row.cells) else ""
                if name:
                    yield name
        elif isinstance(block, Item):
            field = _FIELD.match(block.text)
            if field:
                yield plain(field.group("code") or field.group("bold") or field.group("word"))


def _entity_item(item: Item) -> Entity | None:
    component = _named_item(item)  # the same "**Name**: text" shape as a component
    fields = tuple(_fields(item.children))
    if not fields and _IDENTIFIER_LIST.match(component.responsibility):
        fields = tuple(f.strip() for f in component.responsibility.split(","))
    return Entity(component.name, fields, item.line) if fields else None


def _entity_rows(table: Table) -> Iterable[Entity]:
    entity, fields = column(table, _ENTITY_COLUMN), column(table, _FIELDS_COLUMN)
    if entity < 0 or fields < 0:
        return
    for row in table.rows:
        cells = [plain(cell) for cell in row.cells]
        if max(entity, fields) < len(cells) and cells[entity]:
            names = tuple(f.strip() for f in cells[fields].split(",") if f.strip())
            yield Entity(cells[entity], names, row.line)


def read_endpoints(outline: Outline) -> tuple[Endpoint, ...]:
    """Every HTTP endpoint mentioned outside code, once per method and path."""
    text, lines = outline.text, outline.lines
    found: dict[tuple[str, str], Endpoint] = {}
    position, line = 0, 1
    for match in find_endpoints(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        method, path = match.group(1), match.group(2).rstrip(".,:;")
        if (method, path) in found:
            continue
        end = text.find("\n", match.end())
        rest = text[match.end() : len(text) if end < 0 else end]
        summary = next((s for s in map(_clean, rest.split("|")) if s), "")
        if not summary and lines[line - 1].lstrip().startswith("#"):
            summary = _next_prose(lines, line)
        found[(method, path)] = Endpoint(method, path, summary, line)
    return tuple(found.values())


def _clean(text: str) -> str:
    return _SEPARATORS.sub("", plain(text.replace("`", "")))


def _next_prose(lines: tuple[str, ...], line: int) -> str:
    """The first line of prose below a heading (the summary of an endpoint heading)."""
    for text in lines[line : line + 4]:
        if text.strip():
            return "" if text.lstrip().startswith(("#", "|")) else _clean(text)
    return ""
