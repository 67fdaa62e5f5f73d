"""Policies: which checks run, at what severity, with what options, over what shared data.

Built-in policies live in the top-level `policies/` folder (installed as
`egresslint.policies`). A policy may `extends:` another, by built-in name or by a path
relative to itself. Built-ins are validated by the test suite, so they are read without
importing jsonschema; every other policy is validated against `schemas/policy.schema.json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egresslint.finding import Severity
from egresslint.yamlnodes import YamlFileError, line_of, read_yaml

if TYPE_CHECKING:
    from yaml.nodes import Node

    from egresslint.checks import Registry

DEFAULT_POLICY = "default"
BUILTIN_PREFIX = "builtin:"
_SCHEMAS = Path(__file__).parent / "schemas"


class PolicyError(YamlFileError):
    """A policy or configuration that cannot be used: a usage error, exit 2."""


@dataclass(frozen=True)
class CheckSetting:
    enabled: bool | None = None
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EffectiveCheck:
    enabled: bool
    severity: Severity
    options: Mapping[str, Any]


@dataclass(frozen=True)
class Policy:
    name: str
    #: `builtin:NAME` or a file path; `chain` lists every source from the base up.
    source: str
    chain: tuple[str, ...]
    description: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    checks: Mapping[str, CheckSetting] = field(default_factory=dict)

    def merged(self, settings: Mapping[str, Any], checks: Mapping[str, CheckSetting],
               source: str) -> Policy:
        """This policy with `settings` and `checks` laid over it (used by `extends` and by
        repository configuration)."""
        new_checks = dict(self.checks)
        for key, setting in checks.items():
            base = new_checks.get(key, CheckSetting())
            new_checks[key] = CheckSetting(
                setting.enabled if setting.enabled is not None else base.enabled,
                setting.severity if setting.severity is not None else base.severity,
                {**base.options, **setting.options},
            )
        return replace(self, settings={**self.settings, **settings}, checks=new_checks,
                       chain=(*self.chain, source))

    def resolve(self, registry: Registry) -> dict[str, EffectiveCheck]:
        """Every registered check's effective setting; unknown names are errors."""
        by_code: dict[str, CheckSetting] = {}
        for key, setting in self.checks.items():
            check = registry.get(key)
            if check is None:
                raise PolicyError(self.source, 1, f"policy names unknown check {key!r}; "
                                  "`egresslint checks` lists them")
            unknown = set(setting.options) - set(check.options)
            if unknown:
                known = ", ".join(sorted(check.options)) or "none"
                raise PolicyError(self.source, 1, f"check {check.code} has no option "
                                  f"{sorted(unknown)[0]!r} (options: {known})")
            by_code[check.code] = setting
        effective = {}
        for check in registry:
            setting = by_code.get(check.code, CheckSetting())
            effective[check.code] = EffectiveCheck(
                enabled=True if setting.enabled is None else setting.enabled,
                severity=setting.severity or check.severity,
                options={**check.options, **setting.options},
            )
        return effective


def builtin_dir() -> Path:
    """Installed: `egresslint/policies`; in a source tree: the top-level `policies/`."""
    here = Path(__file__).resolve().parent
    installed = here / "policies"
    return installed if installed.is_dir() else here.parent / "policies"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


@cache
def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((_SCHEMAS / name).read_text(encoding="utf-8"))
    return loaded


def validate(data: Any, schema_name: str, path: str, root: Node | None) -> None:
    """Validate with jsonschema (imported only here: most runs never need it)."""
    import jsonschema
    from referencing import Registry as RefRegistry
    from referencing import Resource

    registry: RefRegistry[Any] = RefRegistry().with_resources(
        (s["$id"], Resource.from_contents(s))
        for s in (schema("policy.schema.json"), schema("config.schema.json"))
    ).with_resources(
        (name, Resource.from_contents(schema(name)))
        for name in ("policy.schema.json", "config.schema.json")
    )
    validator = jsonschema.Draft202012Validator(schema(schema_name), registry=registry)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = errors[0]
        location = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            extra = sorted(k for k in error.instance if k not in known)
            if extra:
                where = ".".join(str(p) for p in location)
                raise PolicyError(path, line_of(root, [*location, extra[0]]),
                                  f"unknown key `{extra[0]}`" + (f" in {where}" if where else "")
                                  + f"; allowed: {', '.join(sorted(known))}")
        where = ".".join(str(p) for p in location) or "the document"
        raise PolicyError(path, line_of(root, location), f"{where}: {_short(error)}")


def _short(error: Any) -> str:
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(repr, error.validator_value))}"
    return str(error.message)


def parse_check_settings(data: Mapping[str, Any]) -> dict[str, CheckSetting]:
    checks: dict[str, CheckSetting] = {}
    for key, raw in (data or {}).items():
        raw = raw or {}
        severity = raw.get("severity")
        checks[key] = CheckSetting(
            raw.get("enabled"),
            Severity.parse(severity) if severity is not None else None,
            dict(raw.get("options") or {}),
        )
    return checks


def load_policy(ref: str, base_dir: Path | None = None) -> Policy:
    """Load a policy by built-in name, `builtin:NAME`, or path (relative to `base_dir`)."""
    return _load(ref, base_dir or Path.cwd(), ())


def _locate(ref: str, base_dir: Path) -> tuple[Path, bool]:
    name = ref[len(BUILTIN_PREFIX):] if ref.startswith(BUILTIN_PREFIX) else ref
    if ref.startswith(BUILTIN_PREFIX) or ("/" not in ref and not ref.endswith((".yaml", ".yml"))):
        path = builtin_dir() / f"{name}.yaml"
        if not path.is_file():
            choices = ", ".join(builtin_names())
            raise PolicyError(ref, 0, f"no built-in policy {name!r} (built-ins: {choices}); "
                              "give a path to use a policy file")
        return path, True
    return (base_dir / ref).resolve() if not Path(ref).is_absolute() else Path(ref), False


def _load(ref: str, base_dir: Path, seen: tuple[str, ...]) -> Policy:
    path, builtin = _locate(ref, base_dir)
    source = f"{BUILTIN_PREFIX}{path.stem}" if builtin else str(path)
    if source in seen:
        raise PolicyError(source, 1, "`extends` forms a loop: " + " -> ".join((*seen, source)))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(str(path), 0, f"cannot read the policy: {exc}") from None
    data, root = read_yaml(source, text)
    if data is None:
        data = {}
    if not builtin:
        validate(data, "policy.schema.json", source, root)
    elif not isinstance(data, dict):
        raise PolicyError(source, 1, "a policy is a mapping")
    settings = dict(data.get("settings") or {})
    checks = parse_check_settings(data.get("checks") or {})
    parent_ref = data.get("extends")
    if parent_ref:
        parent = _load(parent_ref, path.parent, (*seen, source))
        policy = parent.merged(settings, checks, source)
        return replace(policy, name=data.get("name", path.stem), source=source,
                       description=data.get("description", ""))
    return Policy(data.get("name", path.stem), source, (source,), data.get("description", ""),
                  settings, checks)
