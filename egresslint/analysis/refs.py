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


def rule_list(rules: Sequence[Rule], here: str | None, count: int | None = None) -> str:
    """`line 3`, `line 3 and line 7`, `line 3, line 7, line 9 and 4 more`.

    `count` is how many rules there are when `rules` holds only the first of them (at least
    the ones a message names)."""
    total = len(rules) if count is None else count
    if total > NAMED_IN_MESSAGE:
        refs = [*(rule_ref(rule, here) for rule in rules[: NAMED_IN_MESSAGE - 1]),
                f"{total - NAMED_IN_MESSAGE + 1} more"]
    else:
        refs = [rule_ref(rule, here) for rule in rules]
    if len(refs) == 1:
        return refs[0]
    return ", ".join(refs[:-1]) + " and " + refs[-1]


def related(rule: Rule, note: str) -> Related:
    span = rule.span
    if rule.origin == "existing":
        return Related(rule.path, span[0], span[1], f"{note}: live rule {rule.summary()}")
    return Related(rule.path, span[0], span[1], f"{note}: {rule.summary()}")
