"""The group checks against brute force: every packet of a small space, first match wins.

Hypothesis writes small rule files (every protocol including `all`, icmp and gre, a /28 and
its sub-blocks plus wider blocks, a few ports and source ports, both policies, a few
priorities, and copies of earlier rules spelled differently), lints them with the real
engine and checks every shadowed, redundant, partial-override, tie and duplicate verdict,
with the rules each finding names, against an enumeration that knows nothing of boxes.

The space is small but exact: beside the /28's sixteen addresses, the ports 1-4 and source
ports 1-3 that rules name, one extra value stands for each run of values no rule tells
apart (10.0.0.100 inside 10.0.0.0/24 but outside the /28, 192.168.0.1 outside both, port
100, source port 100), so a rule's behaviour on those is its behaviour on every such value.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from egresslint.analysis import coverage
from egresslint.checks import load_registry
from egresslint.engine import Engine
from egresslint.loader import load_text
from egresslint.policy import load_policy

SG = "sg-0a1b2c3d"
PACKET_PROTOCOLS = ("tcp", "udp", "icmp", "gre", "other")
ADDRESSES = [int(ipaddress.IPv4Address("10.0.0.0")) + i for i in range(16)] + [
    int(ipaddress.IPv4Address("10.0.0.100")), int(ipaddress.IPv4Address("192.168.0.1"))]
PORTS = (1, 2, 3, 4, 100)
SOURCE_PORTS = (1, 2, 3, 100)
CODES = ("EGL301", "EGL302", "EGL303", "EGL304", "EGL305", "EGL306")
HEADER_LINES = 1  # "rules:"


@dataclass(frozen=True)
class Spec:
    protocol: str
    ports: tuple[int, int] | None      # None: -1/-1, or 1/65535 for tcp/udp
    sports: tuple[int, int] | None     # None: absent
    sports_text: str | None
    dest: str
    policy: str | None
    priority: int | None

    def text(self) -> str:
        if self.protocol in ("tcp", "udp"):
            ports = "1/65535" if self.ports is None else f"{self.ports[0]}/{self.ports[1]}"
        else:
            ports = "-1/-1"
        fields = [f"SecurityGroupId: {SG}", f"IpProtocol: {self.protocol}",
                  f'PortRange: "{ports}"']
        if self.sports_text is not None:
            fields.append(f'SourcePortRange: "{self.sports_text}"')
        fields.append(f"DestCidrIp: {self.dest}")
        if self.policy is not None:
            fields.append(f"Policy: {self.policy}")
        if self.priority is not None:
            fields.append(f"Priority: {self.priority}")
        return "  - {" + ", ".join(fields) + "}\n"

    @property
    def accept(self) -> bool:
        return self.policy != "drop"

    @property
    def level(self) -> int:
        return self.priority or 1

    @cached_property
    def bounds(self) -> tuple[int, int]:
        network = ipaddress.IPv4Network(self.dest)
        return int(network.network_address), int(network.broadcast_address)

    def matches(self, protocol: str, address: int, port: int, sport: int) -> bool:
        if self.protocol != "all" and self.protocol != protocol:
            return False
        low, high = self.bounds
        if not low <= address <= high:
            return False
        if self.protocol in ("tcp", "udp"):
            if self.ports is not None and not self.ports[0] <= port <= self.ports[1]:
                return False
            if self.sports is not None and not self.sports[0] <= sport <= self.sports[1]:
                return False
        return True


def _small_range(top: int) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(1, top), st.integers(1, top)).map(lambda t: (min(t), max(t)))


@st.composite
def destinations(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(("block", "block", "block", "host", "wide", "anywhere")))
    if kind == "anywhere":
        return "0.0.0.0/0"
    if kind == "wide":
        return "10.0.0.0/24"
    if kind == "host":
        return f"10.0.0.{draw(st.integers(0, 15))}"
    prefix = draw(st.integers(28, 32))
    size = 1 << (32 - prefix)
    first = draw(st.integers(0, 16 // size - 1)) * size
    return f"10.0.0.{first}/{prefix}"


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    protocol = draw(st.sampled_from(("tcp", "tcp", "udp", "icmp", "gre", "all")))
    ported = protocol in ("tcp", "udp")
    ports = draw(st.one_of(st.none(), _small_range(4))) if ported else None
    sports: tuple[int, int] | None = None
    sports_text: str | None = None
    choice = draw(st.sampled_from(("absent", "absent", "range", "every")))
    if choice == "range" and ported:
        sports = draw(_small_range(3))
        sports_text = f"{sports[0]}/{sports[1]}"
    elif choice == "every":
        sports_text = "1/65535" if ported else "-1/-1"
    policy = draw(st.sampled_from((None, "accept", "drop", "drop")))
    priority = draw(st.sampled_from((None, 1, 2, 3)))
    return Spec(protocol, ports, sports, sports_text, draw(destinations()), policy, priority)


def _respelled(spec: Spec, draw: st.DrawFn) -> Spec:
    """The same traffic written another way, sometimes at another priority."""
    dest = spec.dest
    if dest.endswith("/32"):
        dest = dest[:-3]
    elif "/" not in dest:
        dest += "/32"
    sports_text = spec.sports_text
    if spec.sports is None:
        every = "1/65535" if spec.protocol in ("tcp", "udp") else "-1/-1"
        sports_text = None if sports_text is not None else every
    policy = spec.policy
    if policy is None or policy == "accept":
        policy = draw(st.sampled_from((None, "accept")))
    priority = draw(st.sampled_from((spec.priority, spec.level, 1, 2, 3)))
    return Spec(spec.protocol, spec.ports, spec.sports, sports_text, dest, policy, priority)


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Spec]:
    rules = draw(st.lists(specs(), min_size=1, max_size=7))
    for _ in range(draw(st.integers(0, 2))):
        original = rules[draw(st.integers(0, len(rules) - 1))]
        rules.insert(draw(st.integers(0, len(rules))), _respelled(original, draw))
    return rules


def _packets() -> Iterator[tuple[str, int, int, int]]:
    yield from itertools.product(PACKET_PROTOCOLS, ADDRESSES, PORTS, SOURCE_PORTS)


def expected_findings(rules: list[Spec]) -> set[tuple[str, int, tuple[int, ...]]]:
    """(code, line, lines of the rules the finding names) for every finding that must exist."""
    count = len(rules)
    line = [HEADER_LINES + 1 + i for i in range(count)]
    order = sorted(range(count), key=lambda i: (rules[i].level, rules[i].accept, i))
    rank = {index: position for position, index in enumerate(order)}
    matched: list[set[tuple[str, int, int, int]]] = [set() for _ in rules]
    first: dict[tuple[str, int, int, int], int] = {}
    for packet in _packets():
        for i in order:
            if rules[i].matches(*packet):
                matched[i].add(packet)
                first.setdefault(packet, i)
    found: set[tuple[str, int, tuple[int, ...]]] = set()
    copy_of: dict[int, int] = {}
    for i in order:
        earlier = [j for j in order[: rank[i]]
                   if matched[j] == matched[i] and rules[j].accept == rules[i].accept]
        if earlier:
            same = [j for j in earlier if rules[j].level == rules[i].level]
            original = same[0] if same else earlier[0]
            copy_of[i] = original
            found.add(("EGL301" if same else "EGL302", line[i], (line[original],)))
    shadowed_by: dict[int, set[int]] = {}
    for i in range(count):
        deciders = {first[p] for p in matched[i] if first[p] != i}
        by_rank = tuple(line[j] for j in sorted(deciders, key=rank.__getitem__))
        covered = all(first[p] != i for p in matched[i])
        opposed = any(rules[first[p]].accept != rules[i].accept for p in matched[i])
        if covered and i not in copy_of:
            found.add(("EGL304" if opposed else "EGL305", line[i], by_rank))
            if opposed:
                shadowed_by[i] = deciders
        if not covered:
            over = {first[p] for p in matched[i] if rules[first[p]].accept != rules[i].accept
                    and rules[first[p]].level < rules[i].level}
            if over:
                found.add(("EGL306", line[i],
                           tuple(line[j] for j in sorted(over, key=rank.__getitem__))))
    for a, b in itertools.combinations(range(count), 2):  # b is later in the file
        if (rules[a].level == rules[b].level and rules[a].accept != rules[b].accept
                and matched[a] & matched[b] and a not in shadowed_by.get(b, ())):
            found.add(("EGL303", line[b], (line[a],)))
    return found


ENGINE = Engine(load_registry(plugins=False), load_policy("default"), select=CODES)


def actual_findings(text: str) -> set[tuple[str, int, tuple[int, ...]]]:
    result = ENGINE.run_loaded([load_text("oracle.yaml", text)])
    assert not [f for f in result.findings if f.code not in CODES]
    found = {(f.code, f.line, tuple(r.line for r in f.related)) for f in result.findings}
    assert len(found) == len(result.findings), "a finding is reported twice"
    return found


@settings(max_examples=2000, deadline=None)
@given(rule_sets(), st.sampled_from(("grid", "sweep")))
def test_group_checks_match_brute_force(rules: list[Spec], strategy: str) -> None:
    text = "rules:\n" + "".join(spec.text() for spec in rules)
    # Hold each path of the coverage code to the oracle: the full grid, or the sweep.
    limit = 1 << 60 if strategy == "grid" else 0
    with mock.patch.object(coverage, "GRID_LIMIT_BITS", limit):
        assert actual_findings(text) == expected_findings(rules), text
