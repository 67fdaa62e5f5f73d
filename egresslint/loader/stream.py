"""Build rules straight from the YAML parser's events, without composing a node tree.

Composing a 100,000-rule file creates over a million nodes and twice as many marks (several
hundred MiB) and resolves every scalar's tag in Python; the rules need none of that. This
reader walks the event stream once and builds each rule as its events arrive, resolving only
the tags that matter, and costs about half of composing alone.

It covers what rule files are made of: a `rules:` list (after an optional `defaults:`
mapping and `x-` annotations), or a bare list of rules, of mappings from names to scalars. On
anything else (an anchor, an alias, a tag, a merge key, an unusual shape, a syntax error) it
raises `Fallback` and the caller composes the document instead, so every finding, message
and position is the composing path's by construction; the two are compared in the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from egresslint import rule as r
from egresslint.loader import yaml11
from egresslint.loader.build import KEY_TAGS, RuleFileBuilder, Value, scalar_tag
from egresslint.span import Span, unpack

#: Deeper values are left to the composing path, which bounds nesting.
_MAX_SKIP_DEPTH = 64

_RESOLVER = Resolver()
#: Tags of plain scalars by text. Rule files repeat a small vocabulary (`tcp`, `accept`,
#: `443/443`), and PyYAML's resolver tries several regular expressions per call.
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_LIMIT = 1 << 16

_STR = yaml11.STR
_INT = yaml11.INT
_MERGE = yaml11.MERGE
_API = frozenset(r.API_FIELDS)
_PRIORITY = r.PRIORITY
_PREFIX = r.ANNOTATION_PREFIX
_new = tuple.__new__
_decimal = yaml11.DECIMAL.match


class Fallback(Exception):
    """The document uses something this reader leaves to the composing path."""


def plain_tag(text: str) -> str:
    tag = _PLAIN_TAGS.get(text)
    if tag is None:
        if len(_PLAIN_TAGS) >= _PLAIN_TAGS_LIMIT:
            _PLAIN_TAGS.clear()
        tag = _PLAIN_TAGS[text] = _RESOLVER.resolve(  # type: ignore[no-untyped-call]
            ScalarNode, text, (True, False))
    return tag


def _span(event: Any) -> Span:
    start, end = event.start_mark, event.end_mark
    return _new(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1))


class EventReader:
    """One pass over the events of one document, feeding a RuleFileBuilder."""

    def __init__(self, builder: RuleFileBuilder, get_event: Callable[[], Any]) -> None:
        self.builder = builder
        self.get = get_event

    def read(self) -> None:
        get = self.get
        if type(get()) is not StreamStartEvent or type(get()) is not DocumentStartEvent:
            raise Fallback  # an empty stream: the composing path says what is missing
        root = get()
        kind = type(root)
        if root.anchor is not None or getattr(root, "tag", None) is not None:
            raise Fallback
        if kind is MappingStartEvent:
            self._document()
        elif kind is SequenceStartEvent:
            self._rules({})
        else:
            raise Fallback
        if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
            raise Fallback  # a second document

    # -- shapes ----------------------------------------------------------------------------

    def _document(self) -> None:
        builder = self.builder
        get = self.get
        seen: dict[str, Span] = {}
        defaults: dict[str, r.FieldValue] = {}
        saw_rules = False
        while True:
            key = get()
            if type(key) is MappingEndEvent:
                break
            if type(key) is not ScalarEvent or key.anchor is not None or key.tag is not None:
                raise Fallback
            name = key.value
            if saw_rules and (name in seen or not name.startswith(_PREFIX)):
                # The composing path reports the keys after `rules:` before the rules.
                raise Fallback
            if name in seen:
                builder.duplicate(name, _span(key), seen[name], None)
                self._skip(get())
                continue
            seen[name] = _span(key)
            if name == "rules":
                value = get()
                if (type(value) is not SequenceStartEvent or value.anchor is not None
                        or value.tag is not None):
                    raise Fallback
                self._rules(defaults)
                saw_rules = True
            elif name.startswith(_PREFIX):
                self._skip(get())  # a note about the whole file
            elif name == "defaults":
                value = get()
                if (type(value) is not MappingStartEvent or value.anchor is not None
                        or value.tag is not None):
                    raise Fallback
                defaults, _ = self._fields(value, None, in_defaults=True)
            else:
                builder.unknown_top_level(name, seen[name])
                self._skip(get())
        if not saw_rules:
            raise Fallback  # a single rule, or `defaults:` alone

    def _rules(self, defaults: dict[str, r.FieldValue]) -> None:
        builder = self.builder
        get = self.get
        rules = builder.rules
        path = builder.path
        new_rule = r.new_rule
        # One inherited copy shared by every rule: equal to per-rule copies, and immutable.
        inherited = {name: fv.replace(from_defaults=True) for name, fv in defaults.items()}
        index = 0
        while True:
            event = get()
            kind = type(event)
            if kind is MappingStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise Fallback
                self._notes = False
                fields, end = self._fields(event, index, in_defaults=False)
                start = event.start_mark
                span = _new(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1))
                if inherited:
                    for name, fv in inherited.items():
                        if name not in fields:
                            fields[name] = fv
                            if name.startswith(_PREFIX):
                                self._notes = True
                if self._notes:
                    builder.add_rule(index, span, fields, {})
                else:
                    rules.append(new_rule(path, index, span, fields, {}))
            elif kind is SequenceEndEvent:
                break
            else:
                value = self._skip(event)
                builder.not_a_rule(value.kind, value.span, index)
            index += 1
        if index == 0:
            raise Fallback  # an empty list: reported with the composed list's span

    # -- one mapping of fields -------------------------------------------------------------

    def _fields(self, start: Any, index: int | None, *, in_defaults: bool
                ) -> tuple[dict[str, r.FieldValue], Any]:
        """The fields of the mapping that `start` opens, and where its content ends (the end
        of its last value in block style, as the composing path's rule span has it)."""
        builder = self.builder
        get = self.get
        field_value = r.FieldValue
        fields: dict[str, r.FieldValue] = {}
        first: dict[str, Any] = {}  # name -> key event, for duplicate reports
        last_end = None
        while True:
            key = get()
            if type(key) is MappingEndEvent:
                end = key.end_mark if last_end is None or start.flow_style else last_end
                return fields, end
            if type(key) is not ScalarEvent or key.anchor is not None or key.tag is not None:
                raise Fallback
            name = key.value
            event = get()
            if type(event) is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise Fallback
                text = event.value
                tag = (_PLAIN_TAGS.get(text) or plain_tag(text)) if event.implicit[0] else _STR
                begin: Any = event.start_mark
                mark: Any = event.end_mark
                last_end = mark
                # `egresslint.span.pack`, inlined: a value's span is kept in a quarter of
                # the memory of a Span, and few are ever asked for.
                packed = (((begin.line + 1 << 32 | begin.column + 1) << 32 | mark.line + 1)
                          << 32 | mark.column + 1)
                if name in _API and name not in first:
                    # The common case, inlined: a field set once to a value of its type.
                    first[name] = key
                    if name == _PRIORITY:
                        if (tag == _INT and _decimal(text) is not None
                                and len(text) <= yaml11.MAX_INTEGER_DIGITS):
                            fields[name] = field_value(name, int(text), text, packed)
                            continue
                    elif tag == _STR:
                        fields[name] = field_value(name, text, text, packed)
                        continue
                    fields[name] = builder.value(name, Value(
                        "a scalar", scalar_tag(tag, text, event.style), text, event.style,
                        unpack(packed)), index)
                    continue
                value = Value("a scalar", scalar_tag(tag, text, event.style), text, event.style,
                              unpack(packed))
            else:
                value = self._skip(event)
                last_end = self._last_end
            key_tag = plain_tag(name) if key.implicit[0] else _STR
            if key_tag == _MERGE:
                raise Fallback
            if key_tag not in KEY_TAGS:
                builder.key_not_text("a scalar", _span(key), index)
                continue
            key_span = _span(key)
            if name in first:
                builder.duplicate(name, key_span, _span(first[name]), index)
                continue
            first[name] = key
            if name.startswith(_PREFIX):
                self._notes = True  # the rule's fields need sorting into fields and notes
            builder.assign(name, key_span, value, index, fields, in_defaults)

    # -- values this reader does not look into -----------------------------------------------

    _last_end: Any = None
    _notes = False

    def _skip(self, event: Any) -> Value:
        """Consume the value `event` starts; describe it by kind and span."""
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise Fallback
            self._last_end = event.end_mark
            tag = plain_tag(event.value) if event.implicit[0] else _STR
            return Value("a scalar", scalar_tag(tag, event.value, event.style), event.value,
                         event.style, _span(event))
        if kind is not MappingStartEvent and kind is not SequenceStartEvent:
            raise Fallback  # an alias
        get = self.get
        depth = 0
        current = event
        while True:
            if type(current) in (MappingStartEvent, SequenceStartEvent):
                if current.anchor is not None or current.tag is not None:
                    raise Fallback
                depth += 1
                if depth > _MAX_SKIP_DEPTH:
                    raise Fallback
            elif type(current) in (MappingEndEvent, SequenceEndEvent):
                depth -= 1
                if depth == 0:
                    break
            elif type(current) is ScalarEvent:
                if current.anchor is not None or current.tag is not None:
                    raise Fallback
            else:
                raise Fallback
            current = get()
        self._last_end = current.end_mark
        start = event.start_mark
        end = current.end_mark
        tag = yaml11.MAP if kind is MappingStartEvent else yaml11.SEQ
        return Value("a mapping" if kind is MappingStartEvent else "a list", tag, "", None,
                     _new(Span, (start.line + 1, start.column + 1, end.line + 1, end.column + 1)))
