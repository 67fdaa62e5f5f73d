"""EGL107 invalid-security-group-id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from egresslint.checks._fields import field_problem
from egresslint.checks.base import Check, CheckContext, Scope
from egresslint.finding import Problem, Severity
from egresslint.rule import SECURITY_GROUP_ID, Rule

# No official pattern is published; every documented id fits this one.
SECURITY_GROUP_ID_PATTERN = re.compile(r"sg-[a-z0-9]+\Z")


def check(rule: Rule, ctx: CheckContext) -> Sequence[Problem]:
    fv = rule.fields.get(SECURITY_GROUP_ID)
    if fv is None or not fv.usable or _valid_id(fv.text):
        return ()
    text = fv.text
    if "*" in text:
        return (field_problem(fv, f"SecurityGroupId `{text}` is masked (`*`), as in "
                              "documentation examples: write the real id"),)
    if SECURITY_GROUP_ID_PATTERN.match(text.strip().lower()):
        return (field_problem(fv, f"SecurityGroupId `{text}` must be lower case without spaces: "
                              f"write \"{text.strip().lower()}\""),)
    return (field_problem(fv, f"SecurityGroupId `{text}` is not a security group id: "
                          "ids look like \"sg-5tsq3x7kkt2o9f6b\""),)


@lru_cache(maxsize=1 << 14)
def _valid_id(text: str) -> bool:
    # Every rule of a group repeats its id.
    return SECURITY_GROUP_ID_PATTERN.match(text) is not None


CHECK = Check(
    code="EGL107", name="invalid-security-group-id", severity=Severity.ERROR, scope=Scope.RULE,
    check_rule=check,
    summary="SecurityGroupId does not look like `sg-` followed by lower-case letters and digits.",
    rationale="A malformed id fails at submit time with InvalidSecurityGroupId.NotFound, and "
    "group checks would treat it as a group of its own.",
    fix="Copy the id from the console or `DescribeSecurityGroups`; masked documentation ids "
    "(`sg-bp67acfmxazb4p****`) are placeholders.",
    bad_example="SecurityGroupId: sg-bp67acfmxazb4p****\nIpProtocol: tcp\n"
    "PortRange: \"443/443\"\nDestCidrIp: 10.0.0.0/8\n",
    good_example="SecurityGroupId: sg-5tsq3x7kkt2o9f6b\nIpProtocol: tcp\n"
    "PortRange: \"443/443\"\nDestCidrIp: 10.0.0.0/8\n",
    tags=("field",),
)
