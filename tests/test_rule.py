"""The rule value: the loaders' fast constructor makes what the dataclass constructor makes."""

from __future__ import annotations

from dataclasses import fields

from egresslint.rule import FieldValue, Rule, new_rule
from egresslint.span import Span, pack, unpack


def test_new_rule_sets_every_field_as_the_constructor_does() -> None:
    span = Span(2, 5, 8, 6)
    values = {"IpProtocol": FieldValue("IpProtocol", "tcp", "tcp", Span(3, 17, 3, 20))}
    notes = {"x-owner": FieldValue("x-owner", "web", "web", Span(4, 14, 4, 17))}
    fast = new_rule("rules.yaml", 3, span, values, notes)
    slow = Rule("rules.yaml", 3, span, values, notes)
    assert fast == slow
    # Every field, read one by one: a field the fast constructor forgot would raise here.
    assert [getattr(fast, f.name) for f in fields(Rule)] == [
        "rules.yaml", 3, span, values, notes, "proposed"]
    assert {f.name for f in fields(Rule)} == {
        "path", "index", "span", "fields", "annotations", "origin"}


def test_a_packed_span_is_the_span() -> None:
    largest = (1 << 32) - 1
    for span in (Span(1, 1, 1, 2), Span(800_000, 17, 800_001, 3),
                 Span(largest, largest, largest, largest)):
        assert unpack(pack(*span)) == span
    packed = FieldValue("PortRange", "443/443", "443/443", pack(3, 16, 3, 25))
    plain = FieldValue("PortRange", "443/443", "443/443", Span(3, 16, 3, 25))
    assert packed == plain and hash(packed) == hash(plain)
    assert packed.span == Span(3, 16, 3, 25) and isinstance(packed.span, Span)
