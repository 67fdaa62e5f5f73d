"""Positions in a rule file: 1-based lines and columns, end exclusive (as SARIF counts)."""

from __future__ import annotations

from typing import NamedTuple


class Span(NamedTuple):
    line: int
    column: int
    end_line: int
    end_column: int


def point(line: int, column: int) -> Span:
    """A span of one character, for problems that have a position but no extent."""
    return Span(line, column, line, column + 1)


#: Bits per number in a packed span: a file holds at most 256 MiB, so fewer than 2**32 lines
#: and columns.
_BITS = 32
_MASK = (1 << _BITS) - 1


def pack(line: int, column: int, end_line: int, end_column: int) -> int:
    """A span as one integer, which `unpack` turns back into a `Span`: a quarter of the
    memory, for readers that make spans by the hundred thousand and need few of them."""
    return ((line << _BITS | column) << _BITS | end_line) << _BITS | end_column


def unpack(packed: int) -> Span:
    return Span(packed >> 3 * _BITS, packed >> 2 * _BITS & _MASK, packed >> _BITS & _MASK,
                packed & _MASK)

