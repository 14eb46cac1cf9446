"""YAML text -> plain Python data plus the line/column of every key and value.

PyYAML's constructors silently keep the last of duplicate mapping keys and
forget positions, so we compose the node graph ourselves (SafeLoader) and build
the data from nodes, recording marks per path and duplicate keys as problems.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    """1-based line and column."""

    line: int
    col: int


@dataclass
class Located:
    """Data built from a YAML document and where each of its parts was written."""

    data: Any
    values: dict[Path, Pos] = field(default_factory=dict)
    keys: dict[Path, Pos] = field(default_factory=dict)
    problems: list[tuple[Pos, str, Path]] = field(default_factory=list)
    built: int = 0  # values built so far (alias expansion limit)

    def pos(self, path: Path, *, at_key: bool = False) -> Pos:
        """Position of a path, falling back to its nearest written ancestor."""
        p = path
        while True:
            if at_key and p in self.keys:
                return self.keys[p]
            if p in self.values:
                return self.values[p]
            if p in self.keys:
                return self.keys[p]
            if not p:
                return Pos(1, 1)
            p = p[:-1]


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


class YamlSyntaxError(Exception):
    def __init__(self, pos: Pos, message: str) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message


# Hostile input (issue 14): refused before it can take time or memory.
MAX_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 50_000  # after alias expansion ("billion laughs")


def _event_pos(event: yaml.Event) -> Pos:
    mark = event.start_mark
    return Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)


def _precheck(text: str) -> None:
    """Size and nesting limits, checked on the (non-recursive) event stream."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise YamlSyntaxError(Pos(1, 1), f"файл слишком велик: {size} байт (предел {MAX_BYTES})")
    _flow_depth_check(text)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlSyntaxError(
                        _event_pos(event),
                        f"слишком глубокая вложенность: больше {MAX_DEPTH} уровней",
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # syntax errors are reported (with position) by the composer


def _flow_depth_check(text: str) -> None:
    """Brackets nested past the limit, found in one linear pass over the characters.

    PyYAML's scanner slows down on thousands of nested ``[``/``{`` before the event
    check sees them; quoted scalars and comments are skipped, so a bracket inside a
    string never counts.
    """
    depth = line = col = 0
    quote = ""
    comment = False
    for ch in text:
        if ch == "\n":
            line, col, comment = line + 1, 0, False
            continue
        col += 1
        if comment:
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlSyntaxError(
                    Pos(line + 1, col), f"слишком глубокая вложенность: больше {MAX_DEPTH} уровней"
                )
        elif ch in "]}":
            depth = max(depth - 1, 0)


def compose(text: str) -> Located:
    """Parse one YAML document; raise YamlSyntaxError with its position."""
    _precheck(text)
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)
        what = exc.problem or exc.context or "ошибка"
        ctx = exc.context_mark
        if exc.context and ctx is not None and mark is not None and ctx.line != mark.line:
            what += f" ({exc.context}: строка {ctx.line + 1}, столбец {ctx.column + 1})"
        raise YamlSyntaxError(pos, f"синтаксическая ошибка YAML: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Pos(1, 1), f"синтаксическая ошибка YAML: {exc}") from None
    finally:
        loader.dispose()
    out = Located(data=None)
    if root is None:
        out.problems.append((Pos(1, 1), "файл пуст: ожидается описание дорожной карты", ()))
        return out
    _expansion_check(root)
    out.data = _build(root, (), out, yaml.SafeLoader(""))
    return out


def _children(node: Node) -> list[Node]:
    """The nodes ``_build`` builds under ``node``, in its order (keys it refuses skipped)."""
    if isinstance(node, SequenceNode):
        return list(node.value)
    if not isinstance(node, MappingNode):
        return []
    seen: set[str] = set()
    out = []
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value != "<<":
            if key_node.value not in seen:
                seen.add(key_node.value)
                out.append(value_node)
    return out


def _expansion_check(root: Node) -> None:
    """Refuse an alias bomb before building it: expanded sizes are counted once per
    distinct node (aliases share nodes), and the error names the very node at which
    ``_build`` would have stopped — in linear time instead of 50,000 built values."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        key = id(node)
        if key not in sizes:
            sizes[key] = 1 + sum(size(c) for c in _children(node))
        return sizes[key]

    if size(root) <= MAX_NODES:
        return
    node, budget = root, MAX_NODES
    while True:
        budget -= 1  # the node itself
        if budget < 0:
            raise YamlSyntaxError(
                _pos(node),
                f"слишком много значений после раскрытия ссылок (&/*): больше {MAX_NODES}",
            )
        for child in _children(node):
            if size(child) > budget:
                node = child
                break
            budget -= size(child)


def _build(node: Node, path: Path, out: Located, ctor: yaml.SafeLoader) -> Any:
    out.built += 1
    if out.built > MAX_NODES:
        raise YamlSyntaxError(
            _pos(node),
            f"слишком много значений после раскрытия ссылок (&/*): больше {MAX_NODES}",
        )
    out.values.setdefault(path, _pos(node))
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        first: dict[Any, Pos] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                out.problems.append((_pos(key_node), "ключ должен быть простой строкой", path))
                continue
            key = key_node.value
            if key == "<<":
                out.problems.append((_pos(key_node), "слияние '<<' не поддерживается", path))
                continue
            if key in first:
                where = first[key]
                out.problems.append(
                    (
                        _pos(key_node),
                        f"повторяющийся ключ '{key}' (уже задан в строке {where.line})",
                        path,
                    )
                )
                continue
            first[key] = _pos(key_node)
            sub = (*path, key)
            out.keys[sub] = _pos(key_node)
            result[key] = _build(value_node, sub, out, ctor)
        return result
    if isinstance(node, SequenceNode):
        return [_build(item, (*path, i), out, ctor) for i, item in enumerate(node.value)]
    assert isinstance(node, ScalarNode)
    try:
        value = ctor.construct_object(node)
    except (ValueError, yaml.YAMLError):
        return node.value  # e.g. 2025-02-30: keep the text, the date check reports it
    if isinstance(value, dt.datetime | dt.date):
        return node.value
    return value
