"""Output formats. Each is a module with `render(report, color) -> str`, imported only when
chosen; nothing in the core imports a formatter."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from egresslint.finding import Severity

if TYPE_CHECKING:
    from pathlib import Path

    from egresslint.checks import Registry
    from egresslint.engine import LintResult
    from egresslint.suppression import SuppressionSummary

#: Format name -> module under egresslint.formatters.
FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
}


@dataclass
class Report:
    result: LintResult
    registry: Registry
    policy_name: str
    policy_source: str
    fail_on: Severity
    config_source: str | None = None
    config_changes: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    #: What the suppression pass applied (inline, waivers, baseline), for every format to state.
    suppression: SuppressionSummary | None = None
    #: Locations in SARIF and GitHub annotations are relative to this (the repository root).
    root: Path | None = None

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_on for f in self.result.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def renderer(name: str) -> Callable[[Report, bool], str]:
    module = importlib.import_module(f"egresslint.formatters.{FORMATS[name]}")
    render: Callable[[Report, bool], str] = module.render
    return render
