"""Planned rules: what the submit stage is asked to send, and how a rule is identified."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from egresslint.rule import API_FIELDS as API_PARAMETERS
from egresslint.rule import (
    DEFAULT_POLICY,
    DEFAULT_PRIORITY,
    DEST_CIDR_IP,
    IP_PROTOCOL,
    POLICY,
    PORT_RANGE,
    PRIORITY,
    SECURITY_GROUP_ID,
    SOURCE_PORT_RANGE,
)
from egresslint.rule import REQUIRED_FIELDS as REQUIRED_PARAMETERS

# The seven parameters together identify a rule: there is no rule id, and
# RevokeSecurityGroupEgress takes the same values. The API's defaults (accept, priority 1)
# are applied only to compare rules, never to what is sent.
ParamValue = str | int


@dataclass(frozen=True)
class PlannedRule:
    """One rule to submit, with where it was written and what lint said about it.

    `params` holds the API parameters exactly as they will be sent. `blocking` lists the
    codes or messages of the lint findings that forbid sending it; empty means it passed.
    """

    path: str
    line: int
    security_group_id: str
    params: Mapping[str, ParamValue]
    blocking: tuple[str, ...] = ()

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def passed_lint(self) -> bool:
        return not self.blocking


def check_planned(rule: PlannedRule) -> None:
    """Reject a plan that could send something other than what it says (a caller's bug)."""
    unknown = sorted(set(rule.params) - set(API_PARAMETERS))
    if unknown:
        raise ValueError(f"{rule.location}: unknown API parameters {', '.join(unknown)}")
    if rule.blocking:
        return  # never sent, so it may be incomplete
    missing = [name for name in REQUIRED_PARAMETERS if name not in rule.params]
    if missing:
        raise ValueError(f"{rule.location}: missing API parameters {', '.join(missing)}")
    if str(rule.params[SECURITY_GROUP_ID]) != rule.security_group_id:
        raise ValueError(
            f"{rule.location}: SecurityGroupId {rule.params[SECURITY_GROUP_ID]!r} differs from "
            f"the rule's security group {rule.security_group_id!r}"
        )


def _text(params: Mapping[str, object], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def canonical_values(params: Mapping[str, object]) -> tuple[str, ...]:
    """The seven identifying values in a form that compares equal when the API would.

    Protocol and policy are read case-insensitively (DescribeSecurityGroupAttribute may
    answer "TCP" and "Accept"), the documented defaults fill absent Policy and Priority, and
    a bare address is the same destination as its /32 block.
    """
    destination = _text(params, DEST_CIDR_IP)
    if destination and "/" not in destination:
        destination += "/32"
    priority = _text(params, PRIORITY) or str(DEFAULT_PRIORITY)
    if priority.isdigit():
        priority = str(int(priority))
    return (
        _text(params, SECURITY_GROUP_ID),
        _text(params, IP_PROTOCOL).lower(),
        _text(params, PORT_RANGE),
        _text(params, SOURCE_PORT_RANGE),
        destination,
        (_text(params, POLICY) or DEFAULT_POLICY).lower(),
        priority,
    )


def rule_key(params: Mapping[str, object]) -> str:
    """A stable, readable key for a rule: the canonical values joined by "|"."""
    return "|".join(canonical_values(params))


def summarize(params: Mapping[str, object]) -> str:
    """One line saying what the rule does, e.g. "accept tcp 443/443 to 10.0.0.0/8 priority 1"."""
    policy = _text(params, POLICY) or DEFAULT_POLICY
    priority = _text(params, PRIORITY) or str(DEFAULT_PRIORITY)
    text = (
        f"{policy} {_text(params, IP_PROTOCOL)} {_text(params, PORT_RANGE)} "
        f"to {_text(params, DEST_CIDR_IP)} priority {priority}"
    )
    source_ports = _text(params, SOURCE_PORT_RANGE)
    if source_ports:
        text += f" from source ports {source_ports}"
    return text
