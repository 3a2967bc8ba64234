"""YAML read as plain, bounded data: what a user's file may hold, and how much of it.

``yaml.safe_load`` constructs plain data only, but it will still build whatever the text
describes: a few hundred bytes of nested anchors and aliases (a "billion laughs") describe
billions of values, which anything that walks or prints the result then expands. Here the
document's node graph is measured before anything is constructed: how many values it expands
to, how deeply they nest, how many aliases it uses and how long its numbers are. Each problem
is a ``PlainYamlError`` that says where it is (the line and the keys leading to it), so the
caller can word it in its own terms.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_NUMBER_CHARS",
    "MAX_VALUES",
    "PlainYamlError",
    "load_plain_yaml",
    "shown",
]

#: Values a document may expand to once its aliases are followed (a 400-phase spec has ~15,000).
MAX_VALUES = 100_000
#: How deeply values may nest (a spec needs five levels).
MAX_DEPTH = 32
#: Alias uses (``*name``) in one document: far more than a hand-written file shares.
MAX_ALIASES = 500
#: Characters in one integer: past this a number means nothing to us, and past 4,300 digits
#: Python refuses to convert it at all.
MAX_NUMBER_CHARS = 30

_INT_TAG = "tag:yaml.org,2002:int"

_repr = reprlib.Repr()
_repr.maxlevel = 2
_repr.maxstring = _repr.maxother = _repr.maxlong = 60
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = _repr.maxfrozenset = 4


def shown(value: object) -> str:
    """``repr(value)`` cut to a few dozen characters, however large or deep ``value`` is.

    A message that quotes what the user wrote must not print (or expand) all of it.
    """
    return _repr.repr(value)


class PlainYamlError(ValueError):
    """YAML that is not plain, bounded data. ``problem`` is one line; ``line`` and ``path``
    (the mapping keys leading to it, outermost first) say where, when known."""

    def __init__(self, problem: str, *, line: int | None = None, path: tuple[str, ...] = ()):
        self.problem = problem
        self.line = line
        self.path = path
        super().__init__(f"line {line}: {problem}" if line is not None else problem)


def load_plain_yaml(text: str) -> Any:
    """Parse ``text`` as one YAML document of plain data within the bounds above.

    Duplicate mapping keys, keys that are not plain values, and tags outside YAML's safe
    schema are refused too.

    Raises:
        PlainYamlError: the text is not valid YAML or breaks one of those rules.
    """
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_bounds(root)
        return loader.construct_document(root)
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = _tag_of(exc.problem)
        if tag:
            problem = f"the YAML tag {shown(tag)[1:-1]} is not allowed (only plain data is)"
            raise PlainYamlError(problem, line=line) from None
        raise PlainYamlError(f"not valid YAML ({exc.problem})", line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PlainYamlError(f"{where}not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:
        raise PlainYamlError(f"not valid YAML ({exc})") from None
    except RecursionError:
        # The pure-Python parser (without libyaml) composes recursively.
        raise PlainYamlError(_too_deep()) from None
    finally:
        loader.dispose()


def _too_many(aliases: int) -> str:
    followed = " once its aliases are followed" if aliases else ""
    return f"this holds more than {MAX_VALUES} values{followed}"


def _too_deep() -> str:
    return f"values are nested more than {MAX_DEPTH} levels deep"


def _check_bounds(root: Node) -> None:
    """Measure the node graph (where an alias is a second edge to one node) without
    expanding it: one depth-first pass, each node visited once."""
    size: dict[int, int] = {}  # node → values it expands to, itself included
    entered: set[int] = set()
    path: list[str | None] = []
    aliases = 0
    # (node, label in its parent, True when its children are done)
    stack: list[tuple[Node, str | None, bool]] = [(root, None, False)]
    while stack:
        node, label, finished = stack.pop()
        key = id(node)
        if finished:
            size[key] = min(MAX_VALUES + 1, 1 + sum(size[id(c)] for c, _ in _children(node)))
            if size[key] > MAX_VALUES:
                raise _error(_too_many(aliases), node, path)
            path.pop()
            continue
        if key in size:  # a second way to a finished node: an alias
            aliases += 1
            if aliases > MAX_ALIASES:
                # The node's line is its anchor's, not this alias's: give the keys only.
                raise _error(
                    f"the YAML uses more than {MAX_ALIASES} aliases (*name)", None, [*path, label]
                )
            continue
        if key in entered:
            raise _error(
                "an alias refers to a value that contains it, so the value never ends",
                node,
                [*path, label],
            )
        entered.add(key)
        path.append(label)
        if len(entered) > MAX_VALUES:  # stop early on a long document without aliases too
            raise _error(_too_many(aliases), node, path)
        if len(path) > MAX_DEPTH:
            raise _error(_too_deep(), node, path)
        if (
            isinstance(node, ScalarNode)
            and node.tag == _INT_TAG
            and len(node.value) > MAX_NUMBER_CHARS
        ):
            raise _error(
                f"the number {shown(node.value)[1:-1]} is too long "
                f"(at most {MAX_NUMBER_CHARS} characters)",
                node,
                path,
            )
        stack.append((node, label, True))
        stack.extend((child, name, False) for child, name in reversed(_children(node)))


def _children(node: Node) -> list[tuple[Node, str | None]]:
    """A node's children, each with the label it adds to a path (a mapping key's text)."""
    if isinstance(node, SequenceNode):
        return [(child, None) for child in node.value]
    if isinstance(node, MappingNode):
        children: list[tuple[Node, str | None]] = []
        for key_node, value_node in node.value:
            label = str(key_node.value) if isinstance(key_node, ScalarNode) else None
            children += [(key_node, None), (value_node, label)]
        return children
    return []


def _error(problem: str, node: Node | None, path: list[str | None]) -> PlainYamlError:
    """``problem`` at ``node``'s line (none without a node), under the mapping keys of
    ``path`` (its first label is the root's, ``None``) down to the first list item."""
    keys: list[str] = []
    for label in path[1:]:
        if label is None:
            break
        keys.append(label)
    line = node.start_mark.line + 1 if node is not None else None
    return PlainYamlError(problem, line=line, path=tuple(keys))


# libyaml's loader when PyYAML was built with it (ten times faster: the bundled spec loads on
# every command), else the pure-Python one; both construct plain data only.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """SafeLoader that also refuses duplicate mapping keys (a silent overwrite otherwise)."""


def _construct_mapping(loader: _StrictLoader, node: MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        try:
            seen = key in mapping
        except TypeError:  # a list or a mapping as a key
            kinds: dict[type, str] = {list: "a list", dict: "a mapping"}
            kind = kinds.get(type(key), type(key).__name__)
            raise PlainYamlError(f"a key must be text or a number, not {kind}", line=line) from None
        if seen:
            raise PlainYamlError(f"key {shown(key)} appears twice", line=line)
        mapping[key] = loader.construct_object(value_node)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _checked_scalar(construct: Callable[[Any, Node], Any], kind: str) -> Callable[[Any, Node], Any]:
    """``construct`` with the errors PyYAML lets through (``!!int abc``, ``!!bool maybe``,
    ``2026-13-45``) turned into a ``PlainYamlError``."""

    def construct_checked(loader: Any, node: Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, OverflowError):
            line = node.start_mark.line + 1
            raise PlainYamlError(f"{shown(node.value)} is not {kind}", line=line) from None

    return construct_checked


for _name, _kind in (
    ("int", "a whole number"),
    ("float", "a number"),
    ("bool", "true or false"),
    ("timestamp", "a date or time"),
):
    _tag = f"tag:yaml.org,2002:{_name}"
    _StrictLoader.add_constructor(_tag, _checked_scalar(_SafeLoader.yaml_constructors[_tag], _kind))


def _tag_of(problem: str | None) -> str | None:
    match = re.search(r"tag '([^']+)'", problem or "")
    return match.group(1) if match else None
