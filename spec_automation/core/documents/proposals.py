"""Reading a sprint change proposal's proposed edits: which artifact, which section, what change.

Under the proposed-edits section, each subsection is one edit (``### Edit 1: prd.md``), or, when
there are no subsections, each list item is (``- prd.md › Functional requirements: amend
FR-8 ...``). An edit names its artifact by file name, in its heading or item or in an
``Artifact:`` field; its section in a ``Section:`` field or after the file name; everything
else it says is the change.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator

from spec_automation.core.documents.blocks import Item, Paragraph, label, plain
from spec_automation.core.documents.model import ProposedEdit
from spec_automation.core.documents.outline import Outline
from spec_automation.core.documents.roles import PROPOSED_EDITS

__all__ = ["ARTIFACT_NAME", "find_artifact_names", "read_proposed_edits"]

#: An artifact's file name as a proposal writes it: prd.md, data-model.md ...
ARTIFACT_NAME = re.compile(r"(?<![\w.-])([A-Za-z0-9][\w-]*(?:\.[\w-]+)*\.md)\b")
_MD = re.compile(r"\.md\b")
_TARGET_LABELS = frozenset({"artifact", "artifacts", "document", "file", "target"})
_SECTION_LABELS = frozenset({"section", "sections", "heading", "where", "location"})
_CHANGE_LABELS = frozenset({"change", "changes", "edit", "proposed change", "proposal"})
_EDGES = re.compile(r"^[\s:;,.›»>/§'\"“”‘’()–—-]+|[\s:;,.›»>/§'\"“”‘’()–—-]+$")


def find_artifact_names(text: str) -> Iterator[re.Match[str]]:
    """Matches of artifact file names in a long text (group 1 the name), in order.

    The search looks for ".md" first and reads the name backwards from there, which is many
    times faster than scanning every word of a long document for the start of a name.
    """
    for suffix in _MD.finditer(text):
        names = ARTIFACT_NAME.finditer(text, max(0, suffix.start() - 120), suffix.end())
        last = deque(names, maxlen=1)  # the name that ends at this ".md", if any
        if last and last[0].end() == suffix.end():
            yield last[0]


def read_proposed_edits(outline: Outline) -> tuple[ProposedEdit, ...]:
    """The edits of the (first) proposed-edits section, in order.

    An edit that names no artifact has ``target == ""``: validation reports it, extraction
    leaves it out.
    """
    index = outline.first(PROPOSED_EDITS.pattern)
    if index < 0:
        return ()
    children = outline.children(index)
    if children:
        return tuple(_from_heading(outline, child) for child in children)
    return tuple(_from_item(block) for block in outline.blocks(index) if isinstance(block, Item))


class _Edit:
    """One edit being read: the artifact, the section and the parts of the change."""

    def __init__(self, text: str, line: int) -> None:
        self.line = line
        self.target, self.section, rest = _split_target(text)
        self.parts: list[str] = [rest] if rest else []

    def take(self, text: str, nested: Iterable[Item] = ()) -> None:
        name, value = label(text)
        if name in _TARGET_LABELS:
            found = ARTIFACT_NAME.search(value)
            self.target = self.target or (found.group(1) if found else "")
        elif name in _SECTION_LABELS:
            self.section = self.section or _EDGES.sub("", value)
        elif name in _CHANGE_LABELS:
            self.parts.append(value)
        else:
            self.parts.append(text)
        for item in nested:
            self.take(_item_text(item), item.children)

    def result(self) -> ProposedEdit:
        change = " ".join(part for part in self.parts if part)
        return ProposedEdit(self.target, self.section, change, self.line)


def _from_heading(outline: Outline, index: int) -> ProposedEdit:
    section = outline.sections[index]
    edit = _Edit(plain(section.title), section.line)
    if edit.parts:  # after the file name, a heading names the section, not the change
        edit.section = _EDGES.sub("", " ".join([edit.section, *edit.parts]))
        edit.parts.clear()
    for position in range(index, section.end):
        for block in outline.blocks(position):
            if isinstance(block, Paragraph):
                edit.take(plain(block.text))
            elif isinstance(block, Item):
                edit.take(_item_text(block), block.children)
    return edit.result()


def _from_item(item: Item) -> ProposedEdit:
    edit = _Edit(_item_text(item), item.line)
    for child in item.children:
        edit.take(_item_text(child), child.children)
    return edit.result()


def _item_text(item: Item) -> str:
    return plain(" ".join([item.text, *(text for _, text in item.more)]))


def _split_target(text: str) -> tuple[str, str, str]:
    """(artifact, section, change) of "prd.md › Functional requirements: amend FR-8"."""
    found = ARTIFACT_NAME.search(text)
    if not found:
        return "", "", text
    after = text[found.end() :]
    section, colon, change = after.partition(": ")
    if not colon:
        return found.group(1), "", _EDGES.sub("", after)
    return found.group(1), _EDGES.sub("", section), change.strip()
