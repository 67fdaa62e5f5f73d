"""A strict JSON reader that keeps positions, producing the same node tree as YAML composing.

The standard library's `json` forgets where values were; a linter cannot. Strings are decoded
by the standard library's C `scanstring`; the structure is walked iteratively (no recursion,
so deep nesting is a finding, not a crash).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from json.decoder import JSONDecoder, scanstring  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from egresslint import rule as r
from egresslint.finding import Problem
from egresslint.loader import yaml11
from egresslint.loader.problems import SYNTAX_ERROR, TOO_COMPLEX, LoadProblem
from egresslint.loader.yaml_source import MAX_DEPTH
from egresslint.span import Span, point

if TYPE_CHECKING:
    from egresslint.loader.build import RuleFileBuilder

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_ANNOTATION = re.compile(r"x-[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
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
        offset = reader.skip(0)
        if offset == len(text):
            return None, None
        return _parse(reader, offset, whole=True)[0], None
    except _JsonError as exc:
        mark = reader.mark(min(exc.offset, len(text)))
        return None, LoadProblem(exc.code, Problem(exc.message,
                                                   point(mark.line + 1, mark.column + 1)))


def _parse(reader: _Reader, offset: int, *, whole: bool) -> tuple[Node, int]:
    """The value starting at `offset` and the offset after it; with `whole`, the value must be
    all the text holds."""
    text = reader.text
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
                    return _finish(reader, root, offset, whole)
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
            seq: SequenceNode = frame[0]
            seq.end_mark = reader.mark(offset + 1)
            stack.pop()
            offset += 1
            root, offset = _after_value(reader, stack, seq, offset, root)
            if root is not None and not stack:
                return _finish(reader, root, offset, whole)
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
            return _finish(reader, root, offset, whole)


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


def _finish(reader: _Reader, root: Node, offset: int, whole: bool) -> tuple[Node, int]:
    if not whole:
        return root, offset
    offset = reader.skip(offset)
    if offset != len(reader.text):
        raise _JsonError("unexpected text after the JSON document", offset)
    return root, offset


# -- the fast reader ------------------------------------------------------------------------
#
# The reader above walks every character in Python (about 100 seconds a gigabyte); the C
# scanner behind `json.loads` reads a whole rule object in one call but keeps no positions.
# The fast reader lets the C scanner decode each rule, takes the rule's span from the offsets
# it returns, and works out a value's position only when something asks for it, by reading
# that one rule again with the reader above. Anything unusual (a syntax error, a duplicate
# key, a value of the wrong type, nesting, a NaN) is left to the exact reader: a whole file
# for problems outside the rules, one rule for problems inside one.


class _FloatText(str):
    """A JSON number with a fraction or exponent, as written."""


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: the exact reader reports them


# Integers are read by the scanner itself (a hook would cost a Python call each): a positive
# one is written as `str` gives it back, and any other is left to the exact reader.
_DECODER = JSONDecoder(object_pairs_hook=tuple, parse_float=_FloatText,
                       parse_constant=_refuse_constant)
#: (value, end offset) of the JSON value at an offset; objects come back as tuples of pairs,
#: duplicates kept, arrays as lists.
_scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_ws = _WS.match
#: What follows a rule in the list: a comma and the next rule's `{` (not consumed), or `]`.
_AFTER_RULE = re.compile(r"[ \t\n\r]*(?:,[ \t\n\r]*(?=\{)|(\]))")
#: Text fields by name, to the project's own string for the name: a rule keyed by those
#: shares them, rather than holding the scanner's fresh copies (seven per rule), and every
#: later lookup by the constant finds its key by identity.
_TEXT_FIELDS = {name: name for name in r.API_FIELDS if name != r.PRIORITY}
_PRIORITY = r.PRIORITY
#: Integers from here on have too many digits to be read as numbers (the exact reader says so).
_LONGEST = 10**yaml11.MAX_INTEGER_DIGITS
_PREFIX = r.ANNOTATION_PREFIX
_new = tuple.__new__


class _Fallback(Exception):
    """The file needs the exact reader."""


def read_rules(path: str, text: str) -> RuleFileBuilder | None:
    """The rules of a JSON file read by the fast reader, or None when the file needs the
    exact one."""
    from egresslint.loader.build import RuleFileBuilder

    builder = RuleFileBuilder(path)
    try:
        _FastReader(builder, text).read()
    except Exception:  # _Fallback, or an error the exact reader reports with its position
        return None
    return builder


#: A `"key": value` pair of an object the fast reader accepted, whose values are all strings
#: or integers (so the next `"` after a value always opens the next key).
_PAIR = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*'
                   r'("[^"\\]*(?:\\.[^"\\]*)*"|-?[0-9]+)')


class _ObjectSpans:
    """Positions of the values of one object the fast reader accepted, found on demand."""

    __slots__ = ("_spans", "end", "line", "start", "text")

    def __init__(self, text: str, start: int, end: int, line: int) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.line = line  # 0-based line of `start`
        self._spans: dict[str, Span] | None = None

    def span_of(self, name: str) -> Span:
        spans = self._spans
        if spans is None:
            spans = self._spans = self._read()
        return spans[name]

    def _read(self) -> dict[str, Span]:
        text = self.text
        spans: dict[str, Span] = {}
        line, offset = self.line, self.start
        for match in _PAIR.finditer(text, self.start, self.end):
            key = match.group(1)
            if "\\" in key:
                key = scanstring(text, match.start(1), True)[0]
            begin, finish = match.span(2)
            line += text.count("\n", offset, begin)  # strings hold no raw line breaks
            column = begin - (text.rfind("\n", 0, begin) + 1)
            spans[key] = _new(Span, (line + 1, column + 1, line + 1, column + 1 + finish - begin))
            offset = begin
        return spans


class _Positions:
    """The exact reader over the whole text, made when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._reader: _Reader | None = None

    def node_at(self, offset: int) -> MappingNode:
        if self._reader is None:
            self._reader = _Reader(self.text)
        node, _ = _parse(self._reader, offset, whole=False)
        assert isinstance(node, MappingNode)
        return node


class _FastReader:
    def __init__(self, builder: RuleFileBuilder, text: str) -> None:
        self.builder = builder
        self.text = text
        self.positions = _Positions(text)
        # Line counting moves forward through the file with the rules.
        self._line = 0
        self._line_offset = 0

    def read(self) -> None:
        text = self.text
        offset = _ws(text, 0).end()  # type: ignore[union-attr]
        char = text[offset : offset + 1]
        if char == "{":
            offset = self._document(offset)
        elif char == "[":
            offset = self._rules(offset, {})
        else:
            raise _Fallback
        if _ws(text, offset).end() != len(text):  # type: ignore[union-attr]
            raise _Fallback

    def _document(self, offset: int) -> int:
        text = self.text
        seen: set[str] = set()
        defaults: dict[str, r.FieldValue] = {}
        saw_rules = False
        offset = _ws(text, offset + 1).end()  # type: ignore[union-attr]
        while True:
            if text[offset : offset + 1] != '"':
                raise _Fallback
            name, offset = scanstring(text, offset + 1, True)
            if name in seen or (saw_rules and not name.startswith(_PREFIX)):
                raise _Fallback  # reported by the exact reader, in its order
            seen.add(name)
            offset = _ws(text, offset).end()  # type: ignore[union-attr]
            if text[offset : offset + 1] != ":":
                raise _Fallback
            offset = _ws(text, offset + 1).end()  # type: ignore[union-attr]
            if name == "rules" and text[offset : offset + 1] == "[":
                offset = self._rules(offset, defaults)
                saw_rules = True
            elif name.startswith(_PREFIX):
                offset = _scan(text, offset)[1]  # a note about the whole file
            elif name == "defaults" and text[offset : offset + 1] == "{":
                pairs, offset_after = _scan(text, offset)
                defaults = self._defaults(pairs, offset)
                offset = offset_after
            else:
                raise _Fallback
            offset = _ws(text, offset).end()  # type: ignore[union-attr]
            char = text[offset : offset + 1]
            if char == "}":
                break
            if char != ",":
                raise _Fallback
            offset = _ws(text, offset + 1).end()  # type: ignore[union-attr]
        if not saw_rules:
            raise _Fallback
        return offset + 1

    def _defaults(self, pairs: tuple[tuple[str, Any], ...], offset: int
                  ) -> dict[str, r.FieldValue]:
        end = _scan(self.text, offset)[1]
        line = self.text.count("\n", 0, offset)
        found = self._fields(pairs, _ObjectSpans(self.text, offset, end, line))
        if found is None:
            raise _Fallback
        # One mapping, in the order written within each kind, as the exact reader keeps it.
        return {**found[0], **found[1]}

    def _rules(self, offset: int, defaults: dict[str, r.FieldValue]) -> int:
        text = self.text
        builder = self.builder
        rules = builder.rules
        path = builder.path
        new_rule = r.new_rule
        positions = self.positions
        fields_of = self._fields
        count, rfind, after = text.count, text.rfind, _AFTER_RULE.match
        # One inherited copy shared by every rule: equal to per-rule copies, and immutable.
        inherited = {name: fv.replace(from_defaults=True) for name, fv in defaults.items()}
        index = 0
        offset = _ws(text, offset + 1).end()  # type: ignore[union-attr]
        if text[offset : offset + 1] != "{":
            raise _Fallback  # an empty list is reported with the list's span
        # Lines are counted forward from the previous rule (0-based here).
        line, counted = self._line, self._line_offset
        while True:
            pairs, end = _scan(text, offset)
            # The rule's span, as `_span` works it out.
            line += count("\n", counted, offset)
            end_line = line + count("\n", offset, end)
            span = _new(Span, (line + 1, offset - rfind("\n", 0, offset),
                               end_line + 1, end - rfind("\n", 0, end)))
            found = fields_of(pairs, _ObjectSpans(text, offset, end, line))
            line, counted = end_line, end
            if found is None:
                # Something to report: this rule is read exactly, and built as the exact
                # reader's whole-file path would build it.
                builder._build_rule(positions.node_at(offset), index, defaults)
            else:
                fields, notes = found
                for name, fv in inherited.items():
                    if name not in fields and name not in notes:
                        (notes if name.startswith(_PREFIX) else fields)[name] = fv
                rules.append(new_rule(path, index, span, fields, notes))
            index += 1
            # `,` and the next rule's `{`, or the list's `]`.
            match = after(text, end)
            if match is None:
                raise _Fallback
            if match.group(1):
                self._line, self._line_offset = line, counted
                return match.end()
            offset = match.end()

    def _fields(self, pairs: tuple[tuple[str, Any], ...], spans: _ObjectSpans
                ) -> tuple[dict[str, r.FieldValue], dict[str, r.FieldValue]] | None:
        """The fields and annotations of a rule (or `defaults`) whose every pair is a field or
        annotation set once to text of the right type; None when anything needs reporting."""
        field_value = r.FieldValue
        fields: dict[str, r.FieldValue] = {}
        notes: dict[str, r.FieldValue] = {}
        for name, value in pairs:
            kind = type(value)
            if kind is str:
                known = _TEXT_FIELDS.get(name)
                if known is not None:
                    if known in fields:
                        return None
                    fields[known] = field_value(known, value, value, None, True, False, spans)
                    continue
                if name.startswith(_PREFIX) and _ANNOTATION.match(name) and name not in notes:
                    notes[name] = field_value(name, value, value, None, True, False, spans)
                    continue
            elif kind is int and 0 < value < _LONGEST and name == _PRIORITY and name not in fields:
                # Positive, so written without sign or leading zeros (`0` may have been `-0`).
                fields[_PRIORITY] = field_value(_PRIORITY, value, str(value), None, True, False,
                                                spans)
                continue
            return None
        return fields, notes
