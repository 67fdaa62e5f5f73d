"""Security groups: the rules that share a SecurityGroupId, across files and live state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from egresslint.rule import Rule


@dataclass
class SecurityGroup:
    id: str
    #: Existing (live) rules first, then proposed rules in path and file order: that order
    #: breaks ties between otherwise equal rules, so the proposed copy is the one reported.
    rules: list[Rule] = field(default_factory=list)
    #: Results computed once and shared by the checks of one run (the group analysis).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def proposed(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.origin == "proposed"]


def group_rules(rules: Iterable[Rule]) -> dict[str, SecurityGroup]:
    groups: dict[str, SecurityGroup] = {}
    every = list(rules)
    by_place = attrgetter("path", "index")
    live = sorted((r for r in every if r.origin == "existing"), key=by_place)
    proposed = sorted((r for r in every if r.origin != "existing"), key=by_place)
    for rule in (*live, *proposed):
        group_id = rule.security_group_id
        if group_id is None:
            continue
        groups.setdefault(group_id, SecurityGroup(group_id)).rules.append(rule)
    return groups
