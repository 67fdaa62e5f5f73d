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
from typing import Any

from egresslint.destination import Destination, parse_destination
from egresslint.ports import PORT_MAX, PORT_MIN, PROTOCOLS, PortRange, parse_port_range
from egresslint.rule import (
    DEST_CIDR_IP,
    IP_PROTOCOL,
    MEMO_TRAFFIC,
    PORT_RANGE,
    SOURCE_PORT_RANGE,
    UNSET,
    Rule,
    new_memo,
)

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
            ported, plain = _protocol_names(self.protocols)
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


@lru_cache(maxsize=32)
def _protocol_names(protocols: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the protocols with ports, and of those without, in `PROTOCOL_NAMES` order."""
    return (tuple(name for bit, name in PROTOCOL_NAMES if bit & protocols & PORTED),
            tuple(name for bit, name in PROTOCOL_NAMES if bit & protocols & ~PORTED))


def dotted(value: int) -> str:
    return f"{value >> 24 & 0xFF}.{value >> 16 & 0xFF}.{value >> 8 & 0xFF}.{value & 0xFF}"


def describe_addresses(first: int, last: int) -> str:
    """A CIDR block when the interval is one (`10.1.5.0/24`, `10.1.5.7`), else `a - b`."""
    size = last - first + 1
    if size & (size - 1) == 0 and first % size == 0:
        prefix = 32 - (size.bit_length() - 1)
        return dotted(first) if prefix == 32 else f"{dotted(first)}/{prefix}"
    return f"{dotted(first)} - {dotted(last)}"


#: A rule's traffic as a plain tuple: (dest_first, dest_last, port_first, port_last,
#: sport_first, sport_last, protocol bits). What the analysis and the destination checks work
#: on; `Traffic` is built from it only where a message needs one. The first six items are
#: its box (`egresslint.analysis.coverage.Box`), so the coverage code takes it as it is.
TrafficKey = tuple[int, int, int, int, int, int, int]

#: Parsed pieces of traffic, by the texts they come from: a file has few distinct services
#: (protocol, ports, source ports) and repeats destinations, and a dictionary lookup costs a
#: fraction of parsing, or of a call through `functools.lru_cache`. Bounded by clearing.
_Service = tuple[int, int, int, int, int]
_SERVICES: dict[tuple[str | None, str | None, object], _Service | None] = {}
_DESTINATIONS: dict[str | None, Destination | None] = {}
_CACHE_LIMIT = 1 << 17
#: Stands for an absent SourcePortRange (present but unusable is None).
_ABSENT = object()


def destination_of(text: str) -> Destination | None:
    """`parse_destination`'s destination, or None."""
    return parse_destination(text)[0]


def ports_of(text: str, protocol: str) -> PortRange | None:
    """`parse_port_range`'s range, or None."""
    return parse_port_range(text, protocol)[0]


def traffic_key(rule: Rule) -> TrafficKey | None:
    """The rule's traffic, or None when a field it needs is missing or invalid (other checks
    report those; a rule the API would refuse takes no part in the analysis).

    Worked out once per rule and kept in its memo: the destination checks and the group
    analysis all ask."""
    try:
        memo = rule._memo
    except AttributeError:
        memo = new_memo(rule)
    key = memo[MEMO_TRAFFIC]
    if key is UNSET:
        key = memo[MEMO_TRAFFIC] = _traffic_key(rule)
    return key  # type: ignore[no-any-return]


def _traffic_key(rule: Rule) -> TrafficKey | None:
    fields = rule.fields
    protocol = fields.get(IP_PROTOCOL)
    ports = fields.get(PORT_RANGE)
    dest = fields.get(DEST_CIDR_IP)
    if protocol is None or ports is None or dest is None:
        return None
    sports = fields.get(SOURCE_PORT_RANGE)
    what = (protocol.str_value, ports.str_value, _ABSENT if sports is None else sports.str_value)
    service: Any = _SERVICES.get(what, UNSET)
    if service is UNSET:
        if len(_SERVICES) >= _CACHE_LIMIT:
            _SERVICES.clear()
        service = _SERVICES[what] = _service(*what)
    if service is None:
        return None
    text = dest.str_value
    destination: Any = _DESTINATIONS.get(text, UNSET)
    if destination is UNSET:
        if len(_DESTINATIONS) >= _CACHE_LIMIT:
            _DESTINATIONS.clear()
        destination = _DESTINATIONS[text] = None if text is None else destination_of(text)
    if destination is None:
        return None
    return (destination[0], destination[1], service[1], service[2], service[3], service[4],
            service[0])


def _service(protocol: str | None, ports: str | None, sports: object) -> _Service | None:
    """(protocol bits, ports, source ports) from the texts, or None if one is invalid."""
    if protocol not in PROTOCOLS or ports is None or sports is None:
        return None
    assert protocol is not None
    found = ports_of(ports, protocol)
    if found is None:
        return None
    sport_first, sport_last = PORT_MIN, PORT_MAX
    if sports is not _ABSENT:
        assert isinstance(sports, str)
        source = ports_of(sports, protocol)
        if source is None:
            return None
        sport_first, sport_last = source
    return (PROTOCOL_BITS[protocol], found.first, found.last, sport_first, sport_last)


def traffic_of(rule: Rule) -> Traffic | None:
    """The rule's box as a `Traffic`, or None (see `traffic_key`)."""
    key = traffic_key(rule)
    return None if key is None else as_traffic(key)


def as_traffic(key: TrafficKey) -> Traffic:
    return Traffic(key[6], key[0], key[1], key[2], key[3], key[4], key[5])
