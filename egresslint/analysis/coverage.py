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
1. Peeling. Groups usually end with a deny-all that overlaps every other rule and would
   join them all into one component. So when a box among the last `TAIL_LIMIT` + 1
   contains every box before it, and those boxes provably cannot cover it (their volumes
   add up to less than its own: bounded first by sums of extents, then summed exactly), it
   is decided on its own: it is not covered, it is opposed (and opposed_higher) iff some
   earlier box of the other policy (and higher priority) decides anything, since every
   packet such a box decides lies inside it, and those boxes are its deciders. The boxes
   before it are decided as if it were absent (it comes after them); each box after it is
   decided alone (step 5). O(n).
2. Components. A box that overlaps no other box decides all of its packets. The others
   fall into the connected components of the overlap graph, found by a sweep along the
   destination (sorted by start) that compares each box with the earlier boxes whose
   destinations still reach it, and joins overlapping ones (union-find). The sweep stops
   after 16n + 256 comparisons (many boxes over the same addresses); the boxes are then
   split into groups separated along some dimension (sort by the interval's start, cut where
   no earlier interval reaches), trying each dimension in turn until a group has passed all
   three without splitting (at most 24 passes along a line of splits), and each group is
   swept again within the same budget, or kept whole. A component kept whole when it could
   be split further is only slower, never wrong. Unrelated rules cost a sort and a
   comparison or two each, and no bitsets: O(n log n + 16n) per protocol.
3. Closed forms. Of two overlapping boxes the first decides all of its own packets and the
   overlap: the second is covered iff the first contains it, and opposed iff their
   policies differ. Likewise when the first box of a component contains all the others.
4. Grid. Within a component of k boxes, each dimension is cut at the boxes' starts and
   ends (coordinate compression), giving at most 2k+1 elementary intervals; every box is
   then an exact union of grid cells, and a cell is uniform (every packet in it is matched
   by the same boxes). The grid has at most prod(2k_d + 1) <= (2k+1)^3 cells. Each box
   becomes a Python integer with one bit per cell (on a small grid from integer shifts, on
   a large one from bytes: a row is repeated with bytes multiplication, so no per-cell loop
   runs). Walking the boxes in precedence order keeps `undecided`, `decided_accept` and
   `decided_drop`: a box is covered iff `box & undecided == 0`; it is opposed iff
   `box & decided_other != 0`; the decided sets are also remembered at the start of each
   priority level for `opposed_higher`, and the cells each box decides are kept for step 6.
   Each step is a constant number of big-integer operations of O(cells / 64) machine words,
   so a component costs O(k * cells / 64). When the grid would exceed `GRID_LIMIT_BITS`, the
   dimension with the most elementary intervals is swept instead: for each of its intervals
   (skipping those whose set of boxes did not change) the boxes present there are walked
   with bitsets over the other two dimensions. A box is covered iff it is covered in every
   slab, so the result is the same, for O(sum over slabs of boxes present * cells_2d / 64).
5. One box alone: the boxes before it that overlap it, clipped to it, and the box itself
   are run through the same walk (a clipped box that is not covered decides some of its
   packets; the box is covered iff nothing is left for it); the walk stops once nothing is
   left undecided. O(n) plus a walk over the overlapping boxes.
6. Deciders, only for the rules a finding names them for: from the cells kept in step 4
   (the boxes of the component whose decided cells meet the rule's), from the closed forms
   of steps 1 and 3, or, after a sweep, by step 5.

Everything is exact: the cells partition the space, a cell's fate under first match is the
fate of every packet in it, and steps 1-3 only skip work whose outcome is known.
`tests/analysis/test_coverage.py` and `tests/analysis/test_oracle.py` check it against a
packet-by-packet enumeration; the "grid" and "sweep" strategies take none of the shortcuts
of steps 1 and 3, so that the tests hold each path to the same enumeration.

Measured (one core, CPython 3.11): one group of 200 mutually overlapping rules (nested
destinations, crossing port and source-port ranges, mixed priorities and policies; the
grid is swept) takes about 12 ms for every verdict and about 0.2 s more to name the
covering rules of the 194 rules reported; 100,000 rules in 1,000 groups (benchmarks/,
realistic-100k: 4,650 protocol problems) take about 0.2 s for every verdict, and naming
the deciders of the 18,000 covered or overridden rules about 3 microseconds each.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import compress, repeat
from operator import add, mul, sub

#: (dest_first, dest_last, port_first, port_last, sport_first, sport_last), closed intervals.
Box = tuple[int, int, int, int, int, int]
#: What the functions here take as a box: they read its first six items and ignore any more
#: (the group analysis passes its traffic keys, whose seventh item is the protocols).
_Box = tuple[int, ...]

#: Above this many cells a component is swept along one dimension instead (8 KiB a bitset:
#: measured on adversarial groups, larger grids cost more in building masks than slabs do).
GRID_LIMIT_BITS = 1 << 16
#: Up to this many cells a component's bitsets are built with integer shifts, not bytes.
_SMALL_GRID_BITS = 1 << 10
#: Dimension passes along one line of splits (eight rounds of three dimensions).
_MAX_SPLIT_PASSES = 24
#: At most this many boxes may follow the peeled box (each is decided on its own).
TAIL_LIMIT = 8


class Outcome:
    """Per box, in the order given: `covered`, `opposed`, `opposed_higher`; `deciders_of`
    names the boxes that decide a box's packets, from what the computation kept.

    A plain class: a large file makes thousands, most of them for a box or two."""

    __slots__ = ("_accepts", "_boxes", "_fresh", "_led", "_masks", "_part_of", "_priorities",
                 "_tail", "covered", "entangled", "opposed", "opposed_higher", "overlaps",
                 "parts", "peeled")

    def __init__(self, covered: list[bool], opposed: list[bool], opposed_higher: list[bool],
                 boxes: Sequence[_Box] = (), accepts: Sequence[bool] = (),
                 priorities: Sequence[int] = ()) -> None:
        self.covered = covered
        self.opposed = opposed
        self.opposed_higher = opposed_higher
        #: Boxes that overlap some other box (the others decide all of their packets alone).
        self.entangled: set[int] = set()
        #: The peeled box (step 1), or -1.
        self.peeled = -1
        #: The components of two or more boxes (step 2), each in ascending order: two boxes
        #: that overlap are in one of them, unless one is the peeled box or after it.
        self.parts: list[list[int]] = []
        #: Box after the peeled one -> the boxes before it that overlap it.
        self.overlaps: dict[int, list[int]] = {}
        #: Box -> the members of its component, for boxes in components of two or more.
        self._part_of: dict[int, list[int]] = {}
        #: Box -> its grid cells, and the cells it decides, for components on a grid.
        self._masks: dict[int, int] = {}
        self._fresh: dict[int, int] = {}
        #: Boxes of components whose first box decides every packet the others share with
        #: it: overlapping pairs, and components whose first box contains the others (step 3).
        self._led: set[int] = set()
        #: Box after the peeled one -> the boxes that decide its packets.
        self._tail: dict[int, list[int]] = {}
        self._boxes = boxes
        self._accepts = accepts
        self._priorities = priorities

    def deciders_of(self, index: int) -> list[int]:
        """Indexes of the boxes that decide some packet of box `index` (step 6)."""
        found = self._tail.get(index)
        if found is not None:
            return found
        if index == self.peeled:
            return list(compress(range(index), (not c for c in self.covered[:index])))
        members = self._part_of.get(index)
        if members is None:
            return []
        mask = self._masks.get(index)
        if mask is not None:
            fresh = self._fresh
            return [j for j in members if j < index and fresh[j] & mask]
        if index == members[0]:
            return []
        if index in self._led:
            return [members[0]]
        before = [j for j in members if j < index]
        boxes, accepts, priorities = self._boxes, self._accepts, self._priorities
        hits = deciders([boxes[j] for j in before], [accepts[j] for j in before],
                        [priorities[j] for j in before], boxes[index])
        return [before[h] for h in hits]


def decide(boxes: Sequence[_Box], accepts: Sequence[bool], priorities: Sequence[int], *,
           strategy: str = "auto") -> Outcome:
    """First-match outcome of every box; `boxes` are in precedence order.

    `strategy` is "auto", "grid" (always the full grid) or "sweep" (always sweep); the
    last two exist so that tests can hold both paths to the same oracle, and take no
    shortcut (no peeling, no closed form for pairs).
    """
    count = len(boxes)
    outcome = Outcome([False] * count, [False] * count, [False] * count,
                      boxes, accepts, priorities)
    if count < 2:
        return outcome
    shortcuts = strategy == "auto"
    columns = list(zip(*boxes, strict=True))
    head = _peel(boxes, columns) if shortcuts else count
    entangled = outcome.entangled
    parts = _overlapping(boxes, columns, range(head)) if shortcuts else None
    if parts is None:
        parts = _split(columns, range(head))
        if shortcuts:
            parts = [piece for part in parts if len(part) > 1
                     for piece in _or_whole(_overlapping(boxes, columns, part), part)]
    for part in parts:
        if len(part) < 2:
            continue
        part.sort()
        if shortcuts and len(part) == 2:
            _decide_pair(boxes, accepts, priorities, part, outcome)
            continue
        outcome.parts.append(part)
        entangled.update(part)
        for i in part:
            outcome._part_of[i] = part
        if shortcuts and _leads(boxes, part):
            _decide_led(accepts, priorities, part, outcome)
            continue
        _decide_component(boxes, accepts, priorities, part, outcome, strategy, False)
    if head < count:
        _decide_peeled(boxes, accepts, priorities, head, outcome)
    return outcome


def _peel(boxes: Sequence[_Box], columns: list[tuple[int, ...]]) -> int:
    """Step 1: the index of the box to peel, or len(boxes) when none qualifies."""
    count = len(boxes)
    d0, d1, p0, p1, s0, s1 = columns[:6]
    last = boxes[-1]
    rest = count - 1
    # (Whether the last box contains the others: the bounds may include it, to no effect.)
    if (last[0] <= min(d0) and max(d1) <= last[1] and last[2] <= min(p0)
            and max(p1) <= last[3] and last[4] <= min(s0) and max(s1) <= last[5]):
        found = rest  # the usual case: a closing deny-all, or nothing
    else:
        start = max(1, count - 1 - TAIL_LIMIT)
        low = [min(d0[:start]), min(p0[:start]), min(s0[:start])]
        high = [max(d1[:start]), max(p1[:start]), max(s1[:start])]
        found = -1
        for k in range(start, rest):
            box = boxes[k]
            if (box[0] <= low[0] and high[0] <= box[1] and box[2] <= low[1]
                    and high[1] <= box[3] and box[4] <= low[2] and high[2] <= box[5]):
                found = k
            for d in range(3):
                if box[2 * d] < low[d]:
                    low[d] = box[2 * d]
                if box[2 * d + 1] > high[d]:
                    high[d] = box[2 * d + 1]
        if found < 0:
            return count
    # The peeled box must not be covered, and the boxes before it (all inside it) cannot
    # cover it with less volume than it has. Their volume is bounded cheaply first: by the
    # sum of their extents along one dimension times the peeled box's other two extents.
    box = boxes[found]
    extents = (box[1] - box[0] + 1, box[3] - box[2] + 1, box[5] - box[4] + 1)
    for d in range(3):
        starts, ends = columns[2 * d], columns[2 * d + 1]
        if found == rest:  # no slices: the sums over every box, less the peeled one's
            total = sum(ends) - sum(starts) - ends[found] + starts[found] + found
        else:
            total = sum(ends[:found]) - sum(starts[:found]) + found
        if total < extents[d]:
            return found
    # Else their exact volume, added up in C: (last + 1 - first) along each dimension.
    one = repeat(1)
    size = [map(sub, map(add, columns[2 * d + 1][:found], one), columns[2 * d][:found])
            for d in range(3)]
    if sum(map(mul, map(mul, size[0], size[1]), size[2])) < extents[0] * extents[1] * extents[2]:
        return found
    return count  # possibly covered: no peeling (the test is exact one way only)


def _decide_peeled(boxes: Sequence[_Box], accepts: Sequence[bool], priorities: Sequence[int],
                   peeled: int, outcome: Outcome) -> None:
    """Steps 1 and 5 for the peeled box and the boxes after it."""
    outcome.peeled = peeled
    outcome.entangled.update(range(peeled, len(boxes)))
    covered = outcome.covered
    accept, priority = accepts[peeled], priorities[peeled]
    # Every box before it lies inside it, so each of them that decides anything decides
    # some of its packets.
    for j in compress(range(peeled), (not c for c in covered[:peeled])):
        if accepts[j] != accept:
            outcome.opposed[peeled] = True
            if priorities[j] < priority:
                outcome.opposed_higher[peeled] = True
                break
    for t in range(peeled + 1, len(boxes)):
        ds, covered[t], overlapping = _alone(boxes, accepts, priorities, t)
        outcome._tail[t] = ds
        outcome.overlaps[t] = overlapping
        outcome.entangled.update(overlapping)
        for d in ds:
            if accepts[d] != accepts[t]:
                outcome.opposed[t] = True
                if priorities[d] < priorities[t]:
                    outcome.opposed_higher[t] = True


def _alone(boxes: Sequence[_Box], accepts: Sequence[bool], priorities: Sequence[int],
           target: int) -> tuple[list[int], bool, list[int]]:
    """Step 5 for one box: (the boxes before it that decide some of its packets, whether
    they decide all of them, the boxes before it that overlap it)."""
    clipped, kept = _clip(boxes[:target], boxes[target])
    if not clipped:
        return [], False, kept
    clipped.append(boxes[target])
    count = len(clipped)
    local = Outcome([False] * count, [False] * count, [False] * count)
    _decide_component(clipped, [accepts[i] for i in kept] + [accepts[target]],
                      [priorities[i] for i in kept] + [priorities[target]],
                      list(range(count)), local, "auto", True)
    return ([kept[i] for i in range(count - 1) if not local.covered[i]], local.covered[-1],
            kept)


def _overlapping(boxes: Sequence[_Box], columns: list[tuple[int, ...]],
                 indexes: Sequence[int]) -> list[list[int]] | None:
    """Step 2: the connected components of two or more boxes of the boxes' overlap graph
    (a box left out overlaps no other), found by a sweep along the destination that compares
    each box with those whose destinations reach its own. None when that takes more
    comparisons than a budget linear in the number of boxes (many boxes spanning the same
    addresses): splitting along dimensions is then the bound."""
    if len(indexes) < 3:
        return [list(indexes)] if len(indexes) == 2 else []
    budget = 16 * len(indexes) + 256
    starts, ends = columns[0], columns[1]
    root: dict[int, int] = {}
    active: list[int] = []
    reach = -1
    for i in sorted(indexes, key=starts.__getitem__):
        box = boxes[i]
        start = box[0]
        if start > reach:
            active = [i]  # nothing before reaches this far: a fresh start
            reach = box[1]
            continue
        active = [j for j in active if ends[j] >= start]
        budget -= len(active)
        if budget < 0:
            return None
        p0, p1, s0, s1 = box[2], box[3], box[4], box[5]
        for j in active:
            other = boxes[j]
            if p0 <= other[3] and other[2] <= p1 and s0 <= other[5] and other[4] <= s1:
                a = i
                while a in root:
                    a = root[a]
                b = j
                while b in root:
                    b = root[b]
                if a != b:
                    # The smaller index is the root; roots are never keys of `root`.
                    if a < b:
                        root[b] = a
                    else:
                        root[a] = b
        active.append(i)
        if box[1] > reach:
            reach = box[1]
    found: dict[int, list[int]] = {}
    for i in root:
        a = root[i]
        while a in root:
            a = root[a]
        part = found.get(a)
        if part is None:
            found[a] = [a, i]
        else:
            part.append(i)
    return list(found.values())


def _or_whole(parts: list[list[int]] | None, whole: list[int]) -> list[list[int]]:
    return [whole] if parts is None else parts


def _leads(boxes: Sequence[_Box], part: list[int]) -> bool:
    """Whether the first box of a component contains all the others."""
    x = boxes[part[0]]
    for i in part[1:]:
        y = boxes[i]
        if not (x[0] <= y[0] and y[1] <= x[1] and x[2] <= y[2] and y[3] <= x[3]
                and x[4] <= y[4] and y[5] <= x[5]):
            return False
    return True


def _decide_led(accepts: Sequence[bool], priorities: Sequence[int], part: list[int],
                outcome: Outcome) -> None:
    """Step 3 for a component whose first box contains the others: it decides every packet
    of theirs."""
    first = part[0]
    accept, priority = accepts[first], priorities[first]
    outcome._led.update(part)
    for i in part[1:]:
        outcome.covered[i] = True
        if accepts[i] != accept:
            outcome.opposed[i] = True
            outcome.opposed_higher[i] = priority < priorities[i]


def _decide_pair(boxes: Sequence[_Box], accepts: Sequence[bool], priorities: Sequence[int],
                 part: list[int], outcome: Outcome) -> None:
    """Step 3 for two boxes: the first of two overlapping boxes decides all of its packets,
    and so the overlap of the second."""
    a, b = part
    x, y = boxes[a], boxes[b]
    if not (x[0] <= y[1] and y[0] <= x[1] and x[2] <= y[3] and y[2] <= x[3]
            and x[4] <= y[5] and y[4] <= x[5]):
        return  # apart after all (splitting stopped early): each decides itself
    outcome.parts.append(part)
    outcome.entangled.update(part)
    outcome._part_of[a] = outcome._part_of[b] = part
    outcome._led.update(part)
    outcome.covered[b] = (x[0] <= y[0] and y[1] <= x[1] and x[2] <= y[2] and y[3] <= x[3]
                          and x[4] <= y[4] and y[5] <= x[5])
    if accepts[a] != accepts[b]:
        outcome.opposed[b] = True
        outcome.opposed_higher[b] = priorities[a] < priorities[b]


def deciders(boxes: Sequence[_Box], accepts: Sequence[bool], priorities: Sequence[int],
             target: _Box, *, strategy: str = "auto") -> list[int]:
    """Indexes of the boxes that decide some packet of `target`: the first match of at
    least one of its packets. `boxes` are the boxes that come before it, in order."""
    clipped, kept = _clip(boxes, target)
    if not clipped:
        return []
    count = len(clipped)
    outcome = Outcome([False] * count, [False] * count, [False] * count)
    # The clipped boxes all lie inside the target, so they form one component.
    _decide_component(clipped, [accepts[i] for i in kept], [priorities[i] for i in kept],
                      list(range(count)), outcome, strategy, True)
    return [kept[i] for i in range(count) if not outcome.covered[i]]


def _clip(boxes: Sequence[_Box], target: _Box) -> tuple[list[_Box], list[int]]:
    """The boxes that overlap `target`, clipped to it, and their indexes."""
    clipped: list[_Box] = []
    kept: list[int] = []
    d0, d1, p0, p1, s0, s1 = target[:6]
    for index, b in enumerate(boxes):
        if b[0] <= d1 and d0 <= b[1] and b[2] <= p1 and p0 <= b[3] and b[4] <= s1 and s0 <= b[5]:
            clipped.append((max(b[0], d0), min(b[1], d1), max(b[2], p0), min(b[3], p1),
                            max(b[4], s0), min(b[5], s1)))
            kept.append(index)
    return clipped, kept


def components(boxes: Sequence[_Box], indexes: Sequence[int]) -> list[list[int]]:
    """Split `indexes` into groups no box of which overlaps a box of another group; each
    group keeps ascending index order (precedence order)."""
    if not boxes:
        return [list(indexes)] if indexes else []
    return [sorted(part) for part in _split(list(zip(*boxes, strict=True)), indexes)]


def _split(columns: list[tuple[int, ...]], indexes: Sequence[int]) -> list[list[int]]:
    """Step 2. A part split along one dimension cannot split along it again until it loses
    members along another, so each part is tried on the dimensions in turn until it has
    passed all three without splitting."""
    done: list[list[int]] = []
    # (part, dimension to try next, dimensions passed in a row, passes so far)
    work: list[tuple[list[int], int, int, int]] = [(list(indexes), 0, 0, 0)]
    while work:
        part, dim, calm, passes = work.pop()
        if len(part) < 2 or calm == 3 or passes == _MAX_SPLIT_PASSES:
            done.append(part)
            continue
        starts, ends = columns[2 * dim], columns[2 * dim + 1]
        ordered = sorted(part, key=starts.__getitem__)
        pieces = []
        current = [ordered[0]]
        reach = ends[ordered[0]]
        for i in ordered[1:]:
            if starts[i] > reach:
                pieces.append(current)
                current = [i]
                reach = ends[i]
            else:
                current.append(i)
                if ends[i] > reach:
                    reach = ends[i]
        following = dim + 1 if dim < 2 else 0
        if not pieces:
            work.append((part, following, calm + 1, passes + 1))
            continue
        pieces.append(current)
        work.extend((piece, following, 1, passes + 1) for piece in pieces)
    return done


def _cuts(boxes: Sequence[_Box], members: Sequence[int], dim: int) -> dict[int, int]:
    """Elementary-interval numbering of one dimension: cut value -> its index."""
    first, last = 2 * dim, 2 * dim + 1
    values = {boxes[i][first] for i in members} | {boxes[i][last] + 1 for i in members}
    return {value: index for index, value in enumerate(sorted(values))}


def _decide_component(boxes: Sequence[_Box], accepts: Sequence[bool],
                      priorities: Sequence[int], members: list[int], outcome: Outcome,
                      strategy: str, only_coverage: bool) -> None:
    cuts = [_cuts(boxes, members, dim) for dim in range(3)]
    sizes = [len(c) - 1 for c in cuts]
    for i in members:
        outcome.covered[i] = True
    cells = sizes[0] * sizes[1] * sizes[2]
    if cells <= _SMALL_GRID_BITS and (
            strategy == "grid" or (strategy == "auto" and cells <= GRID_LIMIT_BITS)):
        # Most components are a few boxes on a small grid: bitsets from integer shifts, with
        # cell (x, y, z) at bit (x * size_y + y) * size_z + z.
        c0, c1, c2 = cuts
        width, plane = sizes[2], sizes[1] * sizes[2]
        masks: dict[int, int] = {}
        for i in members:
            box = boxes[i]
            row = ((1 << (c2[box[5] + 1] - c2[box[4]])) - 1) << c2[box[4]]
            rows = 0
            for y in range(c1[box[2]] * width, c1[box[3] + 1] * width, width):
                rows |= row << y
            value = 0
            for x in range(c0[box[0]] * plane, c0[box[1] + 1] * plane, plane):
                value |= rows << x
            masks[i] = value
        _walk(members, masks, accepts, priorities, outcome, (1 << cells) - 1, only_coverage)
        if not only_coverage:
            outcome._masks.update(masks)
        return
    # Each box as three closed ranges of elementary-interval indexes.
    spans: dict[int, list[tuple[int, int]]] = {}
    for i in members:
        box = boxes[i]
        spans[i] = [(cuts[d][box[2 * d]], cuts[d][box[2 * d + 1] + 1] - 1) for d in range(3)]
    layout = _Layout(sizes, (0, 1, 2))
    if strategy == "grid" or (strategy == "auto" and layout.bits <= GRID_LIMIT_BITS):
        masks = {i: layout.mask(spans[i]) for i in members}
        _walk(members, masks, accepts, priorities, outcome, layout.full, only_coverage)
        if not only_coverage:
            # Kept for `deciders_of`: the cells a box decides, against another's cells.
            outcome._masks.update(masks)
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
    decided = outcome._fresh
    for i in order:
        if priorities[i] != level:
            level = priorities[i]
            accepted_above, dropped_above = accepted, dropped
        box = masks[i]
        fresh = box & undecided
        decided[i] = fresh
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
