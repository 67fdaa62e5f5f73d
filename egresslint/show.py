"""`egresslint show`: each security group's rules in the order the group consults them, where
each came from, and what each does (effective, shadowed, redundant, partly overridden)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egresslint.analysis.group import Entry, GroupAnalysis, analyse
from egresslint.analysis.settings import max_rules_per_group
from egresslint.finding import Finding
from egresslint.rule import Rule
from egresslint.run import UsageError
from egresslint.security_group import SecurityGroup, group_rules

FORMATS = ("text", "json")
ORDER_NOTE = ("evaluation order: priority 1 first; at equal priority drop before accept; "
              "then live rules, then path and file order")


@dataclass
class ShowRequest:
    paths: list[str]
    existing: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    output_format: str = "text"
    policy: str | None = None
    use_config: bool = True
    cwd: Path | None = None


@dataclass
class RuleView:
    """One rule as `show` presents it."""

    number: int | None
    rule: Rule
    verdict: str
    #: The verdict in words, naming rules by their number in evaluation order.
    detail: str
    decided_by: list[int]
    findings: list[Finding]
    past_limit: bool


@dataclass
class GroupView:
    id: str
    limit: int
    live: int
    proposed: int
    rules: list[RuleView]
    not_analysed: list[RuleView]


def show_command(request: ShowRequest) -> tuple[str, int]:
    from egresslint.checks import load_registry
    from egresslint.config import resolve_setup
    from egresslint.discovery import discover
    from egresslint.engine import Engine
    from egresslint.existing import load_existing

    if request.output_format not in FORMATS:
        raise UsageError(f"--format takes {', '.join(FORMATS)}, not {request.output_format!r}")
    cwd = request.cwd or Path.cwd()
    setup = resolve_setup(request.policy, use_config=request.use_config, cwd=cwd, fail_on=None)
    paths = request.paths
    exclude: list[str] = []
    if setup.config is not None:
        exclude.extend(setup.config.exclude)
        if not paths:
            paths = [str(setup.config.base_dir / p) for p in setup.config.paths]
    existing = load_existing(request.existing)
    if not paths and not existing:
        raise UsageError("no paths given: name rule files or folders, or --existing files")
    engine = Engine(load_registry(), setup.policy)
    result = engine.run(discover(paths, exclude) if paths else [], existing=existing)
    groups = group_rules([*existing, *result.rules])
    if request.groups:
        missing = [g for g in request.groups if g not in groups]
        if missing:
            raise UsageError(f"no rules for security group {missing[0]} in the files given")
        groups = {g: groups[g] for g in request.groups}
    findings: dict[tuple[str, int], list[Finding]] = {}
    for finding in result.findings:
        if finding.rule is not None:
            findings.setdefault((finding.path, finding.rule.index), []).append(finding)
    limit = max_rules_per_group(setup.policy.settings)
    views = [group_view(group, limit, findings) for _, group in sorted(groups.items())]
    if request.output_format == "json":
        return render_json(views, setup.policy.name, setup.policy.source), 0
    return render_text(views, setup.policy.name, setup.policy.source), 0


def group_view(group: SecurityGroup, limit: int,
               findings: dict[tuple[str, int], list[Finding]]) -> GroupView:
    analysis = analyse(group)
    position_of = {id(rule): position for position, rule in enumerate(group.rules)}
    views = []
    for entry in analysis.entries:
        verdict, detail, decided_by = _verdict(analysis, entry)
        views.append(RuleView(entry.rank + 1, entry.rule, verdict, detail, decided_by,
                              findings.get((entry.rule.path, entry.rule.index), []),
                              entry.position >= limit))
    not_analysed = [
        RuleView(None, rule, "not-analysed", "not analysed: a field is missing or invalid",
                 [], findings.get((rule.path, rule.index), []), position_of[id(rule)] >= limit)
        for rule in group.rules if analysis.entry(rule) is None
    ]
    live = sum(1 for rule in group.rules if rule.origin == "existing")
    return GroupView(group.id, limit, live, len(group.rules) - live, views, not_analysed)


def _numbers(entries: list[Entry]) -> str:
    return ", ".join(f"#{e.rank + 1}" for e in entries)


def _verdict(analysis: GroupAnalysis, entry: Entry) -> tuple[str, str, list[int]]:
    verdict = analysis.verdict(entry)
    copy = analysis.copies.get(entry.rank)
    if copy is not None:
        number = copy.original.rank + 1
        if copy.exact:
            return "duplicate", f"duplicate of #{number}: the API refuses it", [number]
        return ("duplicate", f"same as #{number} but for priority: decides nothing", [number])
    if not verdict.covered and not verdict.opposed:
        return "effective", "effective", []
    deciders = analysis.deciders(entry)
    if verdict.covered:
        numbers = [d.rank + 1 for d in deciders]
        if verdict.opposed:
            return "shadowed", f"shadowed by {_numbers(deciders)}: never takes effect", numbers
        verb = "decides" if len(deciders) == 1 else "decide"
        return ("redundant", f"redundant: {_numbers(deciders)} already {verb} its traffic",
                numbers)
    opposite = [d for d in deciders if d.accept != entry.accept]
    verb = ("drop" if entry.accept else "accept") + ("s" if len(opposite) == 1 else "")
    return ("partly-overridden",
            f"partly overridden: {_numbers(opposite)} {verb} part of its traffic first",
            [d.rank + 1 for d in opposite])


def _origin(rule: Rule) -> str:
    where = f"{rule.path}:{rule.span.line}"
    return f"{where} (live)" if rule.origin == "existing" else where


def render_text(views: list[GroupView], policy: str, source: str) -> str:
    out: list[str] = []
    for view in views:
        counts = f"{view.live} live, {view.proposed} proposed" if view.live else (
            f"{view.proposed} proposed")
        total = view.live + view.proposed
        over = f", {total - view.limit} over the limit" if total > view.limit else ""
        out.append(f"security group {view.id}: {total} rules ({counts}); limit "
                   f"{view.limit}{over}")
        out.append(f"  {ORDER_NOTE}")
        width = len(str(len(view.rules))) + 1
        for rule_view in view.rules:
            out.extend(_rule_lines(f"#{rule_view.number}".rjust(width), rule_view))
        if view.not_analysed:
            out.append("  not analysed (a field is missing or invalid; see egresslint lint):")
            for rule_view in view.not_analysed:
                out.extend(_rule_lines(" " * width, rule_view))
        out.append("")
    out.append(f"policy: {policy} ({source})")
    return "\n".join(out) + "\n"


def _rule_lines(label: str, view: RuleView) -> list[str]:
    lines = [f"  {label}  {view.rule.summary()}  [{_origin(view.rule)}]"]
    pad = " " * (len(label) + 4)
    if view.number is not None:
        lines.append(f"{pad}{view.detail}")
    if view.past_limit:
        lines.append(f"{pad}past the group's rule limit")
    if view.findings:
        listed = ", ".join(f"{f.code} {f.severity.label}" for f in view.findings)
        lines.append(f"{pad}findings: {listed}")
    return lines


def render_json(views: list[GroupView], policy: str, source: str) -> str:
    def rule_json(view: RuleView) -> dict[str, Any]:
        return {
            "order": view.number,
            "origin": "live" if view.rule.origin == "existing" else "proposed",
            "path": view.rule.path,
            "line": view.rule.span.line,
            "summary": view.rule.summary(),
            "verdict": view.verdict,
            "detail": view.detail,
            "decided_by": view.decided_by,
            "past_limit": view.past_limit,
            "findings": [{"code": f.code, "name": f.name, "severity": f.severity.label,
                          "message": f.message, "line": f.line, "column": f.column}
                         for f in view.findings],
        }

    document = {
        "policy": {"name": policy, "source": source},
        "evaluation_order": ORDER_NOTE,
        "groups": [
            {"id": view.id, "limit": view.limit, "live": view.live, "proposed": view.proposed,
             "rules": [rule_json(r) for r in view.rules],
             "not_analysed": [rule_json(r) for r in view.not_analysed]}
            for view in views
        ],
    }
    return json.dumps(document, indent=2) + "\n"
