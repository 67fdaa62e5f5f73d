"""What a check is: metadata a reviewer reads, and a function that yields problems.

A check never knows its configured severity or whether it is enabled; the engine stamps
those from the policy (as yamllint's linter does), so one check serves every policy.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from egresslint.finding import Problem, Severity
from egresslint.rule import Rule

if TYPE_CHECKING:
    from egresslint.security_group import SecurityGroup

CODE_PATTERN = re.compile(r"[A-Z]{2,6}[0-9]{3}\Z")
NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")


class Scope(enum.Enum):
    #: Reported by the loader while reading a file; documented here, run there.
    FILE = "file"
    #: Looks at one rule at a time.
    RULE = "rule"
    #: Looks at every rule of one security group at once (proposed and existing).
    GROUP = "group"


@dataclass(frozen=True)
class CheckContext:
    """What a check may consult: its own options (policy overrides merged over defaults) and
    the policy's shared settings (risky ports, allowed destinations, limits)."""

    options: Mapping[str, Any]
    settings: Mapping[str, Any]

    def option(self, name: str) -> Any:
        return self.options[name]

    def setting(self, name: str) -> Any:
        return self.settings[name]


RuleCheckFn = Callable[[Rule, CheckContext], Iterable[Problem]]
GroupCheckFn = Callable[["SecurityGroup", CheckContext], Iterable[tuple[Rule, Problem]]]


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    fix: str
    bad_example: str
    good_example: str
    scope: Scope
    check_rule: RuleCheckFn | None = None
    check_group: GroupCheckFn | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    #: One line per option: what it does, shown by `explain` and in the docs.
    option_docs: Mapping[str, str] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    #: How the bad example is saved (a check about encodings needs a non-UTF-8 example).
    bad_example_encoding: str = "utf-8"
    tags: tuple[str, ...] = ()
    #: Policy settings the examples assume, laid over the default policy's (a check that
    #: enforces `allowed_destinations` needs some); shown on the check's page and used when
    #: the test suite runs the examples.
    example_settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if not CODE_PATTERN.match(self.code):
            problems.append(f"code {self.code!r} is not letters then three digits")
        if not NAME_PATTERN.match(self.name):
            problems.append(f"name {self.name!r} is not kebab-case")
        if self.scope is Scope.RULE and self.check_rule is None:
            problems.append("a rule check needs check_rule")
        if self.scope is Scope.GROUP and self.check_group is None:
            problems.append("a group check needs check_group")
        if set(self.option_docs) - set(self.options):
            problems.append("option_docs names options the check does not have")
        if problems:
            raise ValueError(f"check {self.code or '?'}: " + "; ".join(problems))
