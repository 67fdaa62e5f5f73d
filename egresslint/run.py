"""What each command does, as functions that return text and an exit code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from egresslint.finding import Severity

OUTPUT_FORMATS = ("text", "json")


class UsageError(Exception):
    """A usage mistake the command line reports with exit 2."""


@dataclass
class LintRequest:
    paths: list[str]
    output_format: str | None = None
    fail_on: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    policy: str | None = None
    use_config: bool = True
    color: bool = False
    cwd: Path | None = None


def _severity(value: str | None, option: str) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity.parse(value)
    except ValueError:
        raise UsageError(f"{option} takes error, warning or info, not {value!r}") from None


def lint_command(request: LintRequest) -> tuple[str, int]:
    from egresslint.checks import load_registry
    from egresslint.config import resolve_setup
    from egresslint.discovery import discover
    from egresslint.engine import Engine
    from egresslint.formatters import Report, renderer

    output_format = request.output_format or "text"
    if output_format not in OUTPUT_FORMATS:
        raise UsageError(f"--format takes {', '.join(OUTPUT_FORMATS)}, not {output_format!r}")
    cwd = request.cwd or Path.cwd()
    setup = resolve_setup(request.policy, use_config=request.use_config, cwd=cwd,
                          fail_on=_severity(request.fail_on, "--fail-on"))
    paths = request.paths
    exclude = list(request.exclude)
    if setup.config is not None:
        exclude.extend(setup.config.exclude)
        if not paths:
            paths = [str(setup.config.base_dir / p) for p in setup.config.paths]
    if not paths:
        raise UsageError("no paths given: name rule files or folders, or set `paths` in "
                         ".egresslint.yaml")
    registry = load_registry()
    engine = Engine(registry, setup.policy, select=request.select, ignore=request.ignore)
    result = engine.run(discover(paths, exclude))
    report = Report(
        result=result, registry=registry, policy_name=setup.policy.name,
        policy_source=setup.policy.source, fail_on=setup.fail_on,
        config_source=setup.config.source if setup.config else None,
        config_changes=setup.changes,
    )
    return renderer(output_format)(report, request.color), report.exit_code


def checks_listing() -> str:
    from egresslint.checks import load_registry

    lines = []
    for check in load_registry():
        lines.append(f"{check.code}  {check.name:<30} {check.severity.label:<8} {check.summary}")
    return "\n".join(lines) + "\n"


def explain_check(key: str) -> str:
    from egresslint.checks import load_registry

    check = load_registry().get(key)
    if check is None:
        raise UsageError(f"no check {key!r}; `egresslint checks` lists them")
    parts = [
        f"{check.code} {check.name} ({check.severity.label} by default, {check.scope.value} check)",
        "",
        check.summary,
        "",
        "Why it matters:",
        f"  {check.rationale}",
        "",
        "Fix:",
        f"  {check.fix}",
        "",
        "Example that fires:",
        *(f"  {line}" for line in check.bad_example.splitlines()),
        "",
        "Write instead:",
        *(f"  {line}" for line in check.good_example.splitlines()),
    ]
    if check.options:
        parts += ["", "Options:"]
        for name, default in check.options.items():
            doc = check.option_docs.get(name, "")
            parts.append(f"  {name} (default {json.dumps(default)}){': ' + doc if doc else ''}")
    if check.references:
        parts += ["", "References:", *(f"  {ref}" for ref in check.references)]
    return "\n".join(parts) + "\n"


def rule_file_schema() -> str:
    from egresslint.rule_schema import RULE_FILE_SCHEMA

    return json.dumps(RULE_FILE_SCHEMA, indent=2) + "\n"
