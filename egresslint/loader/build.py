"""Turn a composed node tree into rules, reporting every way the file differs from its shape.

Accepted shapes: a mapping with `rules:` (a list) and optional `defaults:`; a bare list of
rules; a single rule mapping. The walk follows only that shape, so no alias is ever expanded
beyond it and the cost stays linear in the text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import NamedTuple

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from egresslint import rule as r
from egresslint.finding import Problem, Related
from egresslint.loader import yaml11
from egresslint.loader.problems import (
    DUPLICATE_KEY,
    INVALID_SHAPE,
    NO_RULES,
    UNKNOWN_FIELD,
    UNSAFE_TAG,
    WRONG_TYPE,
    YAML_COERCION,
    LoadProblem,
)
from egresslint.span import Span, point

TOP_LEVEL_KEYS = ("rules", "defaults")
_ANNOTATION_NAME = re.compile(r"x-[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
#: Merge keys (`<<: *base`) may nest; beyond this many levels it is a loop or a bomb.
_MAX_MERGE_DEPTH = 16

_KIND = {MappingNode: "a mapping", SequenceNode: "a list", ScalarNode: "a scalar"}
_EXAMPLES = {
    r.SECURITY_GROUP_ID: "sg-0a1b2c3d",
    r.IP_PROTOCOL: "tcp",
    r.PORT_RANGE: "443/443",
    r.SOURCE_PORT_RANGE: "1024/65535",
    r.DEST_CIDR_IP: "10.0.0.0/8",
    r.POLICY: "accept",
    r.PRIORITY: "10",
}


#: Allowed tags of a field name (a plain `true:` or `1:` is still a name, reported as unknown).
KEY_TAGS = frozenset({yaml11.STR, yaml11.BOOL, yaml11.INT, yaml11.NULL, yaml11.FLOAT})


class Value(NamedTuple):
    """What the field logic needs to know of a value, however it was read (a composed node,
    a parser event, a JSON token)."""

    kind: str  # "a scalar", "a mapping", "a list", "a value"
    tag: str
    text: str  # the scalar as written; "" for collections
    style: str | None  # None or "" when plain
    span: Span


def node_span(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def node_value(node: Node) -> Value:
    if isinstance(node, ScalarNode):
        return Value("a scalar", scalar_tag(node.tag, node.value, node.style), node.value,
                     node.style, node_span(node))
    return Value(_kind(node), node.tag, "", None, node_span(node))


def scalar_tag(tag: str, text: str, style: str | None) -> str:
    """The tag the field logic goes by. An empty plain scalar is no value whichever way it was
    tagged: libyaml reads `Key: !` as an empty string, the Python parser as null."""
    if tag == yaml11.STR and not text and not style:
        return yaml11.NULL
    return tag


def _content_span(node: MappingNode) -> Span:
    """A block mapping's end mark sits at the start of whatever follows it; end the span at
    its last value instead, so a rule's span covers exactly its own lines."""
    start = node.start_mark
    end = node.value[-1][1].end_mark if node.value and not node.flow_style else node.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _kind(node: Node) -> str:
    return _KIND.get(type(node), "a value")


def _is_null(node: Node) -> bool:
    return (isinstance(node, ScalarNode) and not node.style
            and scalar_tag(node.tag, node.value, node.style) == yaml11.NULL)


class RuleFileBuilder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[LoadProblem] = []
        self.rules: list[r.Rule] = []

    def report(self, code: str, message: str, span: Span, rule_index: int | None = None,
               related: tuple[Related, ...] = (), key: str = "") -> None:
        self.problems.append(LoadProblem(code, Problem(message, span, related, key=key),
                                         rule_index))

    # -- shapes ----------------------------------------------------------------------------

    def build(self, root: Node | None, source_text: str) -> None:
        if "!" in source_text and root is not None:
            self._report_tags(root)
        if root is None or _is_null(root):
            self.report(NO_RULES, "the file has no rules", point(1, 1))
            return
        if isinstance(root, SequenceNode):
            self._build_rules(root, {})
            return
        if isinstance(root, MappingNode):
            keys = {k.value for k, _ in root.value if isinstance(k, ScalarNode)}
            if keys & set(TOP_LEVEL_KEYS):
                self._build_document(root)
            else:
                self._build_rule(root, 0, {})
            return
        self.report(
            INVALID_SHAPE,
            f"the document is {_kind(root)}; a rule file is a mapping with `rules:`, "
            "a list of rules, or a single rule",
            node_span(root),
        )

    def _build_document(self, root: MappingNode) -> None:
        rules_node: Node | None = None
        defaults: dict[str, r.FieldValue] = {}
        seen: dict[str, Span] = {}
        for key, value in root.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if name is None:
                self.report(WRONG_TYPE, "a key must be a plain name", node_span(key))
                continue
            if name in seen:
                self.duplicate(name, node_span(key), seen[name], None)
                continue
            seen[name] = node_span(key)
            if name == "rules":
                rules_node = value
            elif name.startswith(r.ANNOTATION_PREFIX):
                pass  # a note about the whole file: kept in the text, never sent
            elif name == "defaults":
                if isinstance(value, MappingNode):
                    defaults = self._fields(value, None, in_defaults=True)
                elif not _is_null(value):
                    self.report(WRONG_TYPE, f"`defaults` must be a mapping of rule fields, "
                                f"not {_kind(value)}", node_span(value))
            else:
                self.unknown_top_level(name, node_span(key))
        if rules_node is None:
            self.report(INVALID_SHAPE, "the file has `defaults:` but no `rules:` list",
                        node_span(root))
        elif _is_null(rules_node):
            self.report(NO_RULES, "`rules:` is empty", node_span(rules_node))
        elif isinstance(rules_node, SequenceNode):
            self._build_rules(rules_node, defaults)
        else:
            self.report(WRONG_TYPE, f"`rules` must be a list of rules, not {_kind(rules_node)}",
                        node_span(rules_node))

    def unknown_top_level(self, name: str, span: Span) -> None:
        hint = _did_you_mean(name, TOP_LEVEL_KEYS)
        self.report(UNKNOWN_FIELD, f"unknown top-level key `{name}`; a rule file has `rules:` "
                    f"and optional `defaults:`{hint}", span, key=name)

    def _build_rules(self, node: SequenceNode, defaults: dict[str, r.FieldValue]) -> None:
        if not node.value:
            self.report(NO_RULES, "the list of rules is empty", node_span(node))
        for index, item in enumerate(node.value):
            self._build_rule(item, index, defaults)

    def _build_rule(self, node: Node, index: int, defaults: dict[str, r.FieldValue]) -> None:
        if not isinstance(node, MappingNode):
            self.not_a_rule(_kind(node), node_span(node), index)
            return
        fields = self._fields(node, index, in_defaults=False)
        self.add_rule(index, _content_span(node), fields, defaults)

    def not_a_rule(self, kind: str, span: Span, index: int) -> None:
        self.report(INVALID_SHAPE, f"a rule must be a mapping of fields, not {kind}", span, index)

    def add_rule(self, index: int, span: Span, fields: dict[str, r.FieldValue],
                 defaults: dict[str, r.FieldValue]) -> None:
        for name, inherited in defaults.items():
            if name not in fields:
                fields[name] = inherited.replace(from_defaults=True)
        api = {name: fv for name, fv in fields.items() if not name.startswith(r.ANNOTATION_PREFIX)}
        notes = {name: fv for name, fv in fields.items() if name.startswith(r.ANNOTATION_PREFIX)}
        self.rules.append(r.Rule(self.path, index, span, api, notes))

    # -- fields ----------------------------------------------------------------------------

    def _pairs(self, node: MappingNode, depth: int = 0) -> Iterator[tuple[Node, Node, bool]]:
        """Key/value pairs with `<<` merges flattened; the flag marks merged pairs, which
        explicit keys override."""
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.tag == yaml11.MERGE:
                if depth >= _MAX_MERGE_DEPTH:
                    self.report(WRONG_TYPE, "merge keys nested too deeply", node_span(key))
                    continue
                sources = value.value if isinstance(value, SequenceNode) else [value]
                for source in sources:
                    if isinstance(source, MappingNode):
                        for k, v, _ in self._pairs(source, depth + 1):
                            yield k, v, True
                    else:
                        self.report(WRONG_TYPE, "`<<` must merge a mapping", node_span(source))
            else:
                yield key, value, False

    def _fields(self, node: MappingNode, index: int | None, *,
                in_defaults: bool) -> dict[str, r.FieldValue]:
        fields: dict[str, r.FieldValue] = {}
        first_key: dict[str, Span] = {}
        merged: list[tuple[Node, Node]] = []
        for key, value, from_merge in self._pairs(node):
            if from_merge:
                merged.append((key, value))
                continue
            self._field(key, value, index, fields, first_key, in_defaults)
        # Merged pairs fill only what the mapping did not set itself.
        for key, value in merged:
            if isinstance(key, ScalarNode) and key.value not in fields:
                self._field(key, value, index, fields, first_key, in_defaults)
        return fields

    def _field(self, key: Node, value: Node, index: int | None, fields: dict[str, r.FieldValue],
               first_key: dict[str, Span], in_defaults: bool) -> None:
        if not isinstance(key, ScalarNode) or key.tag not in KEY_TAGS:
            self.report(WRONG_TYPE, f"a field name must be text, not {_kind(key)}",
                        node_span(key), index)
            return
        self.entry(key.value, node_span(key), node_value(value), index, fields, first_key,
                   in_defaults)

    # -- one `name: value` pair, however it was read -----------------------------------------

    def entry(self, name: str, key_span: Span, value: Value, index: int | None,
              fields: dict[str, r.FieldValue], first_key: dict[str, Span],
              in_defaults: bool) -> None:
        if name in first_key:
            self.duplicate(name, key_span, first_key[name], index)
            return
        first_key[name] = key_span
        self.assign(name, key_span, value, index, fields, in_defaults)

    def assign(self, name: str, key_span: Span, value: Value, index: int | None,
               fields: dict[str, r.FieldValue], in_defaults: bool) -> None:
        """A pair whose name is text and set for the first time."""
        if name in r.API_FIELDS:
            fields[name] = self.value(name, value, index)
        elif name.startswith(r.ANNOTATION_PREFIX):
            self.annotation(name, key_span, value, index, fields)
        else:
            self.unknown_field(name, key_span, index, in_defaults)

    def unknown_field(self, name: str, key_span: Span, index: int | None,
                      in_defaults: bool) -> None:
        where = "in `defaults`" if in_defaults else "in a rule"
        hint = _did_you_mean(name, r.API_FIELDS)
        if not hint and not in_defaults and name in TOP_LEVEL_KEYS:
            hint = "; `rules` and `defaults` belong at the top of the file"
        elif not hint:
            hint = (f"; fields are {', '.join(r.API_FIELDS)}, and annotations start with "
                    f"`{r.ANNOTATION_PREFIX}`")
        self.report(UNKNOWN_FIELD, f"unknown field `{name}` {where}{hint}", key_span, index,
                    key=name)

    def key_not_text(self, kind: str, span: Span, index: int | None) -> None:
        self.report(WRONG_TYPE, f"a field name must be text, not {kind}", span, index)

    def duplicate(self, name: str, key_span: Span, first_span: Span, index: int | None) -> None:
        self.report(
            DUPLICATE_KEY,
            f"`{name}` is set twice; the first value (line {first_span.line}) is kept and this "
            "one ignored: delete one",
            key_span,
            index,
            (Related(self.path, first_span.line, first_span.column, f"first `{name}`"),),
            key=name,
        )

    def annotation(self, name: str, key_span: Span, value: Value, index: int | None,
                   fields: dict[str, r.FieldValue]) -> None:
        if not _ANNOTATION_NAME.match(name):
            self.report(UNKNOWN_FIELD, f"annotation name `{name}` must be `x-` followed by "
                        "letters, digits, `-`, `_` or `.`", key_span, index, key=name)
            return
        if value.tag not in yaml11.STANDARD_TAGS:
            return  # reported by the tag scan
        if value.kind != "a scalar":
            self.report(WRONG_TYPE, f"annotation `{name}` must be text, not {value.kind}",
                        value.span, index, key=name)
            return
        fields[name] = r.FieldValue(name, value.text, value.text, value.span)

    def value(self, name: str, value: Value, index: int | None) -> r.FieldValue:
        span = value.span
        if value.tag not in yaml11.STANDARD_TAGS:
            # Reported once by the tag scan; the value is unusable.
            return r.FieldValue(name, None, value.text, span, usable=False)
        if value.kind != "a scalar":
            self.report(WRONG_TYPE, f"{name} must be {_expected(name)}, not {value.kind}",
                        span, index, key=name)
            return r.FieldValue(name, None, "", span, usable=False)
        text = value.text
        tag = value.tag
        if name in r.INTEGER_FIELDS:
            if tag == yaml11.INT and yaml11.is_plain_decimal(text):
                if len(text) <= yaml11.MAX_INTEGER_DIGITS:  # a plain decimal has no sign
                    return r.FieldValue(name, int(text), text, span)
                self.report(WRONG_TYPE, f"{name} has {len(text)} digits: write an integer "
                            "from 1 to 100", span, index, key=name)
                return r.FieldValue(name, None, text, span, usable=False)
        elif tag == yaml11.STR:
            return r.FieldValue(name, text, text, span)
        self._wrong_scalar(name, value, index)
        return r.FieldValue(name, None, text, span, usable=False)

    def _wrong_scalar(self, name: str, value: Value, index: int | None) -> None:
        span = value.span
        text = value.text
        tag = value.tag
        expected = _expected(name)
        if value.style:  # quoted: a string where a number belongs
            self.report(WRONG_TYPE, f"{name} must be {expected}, not the text \"{text}\"; "
                        f"write {text} without quotes" if name in r.INTEGER_FIELDS else
                        f"{name} must be {expected}", span, index, key=name)
            return
        reading, surprise = yaml11.describe_reading(tag, text)
        if tag == yaml11.NULL:
            self.report(WRONG_TYPE, f"{name} has no value; write {expected}", span, index, key=name)
        elif surprise:
            quoted = "" if name in r.INTEGER_FIELDS else f"; quote it: \"{text}\""
            sexagesimal = re.fullmatch(r"(\d+):(\d+)", text)
            if name in (r.PORT_RANGE, r.SOURCE_PORT_RANGE) and sexagesimal:
                quoted = f"; write \"{sexagesimal.group(1)}/{sexagesimal.group(2)}\""
            elif name == r.POLICY:
                quoted = "; write \"accept\" or \"drop\""
            self.report(YAML_COERCION, f"YAML 1.1 reads {name}: {text} as {reading}, not what "
                        f"is written{quoted}", span, index, key=name)
        elif name in r.INTEGER_FIELDS:
            self.report(WRONG_TYPE, f"{name} must be {expected}, not {reading}", span, index,
                        key=name)
        else:
            example = _EXAMPLES[name] if tag != yaml11.INT else _port_hint(name, text)
            self.report(WRONG_TYPE, f"{name} must be {expected}, not {reading}; "
                        f"write \"{example}\"", span, index, key=name)

    def _report_tags(self, root: Node) -> None:
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.tag not in yaml11.STANDARD_TAGS:
                self.report(UNSAFE_TAG, f"tag `{_short_tag(node.tag)}` is not allowed in a rule "
                            "file; it was not run. Remove it and write a plain value",
                            node_span(node))
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    stack.append(value)
                    stack.append(key)
            elif isinstance(node, SequenceNode):
                stack.extend(reversed(node.value))


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(yaml11.TAG_PREFIX):] if tag.startswith(yaml11.TAG_PREFIX) else tag


def _expected(name: str) -> str:
    if name in r.INTEGER_FIELDS:
        return "an integer from 1 to 100"
    if name in (r.PORT_RANGE, r.SOURCE_PORT_RANGE):
        return "text like \"443/443\""
    return f"text like \"{_EXAMPLES[name]}\""


def _port_hint(name: str, text: str) -> str:
    if name in (r.PORT_RANGE, r.SOURCE_PORT_RANGE) and yaml11.is_plain_decimal(text):
        return f"{text}/{text}"
    return _EXAMPLES[name]


def _did_you_mean(name: str, choices: tuple[str, ...]) -> str:
    folded = {c.lower(): c for c in choices}
    plain = re.sub(r"[-_ ]", "", name).lower()
    if plain in folded:
        return f"; did you mean `{folded[plain]}`?"
    close = difflib.get_close_matches(plain, list(folded), n=1, cutoff=0.75)
    return f"; did you mean `{folded[close[0]]}`?" if close else ""
