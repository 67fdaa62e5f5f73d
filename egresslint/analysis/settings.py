"""The policy's shared settings, read with the documented defaults.

A policy that does not extend `default` may leave settings out; the numbers below are the
documented facts (ECS allows 200 rules per group) and `policies/default.yaml`'s threshold,
so a check never fails for want of a setting. Lists a policy leaves out are empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

from egresslint.analysis.addresses import IntervalSet, allowed, non_public

DEFAULT_MAX_RULES_PER_GROUP = 200
DEFAULT_MAX_PUBLIC_PORT_SPAN = 1000

#: protocol -> sorted closed port intervals.
RiskyPorts = Mapping[str, tuple[tuple[int, int], ...]]

_T = TypeVar("_T")

#: Per setting: [the settings, the setting's raw value, what was built from it]. The
#: destination checks ask once per rule and building means reading the list again, so the
#: last answer is kept while the settings and the value are the same objects (kept alive
#: here, so an identity is never another object's).
_Memo = list[Any]


def _derived(memo: _Memo, settings: Mapping[str, Any], name: str,
             build: Callable[[Mapping[str, Any]], _T]) -> _T:
    raw = settings.get(name)
    if memo[0] is settings and memo[1] is raw:
        return memo[2]  # type: ignore[no-any-return]
    value = build(settings)
    memo[:] = (settings, raw, value)
    return value


_EXCLUDED: _Memo = [None, None, None]
_ALLOWED: _Memo = [None, None, None]
_RISKY: _Memo = [None, None, None]


def max_rules_per_group(settings: Mapping[str, Any]) -> int:
    return int(settings.get("max_rules_per_group", DEFAULT_MAX_RULES_PER_GROUP))


def max_public_port_span(settings: Mapping[str, Any]) -> int:
    return int(settings.get("max_public_port_span", DEFAULT_MAX_PUBLIC_PORT_SPAN))


def _strings(settings: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return tuple(str(item) for item in settings.get(name) or ())


def public_excluded(settings: Mapping[str, Any]) -> IntervalSet:
    """Everything that is not a public destination under this policy."""
    return _derived(_EXCLUDED, settings, "internal_destinations", _public_excluded)


def _public_excluded(settings: Mapping[str, Any]) -> IntervalSet:
    return non_public(_strings(settings, "internal_destinations"))


def is_public(first: int, last: int, settings: Mapping[str, Any]) -> bool:
    """A destination is public unless it lies wholly in non-public or internal blocks: one
    that spans both is public, since part of its traffic reaches the internet."""
    return not public_excluded(settings).contains(first, last)


def allowed_destinations(settings: Mapping[str, Any]) -> IntervalSet | None:
    return _derived(_ALLOWED, settings, "allowed_destinations", _allowed_destinations)


def _allowed_destinations(settings: Mapping[str, Any]) -> IntervalSet | None:
    blocks = _strings(settings, "allowed_destinations")
    return allowed(blocks) if blocks else None


def risky_ports(settings: Mapping[str, Any]) -> RiskyPorts:
    return _derived(_RISKY, settings, "risky_ports", _risky_ports_of)


def _risky_ports_of(settings: Mapping[str, Any]) -> RiskyPorts:
    raw = settings.get("risky_ports") or {}
    key = tuple(sorted((str(proto), tuple(map(str, items or ()))) for proto, items in raw.items()))
    return _risky_ports(key)


@lru_cache(maxsize=32)
def _risky_ports(key: tuple[tuple[str, tuple[str, ...]], ...]) -> RiskyPorts:
    result: dict[str, tuple[tuple[int, int], ...]] = {}
    for protocol, items in key:
        intervals = []
        for item in items:
            first, _, last = item.partition("/")
            low, high = int(first), int(last or first)
            intervals.append((min(low, high), max(low, high)))
        result[protocol] = tuple(sorted(set(intervals)))
    return result
