"""What a security group will actually do with its egress rules.

- `traffic`: a rule as a box of integer intervals (protocols, destination, ports, source
  ports).
- `precedence`: the order a group consults its rules.
- `coverage`: the exact first-match computation over boxes (which rules decide nothing,
  and with which policy the rules before them decide it); its docstring gives the algorithm
  and its cost.
- `group`: the per-group analysis every group check reads, computed once per run.
- `addresses`, `settings`, `services`: public and special address blocks, the policy's
  shared settings, names of well-known ports.
- `refs`: how findings name other rules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from egresslint.analysis.group import Entry, GroupAnalysis, Verdict, analyse
    from egresslint.analysis.traffic import Traffic, traffic_of

__all__ = ["Entry", "GroupAnalysis", "Traffic", "Verdict", "analyse", "traffic_of"]

#: Imported on first use: every command imports the checks, and the checks import parts of
#: this package, while only a lint of groups needs the group analysis.
_LAZY = {"Entry": "group", "GroupAnalysis": "group", "Verdict": "group", "analyse": "group",
         "Traffic": "traffic", "traffic_of": "traffic"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
