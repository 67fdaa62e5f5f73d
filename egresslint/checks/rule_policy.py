"""EGL105 invalid-policy: the rule's Policy field (accept or drop)."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import POLICY, Rule

POLICIES = ("accept", "drop")
_SYNONYMS = {"allow": "accept", "permit": "accept", "deny": "drop", "reject": "drop",
             "block": "drop"}


def check(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fv = rule.fields.get(POLICY)
    if fv is None or not fv.usable or fv.text in POLICIES:
        return ()
    folded = fv.text.strip().lower()
    if folded in POLICIES:
        return (field_problem(fv, f"Policy `{fv.text}` must be lower case: write \"{folded}\"",
                              fix_to=folded),)
    if folded in _SYNONYMS:
        # A synonym's meaning is clear to a person but it is still a change of value.
        return (field_problem(fv, f"Policy `{fv.text}` is not a policy: write "
                              f"\"{_SYNONYMS[folded]}\"", fix_to=_SYNONYMS[folded], safe=False),)
    return (field_problem(fv, f"Policy `{fv.text}` is not a policy: write \"accept\" or "
                          "\"drop\""),)


CHECK = Check(
    code="EGL105", name="invalid-policy", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="Policy is not `accept` or `drop`.",
    rationale="The API takes exactly these two words; `Accept`, `allow` or `deny` are rejected "
    "when the rule is sent, after review has passed.",
    fix="Write `accept` or `drop` (omit Policy for accept, the default).",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPolicy: allow\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPolicy: accept\n",
    tags=("field",),
)
