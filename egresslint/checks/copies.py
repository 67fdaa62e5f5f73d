"""EGL301 duplicate-rule and EGL302 duplicate-other-priority: a rule that repeats another."""

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


def _copies(group: SecurityGroup, ctx: CheckContext, exact: bool
            ) -> Iterator[tuple[Rule, Problem]]:
    analysis = analyse(group)
    copies = analysis.copies
    for rank in sorted(copies):
        copy = copies[rank]
        entry = analysis.entry_at(rank)
        if copy.exact != exact or not reportable(entry.rule, ctx):
            continue
        original = copy.original
        ref = rule_ref(original.rule, entry.rule.path)
        if exact:
            message = (f"duplicates {ref}: same traffic, policy and priority; the API refuses "
                       "a second copy (SecurityGroupRuleConflict.Duplicated)")
        else:
            message = (f"same traffic and policy as {ref} (priority {original.priority}), which "
                       f"comes first: this copy at priority {entry.priority} decides nothing")
        yield entry.rule, Problem(message, related=(related(original.rule, "the first copy"),),
                                  key=original.rule.summary())


def check_duplicate(group: SecurityGroup, ctx: CheckContext) -> Iterator[tuple[Rule, Problem]]:
    return _copies(group, ctx, exact=True)


def check_other_priority(group: SecurityGroup, ctx: CheckContext
                         ) -> Iterator[tuple[Rule, Problem]]:
    return _copies(group, ctx, exact=False)


_RULE = ("  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: {dest}\n"
         "    Priority: {priority}\n")

DUPLICATE = Check(
    code="EGL301", name="duplicate-rule", severity=Severity.ERROR, scope=Scope.GROUP,
    check_group=check_duplicate,
    summary="Two rules of a group with the same protocol, ports, source ports, destination, "
    "policy and priority (`10.0.0.7` and `10.0.0.7/32` are the same destination).",
    rationale="The API refuses the second with SecurityGroupRuleConflict.Duplicated, so a "
    "change set that contains one fails half-way. Live rules (--existing) count: adding a "
    "rule that already exists is the same mistake.",
    fix="Delete one copy; if the live group already has the rule, drop it from the change.",
    bad_example=GROUP_HEADER + _RULE.format(dest="10.0.0.7", priority=10)
    + _RULE.format(dest="10.0.0.7/32", priority=10),
    good_example=GROUP_HEADER + _RULE.format(dest="10.0.0.7", priority=10)
    + _RULE.format(dest="10.0.0.8", priority=10),
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
OTHER_PRIORITY = Check(
    code="EGL302", name="duplicate-other-priority", severity=Severity.WARNING,
    scope=Scope.GROUP, check_group=check_other_priority,
    summary="Two rules of a group that differ only in priority.",
    rationale="The API accepts both, but the copy that comes second decides nothing: the "
    "first copy matches all of its traffic with the same policy. Often one of them was "
    "meant to change, or the priority was edited in one place only.",
    fix="Keep the copy at the priority you mean and delete the other.",
    bad_example=GROUP_HEADER + _RULE.format(dest="10.0.0.7", priority=10)
    + _RULE.format(dest="10.0.0.7", priority=20),
    good_example=GROUP_HEADER + _RULE.format(dest="10.0.0.7", priority=10),
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
CHECKS = (DUPLICATE, OTHER_PRIORITY)
