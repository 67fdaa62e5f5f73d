"""The registry of checks: built-ins listed once, here; plugins from the entry-point group
`egresslint.checks`, whose entry-point name is the code prefix the plugin owns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from egresslint.checks import (
    allowed_destination,
    copies,
    destination,
    loading,
    missing_field,
    port_range,
    priority,
    priority_tie,
    protocol,
    public_egress,
    rule_limit,
    rule_policy,
    security_group_id,
    shadowing,
    special_destination,
    suppressions,
)
from egresslint.checks.base import Check, CheckContext, Scope

__all__ = ["Check", "CheckContext", "PluginError", "Registry", "Scope", "builtin_checks",
           "load_registry"]

ENTRY_POINT_GROUP = "egresslint.checks"
BUILTIN_PREFIX = "EGL"


def builtin_checks() -> tuple[Check, ...]:
    return (
        *loading.CHECKS,
        protocol.CHECK,
        port_range.CHECK,
        destination.INVALID,
        destination.HOST_BITS,
        rule_policy.CHECK,
        priority.CHECK,
        security_group_id.CHECK,
        missing_field.CHECK,
        *suppressions.CHECKS,
        *public_egress.CHECKS,
        allowed_destination.CHECK,
        special_destination.CHECK,
        *copies.CHECKS,
        priority_tie.CHECK,
        *shadowing.CHECKS,
        rule_limit.CHECK,
    )


class PluginError(Exception):
    """A plugin that cannot be used. Loud by design: a gate must not silently lose a check."""


@dataclass(frozen=True)
class Registry:
    checks: tuple[Check, ...]

    def __post_init__(self) -> None:
        codes: dict[str, Check] = {}
        names: dict[str, Check] = {}
        for check in self.checks:
            if check.code in codes:
                raise PluginError(f"two checks claim code {check.code}")
            if check.name in names:
                raise PluginError(f"two checks claim name {check.name!r}")
            codes[check.code] = check
            names[check.name] = check
        object.__setattr__(self, "_by_key", {**codes, **names})

    def get(self, key: str) -> Check | None:
        found: Check | None = self.__dict__["_by_key"].get(key)
        if found is None and key.upper() in self.__dict__["_by_key"]:
            found = self.__dict__["_by_key"][key.upper()]
        return found

    def __iter__(self) -> Iterator[Check]:
        return iter(sorted(self.checks, key=lambda c: c.code))

    def of_scope(self, scope: Scope) -> tuple[Check, ...]:
        return tuple(c for c in self if c.scope is scope)


def _plugin_checks() -> Iterator[Check]:
    from importlib.metadata import entry_points

    # Sorted so that the order checks run in, and so output order, never depends on install order.
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: (e.name, e.value)):
        where = f"plugin {ep.name!r} ({ep.value})"
        prefix = ep.name
        if not prefix.isalpha() or not prefix.isupper() or prefix == BUILTIN_PREFIX:
            raise PluginError(f"{where}: the entry-point name must be an upper-case code prefix "
                              f"other than {BUILTIN_PREFIX}")
        try:
            loaded = ep.load()
        except Exception as exc:
            raise PluginError(f"{where} failed to import: {type(exc).__name__}: {exc}") from exc
        items: Iterable[object] = loaded if isinstance(loaded, (list, tuple)) else (loaded,)
        for item in items:
            if not isinstance(item, Check):
                raise PluginError(f"{where} provides {item!r}, which is not an egresslint Check")
            if not item.code.startswith(prefix) or not item.code[len(prefix):].isdigit():
                raise PluginError(f"{where}: check {item.code} does not use the prefix {prefix}")
            yield item


def load_registry(*, plugins: bool = True) -> Registry:
    checks = builtin_checks()
    if plugins:
        checks = (*checks, *_plugin_checks())
    return Registry(checks)
