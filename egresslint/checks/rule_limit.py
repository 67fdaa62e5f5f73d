"""EGL307 too-many-rules: a group with more rules than the policy's limit."""

from __future__ import annotations

from collections.abc import Iterator

from egresslint.analysis.settings import DEFAULT_MAX_RULES_PER_GROUP, max_rules_per_group
from egresslint.checks._group import (
    GROUP_HEADER,
    OPTION_DOCS,
    OPTIONS,
    REFERENCES,
    reportable,
)
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import Rule
from egresslint.security_group import SecurityGroup


def check(group: SecurityGroup, ctx: CheckContext) -> Iterator[tuple[Rule, Problem]]:
    limit = max_rules_per_group(ctx.settings)
    total = len(group.rules)
    if total <= limit:
        return
    live = sum(1 for rule in group.rules if rule.origin == "existing")
    # Live rules come first in group order, so the first rule past the limit that can be
    # reported is the first proposed one there (or the first at all, with report_existing).
    for number, rule in enumerate(group.rules[limit:], start=limit + 1):
        if reportable(rule, ctx):
            counts = f"{live} live and {total - live} proposed" if live else "all proposed"
            yield rule, Problem(
                f"security group {group.id} would have {total} rules ({counts}), more than "
                f"the limit of {limit}; this is rule {number}, and the API refuses rules past "
                "the limit (AuthorizationLimitExceed)")
            return


def _bad_example() -> str:
    ports = [f"{{PortRange: \"{p}/{p}\"}}" for p in range(1, DEFAULT_MAX_RULES_PER_GROUP + 2)]
    lines = [", ".join(ports[i:i + 5]) for i in range(0, len(ports), 5)]
    return ("# One rule more than the default limit of 200.\n"
            "defaults:\n  SecurityGroupId: sg-0a1b2c3d\n  IpProtocol: tcp\n"
            "  DestCidrIp: 10.0.0.0/8\nrules: [\n  " + ",\n  ".join(lines) + "\n]\n")


CHECK = Check(
    code="EGL307", name="too-many-rules", severity=Severity.ERROR, scope=Scope.GROUP,
    check_group=check,
    summary="A security group with more rules than settings.max_rules_per_group (live rules "
    "from --existing count).",
    rationale="A group holds a limited number of rules (ECS allows 200; ENS states no number, "
    "so the policy sets it). Past the limit the API refuses the rule with "
    "AuthorizationLimitExceed, in the middle of a change.",
    fix="Merge rules (adjacent port ranges, destinations in one block), remove redundant "
    "ones (see EGL305), or split the instances across groups.",
    bad_example=_bad_example(),
    good_example=GROUP_HEADER
    + "  - IpProtocol: tcp\n    PortRange: \"1/201\"\n    DestCidrIp: 10.0.0.0/8\n",
    options=OPTIONS, option_docs=OPTION_DOCS, references=REFERENCES,
    tags=("group",),
)
