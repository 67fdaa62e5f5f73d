"""EGL205 destination-not-allowed: accept rules outside the policy's allowed destinations."""

from __future__ import annotations

from egresslint.analysis.precedence import policy_of
from egresslint.analysis.settings import allowed_destinations
from egresslint.analysis.traffic import traffic_key
from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import DEST_CIDR_IP, Rule

_BLOCKS_NAMED = 4


def check(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    allowed = allowed_destinations(ctx.settings)
    if allowed is None:  # the usual case: no list, nothing to check
        return ()
    dest = rule.field(DEST_CIDR_IP)
    if dest is None or policy_of(rule) != "accept":
        return ()
    traffic = traffic_key(rule)
    if traffic is None or allowed.contains(traffic[0], traffic[1]):
        return ()
    blocks = allowed.cidrs
    listed = ", ".join(blocks)
    if len(blocks) > _BLOCKS_NAMED:
        listed = (f"{', '.join(blocks[: _BLOCKS_NAMED - 1])} and "
                  f"{len(blocks) - _BLOCKS_NAMED + 1} more")
    return (field_problem(dest, f"{dest.text} is not within the policy's allowed destinations "
                          f"({listed})"),)


CHECK = Check(
    code="EGL205", name="destination-not-allowed", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="An accept rule whose destination is not wholly inside the policy's "
    "`allowed_destinations` (only when that list is set).",
    rationale="Some groups may only ever talk to known networks (a payment zone to its "
    "processor, a build farm to its mirrors). Listing those networks in the policy turns "
    "that promise into a gate: a destination partly outside them is outside.",
    fix="Point the rule at an allowed destination, or, if the new destination is legitimate, "
    "add it to `settings.allowed_destinations` in the policy (a change reviewers see).",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 198.51.100.0/24\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    references=("https://www.alibabacloud.com/help/en/ens/developer-reference/"
                "api-ens-2017-11-10-authorizesecuritygroupegress",),
    example_settings={"allowed_destinations": ["10.0.0.0/8", "192.168.0.0/16"]},
    tags=("destination", "policy"),
)
