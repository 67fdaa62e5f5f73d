"""How a finding names other rules: `line 12` in the same file, `path:12` in another,
`live rule live.json:40` for an existing rule; and as related locations."""

from __future__ import annotations

from collections.abc import Sequence

from egresslint.finding import Related
from egresslint.rule import Rule

#: A message names at most this many rules; related locations list them all.
NAMED_IN_MESSAGE = 4


def rule_ref(rule: Rule, here: str | None) -> str:
    line = rule.span.line
    if rule.origin == "existing":
        return f"live rule {rule.path}:{line}"
    if rule.path == here:
        return f"line {line}"
    return f"{rule.path}:{line}"


def rule_list(rules: Sequence[Rule], here: str | None) -> str:
    """`line 3`, `line 3 and line 7`, `line 3, line 7, line 9 and 4 more`."""
    refs = [rule_ref(rule, here) for rule in rules]
    if len(refs) > NAMED_IN_MESSAGE:
        refs = [*refs[: NAMED_IN_MESSAGE - 1], f"{len(refs) - NAMED_IN_MESSAGE + 1} more"]
    if len(refs) == 1:
        return refs[0]
    return ", ".join(refs[:-1]) + " and " + refs[-1]


def related(rule: Rule, note: str) -> Related:
    live = "live rule " if rule.origin == "existing" else ""
    return Related(rule.path, rule.span.line, rule.span.column,
                   f"{note}: {live}{rule.summary()}")
