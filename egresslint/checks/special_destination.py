"""EGL206 special-destination: destinations no egress rule can sensibly name."""

from __future__ import annotations

from egresslint.analysis.addresses import SPECIAL_OCTETS, special
from egresslint.analysis.traffic import traffic_key
from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import DEST_CIDR_IP, Rule


def check(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    # Both policies: a drop to a loopback address is as meaningless as an accept.
    traffic = traffic_key(rule)
    if traffic is None or traffic[0] >> 24 not in SPECIAL_OCTETS:  # `special`'s first test
        return ()
    block = special(traffic[0], traffic[1])
    dest = rule.field(DEST_CIDR_IP)
    if block is None or dest is None:
        return ()
    return (field_problem(dest, f"{dest.text} is {block.what}: {block.why}; this rule cannot "
                          "mean what it says"),)


CHECK = Check(
    code="EGL206", name="special-destination", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="A destination inside 0.0.0.0/8 (other than 0.0.0.0/0), 127.0.0.0/8, "
    "169.254.0.0/16, 224.0.0.0/4, 240.0.0.0/4 or 255.255.255.255.",
    rationale="Egress rules to these addresses match traffic that never leaves the instance "
    "or is never forwarded, so the rule does nothing. Usually it is a slip with a real "
    "cost: `0.0.0.0` written for \"anywhere\" turns a deny-all into a rule that denies "
    "nothing, and 169.254.169.254 is another cloud's metadata address.",
    fix="Write the destination that was meant: 0.0.0.0/0 for every address, the service's "
    "real address otherwise (Alibaba Cloud's metadata service is 100.100.100.200).",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: all\nPortRange: \"-1/-1\"\n"
    "DestCidrIp: 0.0.0.0\nPolicy: drop\nPriority: 100\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: all\nPortRange: \"-1/-1\"\n"
    "DestCidrIp: 0.0.0.0/0\nPolicy: drop\nPriority: 100\n",
    references=("https://www.iana.org/assignments/iana-ipv4-special-registry/"
                "iana-ipv4-special-registry.xhtml",
                "https://www.rfc-editor.org/rfc/rfc6890"),
    tags=("destination",),
)
