"""EGL303 priority-tie: equal priority, opposite policies, overlapping traffic."""

from __future__ import annotations

from collections.abc import Iterator

from egresslint.analysis.refs import related, rule_ref
from egresslint.checks._group import (
    GROUP_HEADER,
    OPTION_DOCS,
    OPTIONS,
    REFERENCES,
    analyse,
    reportable,
)
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import Rule
from egresslint.security_group import SecurityGroup


def check(group: SecurityGroup, ctx: CheckContext) -> Iterator[tuple[Rule, Problem]]:
    analysis = analyse(group)
    for tie in analysis.ties():
        later, partner = tie.later, tie.partner
        if not reportable(later.rule, ctx):
            continue
        # Already reported as shadowed by this partner: one finding says it.
        if (analysis.reported_shadowed(later)
                and partner.rank in analysis.decider_ranks(later.rank)):
            continue
        message = (f"priority {later.priority} tie with {rule_ref(partner.rule, later.rule.path)}"
                   f", which {partner.policy}s what this rule {later.policy}s: "
                   f"{tie.overlap.describe()}; drop wins")
        yield later.rule, Problem(
            message, None, (related(partner.rule, "the other rule of the tie"),),
            key=partner.rule.summary())


CHECK = Check(
    code="EGL303", name="priority-tie", severity=Severity.ERROR, scope=Scope.GROUP,
    check_group=check,
    summary="Two rules of equal priority and opposite policies whose traffic overlaps.",
    rationale="Which one applies is decided by a tie-break (drop wins), not by the order or "
    "intent of the file, and a reader cannot tell from either rule alone that part of the "
    "accept is dead. Priorities exist to say which rule wins: say it.",
    fix="Give the exception a higher priority (a smaller number) than the rule it carves "
    "out of, or narrow one rule so that they no longer overlap.",
    bad_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"500/1000\"\n    DestCidrIp: 10.1.5.0/24\n"
    "    Policy: drop\n    Priority: 10\n"
    "  - IpProtocol: tcp\n    PortRange: \"1/1000\"\n    DestCidrIp: 10.1.0.0/16\n"
    "    Policy: accept\n    Priority: 10\n",
    good_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"500/1000\"\n    DestCidrIp: 10.1.5.0/24\n"
    "    Policy: drop\n    Priority: 5\n"
    "  - IpProtocol: tcp\n    PortRange: \"1/1000\"\n    DestCidrIp: 10.1.0.0/16\n"
    "    Policy: accept\n    Priority: 10\n",
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
