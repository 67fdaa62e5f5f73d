"""EGL102 invalid-port-range (PortRange and SourcePortRange)."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.checks._fields import field_problem, protocol_of
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.ports import parse_port_range
from egresslint.rule import PORT_RANGE, SOURCE_PORT_RANGE, Rule


def check(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fields = rule.fields
    dport = fields.get(PORT_RANGE)
    sport = fields.get(SOURCE_PORT_RANGE)
    if dport is None and sport is None:
        return ()
    protocol = protocol_of(rule)
    if sport is None and dport is not None and dport.usable:
        # The usual rule: one range, already seen in this file (parse results are cached).
        message = parse_port_range(dport.text, protocol)[1]
        if message is None:
            return ()
    problems: list[Problem] = []
    for name, fv in ((PORT_RANGE, dport), (SOURCE_PORT_RANGE, sport)):
        if fv is None or not fv.usable:
            continue
        # Cached: a file has a few hundred distinct ranges.
        message = parse_port_range(fv.text, protocol)[1]
        if message is not None:
            fix = None
            stripped = fv.text.replace(" ", "")
            if stripped != fv.text and parse_port_range(stripped, protocol)[1] is None:
                fix = stripped  # only spaces were wrong: safe to remove them
            problems.append(field_problem(fv, f"{name} {message}", fix_to=fix))
    return problems


CHECK = Check(
    code="EGL102", name="invalid-port-range", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="PortRange or SourcePortRange is not `start/end` within 1..65535 with start <= end, "
    "or not `-1/-1` for icmp, gre and all.",
    rationale="The API rejects other forms; forms such as `80-443` or `22` are guesses at what "
    "was meant, and `200/1` is a range that contains nothing.",
    fix="For tcp and udp write `start/end` (`443/443`, `8000/8080`, `1/65535` for every port); "
    "for icmp, gre and all write `-1/-1`.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"8080/80\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"80/8080\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    tags=("field",),
)
