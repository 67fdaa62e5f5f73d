"""Exact first-match coverage of boxes: which rules decide no packet at all, and how.

The input is the boxes of one protocol (destination, destination port and source port
intervals), already in precedence order, each with its policy and priority. A packet is
decided by the first box that contains it. For every box the result says:

- `covered`: every packet in it is decided by an earlier box (the rule decides nothing);
- `opposed`: some packet in it is decided by an earlier box with the other policy;
- `opposed_higher`: likewise, by an earlier box of strictly higher priority (at equal
  priority the disagreement is a tie, reported on its own).

Algorithm
---------
1. Components. A box that overlaps no other box decides all of its packets. The boxes are
   split into groups separated along some dimension (sort by the interval's start, cut
   where no earlier interval reaches), over the three dimensions in turn until no group
   splits (at most eight rounds; a group left unsplit is only slower, never wrong). Unrelated
   rules therefore cost a few sorts and no bitsets.
2. Coordinate compression. Within a component of k boxes, each dimension is cut at the
   boxes' starts and ends, giving at most 2k+1 elementary intervals; every box is then an
   exact union of grid cells, and a cell is uniform (every packet in it is matched by the
   same boxes). The grid has at most prod(2k_d + 1) <= (2k+1)^3 cells.
3. Bitsets. Each box becomes a Python integer with one bit per cell, built from bytes (a
   row is repeated with bytes multiplication, so no per-cell loop runs). Walking the boxes
   in precedence order keeps `undecided`, `decided_accept` and `decided_drop`: a box is
   covered iff `box & undecided == 0`; it is opposed iff `box & decided_other != 0`; the
   decided sets are also remembered at the start of each priority level for
   `opposed_higher`. Each step is a constant number of big-integer operations of
   O(cells / 64) machine words, so a component costs O(k * cells / 64).
4. Sweep. When the three-dimensional grid would exceed `GRID_LIMIT_BITS`, the dimension
   with the most elementary intervals is swept instead: for each of its intervals (skipping
   those whose set of boxes did not change) the boxes present there are walked with bitsets
   over the other two dimensions. A box is covered iff it is covered in every slab, so the
   result is the same, for O(sum over slabs of boxes present * cells_2d / 64).
5. Deciders, only for the rules a finding names them for: the boxes before the rule,
   clipped to it, are run through the same walk (a clipped box that is not covered decides
   some of the rule's packets); the walk stops once nothing is left undecided.

Everything is exact: the cells partition the space, and a cell's fate under first match is
the fate of every packet in it. `tests/analysis/test_coverage.py` and
`tests/analysis/test_oracle.py` check it against a packet-by-packet enumeration.

Measured (one core, CPython 3.11): one group of 200 mutually overlapping rules (nested
destinations, crossing port and source-port ranges, mixed priorities and policies) takes
under 10 ms for every verdict and about 0.2-0.3 s more to name the covering rules of the
150-190 rules reported; 100,000 rules in 1,000 groups take about 1.6 s for the verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

#: (dest_first, dest_last, port_first, port_last, sport_first, sport_last), closed intervals.
Box = tuple[int, int, int, int, int, int]

#: Above this many cells a component is swept along one dimension instead (8 KiB a bitset:
#: measured on adversarial groups, larger grids cost more in building masks than slabs do).
GRID_LIMIT_BITS = 1 << 16
_MAX_SPLIT_ROUNDS = 8


@dataclass
class Outcome:
    """Per box, in the order given."""

    covered: list[bool] = field(default_factory=list)
    opposed: list[bool] = field(default_factory=list)
    opposed_higher: list[bool] = field(default_factory=list)


def decide(boxes: Sequence[Box], accepts: Sequence[bool], priorities: Sequence[int], *,
           strategy: str = "auto") -> Outcome:
    """First-match outcome of every box; `boxes` are in precedence order.

    `strategy` is "auto", "grid" (always the full grid) or "sweep" (always sweep); the
    last two exist so that tests can hold both paths to the same oracle.
    """
    count = len(boxes)
    outcome = Outcome([False] * count, [False] * count, [False] * count)
    for component in components(boxes, range(count)):
        if len(component) < 2:
            continue
        _decide_component(boxes, accepts, priorities, component, outcome, strategy, False)
    return outcome


def deciders(boxes: Sequence[Box], accepts: Sequence[bool], priorities: Sequence[int],
             target: Box, *, strategy: str = "auto") -> list[int]:
    """Indexes of the boxes that decide some packet of `target`: the first match of at
    least one of its packets. `boxes` are the boxes that come before it, in order."""
    clipped: list[Box] = []
    kept: list[int] = []
    d0, d1, p0, p1, s0, s1 = target
    for index, b in enumerate(boxes):
        if b[0] <= d1 and d0 <= b[1] and b[2] <= p1 and p0 <= b[3] and b[4] <= s1 and s0 <= b[5]:
            clipped.append((max(b[0], d0), min(b[1], d1), max(b[2], p0), min(b[3], p1),
                            max(b[4], s0), min(b[5], s1)))
            kept.append(index)
    if not clipped:
        return []
    count = len(clipped)
    outcome = Outcome([False] * count, [False] * count, [False] * count)
    # The clipped boxes all lie inside the target, so they form one component.
    _decide_component(clipped, [accepts[i] for i in kept], [priorities[i] for i in kept],
                      list(range(count)), outcome, strategy, True)
    return [kept[i] for i in range(count) if not outcome.covered[i]]


def components(boxes: Sequence[Box], indexes: Sequence[int]) -> list[list[int]]:
    """Split `indexes` into groups no box of which overlaps a box of another group; each
    group keeps ascending index order (precedence order)."""
    parts: list[list[int]] = [list(indexes)]
    for _ in range(_MAX_SPLIT_ROUNDS):
        changed = False
        for first in (0, 2, 4):
            last = first + 1
            split: list[list[int]] = []
            for part in parts:
                if len(part) < 2:
                    split.append(part)
                    continue
                ordered = sorted(part, key=lambda i: boxes[i][first])
                current = [ordered[0]]
                end = boxes[ordered[0]][last]
                for i in ordered[1:]:
                    box = boxes[i]
                    if box[first] > end:
                        split.append(current)
                        current = [i]
                        end = box[last]
                        changed = True
                    else:
                        current.append(i)
                        if box[last] > end:
                            end = box[last]
                split.append(current)
            parts = split
        if not changed:
            break
    return [sorted(part) for part in parts]


def _cuts(boxes: Sequence[Box], members: Sequence[int], dim: int) -> dict[int, int]:
    """Elementary-interval numbering of one dimension: cut value -> its index."""
    first, last = 2 * dim, 2 * dim + 1
    values = {boxes[i][first] for i in members} | {boxes[i][last] + 1 for i in members}
    return {value: index for index, value in enumerate(sorted(values))}


def _decide_component(boxes: Sequence[Box], accepts: Sequence[bool],
                      priorities: Sequence[int], members: list[int], outcome: Outcome,
                      strategy: str, only_coverage: bool) -> None:
    cuts = [_cuts(boxes, members, dim) for dim in range(3)]
    # Each box as three closed ranges of elementary-interval indexes.
    spans: dict[int, list[tuple[int, int]]] = {}
    for i in members:
        box = boxes[i]
        spans[i] = [(cuts[d][box[2 * d]], cuts[d][box[2 * d + 1] + 1] - 1) for d in range(3)]
    sizes = [len(c) - 1 for c in cuts]
    for i in members:
        outcome.covered[i] = True
    layout = _Layout(sizes, (0, 1, 2))
    if strategy == "grid" or (strategy == "auto" and layout.bits <= GRID_LIMIT_BITS):
        masks = {i: layout.mask(spans[i]) for i in members}
        _walk(members, masks, accepts, priorities, outcome, layout.full, only_coverage)
        return
    swept = max(range(3), key=lambda d: sizes[d])
    layout = _Layout(sizes, tuple(d for d in range(3) if d != swept))
    masks = {i: layout.mask(spans[i]) for i in members}
    starts: list[list[int]] = [[] for _ in range(sizes[swept] + 1)]
    ends: list[list[int]] = [[] for _ in range(sizes[swept] + 1)]
    for i in members:
        lo, hi = spans[i][swept]
        starts[lo].append(i)
        ends[hi + 1].append(i)
    present: set[int] = set()
    for slab in range(sizes[swept]):
        if not starts[slab] and not ends[slab]:
            continue  # the same boxes as the slab before: the same outcome
        present.difference_update(ends[slab])
        present.update(starts[slab])
        if len(present) > 1:
            _walk(sorted(present), masks, accepts, priorities, outcome, layout.full,
                  only_coverage)
        elif present:
            (only,) = present
            outcome.covered[only] = False


class _Layout:
    """Bit positions of grid cells over some of the three dimensions.

    The dimension with the most intervals is innermost (its rows are padded to whole bytes,
    so that rows and planes can be repeated as bytes); the others follow outward.
    """

    def __init__(self, sizes: Sequence[int], dims: Sequence[int]) -> None:
        self.dims = tuple(sorted(dims, key=lambda d: sizes[d]))  # outermost first
        self.sizes = [sizes[d] for d in self.dims]
        inner = self.sizes[-1]
        self.sizes[-1] = (inner + 7) // 8 * 8
        self.bits = 1
        for size in self.sizes:
            self.bits *= size

    @cached_property
    def full(self) -> int:
        return (1 << self.bits) - 1

    def mask(self, spans: Sequence[tuple[int, int]]) -> int:
        ranges = [spans[d] for d in self.dims]
        lo, hi = ranges[-1]
        unit = self.sizes[-1] // 8
        row = (((1 << (hi - lo + 1)) - 1) << lo).to_bytes(unit, "little")
        if len(ranges) == 1:
            return int.from_bytes(row, "little")
        for (lo, hi), size in zip(ranges[-2:0:-1], self.sizes[-2:0:-1], strict=True):
            zero = bytes(unit)
            row = zero * lo + row * (hi - lo + 1) + zero * (size - hi - 1)
            unit *= size
        lo, hi = ranges[0]
        return int.from_bytes(row * (hi - lo + 1), "little") << (lo * unit * 8)


def _walk(order: Sequence[int], masks: dict[int, int], accepts: Sequence[bool],
          priorities: Sequence[int], outcome: Outcome, full: int,
          only_coverage: bool) -> None:
    if only_coverage:
        _walk_coverage(order, masks, outcome.covered, full)
        return
    undecided = full
    accepted = dropped = 0
    accepted_above = dropped_above = 0
    level = None
    covered, opposed, higher = outcome.covered, outcome.opposed, outcome.opposed_higher
    for i in order:
        if priorities[i] != level:
            level = priorities[i]
            accepted_above, dropped_above = accepted, dropped
        box = masks[i]
        fresh = box & undecided
        if accepts[i]:
            if fresh:
                covered[i] = False
                undecided ^= fresh
                accepted |= fresh
            if not opposed[i] and box & dropped:
                opposed[i] = True
            if not higher[i] and box & dropped_above:
                higher[i] = True
        else:
            if fresh:
                covered[i] = False
                undecided ^= fresh
                dropped |= fresh
            if not opposed[i] and box & accepted:
                opposed[i] = True
            if not higher[i] and box & accepted_above:
                higher[i] = True


def _walk_coverage(order: Sequence[int], masks: dict[int, int], covered: list[bool],
                   full: int) -> None:
    """`_walk` for `deciders`: coverage only, and nothing left to decide ends the walk."""
    undecided = full
    for i in order:
        fresh = masks[i] & undecided
        if fresh:
            covered[i] = False
            undecided ^= fresh
            if not undecided:
                return
