"""A strict JSON reader that keeps positions, producing the same node tree as YAML composing.

The standard library's `json` forgets where values were; a linter cannot. Strings are decoded
by the standard library's C `scanstring`; the structure is walked iteratively (no recursion,
so deep nesting is a finding, not a crash).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from egresslint.finding import Problem
from egresslint.loader import yaml11
from egresslint.loader.problems import SYNTAX_ERROR, TOO_COMPLEX, LoadProblem
from egresslint.loader.yaml_source import MAX_DEPTH
from egresslint.span import point

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"true": yaml11.BOOL, "false": yaml11.BOOL, "null": yaml11.NULL}


class Mark:
    """The two fields of a YAML mark that egresslint reads (0-based, like PyYAML's)."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


class _JsonError(Exception):
    def __init__(self, message: str, offset: int, code: str = SYNTAX_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.code = code


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def mark(self, offset: int) -> Any:
        line = bisect_right(self.line_starts, offset) - 1
        return Mark(line, offset - self.line_starts[line])

    def skip(self, offset: int) -> int:
        return _WS.match(self.text, offset).end()  # type: ignore[union-attr]

    def scalar(self, offset: int) -> tuple[Node, int]:
        text = self.text
        char = text[offset : offset + 1]
        if char == '"':
            try:
                value, end = scanstring(text, offset + 1, True)
            except ValueError as exc:
                raise _JsonError(_clean(str(exc)), getattr(exc, "pos", offset)) from None
            return ScalarNode(yaml11.STR, value, self.mark(offset), self.mark(end), '"'), end
        match = _NUMBER.match(text, offset)
        if match is not None:
            tag = yaml11.FLOAT if match.group(1) or match.group(2) else yaml11.INT
            end = match.end()
            return ScalarNode(tag, match.group(), self.mark(offset), self.mark(end), None), end
        for literal, tag in _LITERALS.items():
            if text.startswith(literal, offset):
                end = offset + len(literal)
                return ScalarNode(tag, literal, self.mark(offset), self.mark(end), None), end
        if not char:
            raise _JsonError("unexpected end of file; the JSON document is incomplete", offset)
        raise _JsonError(f"unexpected character {char!r}; expected a JSON value", offset)


def _clean(message: str) -> str:
    # scanstring's messages end with ": line 1 column 5 (char 4)"; we give our own position.
    return re.sub(r":\s*line \d+ column \d+ \(char \d+\)$", "", message)


def parse(text: str) -> tuple[Node | None, LoadProblem | None]:
    reader = _Reader(text)
    try:
        return _parse(reader), None
    except _JsonError as exc:
        mark = reader.mark(min(exc.offset, len(text)))
        return None, LoadProblem(exc.code, Problem(exc.message, point(mark.line + 1, mark.column + 1)))


def _parse(reader: _Reader) -> Node | None:
    text = reader.text
    offset = reader.skip(0)
    if offset == len(text):
        return None
    # Each frame: [node, expecting_key_or_item, pending_key]; values are appended in place.
    stack: list[list[Any]] = []
    root: Node | None = None
    while True:
        offset = reader.skip(offset)
        char = text[offset : offset + 1]
        frame = stack[-1] if stack else None
        if frame is not None and isinstance(frame[0], MappingNode) and frame[2] is None:
            # Expecting a key or the end of the object.
            if char == "}" and frame[1] != "after_comma":
                node = frame[0]
                node.end_mark = reader.mark(offset + 1)
                stack.pop()
                offset += 1
                root, offset = _after_value(reader, stack, node, offset, root)
                if root is not None and not stack:
                    return _finish(reader, root, offset)
                continue
            if char != '"':
                raise _JsonError("expected a double-quoted key" + (
                    "; JSON allows no trailing comma" if char == "}" else ""), offset)
            key, offset = reader.scalar(offset)
            offset = reader.skip(offset)
            if text[offset : offset + 1] != ":":
                raise _JsonError("expected ':' after the key", offset)
            frame[2] = key
            offset += 1
            continue
        if frame is not None and isinstance(frame[0], SequenceNode) and char == "]":
            if frame[1] == "after_comma":
                raise _JsonError("unexpected ']'; JSON allows no trailing comma", offset)
            node = frame[0]
            node.end_mark = reader.mark(offset + 1)
            stack.pop()
            offset += 1
            root, offset = _after_value(reader, stack, node, offset, root)
            if root is not None and not stack:
                return _finish(reader, root, offset)
            continue
        # A value starts here.
        if char in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                raise _JsonError(f"nesting deeper than {MAX_DEPTH} levels", offset, TOO_COMPLEX)
            start = reader.mark(offset)
            container: Node = (
                MappingNode(yaml11.MAP, [], start, start, True)
                if char == "{"
                else SequenceNode(yaml11.SEQ, [], start, start, True)
            )
            stack.append([container, "start", None])
            offset += 1
            continue
        value, offset = reader.scalar(offset)
        root, offset = _after_value(reader, stack, value, offset, root)
        if root is not None and not stack:
            return _finish(reader, root, offset)


def _after_value(
    reader: _Reader, stack: list[list[Any]], value: Node, offset: int, root: Node | None
) -> tuple[Node | None, int]:
    """Attach a finished value to its parent and consume the separator after it."""
    if not stack:
        return value, offset
    frame = stack[-1]
    parent = frame[0]
    if isinstance(parent, MappingNode):
        parent.value.append((frame[2], value))
        frame[2] = None
        closer = "}"
    else:
        parent.value.append(value)
        closer = "]"
    offset = reader.skip(offset)
    char = reader.text[offset : offset + 1]
    if char == ",":
        frame[1] = "after_comma"
        return root, offset + 1
    frame[1] = "after_value"
    if char != closer:
        what = "end of file" if not char else repr(char)
        raise _JsonError(f"expected ',' or '{closer}', found {what}", offset)
    return root, offset


def _finish(reader: _Reader, root: Node, offset: int) -> Node:
    offset = reader.skip(offset)
    if offset != len(reader.text):
        raise _JsonError("unexpected text after the JSON document", offset)
    return root
