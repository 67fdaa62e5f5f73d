"""EGL103 invalid-destination and EGL104 destination-host-bits."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.destination import parse_destination
from egresslint.finding import Problem, Severity
from egresslint.rule import DEST_CIDR_IP, Rule

_HOST_BITS = "has host bits set"


def check_malformed(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fv = rule.fields.get(DEST_CIDR_IP)
    if fv is None or not fv.usable:
        return ()
    message = parse_destination(fv.text)[1]  # cached, so both checks parse each text once
    if message is None or _HOST_BITS in message:
        return ()
    fix = fv.text.strip() if fv.text.strip() != fv.text else None
    if fix is not None and parse_destination(fix)[1] is not None:
        fix = None
    return (field_problem(fv, f"DestCidrIp {message}", fix_to=fix),)


def check_host_bits(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fv = rule.fields.get(DEST_CIDR_IP)
    if fv is None or not fv.usable:
        return ()
    message = parse_destination(fv.text)[1]
    if message is None or _HOST_BITS not in message:
        return ()
    network = message.split("did you mean ", 1)[1].split(" or ", 1)[0]
    # Which of the two was meant cannot be known: offered, never applied by `fix`.
    return (field_problem(fv, f"DestCidrIp {message}", fix_to=network, safe=False),)


INVALID = Check(
    code="EGL103", name="invalid-destination", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check_malformed,
    summary="DestCidrIp is not a strict IPv4 address or CIDR block.",
    rationale="Parsers disagree about loose forms: inet_aton reads `10.1` as 10.0.0.1 and "
    "`010.0.0.1` as octal 8.0.0.1. egresslint accepts only the dotted-quad form every parser "
    "reads the same way; IPv6 is refused because this API takes IPv4.",
    fix="Write four decimal octets and an optional prefix 0..32, such as `10.0.0.0/8` or "
    "`203.0.113.7`.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.1/16\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.1.0.0/16\n",
    tags=("field",),
)
HOST_BITS = Check(
    code="EGL104", name="destination-host-bits", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check_host_bits,
    summary="DestCidrIp has bits set beyond its prefix (`10.0.0.1/8`).",
    rationale="Such a block is ambiguous: the author meant either the whole network "
    "(10.0.0.0/8) or the one host (10.0.0.1/32), and the two differ by sixteen million "
    "addresses.",
    fix="Write the network address (`10.0.0.0/8`) or the host (`10.0.0.1/32`).",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.1/8\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    tags=("field",),
)
