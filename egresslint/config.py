"""Repository configuration: `.egresslint.yaml`, or `[tool.egresslint]` in `pyproject.toml`.

Configuration chooses a policy and tunes it. It can never make egresslint import code:
checks come only from installed packages. Every change it makes to the chosen policy is
listed in the output, so a reviewer sees a weakened gate.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egresslint.finding import Severity
from egresslint.policy import (
    DEFAULT_POLICY,
    CheckSetting,
    Policy,
    PolicyError,
    load_policy,
    parse_check_settings,
    validate,
)
from egresslint.yamlnodes import read_yaml

CONFIG_NAMES = (".egresslint.yaml", ".egresslint.yml")


@dataclass(frozen=True)
class RepoConfig:
    source: str
    base_dir: Path
    policy: str | None = None
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    checks: Mapping[str, CheckSetting] = field(default_factory=dict)
    #: The waiver file, relative to the configuration's folder.
    waivers: str | None = None


def find_config(start: Path) -> RepoConfig | None:
    """The nearest configuration in `start` or its parents, stopping at a repository root."""
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return read_config(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            found = _read_pyproject(pyproject)
            if found is not None:
                return found
        if (directory / ".git").exists():
            return None
    return None


def read_config(path: Path) -> RepoConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), 0, f"cannot read the configuration: {exc}") from None
    data, root = read_yaml(str(path), text)
    data = data or {}
    validate(data, "config.schema.json", str(path), root)
    return _config(str(path), path.parent, data)


def _read_pyproject(path: Path) -> RepoConfig | None:
    text = path.read_text(encoding="utf-8")
    if "[tool.egresslint" not in text:
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10 has no TOML reader of its own
        try:
            import tomli as tomllib
        except ImportError:
            raise PolicyError(str(path), 0, "reading [tool.egresslint] on Python 3.10 needs "
                              "`pip install tomli`; or use .egresslint.yaml") from None
    try:
        data = tomllib.loads(text).get("tool", {}).get("egresslint", {})
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(path), 0, f"invalid TOML: {exc}") from None
    data = {key.replace("-", "_"): value for key, value in data.items()}
    validate(data, "config.schema.json", f"{path} [tool.egresslint]", None)
    return _config(f"{path} [tool.egresslint]", path.parent, data)


def _config(source: str, base_dir: Path, data: Mapping[str, Any]) -> RepoConfig:
    fail_on = data.get("fail_on")
    return RepoConfig(
        source=source,
        base_dir=base_dir,
        policy=data.get("policy"),
        paths=tuple(data.get("paths") or ()),
        exclude=tuple(data.get("exclude") or ()),
        fail_on=Severity.parse(fail_on) if fail_on else None,
        settings=dict(data.get("settings") or {}),
        checks=parse_check_settings(data.get("checks") or {}),
        waivers=data.get("waivers"),
    )


@dataclass(frozen=True)
class Setup:
    """The policy in effect and how it was arrived at."""

    policy: Policy
    config: RepoConfig | None
    #: What repository configuration changed relative to the chosen policy, in words.
    changes: tuple[str, ...]
    fail_on: Severity


def resolve_setup(policy_ref: str | None, *, use_config: bool, cwd: Path,
                  fail_on: Severity | None) -> Setup:
    config = find_config(cwd) if use_config else None
    if policy_ref is not None:
        policy = load_policy(policy_ref, cwd)
    elif config is not None and config.policy is not None:
        policy = load_policy(config.policy, config.base_dir)
    else:
        policy = load_policy(DEFAULT_POLICY)
    changes: list[str] = []
    effective_fail_on = fail_on or Severity.ERROR
    if config is not None:
        if config.policy is not None and policy_ref is None:
            changes.append(f"policy: {config.policy}")
        changes.extend(_describe(policy, config))
        if config.fail_on is not None and fail_on is None:
            effective_fail_on = config.fail_on
            if config.fail_on is not Severity.ERROR:
                changes.append(f"fail_on: error -> {config.fail_on.label}")
        if config.settings or config.checks:
            policy = policy.merged(config.settings, config.checks, config.source)
    return Setup(policy, config, tuple(changes), effective_fail_on)


def _describe(policy: Policy, config: RepoConfig) -> list[str]:
    changes = []
    for key, value in sorted(config.settings.items()):
        before = policy.settings.get(key)
        if before != value:
            changes.append(f"settings.{key}: {_show(before)} -> {_show(value)}")
    for key, setting in sorted(config.checks.items()):
        base = policy.checks.get(key, CheckSetting())
        if setting.enabled is not None and setting.enabled != (base.enabled is not False):
            changes.append(f"{key}: {'enabled' if setting.enabled else 'disabled'}")
        if setting.severity is not None and setting.severity != base.severity:
            changes.append(f"{key}: severity -> {setting.severity.label}")
        for option, value in sorted(setting.options.items()):
            if base.options.get(option) != value:
                changes.append(f"{key}.options.{option} -> {_show(value)}")
    return changes


def _show(value: Any) -> str:
    if isinstance(value, list) and len(value) > 4:
        return f"[{len(value)} items]"
    return repr(value)
