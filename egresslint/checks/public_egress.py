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

from collections.abc import Iterator, Mapping
from typing import Any

from egresslint.analysis.precedence import policy_of
from egresslint.analysis.services import port_label
from egresslint.analysis.settings import is_public, max_public_port_span, risky_ports
from egresslint.analysis.traffic import (
    ADDRESS_MAX,
    ALL_PROTOCOLS,
    TCP,
    UDP,
    Traffic,
    traffic_of,
)
from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import DEST_CIDR_IP, IP_PROTOCOL, PORT_RANGE, Rule

_REFERENCES = (
    "https://www.alibabacloud.com/help/en/ens/developer-reference/"
    "api-ens-2017-11-10-authorizesecuritygroupegress",
)
#: A message names at most this many risky ports, then says how many more.
_PORTS_NAMED = 8


def _accepted_traffic(rule: Rule) -> Traffic | None:
    if policy_of(rule) != "accept":
        return None
    return traffic_of(rule)


def _anywhere(traffic: Traffic) -> bool:
    return (traffic.protocols == ALL_PROTOCOLS and traffic.dest_first == 0
            and traffic.dest_last == ADDRESS_MAX)


def _public(traffic: Traffic, settings: Mapping[str, Any]) -> bool:
    return is_public(traffic.dest_first, traffic.dest_last, settings)


def _every_port(traffic: Traffic, settings: Mapping[str, Any]) -> bool:
    """`all` (every protocol and port), or a tcp/udp range wider than the policy allows."""
    if traffic.protocols == ALL_PROTOCOLS:
        return True
    if traffic.protocols not in (TCP, UDP):  # icmp and gre have no ports
        return False
    return traffic.port_last - traffic.port_first + 1 > max_public_port_span(settings)


def _risky(rule: Rule, traffic: Traffic, settings: Mapping[str, Any]) -> list[str]:
    """Labels of the policy's risky ports (or port ranges) inside the rule's range."""
    protocol = rule.text(IP_PROTOCOL) or ""
    found = []
    for first, last in risky_ports(settings).get(protocol, ()):
        if first <= traffic.port_last and traffic.port_first <= last:
            found.append(port_label(protocol, max(first, traffic.port_first),
                                    min(last, traffic.port_last)))
    return found


def _what(rule: Rule) -> str:
    """`tcp 20/30 to 0.0.0.0/0`, as written."""
    fields = (rule.field(IP_PROTOCOL), rule.field(PORT_RANGE), rule.field(DEST_CIDR_IP))
    protocol, ports, dest = (fv.text if fv is not None else "?" for fv in fields)
    return f"{protocol} to {dest}" if protocol == "all" else f"{protocol} {ports} to {dest}"


# -- EGL201 ------------------------------------------------------------------------------


def check_anywhere(rule: Rule, ctx: CheckContext) -> Iterator[Problem]:
    traffic = _accepted_traffic(rule)
    dest = rule.field(DEST_CIDR_IP)
    if traffic is None or dest is None or not _anywhere(traffic):
        return
    yield field_problem(dest, f"accepts all traffic to {dest.text}: every protocol and every "
                        "port to every address, the whole internet included")


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


def check_every_port(rule: Rule, ctx: CheckContext) -> Iterator[Problem]:
    traffic = _accepted_traffic(rule)
    if (traffic is None or _anywhere(traffic) or not _public(traffic, ctx.settings)
            or not _every_port(traffic, ctx.settings)):
        return
    if traffic.protocols == ALL_PROTOCOLS:
        where = rule.field(IP_PROTOCOL)
        message = f"{_what(rule)} opens every protocol and every port to public addresses"
    else:
        where = rule.field(PORT_RANGE)
        span = traffic.port_last - traffic.port_first + 1
        if span == 65535:
            message = f"{_what(rule)} opens every port to public addresses"
        else:
            message = (f"{_what(rule)} opens {span} ports to public addresses; the policy "
                       f"allows at most {max_public_port_span(ctx.settings)}")
    if where is not None:
        yield field_problem(where, message)


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


def check_risky(rule: Rule, ctx: CheckContext) -> Iterator[Problem]:
    traffic = _accepted_traffic(rule)
    if (traffic is None or _anywhere(traffic) or not _public(traffic, ctx.settings)
            or _every_port(traffic, ctx.settings)):
        return
    found = _risky(rule, traffic, ctx.settings)
    ports = rule.field(PORT_RANGE)
    if not found or ports is None:
        return
    listed = ", ".join(found)
    if len(found) > _PORTS_NAMED:
        listed = f"{', '.join(found[: _PORTS_NAMED - 1])} and {len(found) - _PORTS_NAMED + 1} more"
    noun = "risky port" if len(found) == 1 else "risky ports"
    yield field_problem(ports, f"{_what(rule)} includes {noun} {listed}")


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


def check_broad(rule: Rule, ctx: CheckContext) -> Iterator[Problem]:
    traffic = _accepted_traffic(rule)
    dest = rule.field(DEST_CIDR_IP)
    if traffic is None or dest is None or not _public(traffic, ctx.settings):
        return
    prefix = 32 - (traffic.dest_last - traffic.dest_first + 1).bit_length() + 1
    limit = int(ctx.option(_BROAD_OPTION))
    if prefix > limit or _anywhere(traffic) or _every_port(traffic, ctx.settings):
        return
    if _risky(rule, traffic, ctx.settings):
        return
    size = "every public address" if prefix == 0 else f"a /{prefix} of public addresses"
    yield field_problem(dest, f"{_what(rule)} reaches {size}; name the addresses the "
                        "service uses if they are known")


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
