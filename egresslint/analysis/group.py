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

A large file has a hundred thousand rules and most of them overlap no other rule, so the
analysis keeps plain arrays indexed by rank and builds an `Entry` (or a `Verdict`) only for
the rules a check or `show` asks about. Copies and ties are looked for only among the
entries the coverage computation found overlapping another.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter

from egresslint.analysis.coverage import Outcome, decide
from egresslint.analysis.precedence import PRIORITY_MAX, PRIORITY_MIN
from egresslint.analysis.traffic import (
    GRE,
    ICMP,
    OTHER,
    TCP,
    UDP,
    Traffic,
    TrafficKey,
    as_traffic,
    traffic_key,
)
from egresslint.rule import DEFAULT_PRIORITY, POLICY, PRIORITY, Rule
from egresslint.security_group import SecurityGroup

_PROTOCOLS = (TCP, UDP, ICMP, GRE, OTHER)
_MEMO_KEY = "analysis"


class Entry:
    """A valid rule of the group, with what it matches and where it stands.

    Immutable by contract; compared by identity (the analysis makes one per rank)."""

    __slots__ = ("_traffic", "accept", "key", "position", "priority", "rank", "rule")

    def __init__(self, rule: Rule, key: TrafficKey, accept: bool, priority: int,
                 position: int, rank: int) -> None:
        self.rule = rule
        #: The rule's traffic as `egresslint.analysis.traffic.TrafficKey`.
        self.key = key
        self.accept = accept
        self.priority = priority
        #: Index in group order: live rules first, then path and file order.
        self.position = position
        #: Index in precedence order (the order the group consults its rules).
        self.rank = rank
        self._traffic: Traffic | None = None

    @property
    def traffic(self) -> Traffic:
        traffic = self._traffic
        if traffic is None:
            traffic = self._traffic = as_traffic(self.key)
        return traffic

    @property
    def policy(self) -> str:
        return "accept" if self.accept else "drop"

    def __repr__(self) -> str:
        return (f"Entry(rule={self.rule!r}, traffic={self.traffic!r}, accept={self.accept!r}, "
                f"priority={self.priority!r}, position={self.position!r}, "
                f"rank={self.rank!r})")


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


#: Verdicts are values, and there are eight: shared rather than made per entry.
_VERDICTS = {(c, o, h): Verdict(c, o, h)
             for c in (False, True) for o in (False, True) for h in (False, True)}


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
    """The entries (by rank) that include one protocol, and their coverage outcome."""

    members: tuple[int, ...]
    protocols: int
    outcome: Outcome


class GroupAnalysis:
    def __init__(self, group: SecurityGroup) -> None:
        rules = group.rules
        size = len(rules) + 1
        order: list[int] = []
        traffic: list[TrafficKey | None] = [None] * len(rules)
        for position, rule in enumerate(rules):
            key = traffic_key(rule)
            if key is None:
                continue
            # `policy_and_priority`, inlined (once per rule of the run).
            get = rule.fields.get
            fv = get(POLICY)
            if fv is None:
                level = 1
            else:
                text = fv.str_value
                if text == "accept":
                    level = 1
                elif text == "drop":
                    level = 0
                else:
                    continue
            fv = get(PRIORITY)
            if fv is None:
                level |= DEFAULT_PRIORITY << 1
            else:
                value = fv.value
                if (not fv.usable or not isinstance(value, int) or isinstance(value, bool)
                        or not PRIORITY_MIN <= value <= PRIORITY_MAX):
                    continue
                level |= value << 1
            traffic[position] = key
            # `precedence_key` (priority, drops first, position) as one integer: sorting
            # integers is several times faster than sorting tuples.
            order.append(level * size + position)
        order.sort()
        self._rules = rules
        self._positions = positions = [key % size for key in order]
        levels = [key // size for key in order]
        self._keys: list[TrafficKey] = [traffic[p] for p in positions]  # type: ignore[misc]
        #: By rank, for checks that look at many entries without making `Entry` objects.
        self.accepts: list[bool] = [bool(level & 1) for level in levels]
        self.priorities: list[int] = [level >> 1 for level in levels]
        self._entries: list[Entry | None] = [None] * len(order)
        self._by_rule: dict[int, int] | None = None
        self._problems = self._protocol_problems()
        self._covered, self._opposed, self._higher, self._overlapping = self._combine()
        self.copies: dict[int, Copy] = self._copies()
        self._deciders: dict[int, list[int]] = {}
        self._ties: list[Tie] | None = None

    # -- entries and verdicts --------------------------------------------------------------

    @property
    def entries(self) -> list[Entry]:
        """Every entry, in precedence order."""
        return [self.entry_at(rank) for rank in range(len(self._keys))]

    def entry_at(self, rank: int) -> Entry:
        entry = self._entries[rank]
        if entry is None:
            position = self._positions[rank]
            entry = self._entries[rank] = Entry(
                self._rules[position], self._keys[rank], self.accepts[rank],
                self.priorities[rank], position, rank)
        return entry

    def entry(self, rule: Rule) -> Entry | None:
        """The rule's entry, or None when the rule takes no part (an invalid field)."""
        if self._by_rule is None:
            self._by_rule = {id(self._rules[p]): rank for rank, p in enumerate(self._positions)}
        rank = self._by_rule.get(id(rule))
        return None if rank is None else self.entry_at(rank)

    @property
    def verdicts(self) -> list[Verdict]:
        return [self.verdict_at(rank) for rank in range(len(self._keys))]

    def verdict(self, entry: Entry) -> Verdict:
        return self.verdict_at(entry.rank)

    def verdict_at(self, rank: int) -> Verdict:
        return _VERDICTS[(self._covered[rank], self._opposed[rank], self._higher[rank])]

    @property
    def flagged(self) -> list[int]:
        """Ranks, in order, of the entries that are covered or opposed: the only ones the
        coverage checks report."""
        covered, opposed = self._covered, self._opposed
        return [rank for rank in self._overlapping if covered[rank] or opposed[rank]]

    def reported_shadowed(self, entry: Entry) -> bool:
        """Shadowed, and not a copy (a copy is reported as a copy instead)."""
        rank = entry.rank
        return self._covered[rank] and self._opposed[rank] and rank not in self.copies

    def deciders(self, entry: Entry) -> list[Entry]:
        """The entries that decide some packet of `entry`, in precedence order."""
        return [self.entry_at(rank) for rank in self.decider_ranks(entry.rank)]

    def decider_ranks(self, rank: int) -> list[int]:
        """`deciders`, as ranks."""
        found = self._deciders.get(rank)
        if found is None:
            ranks: set[int] = set()
            protocols = self._keys[rank][6]
            for problem in self._problems:
                if not protocols & problem.protocols:
                    continue
                members = problem.members
                local = bisect_left(members, rank)
                ranks.update(members[i] for i in problem.outcome.deciders_of(local))
            found = self._deciders[rank] = sorted(ranks)
        return found

    def rule_at(self, rank: int) -> Rule:
        return self._rules[self._positions[rank]]

    def ties(self) -> list[Tie]:
        if self._ties is None:
            self._ties = self._find_ties()
        return self._ties

    # -- internals -------------------------------------------------------------------------

    def _protocol_problems(self) -> list[_Problem]:
        # Ranks by protocol set: a rule names one protocol or `all`, so five lists at most.
        by_set: dict[int, list[int]] = {}
        for rank, key in enumerate(self._keys):
            found = by_set.get(key[6])
            if found is None:
                by_set[key[6]] = [rank]
            else:
                found.append(rank)
        members_of: dict[tuple[int, ...], int] = {}
        for bit in _PROTOCOLS:
            lists = [ranks for protocols, ranks in by_set.items() if protocols & bit]
            if not lists:
                continue
            members = tuple(lists[0]) if len(lists) == 1 else tuple(sorted(
                rank for ranks in lists for rank in ranks))
            # icmp, gre and other often hold the same entries (only `all` rules): once.
            members_of[members] = members_of.get(members, 0) | bit
        # Traffic keys start with their box: the coverage code takes them as they are.
        boxes = self._keys
        problems = []
        for members, bits in members_of.items():
            if len(members) == 1:
                only = members[0]
                outcome = decide([boxes[only]], [self.accepts[only]], [self.priorities[only]])
            else:
                pick = itemgetter(*members)
                outcome = decide(pick(boxes), pick(self.accepts), pick(self.priorities))
            problems.append(_Problem(members, bits, outcome))
        return problems

    def _combine(self) -> tuple[list[bool], list[bool], list[bool], list[int]]:
        """Verdicts over all protocols (covered in every protocol an entry has, opposed in
        any), and the ranks that overlap another entry in some protocol."""
        count = len(self._keys)
        covered, opposed, higher = [False] * count, [False] * count, [False] * count
        votes: dict[int, int] = {}
        overlapping: set[int] = set()
        for problem in self._problems:
            members, outcome = problem.members, problem.outcome
            every = range(len(members))
            for k in compress(every, outcome.covered):
                votes[members[k]] = votes.get(members[k], 0) + 1
            for k in compress(every, outcome.opposed):
                opposed[members[k]] = True
            for k in compress(every, outcome.opposed_higher):
                higher[members[k]] = True
            overlapping.update(members[k] for k in outcome.entangled)
        for rank, count_covered in votes.items():
            protocols = self._keys[rank][6]
            needed = sum(1 for problem in self._problems if protocols & problem.protocols)
            covered[rank] = count_covered == needed
        return covered, opposed, higher, sorted(overlapping)

    def _copies(self) -> dict[int, Copy]:
        # Same traffic means overlapping traffic: only overlapping entries can be copies.
        seen: dict[tuple[TrafficKey, bool], list[int]] = {}
        copies: dict[int, Copy] = {}
        keys, accepts, priorities = self._keys, self.accepts, self.priorities
        for rank in self._overlapping:
            earlier = seen.setdefault((keys[rank], accepts[rank]), [])
            if earlier:
                priority = priorities[rank]
                same = next((e for e in earlier if priorities[e] == priority), None)
                copies[rank] = Copy(self.entry_at(earlier[0] if same is None else same),
                                    exact=same is not None)
            earlier.append(rank)
        return copies

    def _find_ties(self) -> list[Tie]:
        # Overlapping entries share a protocol, and there a component (the coverage code
        # keeps them), or one of them is the peeled box, which contains every box before it,
        # or comes after it, and then the coverage code kept what it overlaps.
        accepts, priorities = self.accepts, self.priorities
        candidates: dict[tuple[int, int], None] = {}
        for problem in self._problems:
            members, outcome = problem.members, problem.outcome
            for part in outcome.parts:
                _opposite_pairs([members[k] for k in part], self._keys, accepts, priorities,
                                candidates)
            peeled = outcome.peeled
            if peeled < 0:
                continue
            rank = members[peeled]
            k = peeled - 1
            # Entries of its priority come just before it (precedence order).
            while k >= 0 and priorities[members[k]] == priorities[rank]:
                if accepts[members[k]] != accepts[rank]:
                    candidates[(members[k], rank)] = None
                k -= 1
            for later, overlapping in outcome.overlaps.items():
                rank = members[later]
                for k in overlapping:
                    other = members[k]
                    if priorities[other] == priorities[rank] and accepts[other] != accepts[rank]:
                        candidates[(other, rank)] = None
        keys, positions = self._keys, self._positions
        pairs: list[tuple[int, int, TrafficKey]] = []
        for first, second in candidates:
            overlap = _intersection(keys[first], keys[second])
            if overlap is not None:
                later, partner = ((second, first) if positions[second] > positions[first]
                                  else (first, second))
                pairs.append((later, partner, overlap))
        pairs.sort(key=lambda t: (positions[t[0]], positions[t[1]]))
        return [Tie(self.entry_at(later), self.entry_at(partner), as_traffic(overlap))
                for later, partner, overlap in pairs]


def _opposite_pairs(ranks: list[int], keys: list[TrafficKey], accepts: list[bool],
                    priorities: list[int], found: dict[tuple[int, int], None]) -> None:
    """Add the pairs (in rank order) of `ranks` (ascending) of equal priority and opposite
    policy whose destinations overlap: sweeping a priority's entries along the destination
    compares only those."""
    by_priority: dict[int, list[int]] = {}
    for rank in ranks:
        level = by_priority.get(priorities[rank])
        if level is None:
            by_priority[priorities[rank]] = [rank]
        else:
            level.append(rank)
    for level in by_priority.values():
        if len(level) < 2 or all(accepts[r] for r in level) or not any(
                accepts[r] for r in level):
            continue
        active: list[int] = []
        for rank in sorted(level, key=lambda r: keys[r][0]):
            start = keys[rank][0]
            active = [a for a in active if keys[a][1] >= start]
            accept = accepts[rank]
            for other in active:
                if accepts[other] != accept:
                    found[(other, rank) if other < rank else (rank, other)] = None
            active.append(rank)


def _intersection(a: TrafficKey, b: TrafficKey) -> TrafficKey | None:
    protocols = a[6] & b[6]
    if not (protocols and a[0] <= b[1] and b[0] <= a[1] and a[2] <= b[3] and b[2] <= a[3]
            and a[4] <= b[5] and b[4] <= a[5]):
        return None
    return (max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), min(a[3], b[3]),
            max(a[4], b[4]), min(a[5], b[5]), protocols)


def analyse(group: SecurityGroup) -> GroupAnalysis:
    """The group's analysis, computed on first use and kept for the other checks."""
    found = group.memo.get(_MEMO_KEY)
    if not isinstance(found, GroupAnalysis):
        found = GroupAnalysis(group)
        group.memo[_MEMO_KEY] = found
    return found

