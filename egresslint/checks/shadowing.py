"""EGL304 shadowed-rule, EGL305 redundant-rule and EGL306 partial-override: what the rules
that come first leave for a rule to decide.

All three read the exact coverage computation (`egresslint.analysis.coverage`): a rule is
covered when the union of the rules before it in precedence order matches all of its
traffic, however many rules that takes. A covered rule that is a copy of another is
reported by EGL301/EGL302 instead, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from egresslint.analysis.refs import NAMED_IN_MESSAGE, related, rule_list
from egresslint.checks._group import (
    GROUP_HEADER,
    OPTION_DOCS,
    OPTIONS,
    REFERENCES,
    analyse,
    comes_first,
    reportable,
)
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Related, Severity
from egresslint.rule import Rule
from egresslint.security_group import SecurityGroup

if TYPE_CHECKING:
    from egresslint.analysis.group import GroupAnalysis

_VERB = {True: "accepting", False: "dropping"}


_NOTES = {True: "comes first and accepts part of its traffic",
          False: "comes first and drops part of its traffic"}


def _related(analysis: GroupAnalysis, ranks: list[int]) -> tuple[Related, ...]:
    accepts = analysis.accepts
    return tuple([related(analysis.rule_at(rank), _NOTES[accepts[rank]]) for rank in ranks])


def _names(analysis: GroupAnalysis, ranks: list[int], here: str) -> str:
    # Only the rules a message names are looked up (a deny-all can have a hundred deciders).
    named = ranks if len(ranks) <= NAMED_IN_MESSAGE else ranks[: NAMED_IN_MESSAGE - 1]
    return rule_list([analysis.rule_at(rank) for rank in named], here, len(ranks))


def check_shadowed(group: SecurityGroup, ctx: CheckContext) -> Iterator[tuple[Rule, Problem]]:
    analysis = analyse(group)
    accepts = analysis.accepts
    for rank in analysis.flagged:
        entry = analysis.entry_at(rank)
        if not analysis.reported_shadowed(entry) or not reportable(entry.rule, ctx):
            continue
        deciders = analysis.decider_ranks(rank)
        opposite = sum(1 for d in deciders if accepts[d] != entry.accept)
        amount = "all" if opposite == len(deciders) else "some"
        names = _names(analysis, deciders, entry.rule.path)
        message = (f"never takes effect: {names} {comes_first(len(deciders))} decide"
                   f"{'s' if len(deciders) == 1 else ''} all of its traffic, "
                   f"{_VERB[not entry.accept]} {amount} of it")
        yield entry.rule, Problem(message, None, _related(analysis, deciders))


def check_redundant(group: SecurityGroup, ctx: CheckContext) -> Iterator[tuple[Rule, Problem]]:
    analysis = analyse(group)
    for rank in analysis.flagged:
        verdict = analysis.verdict_at(rank)
        if not verdict.redundant or rank in analysis.copies:
            continue
        entry = analysis.entry_at(rank)
        if not reportable(entry.rule, ctx):
            continue
        deciders = analysis.decider_ranks(rank)
        names = _names(analysis, deciders, entry.rule.path)
        verb = entry.policy + ("s" if len(deciders) == 1 else "")
        message = (f"can be removed: {names} {comes_first(len(deciders))} already {verb} all "
                   "of its traffic")
        yield entry.rule, Problem(message, None, _related(analysis, deciders))


def check_partial(group: SecurityGroup, ctx: CheckContext) -> Iterator[tuple[Rule, Problem]]:
    analysis = analyse(group)
    accepts, priorities = analysis.accepts, analysis.priorities
    for rank in analysis.flagged:
        verdict = analysis.verdict_at(rank)
        if verdict.covered or not verdict.opposed_higher:
            continue
        entry = analysis.entry_at(rank)
        if not reportable(entry.rule, ctx):
            continue
        accept, priority = entry.accept, entry.priority
        overriding = [d for d in analysis.decider_ranks(rank)
                      if accepts[d] != accept and priorities[d] < priority]
        names = _names(analysis, overriding, entry.rule.path)
        verb = ("accept" if not accept else "drop") + ("s" if len(overriding) == 1 else "")
        message = (f"partly overridden: {names}, of higher priority, "
                   f"{comes_first(len(overriding))} {verb} part of its traffic")
        yield entry.rule, Problem(message, None, _related(analysis, overriding))


_DROP_LOW = "  - IpProtocol: tcp\n    PortRange: \"1/1000\"\n    DestCidrIp: 0.0.0.0/0\n" \
    "    Policy: drop\n    Priority: 1\n"
_DROP_HIGH = "  - IpProtocol: tcp\n    PortRange: \"1001/65535\"\n    DestCidrIp: 0.0.0.0/0\n" \
    "    Policy: drop\n    Priority: 1\n"

SHADOWED = Check(
    code="EGL304", name="shadowed-rule", severity=Severity.ERROR, scope=Scope.GROUP,
    check_group=check_shadowed,
    summary="A rule that never takes effect: the rules that come before it decide all of its "
    "traffic, some of it the opposite way.",
    rationale="The author meant the rule to do something and it does nothing: the accept "
    "that was supposed to open a port is dead, or the drop that was supposed to close one "
    "lets traffic through. Coverage is computed exactly against the union of the earlier "
    "rules, so two drops for ports 1-1000 and 1001-65535 together shadow an accept for "
    "80-8080, which a pairwise comparison misses.",
    fix="Give the rule a higher priority (a smaller number) than the rules named, or narrow "
    "those rules; if the rule is no longer wanted, delete it.",
    bad_example=GROUP_HEADER + _DROP_LOW + _DROP_HIGH
    + "  - IpProtocol: tcp\n    PortRange: \"80/8080\"\n    DestCidrIp: 10.0.0.0/8\n"
    "    Policy: accept\n    Priority: 10\n",
    good_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"80/8080\"\n    DestCidrIp: 10.0.0.0/8\n"
    "    Policy: accept\n    Priority: 1\n"
    + _DROP_LOW.replace("Priority: 1", "Priority: 10")
    + _DROP_HIGH.replace("Priority: 1", "Priority: 10"),
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
REDUNDANT = Check(
    code="EGL305", name="redundant-rule", severity=Severity.WARNING, scope=Scope.GROUP,
    check_group=check_redundant,
    summary="A rule whose traffic the rules before it already decide, all the same way.",
    rationale="Removing it changes nothing, so it only costs a slot toward the group's rule "
    "limit and misleads a reader into thinking it matters.",
    fix="Delete the rule, or the broader rule if the narrow one states the intent better.",
    bad_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n"
    "    Priority: 1\n"
    "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.1.0.0/16\n"
    "    Priority: 10\n",
    good_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n"
    "    Priority: 1\n",
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
PARTIAL_OVERRIDE = Check(
    code="EGL306", name="partial-override", severity=Severity.INFO, scope=Scope.GROUP,
    check_group=check_partial,
    summary="A rule part of whose traffic a rule of higher priority decides the opposite way.",
    rationale="This is how exceptions are written (accept one host at priority 1, drop the "
    "network at priority 10), so it is information, never an error: it tells a reviewer "
    "that the rule does less than it says. The strict policy makes it a warning.",
    fix="Nothing, if the exception is intended. Otherwise narrow the rule so that it no "
    "longer overlaps the rules named, or change the priorities.",
    bad_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.1.2.3\n"
    "    Priority: 1\n"
    "  - IpProtocol: all\n    PortRange: \"-1/-1\"\n    DestCidrIp: 10.0.0.0/8\n"
    "    Policy: drop\n    Priority: 10\n",
    good_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.1.2.3\n"
    "    Priority: 1\n"
    "  - IpProtocol: all\n    PortRange: \"-1/-1\"\n    DestCidrIp: 172.16.0.0/12\n"
    "    Policy: drop\n    Priority: 10\n",
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
CHECKS = (SHADOWED, REDUNDANT, PARTIAL_OVERRIDE)
