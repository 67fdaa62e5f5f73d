"""An egress rule as written in a rule file, with the position of every value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from egresslint.span import Span, unpack

SECURITY_GROUP_ID = "SecurityGroupId"
IP_PROTOCOL = "IpProtocol"
PORT_RANGE = "PortRange"
SOURCE_PORT_RANGE = "SourcePortRange"
DEST_CIDR_IP = "DestCidrIp"
POLICY = "Policy"
PRIORITY = "Priority"

#: The parameters of AuthorizeSecurityGroupEgress, in the API page's order of importance.
API_FIELDS: tuple[str, ...] = (
    SECURITY_GROUP_ID,
    IP_PROTOCOL,
    PORT_RANGE,
    SOURCE_PORT_RANGE,
    DEST_CIDR_IP,
    POLICY,
    PRIORITY,
)
REQUIRED_FIELDS: tuple[str, ...] = (SECURITY_GROUP_ID, IP_PROTOCOL, PORT_RANGE, DEST_CIDR_IP)
STRING_FIELDS = frozenset(API_FIELDS) - {PRIORITY}
INTEGER_FIELDS = frozenset({PRIORITY})

#: Keys starting with this prefix are annotations: kept, shown, never sent.
ANNOTATION_PREFIX = "x-"

DEFAULT_POLICY = "accept"
DEFAULT_PRIORITY = 1


class SpanSource(Protocol):
    """Where a value's position comes from when it is worked out only on demand (the JSON
    reader locates values lazily: most values never need a position)."""

    def span_of(self, name: str) -> Span: ...


class FieldValue:
    """One value of a rule.

    `value` is the typed value (str, or int for Priority); `text` is the scalar as written
    (without quotes). `span` may be given packed (`egresslint.span.pack`), as a reader of a
    large file does; the `span` property gives a `Span` either way. `usable` is False when
    the loader already reported the value (wrong type, a YAML 1.1 coercion): checks then
    leave the field alone rather than report twice.

    Immutable by contract (as a frozen dataclass would be), but a plain slotted class: a large
    file builds hundreds of thousands of these, and a frozen dataclass costs five times as much
    to construct. `span` may be computed on first use from a `SpanSource`.
    """

    __slots__ = ("_source", "_span", "from_defaults", "name", "str_value", "text", "usable",
                 "value")

    def __init__(self, name: str, value: object, text: str, span: Span | int | None,
                 usable: bool = True, from_defaults: bool = False,
                 source: SpanSource | None = None) -> None:
        # `source` may be passed by position: the JSON reader makes hundreds of thousands of
        # values, and a keyword argument doubles the cost of the call.
        self.name: Final = name
        self.value: Final = value
        self.text: Final = text
        self._span = span
        self._source: Final = source
        self.usable: Final = usable
        self.from_defaults: Final = from_defaults
        #: `value` when it is usable text, else None: what `Rule.text` answers, which the group
        #: analysis asks millions of times on a large file.
        self.str_value: Final = value if usable and isinstance(value, str) else None

    @property
    def span(self) -> Span:
        span = self._span
        if span is None:
            assert self._source is not None, "a FieldValue has a span or a source for one"
            span = self._span = self._source.span_of(self.name)
        elif type(span) is int:
            span = self._span = unpack(span)
        return span  # type: ignore[return-value]

    def replace(self, *, from_defaults: bool) -> FieldValue:
        return FieldValue(self.name, self.value, self.text, self._span, self.usable,
                          from_defaults, source=self._source)

    def _key(self) -> tuple[str, object, str, Span, bool, bool]:
        return (self.name, self.value, self.text, self.span, self.usable, self.from_defaults)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldValue):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"FieldValue(name={self.name!r}, value={self.value!r}, text={self.text!r}, "
                f"span={self.span!r}, usable={self.usable!r}, "
                f"from_defaults={self.from_defaults!r})")


#: A value not worked out yet, in a rule's memo.
UNSET: Final = object()
#: Places in a rule's memo: `egresslint.analysis.traffic.traffic_key`, the settings and the
#: rung of `egresslint.checks.public_egress`, `Rule.summary`, `egresslint.engine.rule_identity`.
MEMO_TRAFFIC, MEMO_EGRESS_SETTINGS, MEMO_EGRESS, MEMO_SUMMARY, MEMO_IDENTITY = range(5)


class _Derived:
    """A slot for values derived from a rule's fields and kept on first use: a rule never
    changes, and on a large file the destination checks, the group analysis and the findings
    ask for them several times per rule. Unset until then (so `Rule`'s constructor, fields
    and equality are unaffected, and the loader builds rules exactly as before); then one
    list, so that a rule pays for an unset slot once, not once per value."""

    __slots__ = ("_memo",)
    _memo: list[Any]


#: Writes the slot directly: `Rule` is frozen, and the memo is not one of its fields.
_set_memo = vars(_Derived)["_memo"].__set__


def new_memo(rule: Rule) -> list[Any]:
    """The rule's memo, made empty on first use (`rule._memo` raised AttributeError)."""
    memo = [UNSET, UNSET, UNSET, UNSET, UNSET]
    _set_memo(rule, memo)
    return memo


def prime_memos(rules: Iterable[Rule]) -> None:
    """Give each rule an empty memo at once: one pass over a large file costs a fraction of
    finding the slot unset rule by rule (an exception each)."""
    for rule in rules:
        _set_memo(rule, [UNSET, UNSET, UNSET, UNSET, UNSET])


@dataclass(frozen=True, slots=True)
class Rule(_Derived):
    path: str
    index: int
    span: Span
    fields: Mapping[str, FieldValue]
    annotations: Mapping[str, FieldValue]
    #: "proposed" for rules in the files under review, "existing" for live rules.
    origin: str = "proposed"

    def field(self, name: str) -> FieldValue | None:
        return self.fields.get(name)

    def text(self, name: str) -> str | None:
        """The usable string value of a field, or None."""
        fv = self.fields.get(name)
        return None if fv is None else fv.str_value

    @property
    def security_group_id(self) -> str | None:
        fv = self.fields.get(SECURITY_GROUP_ID)
        return fv.text if fv is not None else None

    @property
    def policy(self) -> str:
        fv = self.fields.get(POLICY)
        return (fv.str_value if fv is not None else None) or DEFAULT_POLICY

    @property
    def priority(self) -> int:
        fv = self.fields.get(PRIORITY)
        if fv is not None and fv.usable and isinstance(fv.value, int):
            return fv.value
        return DEFAULT_PRIORITY

    def summary(self) -> str:
        """One line a reviewer reads: `accept tcp 443/443 -> 10.0.0.0/8 (priority 10)`."""
        try:
            memo = self._memo
        except AttributeError:
            memo = new_memo(self)
        text = memo[MEMO_SUMMARY]
        if text is UNSET:
            text = memo[MEMO_SUMMARY] = self._summarise()
        return text  # type: ignore[no-any-return]

    def _summarise(self) -> str:
        # `policy`, `_shown` and `priority`, inlined: findings summarise tens of thousands
        # of rules on a large file.
        get = self.fields.get
        fv = get(POLICY)
        policy = (fv.str_value if fv is not None else None) or DEFAULT_POLICY
        fv = get(IP_PROTOCOL)
        protocol = "?" if fv is None else fv.text
        fv = get(PORT_RANGE)
        ports = "?" if fv is None else fv.text
        fv = get(SOURCE_PORT_RANGE)
        source = "" if fv is None else f" from port {fv.text}"
        fv = get(DEST_CIDR_IP)
        dest = "?" if fv is None else fv.text
        fv = get(PRIORITY)
        priority = (fv.value if fv is not None and fv.usable and isinstance(fv.value, int)
                    else DEFAULT_PRIORITY)
        return f"{policy} {protocol} {ports}{source} -> {dest} (priority {priority})"

    def _shown(self, name: str) -> str:
        fv = self.fields.get(name)
        return fv.text if fv is not None else "?"

    def api_parameters(self) -> dict[str, str | int]:
        """The parameters as they would be sent, defaults made explicit."""
        params: dict[str, str | int] = {}
        for name in API_FIELDS:
            fv = self.fields.get(name)
            if fv is not None and isinstance(fv.value, (str, int)):
                params[name] = fv.value
        params.setdefault(POLICY, DEFAULT_POLICY)
        params.setdefault(PRIORITY, DEFAULT_PRIORITY)
        return params


_SET_FIELDS = tuple(vars(Rule)[name].__set__
                    for name in ("path", "index", "span", "fields", "annotations", "origin"))
_new_rule_object = object.__new__


def new_rule(path: str, index: int, span: Span, fields: Mapping[str, FieldValue],
             annotations: Mapping[str, FieldValue]) -> Rule:
    """`Rule(path, index, span, fields, annotations)`, made in half the time: the frozen
    constructor sets each field through `object.__setattr__`, and a large file has a hundred
    thousand rules. Sets every field (a test holds it to `dataclasses.fields(Rule)`)."""
    rule = _new_rule_object(Rule)
    set_path, set_index, set_span, set_fields, set_annotations, set_origin = _SET_FIELDS
    set_path(rule, path)
    set_index(rule, index)
    set_span(rule, span)
    set_fields(rule, fields)
    set_annotations(rule, annotations)
    set_origin(rule, "proposed")
    return rule

