"""Findings: what a check reports, stamped by the engine with code, name and severity."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from egresslint.span import Span


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use error, warning or info") from None


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding involves: the rule that shadows, the first duplicate key."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class RuleRef:
    """The rule a finding concerns: its 0-based index in its file, its group, its first line."""

    index: int
    security_group_id: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text at `span` with `replacement`. `safe` edits may be applied by `fix`."""

    span: Span
    replacement: str
    safe: bool
    description: str


@dataclass(frozen=True, slots=True)
class Problem:
    """What a check yields; the engine turns it into a Finding."""

    message: str
    span: Span | None = None
    related: tuple[Related, ...] = ()
    edits: tuple[Edit, ...] = ()
    # Distinguishes two problems of one check on one rule (the field name, the partner rule)
    # so fingerprints differ without depending on line numbers.
    key: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    rule: RuleRef | None
    related: tuple[Related, ...] = ()
    fingerprint: str = ""
    fix_hint: str = ""
    edits: tuple[Edit, ...] = ()
    suppressed_by: str | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)
