"""EGL106 invalid-priority."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import PRIORITY, Rule

PRIORITY_MIN = 1
PRIORITY_MAX = 100


def check(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fv = rule.fields.get(PRIORITY)
    if fv is None or not fv.usable or not isinstance(fv.value, int):
        return ()
    if PRIORITY_MIN <= fv.value <= PRIORITY_MAX:
        return ()
    nearest = min(max(fv.value, PRIORITY_MIN), PRIORITY_MAX)
    return (field_problem(fv, f"Priority {fv.value} is outside 1..100 (1 is the highest); "
                          f"the nearest valid value is {nearest}"),)


CHECK = Check(
    code="EGL106", name="invalid-priority", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="Priority is not an integer from 1 to 100.",
    rationale="The API takes 1..100, where 1 is the highest priority; a value outside it is "
    "rejected, and 0 often means the author expected 0 to be highest.",
    fix="Write an integer from 1 (evaluated first) to 100 (evaluated last).",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPriority: 0\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPriority: 1\n",
    tags=("field",),
)
