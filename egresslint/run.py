"""What each command does, as functions that return text and an exit code."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from egresslint.finding import Severity

if TYPE_CHECKING:
    from egresslint.checks import Check, Registry
    from egresslint.config import Setup
    from egresslint.engine import Engine, LintResult
    from egresslint.rule import Rule
    from egresslint.suppression import SuppressionSummary

OUTPUT_FORMATS = ("text", "json", "sarif", "junit", "github")


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
    #: Report only findings not in this baseline file.
    baseline: str | None = None
    #: The waiver file (default: `waivers` in the configuration, or .egresslint-waivers.yaml).
    waivers: str | None = None
    #: False: inline `# egresslint: ignore[...]` comments are read and counted, not applied.
    inline_suppressions: bool = True
    #: The day suppressions and waivers expire against (default: today).
    today: date | None = None
    #: DescribeSecurityGroupAttribute responses: live rules that take part in group checks.
    existing: list[str] = field(default_factory=list)
    #: At most this many processes (None: as many as there are CPUs; a run uses two at most).
    jobs: int | None = None


def default_format(environ: Mapping[str, str]) -> str:
    """Annotations when running under GitHub Actions, text otherwise."""
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "text"


def _severity(value: str | None, option: str) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity.parse(value)
    except ValueError:
        raise UsageError(f"{option} takes error, warning or info, not {value!r}") from None


@dataclass
class LintRun:
    """A lint run with suppressions applied: what `lint`, `fix` and `baseline` share."""

    setup: Setup
    registry: Registry
    engine: Engine
    result: LintResult
    suppression: SuppressionSummary
    cwd: Path


def lint_command(request: LintRequest, *, keep: list[object] | None = None
                 ) -> tuple[str, int]:
    """The output and exit code of `egresslint lint`. `keep`, when given, receives what a
    large run built (`egresslint.engine.FREEZE_RULES` rules or more), for the caller to
    free when it chooses (`egresslint.cli.run` never does)."""
    from egresslint.engine import FREEZE_RULES
    from egresslint.formatters import Report, renderer
    from egresslint.location import root_for

    output_format = request.output_format or default_format(os.environ)
    if output_format not in OUTPUT_FORMATS:
        raise UsageError(f"--format takes {', '.join(OUTPUT_FORMATS)}, not {output_format!r}")
    run = run_lint(request)
    if keep is not None and len(run.result.rules) >= FREEZE_RULES:
        keep.append(run)
    setup, result = run.setup, run.result
    report = Report(
        result=result, registry=run.registry, policy_name=setup.policy.name,
        policy_source=setup.policy.source, fail_on=setup.fail_on,
        config_source=setup.config.source if setup.config else None,
        config_changes=setup.changes, suppression=run.suppression, root=root_for(run.cwd),
    )
    return renderer(output_format)(report, request.color), report.exit_code


def run_lint(request: LintRequest, *, suppress: bool = True,
             live: Callable[[list[str]], Sequence[Rule]] | None = None) -> LintRun:
    """Load, check and (unless `suppress` is False) apply suppressions.

    `live`, given the security group ids of the proposed rules, returns their live rules,
    which join the `--existing` ones in the group checks (`submit` reads them from the API).
    """
    from egresslint.checks import load_registry
    from egresslint.config import resolve_setup
    from egresslint.discovery import discover
    from egresslint.engine import Engine
    from egresslint.suppression import GateOptions, SuppressionSummary, apply_suppressions
    from egresslint.waivers import find_waiver_file

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
    engine = Engine(registry, setup.policy, select=request.select, ignore=request.ignore,
                    jobs=request.jobs)
    from egresslint.existing import load_existing
    from egresslint.loader import load_read, read_path

    read = [(path, read_path(path)) for path in discover(paths, exclude)]
    existing = load_existing(request.existing)
    if live is None:
        result = engine.run_read(read, existing)
    else:
        # The live rules depend on the groups the files name: loaded first, here.
        files = [load_read(path, found) for path, found in read]
        group_ids = sorted({rule.security_group_id for loaded in files for rule in loaded.rules
                            if rule.security_group_id})
        result = engine.run_loaded(files, [*existing, *live(group_ids)])
    if not suppress:
        return LintRun(setup, registry, engine, result, SuppressionSummary(), cwd)
    # Inline comments, the waiver file and the baseline, in one pass after the engine.
    gate = GateOptions(
        inline=request.inline_suppressions,
        waivers=find_waiver_file(request.waivers, setup.config, cwd, request.use_config),
        baseline=_beside(cwd, request.baseline),
        today=request.today,
    )
    suppression = apply_suppressions(result, engine, gate)
    return LintRun(setup, registry, engine, result, suppression, cwd)


def _beside(cwd: Path, path: str | None) -> Path | None:
    if path is None:
        return None
    return Path(path) if Path(path).is_absolute() else cwd / path


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
        *(f"  {line}" for line in _assumed_settings(check)),
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


def _assumed_settings(check: Check) -> list[str]:
    """The policy settings a check's examples assume, as a comment above them."""
    if not check.example_settings:
        return []
    return ["# with these policy settings:",
            *(f"#   {key}: {json.dumps(value)}" for key, value in check.example_settings.items())]


def rule_file_schema() -> str:
    from egresslint.rule_schema import RULE_FILE_SCHEMA

    return json.dumps(RULE_FILE_SCHEMA, indent=2) + "\n"
