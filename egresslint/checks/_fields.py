"""Shared helpers for checks that look at one field of a rule."""

from __future__ import annotations

from egresslint.finding import Edit, Problem
from egresslint.ports import PROTOCOLS
from egresslint.rule import IP_PROTOCOL, FieldValue, Rule


def field_problem(fv: FieldValue, message: str, *, fix_to: str | None = None,
                  safe: bool = True) -> Problem:
    """A problem located at the value of `fv`; `fix_to` offers the replacement value."""
    edits: tuple[Edit, ...] = ()
    if fix_to is not None:
        edits = (Edit(fv.span, fix_to, safe, f"{fv.name}: {fv.text} -> {fix_to}"),)
    if fv.from_defaults:
        message += " (inherited from `defaults`)"
    return Problem(message, fv.span, edits=edits, key=fv.name)


def protocol_of(rule: Rule) -> str | None:
    """The rule's protocol when it is valid, else None (port checks then stay generic)."""
    protocol = rule.text(IP_PROTOCOL)
    return protocol if protocol in PROTOCOLS else None
