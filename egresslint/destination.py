"""Destinations: IPv4 addresses and CIDR blocks, parsed strictly with netaddr.

The API takes an IPv4 address or CIDR. Forms that inet_aton or netaddr would quietly
reinterpret (`10.1`, `010.0.0.1`, a trailing space) are refused, not guessed at.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_DOTTED = re.compile(r"(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\."
                     r"(0|[1-9][0-9]{0,2})(?:/(0|[1-9][0-9]?))?\Z")
_ANY_DOTTED = re.compile(r"(\d+)\.(\d+)\.(\d+)\.(\d+)(?:/(\d+))?\Z")


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


def parse_destination(text: str) -> tuple[Destination | None, str | None]:
    """Returns (destination, None) or (None, message saying what to write)."""
    stripped = text.strip()
    if stripped != text:
        return None, f"`{text}` has spaces around it: write \"{stripped}\""
    if ":" in text:
        return None, "IPv6 destinations are not accepted here: this API takes IPv4 only"
    match = _DOTTED.match(text)
    if match is None:
        return None, _explain_malformed(text)
    octets = [int(match.group(i)) for i in range(1, 5)]
    if any(o > 255 for o in octets):
        return None, f"`{text}` has an octet above 255"
    prefix = 32 if match.group(5) is None else int(match.group(5))
    if prefix > 32:
        return None, f"`{text}` has prefix /{prefix}; an IPv4 prefix is 0..32"
    # netaddr does the arithmetic so that the block matches what the network will see.
    from netaddr import IPNetwork

    network = IPNetwork(f"{'.'.join(map(str, octets))}/{prefix}")
    address = int(network.ip)
    first = int(network.first)
    if address != first:
        return None, (f"`{text}` has host bits set: did you mean {network.cidr} or "
                      f"{'.'.join(map(str, octets))}/32?")
    return Destination(first, int(network.last), prefix), None


def _explain_malformed(text: str) -> str:
    loose = _ANY_DOTTED.match(text)
    if loose is not None:
        octets = [int(loose.group(i)) for i in range(1, 5)]
        suffix = f"/{int(loose.group(5))}" if loose.group(5) is not None else ""
        canonical = ".".join(map(str, octets)) + suffix
        if canonical != text:
            return f"`{text}` has leading zeros, which some parsers read as octal: write \"{canonical}\""
    if re.fullmatch(r"[0-9.]+(/\d+)?", text):
        return (f"`{text}` is not a full dotted-quad address; write all four parts, "
                f"such as \"10.0.0.0/8\"")
    return f"`{text}` is not an IPv4 address or CIDR block; write one such as \"10.0.0.0/8\""
