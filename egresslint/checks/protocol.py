"""EGL101 invalid-protocol."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.ports import PROTOCOLS
from egresslint.rule import IP_PROTOCOL, Rule

_ALIASES = {"-1": "all", "any": "all", "*": "all", "ip": "all", "ipv4": "all"}


# Field checks run once per rule: plain functions returning a tuple, which costs a fraction of
# a generator when (as nearly always) there is nothing to say.
def check(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fv = rule.fields.get(IP_PROTOCOL)
    if fv is None or not fv.usable or fv.text in PROTOCOLS:
        return ()
    text = fv.text
    folded = text.strip().lower()
    if folded in PROTOCOLS:
        reason = "IpProtocol is case-sensitive" if text.strip() == text else "it has spaces"
        return (field_problem(fv, f"`{text}` is not a protocol ({reason}): write \"{folded}\"",
                              fix_to=folded),)
    if folded in _ALIASES:
        return (field_problem(fv, f"`{text}` is not a protocol: for every protocol write \"all\""),)
    return (field_problem(fv, f"`{text}` is not a protocol: write one of {', '.join(PROTOCOLS)}"),)


CHECK = Check(
    code="EGL101", name="invalid-protocol", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="IpProtocol is not one of tcp, udp, icmp, gre, all.",
    rationale="The API accepts exactly these five values, case-sensitively; anything else is "
    "rejected at submit time, after review, or worse, read by another tool differently.",
    fix="Write the protocol in lower case: tcp, udp, icmp, gre or all.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: TCP\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    references=("https://www.alibabacloud.com/help/en/ens/developer-reference/api-ens-2017-11-10-authorizesecuritygroupegress",),
    tags=("field",),
)
