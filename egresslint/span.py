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
