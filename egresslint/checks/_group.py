"""What the group checks (EGL3xx) share: the `report_existing` option and its wording."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from egresslint.checks.base import CheckContext
from egresslint.rule import Rule

if TYPE_CHECKING:
    from egresslint.analysis.group import GroupAnalysis
    from egresslint.security_group import SecurityGroup

REPORT_EXISTING = "report_existing"
OPTIONS = {REPORT_EXISTING: False}
OPTION_DOCS = {REPORT_EXISTING: "also report live rules (read with --existing), which are "
               "otherwise only named as the cause of findings on proposed rules"}
GROUP_HEADER = "defaults:\n  SecurityGroupId: sg-0a1b2c3d\nrules:\n"
#: The API page (error codes, priority range) and ECS's page on how rules are ordered
#: (ENS documents no order of its own; the facts this project stands on follow ECS).
REFERENCES = (
    "https://www.alibabacloud.com/help/en/ens/developer-reference/"
    "api-ens-2017-11-10-authorizesecuritygroupegress",
    "https://www.alibabacloud.com/help/en/ecs/user-guide/security-group-rules",
)


def reportable(rule: Rule, ctx: CheckContext) -> bool:
    return rule.origin == "proposed" or bool(ctx.options.get(REPORT_EXISTING, False))


def comes_first(count: int) -> str:
    return "comes first and" if count == 1 else "come first and"


_ANALYSE: Callable[[SecurityGroup], GroupAnalysis] | None = None


def analyse(group: SecurityGroup) -> GroupAnalysis:
    """`egresslint.analysis.group.analyse`, imported on first use: every command imports the
    checks, and only a lint of groups needs the analysis."""
    global _ANALYSE
    if _ANALYSE is None:
        from egresslint.analysis.group import analyse as found

        _ANALYSE = found
    return _ANALYSE(group)
