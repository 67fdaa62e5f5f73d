"""Destinations: IPv4 addresses and CIDR blocks, parsed strictly.

The API takes an IPv4 address or CIDR. Forms that inet_aton or netaddr would quietly
reinterpret (`10.1`, `010.0.0.1`, a trailing space) are refused, not guessed at.

The strict grammar below admits only four decimal octets and a decimal prefix, so the block's
bounds are plain integer arithmetic; netaddr (the project's address library) is imported only
when a message needs its arithmetic, which keeps it off the path of a clean lint.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_DOTTED = re.compile(r"(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\."
                     r"(0|[1-9][0-9]{0,2})(?:/(0|[1-9][0-9]?))?\Z")
_ANY_DOTTED = re.compile(r"([0-9]{1,20})\.([0-9]{1,20})\.([0-9]{1,20})\.([0-9]{1,20})"
                         r"(?:/([0-9]{1,20}))?\Z")
_ALL_ONES = 0xFFFFFFFF


class Destination(NamedTuple):
    """A destination block as integer bounds: fast to compare, exact to reason about."""

    first: int
    last: int
    prefix: int

    @property
    def cidr(self) -> str:
        return f"{_dotted(self.first)}/{self.prefix}"

    def __str__(self) -> str:
        return self.cidr if self.prefix != 32 else _dotted(self.first)


def _dotted(value: int) -> str:
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


# Rule files repeat destinations (one block, many services), and several checks and the group
# analysis ask about the same text: remember the answers. Results are immutable tuples.
@lru_cache(maxsize=1 << 17)
def parse_destination(text: str) -> tuple[Destination | None, str | None]:
    """Returns (destination, None) or (None, message saying what to write)."""
    match = _DOTTED.match(text)
    if match is None:
        stripped = text.strip()
        if stripped != text:
            return None, f"`{text}` has spaces around it: write \"{stripped}\""
        if ":" in text:
            return None, "IPv6 destinations are not accepted here: this API takes IPv4 only"
        return None, _explain_malformed(text)
    a, b, c, d, bits = match.groups()
    octets = (int(a), int(b), int(c), int(d))
    if octets[0] > 255 or octets[1] > 255 or octets[2] > 255 or octets[3] > 255:
        return None, f"`{text}` has an octet above 255"
    prefix = 32 if bits is None else int(bits)
    if prefix > 32:
        return None, f"`{text}` has prefix /{prefix}; an IPv4 prefix is 0..32"
    address = (octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]
    host_mask = _ALL_ONES >> prefix
    if address & host_mask:
        return None, _host_bits_message(text, octets, prefix)
    return Destination(address, address | host_mask, prefix), None


def _host_bits_message(text: str, octets: tuple[int, int, int, int], prefix: int) -> str:
    # The suggestion is netaddr's reading of the block, so it is what the network will see.
    from netaddr import IPNetwork

    host = ".".join(map(str, octets))
    network = IPNetwork(f"{host}/{prefix}")
    return f"`{text}` has host bits set: did you mean {network.cidr} or {host}/32?"


def _explain_malformed(text: str) -> str:
    loose = _ANY_DOTTED.match(text)
    if loose is not None:
        octets = [int(loose.group(i)) for i in range(1, 5)]
        suffix = f"/{int(loose.group(5))}" if loose.group(5) is not None else ""
        canonical = ".".join(map(str, octets)) + suffix
        if canonical != text:
            return (f"`{text}` has leading zeros, which some parsers read as octal: "
                    f"write \"{canonical}\"")
    if re.fullmatch(r"[0-9.]+(/\d+)?", text):
        return (f"`{text}` is not a full dotted-quad address; write all four parts, "
                f"such as \"10.0.0.0/8\"")
    return f"`{text}` is not an IPv4 address or CIDR block; write one such as \"10.0.0.0/8\""
