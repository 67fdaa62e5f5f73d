"""What a security group does with its rules: the analysis every group check reads.

One `GroupAnalysis` is computed per group and run (`analyse` keeps it on the group), from
the group's valid rules (live and proposed); a rule with an invalid field is left out,
since the API would refuse it and other checks report it. It holds:

- entries in precedence order (`egresslint.analysis.precedence`);
- a verdict per entry from the exact coverage computation (`egresslint.analysis.coverage`),
  run once per protocol (tcp, udp, icmp, gre, other) over the entries that include it, and
  combined: covered in every protocol it has, opposed in any;
- copies: entries with the same traffic and policy as an entry that comes first;
- ties: pairs of equal priority and opposite policy whose traffic overlaps;
- deciders, on demand: the entries that decide some packet of a given entry.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from egresslint.analysis.coverage import Box, decide, deciders
from egresslint.analysis.precedence import policy_and_priority, precedence_key
from egresslint.analysis.traffic import GRE, ICMP, OTHER, TCP, UDP, Traffic, traffic_of
from egresslint.rule import Rule
from egresslint.security_group import SecurityGroup

_PROTOCOLS = (TCP, UDP, ICMP, GRE, OTHER)
_MEMO_KEY = "analysis"


@dataclass(frozen=True, slots=True, eq=False)
class Entry:
    """A valid rule of the group, with what it matches and where it stands."""

    rule: Rule
    traffic: Traffic
    accept: bool
    priority: int
    #: Index in group order: live rules first, then path and file order.
    position: int
    #: Index in precedence order (the order the group consults its rules).
    rank: int

    @property
    def policy(self) -> str:
        return "accept" if self.accept else "drop"


@dataclass(frozen=True, slots=True)
class Verdict:
    #: Every packet the rule matches is decided by a rule that comes first.
    covered: bool
    #: Some packet it matches is decided first with the other policy.
    opposed: bool
    #: ... by a rule of strictly higher priority (equal priority is a tie instead).
    opposed_higher: bool

    @property
    def shadowed(self) -> bool:
        return self.covered and self.opposed

    @property
    def redundant(self) -> bool:
        return self.covered and not self.opposed

    @property
    def partly_overridden(self) -> bool:
        return not self.covered and self.opposed


@dataclass(frozen=True, slots=True)
class Copy:
    """An entry that repeats `original` (same traffic and policy), which comes first."""

    original: Entry
    #: Same priority too: the API refuses it (SecurityGroupRuleConflict.Duplicated).
    exact: bool


@dataclass(frozen=True, slots=True)
class Tie:
    """Two entries of equal priority and opposite policy whose traffic overlaps; `later` is
    the one later in group order, where the finding goes."""

    later: Entry
    partner: Entry
    overlap: Traffic


@dataclass(frozen=True)
class _Problem:
    """The entries (by rank) that include one protocol, as arrays for the coverage code."""

    members: tuple[int, ...]
    protocols: int
    boxes: list[Box]
    accepts: list[bool]
    priorities: list[int]


class GroupAnalysis:
    def __init__(self, group: SecurityGroup) -> None:
        self.group = group
        candidates: list[tuple[tuple[int, int, int], Rule, Traffic, bool, int, int]] = []
        for position, rule in enumerate(group.rules):
            traffic = traffic_of(rule)
            decision = policy_and_priority(rule)
            if traffic is None or decision is None:
                continue
            accept, priority = decision
            key = precedence_key(priority, accept, position)
            candidates.append((key, rule, traffic, accept, priority, position))
        candidates.sort(key=lambda c: c[0])
        self.entries: list[Entry] = [
            Entry(rule, traffic, accept, priority, position, rank)
            for rank, (_, rule, traffic, accept, priority, position) in enumerate(candidates)
        ]
        self._by_rule = {id(entry.rule): entry for entry in self.entries}
        self._problems = self._protocol_problems()
        self.verdicts: list[Verdict] = self._decide()
        self.copies: dict[int, Copy] = _copies(self.entries)
        self._deciders: dict[int, list[Entry]] = {}
        self._ties: list[Tie] | None = None

    def entry(self, rule: Rule) -> Entry | None:
        """The rule's entry, or None when the rule takes no part (an invalid field)."""
        return self._by_rule.get(id(rule))

    def verdict(self, entry: Entry) -> Verdict:
        return self.verdicts[entry.rank]

    def reported_shadowed(self, entry: Entry) -> bool:
        """Shadowed, and not a copy (a copy is reported as a copy instead)."""
        return self.verdicts[entry.rank].shadowed and entry.rank not in self.copies

    def deciders(self, entry: Entry) -> list[Entry]:
        """The entries that decide some packet of `entry`, in precedence order."""
        found = self._deciders.get(entry.rank)
        if found is None:
            ranks: set[int] = set()
            for problem in self._problems:
                if not entry.traffic.protocols & problem.protocols:
                    continue
                cut = bisect_left(problem.members, entry.rank)
                if cut == 0:
                    continue
                hits = deciders(problem.boxes[:cut], problem.accepts[:cut],
                                problem.priorities[:cut], entry.traffic.box)
                ranks.update(problem.members[i] for i in hits)
            found = [self.entries[rank] for rank in sorted(ranks)]
            self._deciders[entry.rank] = found
        return found

    def ties(self) -> list[Tie]:
        if self._ties is None:
            self._ties = _ties(self.entries)
        return self._ties

    # -- internals -------------------------------------------------------------------------

    def _protocol_problems(self) -> list[_Problem]:
        protocols: dict[tuple[int, ...], int] = {}
        for bit in _PROTOCOLS:
            members = tuple(e.rank for e in self.entries if e.traffic.protocols & bit)
            if members:
                # icmp, gre and other often hold the same entries (only `all` rules): once.
                protocols[members] = protocols.get(members, 0) | bit
        return [
            _Problem(members, bits,
                     [self.entries[r].traffic.box for r in members],
                     [self.entries[r].accept for r in members],
                     [self.entries[r].priority for r in members])
            for members, bits in protocols.items()
        ]

    def _decide(self) -> list[Verdict]:
        count = len(self.entries)
        covered = [True] * count
        opposed = [False] * count
        higher = [False] * count
        for problem in self._problems:
            outcome = decide(problem.boxes, problem.accepts, problem.priorities)
            for k, rank in enumerate(problem.members):
                if not outcome.covered[k]:
                    covered[rank] = False
                if outcome.opposed[k]:
                    opposed[rank] = True
                if outcome.opposed_higher[k]:
                    higher[rank] = True
        return [Verdict(covered[r], opposed[r], higher[r]) for r in range(count)]


def analyse(group: SecurityGroup) -> GroupAnalysis:
    """The group's analysis, computed on first use and kept for the other checks."""
    found = group.memo.get(_MEMO_KEY)
    if not isinstance(found, GroupAnalysis):
        found = GroupAnalysis(group)
        group.memo[_MEMO_KEY] = found
    return found


def _copies(entries: list[Entry]) -> dict[int, Copy]:
    seen: dict[tuple[Traffic, bool], list[Entry]] = {}
    copies: dict[int, Copy] = {}
    for entry in entries:
        earlier = seen.setdefault((entry.traffic, entry.accept), [])
        if earlier:
            same = next((e for e in earlier if e.priority == entry.priority), None)
            copies[entry.rank] = Copy(same or earlier[0], exact=same is not None)
        earlier.append(entry)
    return copies


def _ties(entries: list[Entry]) -> list[Tie]:
    by_priority: dict[int, list[Entry]] = {}
    for entry in entries:
        by_priority.setdefault(entry.priority, []).append(entry)
    ties: list[Tie] = []
    for level in by_priority.values():
        if all(e.accept for e in level) or not any(e.accept for e in level):
            continue
        # Sweep on destination: only entries whose destinations overlap are compared.
        active: list[Entry] = []
        for entry in sorted(level, key=lambda e: (e.traffic.dest_first, e.position)):
            start = entry.traffic.dest_first
            active = [a for a in active if a.traffic.dest_last >= start]
            for other in active:
                if other.accept == entry.accept:
                    continue
                overlap = other.traffic.intersection(entry.traffic)
                if overlap is not None:
                    later, partner = ((entry, other) if entry.position > other.position
                                      else (other, entry))
                    ties.append(Tie(later, partner, overlap))
            active.append(entry)
    ties.sort(key=lambda t: (t.later.position, t.partner.position))
    return ties
