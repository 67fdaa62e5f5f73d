"""What a rule matches, as a box of integer intervals.

A packet is (protocol, destination address, destination port, source port). The API names
four protocols; `all` also covers every protocol it cannot name (ESP, SCTP, ...), so the
protocol dimension has a fifth member, `other`, that only `all` reaches. icmp, gre and
`other` carry no ports: a rule for them matches every port value, so their port dimensions
span the full range and the box stays a plain product of intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from egresslint.destination import Destination, parse_destination
from egresslint.ports import PORT_MAX, PORT_MIN, PROTOCOLS, PortRange, parse_port_range
from egresslint.rule import DEST_CIDR_IP, IP_PROTOCOL, PORT_RANGE, SOURCE_PORT_RANGE, Rule

TCP, UDP, ICMP, GRE, OTHER = 1, 2, 4, 8, 16
#: Protocol names in bit order; `other` stands for the protocols only `all` reaches.
PROTOCOL_NAMES: tuple[tuple[int, str], ...] = (
    (TCP, "tcp"), (UDP, "udp"), (ICMP, "icmp"), (GRE, "gre"), (OTHER, "other protocols"))
ALL_PROTOCOLS = TCP | UDP | ICMP | GRE | OTHER
PORTED = TCP | UDP
PROTOCOL_BITS = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "gre": GRE, "all": ALL_PROTOCOLS}
ADDRESS_MAX = (1 << 32) - 1


@dataclass(frozen=True, slots=True)
class Traffic:
    """Closed integer intervals on each dimension, and a set of protocols as bits."""

    protocols: int
    dest_first: int
    dest_last: int
    port_first: int
    port_last: int
    sport_first: int
    sport_last: int

    @property
    def box(self) -> tuple[int, int, int, int, int, int]:
        return (self.dest_first, self.dest_last, self.port_first, self.port_last,
                self.sport_first, self.sport_last)

    def overlaps(self, other: Traffic) -> bool:
        return bool(self.protocols & other.protocols
                    and self.dest_first <= other.dest_last
                    and other.dest_first <= self.dest_last
                    and self.port_first <= other.port_last
                    and other.port_first <= self.port_last
                    and self.sport_first <= other.sport_last
                    and other.sport_first <= self.sport_last)

    def intersection(self, other: Traffic) -> Traffic | None:
        if not self.overlaps(other):
            return None
        return Traffic(self.protocols & other.protocols,
                       max(self.dest_first, other.dest_first),
                       min(self.dest_last, other.dest_last),
                       max(self.port_first, other.port_first),
                       min(self.port_last, other.port_last),
                       max(self.sport_first, other.sport_first),
                       min(self.sport_last, other.sport_last))

    def describe(self) -> str:
        """`tcp 500-1000 to 10.1.5.0/24`, `all traffic to 0.0.0.0/0`."""
        if self.protocols == ALL_PROTOCOLS and self._all_ports():
            what = "all traffic"
        else:
            ported = [name for bit, name in PROTOCOL_NAMES if bit & self.protocols & PORTED]
            plain = [name for bit, name in PROTOCOL_NAMES if bit & self.protocols & ~PORTED]
            parts = []
            if ported:
                parts.append(f"{' and '.join(ported)} {_interval(self.port_first, self.port_last)}")
            parts.extend(plain)
            what = ", ".join(parts)
            if ported and (self.sport_first, self.sport_last) != (PORT_MIN, PORT_MAX):
                what += f" from port {_interval(self.sport_first, self.sport_last)}"
        return f"{what} to {describe_addresses(self.dest_first, self.dest_last)}"

    def _all_ports(self) -> bool:
        return (self.port_first, self.port_last, self.sport_first, self.sport_last) == (
            PORT_MIN, PORT_MAX, PORT_MIN, PORT_MAX)


def _interval(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def dotted(value: int) -> str:
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def describe_addresses(first: int, last: int) -> str:
    """A CIDR block when the interval is one (`10.1.5.0/24`, `10.1.5.7`), else `a - b`."""
    size = last - first + 1
    if size & (size - 1) == 0 and first % size == 0:
        prefix = 32 - (size.bit_length() - 1)
        return dotted(first) if prefix == 32 else f"{dotted(first)}/{prefix}"
    return f"{dotted(first)} - {dotted(last)}"


@lru_cache(maxsize=1 << 17)
def destination_of(text: str) -> Destination | None:
    """`parse_destination`, remembered: several checks and the group analysis read every
    destination, and parsing one costs more than all the interval arithmetic after it."""
    return parse_destination(text)[0]


@lru_cache(maxsize=1 << 12)
def ports_of(text: str, protocol: str) -> PortRange | None:
    return parse_port_range(text, protocol)[0]


def traffic_of(rule: Rule) -> Traffic | None:
    """The rule's box, or None when a field it needs is missing or invalid (other checks
    report those; a rule the API would refuse takes no part in the analysis)."""
    protocol = rule.text(IP_PROTOCOL)
    if protocol not in PROTOCOLS:
        return None
    port_text = rule.text(PORT_RANGE)
    dest_text = rule.text(DEST_CIDR_IP)
    if port_text is None or dest_text is None:
        return None
    ports = ports_of(port_text, protocol)
    destination = destination_of(dest_text)
    if ports is None or destination is None:
        return None
    sport_first, sport_last = PORT_MIN, PORT_MAX
    if rule.field(SOURCE_PORT_RANGE) is not None:
        sport_text = rule.text(SOURCE_PORT_RANGE)
        if sport_text is None:
            return None
        sports = ports_of(sport_text, protocol)
        if sports is None:
            return None
        sport_first, sport_last = sports
    return Traffic(PROTOCOL_BITS[protocol], destination.first, destination.last,
                   ports.first, ports.last, sport_first, sport_last)
