"""EGL108 missing-field."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import REQUIRED_FIELDS, SECURITY_GROUP_ID, Rule
from egresslint.span import Span

_REQUIRED = frozenset(REQUIRED_FIELDS)
_WHAT = {
    "SecurityGroupId": "the group the rule belongs to, such as \"sg-5tsq3x7kkt2o9f6b\"; "
    "set it on the rule or once under `defaults:`",
    "IpProtocol": "tcp, udp, icmp, gre or all",
    "PortRange": "such as \"443/443\", or \"-1/-1\" for icmp, gre and all",
    "DestCidrIp": "the destination block, such as \"10.0.0.0/8\"",
}


def check(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fields = rule.fields
    if fields.keys() >= _REQUIRED:  # one C-level comparison for the usual complete rule
        return ()
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    start = Span(rule.span.line, rule.span.column, rule.span.line, rule.span.column + 1)
    return [Problem(f"the rule has no {name}, which the API requires: add {name} "
                    f"({_WHAT[name]})", start, key=name) for name in missing]


CHECK = Check(
    code="EGL108", name="missing-field", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="A rule lacks SecurityGroupId, IpProtocol, PortRange or DestCidrIp.",
    rationale="The API requires these four; a rule without them cannot be evaluated or sent.",
    fix=f"Add the field; {SECURITY_GROUP_ID} may come from `defaults:` for every rule in a file.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nDestCidrIp: 10.0.0.0/8\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    tags=("field",),
)
