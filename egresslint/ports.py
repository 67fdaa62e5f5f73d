"""Port ranges as the API writes them: `start/end`, or `-1/-1` for every port."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

PORT_MIN = 1
PORT_MAX = 65535
ALL_PORTS_TEXT = "-1/-1"
#: Protocols whose PortRange is a real range; the others take exactly `-1/-1`.
PORTED_PROTOCOLS = frozenset({"tcp", "udp"})
PROTOCOLS = ("tcp", "udp", "icmp", "gre", "all")

_STRICT = re.compile(r"(0|[1-9][0-9]{0,4})/(0|[1-9][0-9]{0,4})\Z")
# ASCII digits, a few of them: `int` is not asked to read superscripts or thousands of digits.
_LOOSE = re.compile(r"\s*(-?[0-9]{1,20})\s*[/:\-~,]\s*(-?[0-9]{1,20})\s*\Z")
_SINGLE = re.compile(r"\s*([0-9]{1,20})\s*\Z")


class PortRange(NamedTuple):
    first: int
    last: int

    @property
    def is_all(self) -> bool:
        return self.first == PORT_MIN and self.last == PORT_MAX

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def __str__(self) -> str:
        return f"{self.first}" if self.first == self.last else f"{self.first}-{self.last}"


EVERY_PORT = PortRange(PORT_MIN, PORT_MAX)


# A few hundred distinct ranges serve a whole file; checks and the group analysis share answers.
@lru_cache(maxsize=1 << 14)
def parse_port_range(text: str, protocol: str | None) -> tuple[PortRange | None, str | None]:
    """Parse `text` for `protocol` (None when the protocol itself is invalid).

    Returns (range, None) or (None, message). `-1/-1` means every port, and is the only form
    icmp, gre and all accept.
    """
    if protocol is not None and protocol not in PORTED_PROTOCOLS:
        if text == ALL_PORTS_TEXT:
            return EVERY_PORT, None
        return None, f"`{text}` is not valid for {protocol}, which has no ports: write \"-1/-1\""
    if text == ALL_PORTS_TEXT:
        if protocol is None:
            return EVERY_PORT, None
        return None, (f"`-1/-1` is only for icmp, gre and all; for {protocol} write a range such "
                      f"as \"1/65535\" (every port) or \"443/443\"")
    match = _STRICT.match(text)
    if match is None:
        loose = _LOOSE.match(text)
        if loose is not None:
            first, last = loose.group(1), loose.group(2)
            return None, (f"`{text}` is not of the form start/end: "
                          f"write \"{int(first)}/{int(last)}\"")
        single = _SINGLE.match(text)
        if single is not None:
            port = int(single.group(1))
            return None, f"`{text}` is a single port: write \"{port}/{port}\""
        return None, f"`{text}` is not a port range: write start/end, such as \"443/443\""
    first, last = int(match.group(1)), int(match.group(2))
    for port in (first, last):
        if not PORT_MIN <= port <= PORT_MAX:
            return None, f"port {port} in `{text}` is outside 1..65535"
    if first > last:
        return None, f"`{text}` starts after it ends: write \"{last}/{first}\""
    return PortRange(first, last), None
