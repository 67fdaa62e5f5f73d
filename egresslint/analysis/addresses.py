"""Address blocks the destination checks reason about.

Sets are built once with netaddr (`IPSet` merges and normalises them) and kept as sorted,
disjoint integer intervals, so that asking whether a destination lies inside is a bisection
on integers, not an object allocation per rule.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

#: Blocks that are not reachable on the public internet (IANA IPv4 Special-Purpose Address
#: Registry, "globally reachable: false"). The documentation blocks (192.0.2.0/24,
#: 198.51.100.0/24, 203.0.113.0/24) are left out on purpose: they stand for public
#: addresses in examples, and a rule that names one reaches nothing either way.
NON_PUBLIC_BLOCKS: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "\"this network\" (RFC 791)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
)


class Special(NamedTuple):
    cidr: str
    what: str
    why: str


#: Destinations a rule cannot sensibly name, most specific first (a destination is
#: special when it lies wholly inside one of these).
SPECIAL_BLOCKS: tuple[Special, ...] = (
    Special("255.255.255.255/32", "the limited broadcast address",
            "broadcasts to it are never forwarded beyond the local segment"),
    Special("0.0.0.0/8", "in 0.0.0.0/8 (\"this network\")",
            "those addresses are only ever a source, never a destination; "
            "to mean every destination write 0.0.0.0/0"),
    Special("127.0.0.0/8", "a loopback address",
            "traffic to it never leaves the instance, so no security group rule sees it"),
    Special("169.254.0.0/16", "a link-local address",
            "it is not routed beyond the instance's own link; such rules usually come from "
            "another cloud's metadata address (169.254.169.254), while Alibaba Cloud's "
            "metadata service is 100.100.100.200"),
    Special("224.0.0.0/4", "a multicast address",
            "Alibaba Cloud networks do not forward multicast by default, so the rule "
            "matches traffic that goes nowhere"),
    Special("240.0.0.0/4", "in the reserved block 240.0.0.0/4",
            "those addresses are not assigned and not routed"),
)


@dataclass(frozen=True)
class IntervalSet:
    """Sorted, disjoint, non-adjacent closed intervals of IPv4 addresses as integers."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cidrs: tuple[str, ...]

    def contains(self, first: int, last: int) -> bool:
        """Whether every address in [first, last] is in the set."""
        index = bisect_right(self.starts, first) - 1
        # Intervals are merged, so a covered range lies within a single one of them.
        return index >= 0 and self.ends[index] >= last

    def __bool__(self) -> bool:
        return bool(self.starts)


def interval_set(blocks: Iterable[str]) -> IntervalSet:
    from netaddr import IPSet

    merged = IPSet(list(blocks))
    ranges = list(merged.iter_ipranges())
    return IntervalSet(tuple(int(r.first) for r in ranges), tuple(int(r.last) for r in ranges),
                       tuple(str(c) for c in merged.iter_cidrs()))


@lru_cache(maxsize=32)
def non_public(internal: tuple[str, ...] = ()) -> IntervalSet:
    """Non-public blocks, plus the blocks a policy declares internal."""
    return interval_set([*(cidr for cidr, _ in NON_PUBLIC_BLOCKS), *internal])


@lru_cache(maxsize=32)
def allowed(blocks: tuple[str, ...]) -> IntervalSet:
    return interval_set(blocks)


def _bounds(cidr: str) -> tuple[int, int]:
    address, _, prefix = cidr.partition("/")
    first = int.from_bytes(bytes(int(octet) for octet in address.split(".")), "big")
    return first, first | ((1 << (32 - int(prefix))) - 1)


_SPECIAL_INTERVALS: tuple[tuple[int, int, Special], ...] = tuple(
    (*_bounds(block.cidr), block) for block in SPECIAL_BLOCKS)
#: First octets of the addresses in special blocks: a destination wholly inside a block
#: starts inside it, so any other first octet (most destinations) needs no search.
SPECIAL_OCTETS: frozenset[int] = frozenset(
    octet for first, last, _ in _SPECIAL_INTERVALS
    for octet in range(first >> 24, (last >> 24) + 1))


def special(first: int, last: int) -> Special | None:
    """The special block a destination lies wholly inside, if any."""
    if first >> 24 not in SPECIAL_OCTETS:
        return None
    for start, end, block in _SPECIAL_INTERVALS:
        if start <= first and last <= end:
            return block
    return None
