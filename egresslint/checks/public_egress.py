"""EGL201 any-to-anywhere, EGL202 all-ports-public, EGL203 risky-port-public and
EGL204 broad-public-destination: accept rules toward public addresses.

Only accept rules are judged: a drop is never too broad (a deny-all is good practice).

The four form a ladder, most severe first, and a rule is reported by the first rung it
reaches only: every protocol to anywhere already says every port is open, every port
already includes every risky port, and any of them already says the destination is broad.
One finding per rule keeps the message specific and the count honest. The ladder is fixed:
turning off a higher rung does not make a lower one report what the higher one would have.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from egresslint.analysis.services import port_label
from egresslint.analysis.settings import max_public_port_span, public_excluded, risky_ports
from egresslint.analysis.traffic import (
    ADDRESS_MAX,
    ALL_PROTOCOLS,
    TCP,
    UDP,
    TrafficKey,
    traffic_key,
)
from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import (
    DEST_CIDR_IP,
    IP_PROTOCOL,
    MEMO_EGRESS,
    MEMO_EGRESS_SETTINGS,
    POLICY,
    PORT_RANGE,
    Rule,
    new_memo,
)

_REFERENCES = (
    "https://www.alibabacloud.com/help/en/ens/developer-reference/"
    "api-ens-2017-11-10-authorizesecuritygroupegress",
)
#: A message names at most this many risky ports, then says how many more.
_PORTS_NAMED = 8

# The rung of the ladder a rule reaches: each check reports only its own.
_NONE, _ANYWHERE, _EVERY_PORT, _RISKY, _OTHER_PUBLIC = range(5)
#: (rung, the rule's traffic, the risky ports' labels for _RISKY).
_Rung = tuple[int, TrafficKey | None, list[str]]
_NO_RUNG: _Rung = (_NONE, None, [])


def _rung(rule: Rule, settings: Mapping[str, Any]) -> _Rung:
    """The rule's rung, climbed once per rule and settings and kept on the rule: all four
    checks ask, and almost every rule stops at the first step or two."""
    try:
        memo = rule._memo
    except AttributeError:
        memo = new_memo(rule)
    if memo[MEMO_EGRESS_SETTINGS] is settings:
        return memo[MEMO_EGRESS]  # type: ignore[no-any-return]
    rung = memo[MEMO_EGRESS] = _climb(rule, settings)
    memo[MEMO_EGRESS_SETTINGS] = settings
    return rung


def _climb(rule: Rule, settings: Mapping[str, Any]) -> _Rung:
    traffic = traffic_key(rule)
    if traffic is None:
        return _NO_RUNG
    fv = rule.fields.get(POLICY)
    if fv is not None and fv.str_value != "accept":  # `policy_of(rule) != "accept"`
        return _NO_RUNG
    first, last, protocols = traffic[0], traffic[1], traffic[6]
    if protocols == ALL_PROTOCOLS and first == 0 and last == ADDRESS_MAX:
        return (_ANYWHERE, traffic, [])
    # Public unless wholly inside non-public or internal blocks: a destination that spans
    # both is public, since part of its traffic reaches the internet.
    if public_excluded(settings).contains(first, last):
        return _NO_RUNG
    if _every_port(protocols, traffic[2], traffic[3], settings):
        return (_EVERY_PORT, traffic, [])
    found = _risky(rule, traffic[2], traffic[3], settings)
    if found:
        return (_RISKY, traffic, found)
    return (_OTHER_PUBLIC, traffic, [])


def _every_port(protocols: int, first: int, last: int, settings: Mapping[str, Any]) -> bool:
    """`all` (every protocol and port), or a tcp/udp range wider than the policy allows."""
    if protocols == ALL_PROTOCOLS:
        return True
    if protocols not in (TCP, UDP):  # icmp and gre have no ports
        return False
    return last - first + 1 > max_public_port_span(settings)


def _risky(rule: Rule, port_first: int, port_last: int, settings: Mapping[str, Any]
           ) -> list[str]:
    """Labels of the policy's risky ports (or port ranges) inside the rule's range."""
    protocol = rule.text(IP_PROTOCOL) or ""
    found = []
    for first, last in risky_ports(settings).get(protocol, ()):
        if first <= port_last and port_first <= last:
            found.append(port_label(protocol, max(first, port_first), min(last, port_last)))
    return found


def _what(rule: Rule) -> str:
    """`tcp 20/30 to 0.0.0.0/0`, as written."""
    fields = (rule.field(IP_PROTOCOL), rule.field(PORT_RANGE), rule.field(DEST_CIDR_IP))
    protocol, ports, dest = (fv.text if fv is not None else "?" for fv in fields)
    return f"{protocol} to {dest}" if protocol == "all" else f"{protocol} {ports} to {dest}"


# Each check returns a tuple rather than being a generator: a generator that yields nothing
# still costs its creation, and almost every rule yields nothing.

# -- EGL201 ------------------------------------------------------------------------------


def check_anywhere(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    if _rung(rule, ctx.settings)[0] != _ANYWHERE:
        return ()
    dest = rule.field(DEST_CIDR_IP)
    if dest is None:
        return ()
    return (field_problem(dest, f"accepts all traffic to {dest.text}: every protocol and every "
                          "port to every address, the whole internet included"),)


ANY_TO_ANYWHERE = Check(
    code="EGL201", name="any-to-anywhere", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check_anywhere,
    summary="An accept rule for every protocol (`all`) to 0.0.0.0/0.",
    rationale="It lets anything on the instance send anything anywhere: malware calling "
    "home, data leaving over any protocol, the instance joining a DDoS. With such a rule in "
    "place every narrower egress rule in the group is moot.",
    fix="Accept only the protocols, ports and destinations the workload needs (for example "
    "tcp 443 to the services it calls) and end the group with a drop for all to 0.0.0.0/0 at "
    "priority 100.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: all\nPortRange: \"-1/-1\"\n"
    "DestCidrIp: 0.0.0.0/0\nPolicy: accept\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: all\nPortRange: \"-1/-1\"\n"
    "DestCidrIp: 0.0.0.0/0\nPolicy: drop\nPriority: 100\n",
    references=_REFERENCES,
    tags=("destination", "security"),
)


# -- EGL202 ------------------------------------------------------------------------------


def check_every_port(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    rung, traffic, _ = _rung(rule, ctx.settings)
    if rung != _EVERY_PORT or traffic is None:
        return ()
    if traffic[6] == ALL_PROTOCOLS:
        where = rule.field(IP_PROTOCOL)
        message = f"{_what(rule)} opens every protocol and every port to public addresses"
    else:
        where = rule.field(PORT_RANGE)
        span = traffic[3] - traffic[2] + 1
        if span == 65535:
            message = f"{_what(rule)} opens every port to public addresses"
        else:
            message = (f"{_what(rule)} opens {span} ports to public addresses; the policy "
                       f"allows at most {max_public_port_span(ctx.settings)}")
    if where is None:
        return ()
    return (field_problem(where, message),)


ALL_PORTS_PUBLIC = Check(
    code="EGL202", name="all-ports-public", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check_every_port,
    summary="An accept rule for every port (tcp/udp `1/65535`, a range wider than "
    "`max_public_port_span`, or protocol `all`) to a public destination.",
    rationale="Outbound services live on a handful of ports. A rule that opens every port to "
    "the internet also opens the risky ones, and lets a compromised instance reach a "
    "command-and-control server on whatever port it picks. Another linter passes `-1/-1` "
    "because it compares the text, not the range.",
    fix="List the ports the workload needs, one rule per service (`443/443`, `53/53`), or "
    "name the destination's addresses if it is yours (add them to the policy's "
    "`internal_destinations`).",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"1/65535\"\n"
    "DestCidrIp: 0.0.0.0/0\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 203.0.113.0/24\n",
    references=_REFERENCES,
    tags=("destination", "security"),
)


# -- EGL203 ------------------------------------------------------------------------------


def check_risky(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    rung, _, found = _rung(rule, ctx.settings)
    if rung != _RISKY:
        return ()
    ports = rule.field(PORT_RANGE)
    if ports is None:
        return ()
    listed = ", ".join(found)
    if len(found) > _PORTS_NAMED:
        listed = f"{', '.join(found[: _PORTS_NAMED - 1])} and {len(found) - _PORTS_NAMED + 1} more"
    noun = "risky port" if len(found) == 1 else "risky ports"
    return (field_problem(ports, f"{_what(rule)} includes {noun} {listed}"),)


RISKY_PORT_PUBLIC = Check(
    code="EGL203", name="risky-port-public", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check_risky,
    summary="An accept rule to a public destination whose port range contains a port the "
    "policy lists as risky (settings.risky_ports); ranges match when they contain one.",
    rationale="Clear-text protocols (FTP, Telnet, POP3), database and cache ports, SMB and "
    "remote-desktop ports have no business reaching the internet from a server: they carry "
    "credentials in the clear or are the usual route for data theft and abuse. Ranges are "
    "compared as ranges, so `20/30` is caught for 21, 23 and 25; a tool that compares the "
    "text `20/30` with `23/23` is not.",
    fix="Send that traffic to the internal address of the service (a mail relay, a database "
    "endpoint), or narrow the range to leave the risky ports out. If the policy's list does "
    "not fit your organisation, change `settings.risky_ports` in your policy.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"20/30\"\n"
    "DestCidrIp: 0.0.0.0/0\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"25/25\"\n"
    "DestCidrIp: 10.20.0.25\n",
    references=_REFERENCES,
    tags=("destination", "security"),
)


# -- EGL204 ------------------------------------------------------------------------------

_BROAD_OPTION = "max_prefix_length"


def check_broad(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    rung, traffic, _ = _rung(rule, ctx.settings)
    if rung != _OTHER_PUBLIC or traffic is None:
        return ()
    dest = rule.field(DEST_CIDR_IP)
    if dest is None:
        return ()
    prefix = 32 - (traffic[1] - traffic[0] + 1).bit_length() + 1
    if prefix > int(ctx.option(_BROAD_OPTION)):
        return ()
    size = "every public address" if prefix == 0 else f"a /{prefix} of public addresses"
    return (field_problem(dest, f"{_what(rule)} reaches {size}; name the addresses the "
                          "service uses if they are known"),)


BROAD_PUBLIC_DESTINATION = Check(
    code="EGL204", name="broad-public-destination", severity=Severity.WARNING,
    scope=Scope.RULE, check_rule=check_broad,
    summary="An accept rule to a public destination block at least as broad as "
    f"`{_BROAD_OPTION}` (0.0.0.0/0 by any measure).",
    rationale="Outbound HTTPS, DNS and NTP to the internet are normal, so this is a warning, "
    "not an error. Still, a rule that names the destinations it serves documents the "
    "dependency and stops a compromised instance from using the same port to reach anyone "
    "else.",
    fix="Where the service's addresses are known (a vendor's published ranges, your own "
    "endpoints), name them instead of 0.0.0.0/0.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 0.0.0.0/0\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 203.0.113.0/24\n",
    options={_BROAD_OPTION: 16},
    option_docs={_BROAD_OPTION: "a public destination whose prefix length is at most this "
                 "(0..32) is broad: 16 flags /16 and wider blocks"},
    references=_REFERENCES,
    tags=("destination", "security"),
)

CHECKS = (ANY_TO_ANYWHERE, ALL_PORTS_PUBLIC, RISKY_PORT_PUBLIC, BROAD_PUBLIC_DESTINATION)
