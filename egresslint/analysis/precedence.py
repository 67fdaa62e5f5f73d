"""The order in which a security group consults its egress rules.

Priority 1 is the highest and is consulted first. Among rules of equal priority a drop wins
over an accept (ECS: "drop rules take precedence"), so drops come first. Rules that are
still equal keep group order: live rules before proposed ones, then path and file order, so
that of two identical rules the proposed one (or the later one in review) is the one that
decides nothing, and the one reported.
"""

from __future__ import annotations

from egresslint.rule import DEFAULT_POLICY, DEFAULT_PRIORITY, POLICY, PRIORITY, Rule

POLICIES = ("accept", "drop")
PRIORITY_MIN = 1
PRIORITY_MAX = 100


def precedence_key(priority: int, accept: bool, position: int) -> tuple[int, int, int]:
    """Sort key: smaller comes first. `position` is the rule's place in group order."""
    return (priority, 1 if accept else 0, position)


def policy_of(rule: Rule) -> str | None:
    """`accept` or `drop` (absent means accept), or None when the field is invalid: a rule
    whose policy cannot be read is judged neither way."""
    fv = rule.fields.get(POLICY)
    if fv is None:
        return DEFAULT_POLICY
    text = fv.str_value
    return text if text in POLICIES else None


def policy_and_priority(rule: Rule) -> tuple[bool, int] | None:
    """(accepts?, priority), or None when either field is present but invalid."""
    policy = policy_of(rule)
    if policy is None:
        return None
    priority = DEFAULT_PRIORITY
    priority_field = rule.fields.get(PRIORITY)
    if priority_field is not None:
        value = priority_field.value
        if (not priority_field.usable or not isinstance(value, int) or isinstance(value, bool)
                or not PRIORITY_MIN <= value <= PRIORITY_MAX):
            return None
        priority = value
    return policy == "accept", priority
