"""Security groups: the rules that share a SecurityGroupId, across files and live state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from egresslint.rule import SECURITY_GROUP_ID, Rule


@dataclass
class SecurityGroup:
    id: str
    #: Existing (live) rules first, then proposed rules in path and file order: that order
    #: breaks ties between otherwise equal rules, so the proposed copy is the one reported.
    rules: list[Rule] = field(default_factory=list)
    #: Results computed once and shared by the checks of one run (the group analysis).
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def group_rules(rules: Iterable[Rule]) -> dict[str, SecurityGroup]:
    live: list[Rule] = []
    proposed: list[Rule] = []
    for rule in rules:
        (live if rule.origin == "existing" else proposed).append(rule)
    members: dict[str, list[Rule]] = {}
    for part in (live, proposed):
        if not _in_place_order(part):
            part.sort(key=attrgetter("path", "index"))
        for rule in part:
            fv = rule.fields.get(SECURITY_GROUP_ID)  # `rule.security_group_id`, inlined
            group_id = None if fv is None else fv.text
            if group_id is None:
                continue
            found = members.get(group_id)
            if found is None:
                members[group_id] = [rule]
            else:
                found.append(rule)
    return {group_id: SecurityGroup(group_id, found) for group_id, found in members.items()}


def _in_place_order(rules: list[Rule]) -> bool:
    """Whether the rules are in path and file order already (they usually are: checking
    costs a third of sorting)."""
    path, index = "", -1
    for rule in rules:
        if rule.path != path:
            if rule.path < path:
                return False
            path = rule.path
        elif rule.index < index:
            return False
        index = rule.index
    return True
