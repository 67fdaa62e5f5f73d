"""The coverage computation against a packet-by-packet enumeration, on raw boxes.

Boxes live in a small integer space so that every point can be visited; all three
strategies (full grid, sweep, automatic) must agree with the enumeration exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egresslint.analysis.coverage import Box, components, decide, deciders

SPACE = (range(0, 6), range(1, 6), range(1, 4))
STRATEGIES = ("grid", "sweep", "auto")


def _interval(values: range) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.sampled_from(values), st.sampled_from(values)).map(
        lambda t: (min(t), max(t)))


BOXES = st.lists(
    st.tuples(_interval(SPACE[0]), _interval(SPACE[1]), _interval(SPACE[2]), st.booleans(),
              st.integers(1, 3)),
    min_size=1, max_size=9)


def _inside(box: Box, point: tuple[int, int, int]) -> bool:
    return all(box[2 * d] <= point[d] <= box[2 * d + 1] for d in range(3))


def _enumerate(boxes: Sequence[Box], accepts: Sequence[bool], priorities: Sequence[int]
               ) -> tuple[list[bool], list[bool], list[bool], list[set[int]]]:
    count = len(boxes)
    covered, opposed, higher = [True] * count, [False] * count, [False] * count
    deciding: list[set[int]] = [set() for _ in boxes]
    for point in itertools.product(*SPACE):
        first = None
        for i, box in enumerate(boxes):
            if not _inside(box, point):
                continue
            if first is None:
                first = i
                covered[i] = False
                continue
            deciding[i].add(first)
            if accepts[first] != accepts[i]:
                opposed[i] = True
                if priorities[first] < priorities[i]:
                    higher[i] = True
    return covered, opposed, higher, deciding


@settings(max_examples=600, deadline=None)
@given(BOXES)
def test_decide_matches_enumeration(raw: list[tuple[tuple[int, int], ...]]) -> None:
    ordered = sorted(raw, key=lambda r: (r[4], r[3]))  # priority, then drop first
    boxes: list[Box] = [(*r[0], *r[1], *r[2]) for r in ordered]  # type: ignore[misc]
    accepts = [bool(r[3]) for r in ordered]
    priorities = [int(r[4]) for r in ordered]  # type: ignore[call-overload]
    covered, opposed, higher, deciding = _enumerate(boxes, accepts, priorities)
    for strategy in STRATEGIES:
        outcome = decide(boxes, accepts, priorities, strategy=strategy)
        assert outcome.covered == covered, strategy
        assert outcome.opposed == opposed, strategy
        assert outcome.opposed_higher == higher, strategy
        for i, box in enumerate(boxes):
            found = deciders(boxes[:i], accepts[:i], priorities[:i], box, strategy=strategy)
            assert set(found) == deciding[i], (strategy, i)


def test_components_split_on_every_dimension() -> None:
    """Groups separated along some dimension (a safe, cheap stand-in for the overlap graph:
    boxes in different groups never overlap)."""
    boxes: list[Box] = [
        (0, 10, 1, 5, 1, 5),
        (5, 15, 1, 5, 1, 5),    # overlaps the first
        (0, 15, 6, 9, 1, 5),    # disjoint ports
        (0, 15, 1, 9, 6, 9),    # disjoint source ports
        (20, 30, 1, 9, 1, 9),   # disjoint destination
        (0, 15, 7, 8, 1, 5),    # joins the third only
    ]
    # Separation is found across rounds: destination first, then source ports, then ports.
    assert sorted(components(boxes, range(len(boxes)))) == [[0, 1], [2, 5], [3], [4]]


def test_union_not_pairwise() -> None:
    # Two drops for ports 1-1000 and 1001-65535 together shadow an accept for 80-8080.
    boxes: list[Box] = [(0, 2**32 - 1, 1, 1000, 1, 65535), (0, 2**32 - 1, 1001, 65535, 1, 65535),
                        (167772160, 184549375, 80, 8080, 1, 65535)]
    outcome = decide(boxes, [False, False, True], [1, 1, 10])
    assert outcome.covered == [False, False, True]
    assert outcome.opposed == [False, False, True]
    assert deciders(boxes[:2], [False, False], [1, 1], boxes[2]) == [0, 1]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_single_and_disjoint_boxes_decide(strategy: str) -> None:
    boxes: list[Box] = [(0, 1, 1, 1, 1, 1), (2, 3, 1, 1, 1, 1)]
    outcome = decide(boxes, [True, False], [1, 1], strategy=strategy)
    assert outcome.covered == [False, False]
    assert outcome.opposed == [False, False]


WHOLE = (SPACE[0][0], SPACE[0][-1], SPACE[1][0], SPACE[1][-1], SPACE[2][0], SPACE[2][-1])


@st.composite
def closed_groups(draw: st.DrawFn) -> list[tuple[Box, bool, int]]:
    """Boxes in precedence order that often end like a real group: a box over the whole
    space (a deny-all) and a few boxes after it, which the automatic strategy peels off."""
    raw = draw(BOXES)
    rows: list[tuple[Box, bool, int]] = [
        ((*r[0], *r[1], *r[2]), bool(r[3]), int(r[4])) for r in raw]  # type: ignore[misc]
    if draw(st.booleans()):
        rows.append((WHOLE, draw(st.booleans()), 3))
        rows.extend(((*r[0], *r[1], *r[2]), bool(r[3]), 3)  # type: ignore[misc]
                    for r in draw(st.lists(BOXES.map(lambda b: b[0]), max_size=3)))
    rows.sort(key=lambda row: (row[2], row[1]))  # priority, then drop first
    return rows


@settings(max_examples=600, deadline=None)
@given(closed_groups())
def test_shortcuts_and_kept_deciders_match_enumeration(rows: list[tuple[Box, bool, int]]
                                                       ) -> None:
    """The automatic strategy's shortcuts (peeling a closing box, closed forms for pairs and
    for components led by a box that contains the rest) and the deciders it keeps
    (`Outcome.deciders_of`) against the enumeration."""
    boxes = [row[0] for row in rows]
    accepts = [row[1] for row in rows]
    priorities = [row[2] for row in rows]
    covered, opposed, higher, deciding = _enumerate(boxes, accepts, priorities)
    outcome = decide(boxes, accepts, priorities)
    assert outcome.covered == covered
    assert outcome.opposed == opposed
    assert outcome.opposed_higher == higher
    for i in range(len(boxes)):
        assert set(outcome.deciders_of(i)) == deciding[i], i
