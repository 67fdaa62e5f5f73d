"""`egresslint submit`: lint with live state, then send exactly the rules that passed.

Imported only by the submit command, so neither the SDK nor this module is on the lint path.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from egresslint.finding import Finding, Severity
from egresslint.loader import LoadedFile
from egresslint.rule import API_FIELDS, FieldValue, Rule
from egresslint.span import Span
from egresslint.submit.client import DEFAULT_ENDPOINT, ClientSettings, EgressApi, build_client
from egresslint.submit.errors import ApiCallError, ErrorKind, SubmitError
from egresslint.submit.journal import Journal
from egresslint.submit.plan import PlannedRule, rule_key
from egresslint.submit.run import RuleOutcome, Status, SubmitReport, submit_rules

EXIT_OK = 0
EXIT_NOT_ALL_APPLIED = 1
EXIT_USAGE = 2
#: Above this many rules a terminal gets a progress line.
PROGRESS_THRESHOLD = 20
LIVE_PREFIX = "live:"


class SubmitUsageError(SubmitError):
    """Refused before anything was sent: exit 2."""


@dataclass
class SubmitRequest:
    paths: list[str]
    endpoint: str = DEFAULT_ENDPOINT
    region: str | None = None
    output_format: str = "text"
    dry_run: bool = False
    yes: bool = False
    all_or_nothing: bool = False
    fetch_existing: bool = True
    journal: str | None = None
    fail_on: str | None = None
    policy: str | None = None
    use_config: bool = True
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    cwd: Path | None = None
    #: Asks the person at the terminal; None when there is no terminal to ask.
    confirm: Callable[[str], bool] | None = None
    #: Where progress goes on a terminal (None: no progress).
    progress_stream: TextIO | None = None
    settings: ClientSettings | None = None
    client_factory: Callable[[ClientSettings], EgressApi] | None = None


def live_rules(permissions: Sequence[Mapping[str, str | int]], group_id: str) -> list[Rule]:
    """Live egress rules as rules of origin "existing"; `live:GROUP` line N is the Nth."""
    rules = []
    for index, permission in enumerate(permissions):
        span = Span(index + 1, 1, index + 1, 2)
        fields: dict[str, FieldValue] = {}
        for name in API_FIELDS:
            value = permission.get(name)
            if value is None or value == "":
                continue
            fields[name] = FieldValue(name, value, str(value), span)
        fields.setdefault("SecurityGroupId", FieldValue("SecurityGroupId", group_id, group_id,
                                                        span))
        rules.append(Rule(f"{LIVE_PREFIX}{group_id}", index, span, fields, {}, "existing"))
    return rules


def _duplicates_live(finding: Finding) -> bool:
    from egresslint.checks.copies import DUPLICATE

    return finding.code == DUPLICATE.code and bool(finding.related) and all(
        r.path.startswith(LIVE_PREFIX) for r in finding.related)


def _blocking(rule: Rule, findings: Sequence[Finding], file_blockers: Sequence[Finding],
              fail_on: Severity, live: bool) -> tuple[str, ...]:
    reasons = [f"{f.code} {f.message} (line {f.line})" for f in file_blockers]
    reasons += [f"{f.code} {f.message}" for f in findings
                if f.rule is not None and f.rule.index == rule.index and f.severity >= fail_on
                # Already live: reported as present, not refused, so a rerun is a no-op.
                and not (live and _duplicates_live(f))]
    return tuple(reasons)


def plan(files: Sequence[LoadedFile], rules: Sequence[Rule], findings: Sequence[Finding],
         fail_on: Severity, live_keys: frozenset[str] = frozenset()) -> list[PlannedRule]:
    """One planned rule per proposed rule; any finding at or above `fail_on` on the rule, or on
    its file as a whole, blocks it. A rule identical to a live one (`live_keys`) is not blocked
    by being a duplicate of it: it is already in place."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    planned = []
    for rule in rules:
        in_file = by_path.get(rule.path, [])
        file_blockers = [f for f in in_file if f.rule is None and f.severity >= fail_on]
        params = {name: value for name, value in rule.api_parameters().items()
                  if isinstance(value, (str, int))}
        blocking = _blocking(rule, in_file, file_blockers, fail_on,
                             rule_key(params) in live_keys)
        planned.append(PlannedRule(rule.path, rule.span.line, rule.security_group_id or "",
                                   params, blocking))
    return planned


def _fetch_live(client: EgressApi, group_ids: Sequence[str]) -> list[Rule]:
    from egresslint.submit.client import existing_rules

    found: list[Rule] = []
    for group_id in group_ids:
        try:
            permissions = existing_rules(client, group_id)
        except ApiCallError as error:
            if error.kind is ErrorKind.GROUP:
                continue  # an unknown group has no live rules; sending will report it
            raise SubmitUsageError(
                f"could not read the live rules of {group_id}: {error.code}: {error.message}; "
                "rerun, or skip this with --no-fetch-existing") from None
        found.extend(live_rules(permissions, group_id))
    return found


def run_submit(request: SubmitRequest) -> tuple[str, int]:
    from egresslint.run import LintRequest, UsageError, run_lint

    if request.output_format not in ("text", "json"):
        raise UsageError(f"--format takes text or json, not {request.output_format!r}")
    if not request.dry_run and not request.yes and request.confirm is None:
        raise SubmitUsageError("refusing to submit without --yes: there is no terminal to ask "
                               "(use --dry-run to see the plan)")
    client: EgressApi | None = None
    if not request.dry_run or request.fetch_existing:
        settings = request.settings or ClientSettings(endpoint=request.endpoint,
                                                      region=request.region)
        client = (request.client_factory or build_client)(settings)
    live: list[Rule] = []

    def fetch(group_ids: list[str]) -> list[Rule]:
        if client is not None and request.fetch_existing:
            live.extend(_fetch_live(client, group_ids))
        return live

    # The same lint as `egresslint lint`, suppressions and waivers included.
    lint = run_lint(LintRequest(
        paths=list(request.paths), fail_on=request.fail_on, select=request.select,
        ignore=request.ignore, exclude=request.exclude, policy=request.policy,
        use_config=request.use_config, cwd=request.cwd), live=fetch)
    result, setup = lint.result, lint.setup
    live_keys = frozenset(rule_key(rule.api_parameters()) for rule in live)
    planned = plan(result.files, result.rules, result.findings, setup.fail_on, live_keys)

    if not request.dry_run and not request.yes:
        assert request.confirm is not None
        sendable = sum(1 for rule in planned if rule.passed_lint)
        question = (f"{sendable} of {len(planned)} rules passed lint and would be sent to "
                    f"{request.endpoint}. Submit them?")
        if not request.confirm(question):
            return "nothing sent\n", EXIT_NOT_ALL_APPLIED

    journal = None
    if request.journal and client is not None:
        journal = Journal(Path(request.journal), client.endpoint)
    progress = _progress(request.progress_stream, len(planned))
    try:
        report = submit_rules(planned, client, dry_run=request.dry_run,
                              all_or_nothing=request.all_or_nothing, journal=journal,
                              progress=progress, present=live_keys)
    finally:
        if journal is not None:
            journal.close()
        if progress is not None and request.progress_stream is not None:
            request.progress_stream.write("\n")
    output = _json(report, setup.policy.name) if request.output_format == "json" else _text(report)
    return output, _exit_code(report)


def _progress(stream: TextIO | None, total: int) -> Callable[[RuleOutcome], None] | None:
    if stream is None or total < PROGRESS_THRESHOLD:
        return None
    done = 0

    def show(outcome: RuleOutcome) -> None:
        nonlocal done
        done += 1
        width = 30
        filled = width * done // total
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rules")
        stream.flush()

    return show


def _exit_code(report: SubmitReport) -> int:
    from egresslint.submit.errors import kind_of

    # Credentials and permissions are configuration errors, whatever was sent before them.
    if report.stopped is not None and kind_of(report.stopped.code, None) is ErrorKind.FATAL:
        return EXIT_USAGE
    return EXIT_OK if report.ok else EXIT_NOT_ALL_APPLIED


def _text(report: SubmitReport) -> str:
    lines = report.lines()
    counts = ", ".join(f"{report.count(status)} {status.value}" for status in Status
                       if report.count(status))
    lines.append("")
    if report.stopped is not None:
        lines.append(f"stopped: {report.stopped.code} at {report.stopped.location}: "
                     f"{report.stopped.message}")
    verb = "dry run (nothing changed)" if report.dry_run else "submit"
    lines.append(f"{verb}: {counts or 'no rules'}")
    return "\n".join(lines) + "\n"


def _json(report: SubmitReport, policy: str) -> str:
    doc = {
        "version": 1,
        "dry_run": report.dry_run,
        "policy": policy,
        "outcomes": [
            {"path": o.rule.path, "line": o.rule.line, "security_group_id": o.security_group_id,
             "summary": o.summary, "status": o.status.value, "request_id": o.request_id,
             "code": o.code, "message": o.message}
            for o in report.outcomes
        ],
        "stopped": None if report.stopped is None else {
            "code": report.stopped.code, "message": report.stopped.message,
            "location": report.stopped.location, "request_id": report.stopped.request_id},
        "summary": {status.value: report.count(status) for status in Status},
        "ok": report.ok,
    }
    return json.dumps(doc, indent=2) + "\n"


def ask(question: str) -> bool:
    """Ask on the terminal; anything but yes is no."""
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")
