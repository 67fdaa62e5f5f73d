"""SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure DevOps, IDE viewers).

One run. `tool.driver.rules` lists every registered check, so a result's `ruleIndex` is
stable for a given set of checks; results carry repository-relative locations (against
`%SRCROOT%`), related locations, stable `partialFingerprints`, `suppressions` for what was
suppressed, and `fixes` holding exactly the edits `egresslint fix` applies.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from egresslint import __version__
from egresslint.checks import Check
from egresslint.finding import Edit, Finding, Related, Severity
from egresslint.fix import edit_as_written
from egresslint.formatters import Report
from egresslint.loader import LoadedFile, is_json
from egresslint.location import line_starts, relative_path, root_for
from egresslint.suppression import (
    INLINE,
    describe_counts,
    split_suppressed_by,
    suppressed_counts,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The project's home; check pages live under docs/checks/ in its repository.
PROJECT_URL = "https://github.com/egresslint/egresslint"
DOCS_BASE_URL = f"{PROJECT_URL}/blob/main/docs/checks/"
SRCROOT = "%SRCROOT%"
#: The key of egresslint's fingerprint in `partialFingerprints` (versioned, as SARIF asks).
FINGERPRINT_KEY = "egresslint/v1"

#: Severity -> (SARIF level, GitHub security-severity). The one place severity is mapped:
#: GitHub reads 7.0-8.9 as high, 4.0-6.9 as medium, 0.1-3.9 as low.
LEVELS: dict[Severity, tuple[str, str]] = {
    Severity.ERROR: ("error", "8.0"),
    Severity.WARNING: ("warning", "5.0"),
    Severity.INFO: ("note", "2.0"),
}


def help_uri(check: Check) -> str:
    return f"{DOCS_BASE_URL}{check.code}.md"


def rule_descriptor(check: Check) -> dict[str, Any]:
    level, security_severity = LEVELS[check.severity]
    text = f"{check.summary}\n\n{check.rationale}\n\nFix: {check.fix}"
    markdown = (f"**{check.summary}**\n\n{check.rationale}\n\n**Fix:** {check.fix}\n\n"
                f"Example that fires:\n\n```yaml\n{check.bad_example.rstrip()}\n```\n\n"
                f"Write instead:\n\n```yaml\n{check.good_example.rstrip()}\n```\n\n"
                f"[{check.code} {check.name}]({help_uri(check)})")
    tags = list(dict.fromkeys(("security", *check.tags)))
    return {
        "id": check.code,
        "name": check.name,
        "shortDescription": {"text": check.summary},
        "fullDescription": {"text": check.rationale},
        "help": {"text": text, "markdown": markdown},
        "helpUri": help_uri(check),
        "defaultConfiguration": {"level": level},
        "properties": {"tags": tags, "security-severity": security_severity},
    }


@lru_cache(maxsize=1024)
def _artifact_uri(path: str, root: Path, cwd: Path) -> tuple[str, bool]:
    """(uri, relative to %SRCROOT%) for `path` (read from `cwd`, part of the cache key)."""
    relative = relative_path(path, root)
    if relative is not None:
        return quote(relative), True
    if path == "-":
        return "stdin", False
    return Path(path).resolve().as_uri(), False


def _artifact(path: str, root: Path) -> dict[str, Any]:
    uri, relative = _artifact_uri(path, root, Path.cwd())
    return {"uri": uri, "uriBaseId": SRCROOT} if relative else {"uri": uri}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line,
            "endColumn": max(end_column, column + 1) if end_line == line else end_column}


def _related(index: int, related: Related, root: Path) -> dict[str, Any]:
    return {
        "id": index,
        "message": {"text": related.message},
        "physicalLocation": {
            "artifactLocation": _artifact(related.path, root),
            "region": {"startLine": related.line, "startColumn": related.column},
        },
    }


def _suppression(finding: Finding) -> dict[str, Any]:
    kind, justification = split_suppressed_by(finding.suppressed_by or "")
    return {
        "kind": "inSource" if kind == INLINE else "external",
        "status": "accepted",
        "justification": f"{kind}: {justification}" if justification else kind,
    }


class _Sources:
    """The files of the run, with their line offsets computed once each."""

    def __init__(self, files: list[LoadedFile]) -> None:
        self.files = {f.path: f for f in files}
        self._starts: dict[str, list[int]] = {}

    def written(self, path: str, edit: Edit) -> str | None:
        loaded = self.files.get(path)
        if loaded is None:
            return None
        if path not in self._starts:
            self._starts[path] = line_starts(loaded.text,
                                             json=is_json(loaded.path, loaded.text))
        return edit_as_written(loaded, edit, self._starts[path])


def _fixes(finding: Finding, sources: _Sources, root: Path) -> list[dict[str, Any]]:
    fixes = []
    for edit in finding.edits:
        if not edit.safe:
            continue
        written = sources.written(finding.path, edit)
        if written is None:
            continue
        span = edit.span
        fixes.append({
            "description": {"text": edit.description},
            "artifactChanges": [{
                "artifactLocation": _artifact(finding.path, root),
                "replacements": [{
                    "deletedRegion": {"startLine": span.line, "startColumn": span.column,
                                      "endLine": span.end_line, "endColumn": span.end_column},
                    "insertedContent": {"text": written},
                }],
            }],
        })
    return fixes


def _result(finding: Finding, rule_index: dict[str, int], sources: _Sources,
            root: Path) -> dict[str, Any]:
    text = finding.message
    if finding.fix_hint:
        text += f"\nFix: {finding.fix_hint}"
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity][0],
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": _artifact(finding.path, root),
                "region": _region(finding.line, finding.column, finding.end_line,
                                  finding.end_column),
            },
        }],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.related:
        result["relatedLocations"] = [_related(i, r, root) for i, r in enumerate(finding.related)]
    if finding.suppressed_by is not None:
        result["suppressions"] = [_suppression(finding)]
    fixes = _fixes(finding, sources, root)
    if fixes:
        result["fixes"] = fixes
    properties: dict[str, Any] = {"name": finding.name}
    if finding.rule is not None:
        properties["rule"] = {"index": finding.rule.index, "line": finding.rule.line,
                              "securityGroupId": finding.rule.security_group_id}
    result["properties"] = properties
    return result


def document(report: Report) -> dict[str, Any]:
    root = report.root or root_for(Path.cwd())
    checks = list(report.registry)
    rule_index = {check.code: i for i, check in enumerate(checks)}
    sources = _Sources(report.result.files)
    findings = [*report.result.findings, *report.result.suppressed]
    findings.sort(key=lambda f: f.sort_key)
    counts = suppressed_counts(report.result.suppressed)
    summary = report.result.summary()
    properties: dict[str, Any] = {
        "policy": {"name": report.policy_name, "source": report.policy_source,
                   "configuration": report.config_source,
                   "changes": list(report.config_changes), "failOn": report.fail_on.label},
        "summary": {**summary, "passed": not report.failed},
        "suppressed": {"total": sum(counts.values()), "byKind": counts,
                       "description": describe_counts(counts)},
    }
    gate = report.suppression
    if gate is not None:
        properties["inlineSuppressions"] = {"enabled": gate.inline_enabled,
                                            "found": gate.inline_comments,
                                            "notApplied": gate.not_applied}
        if gate.waiver_file is not None:
            properties["waivers"] = gate.waiver_file
        if gate.baseline_file is not None:
            properties["baseline"] = {"file": gate.baseline_file,
                                      "fixed": [e.as_dict() for e in gate.fixed]}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "egresslint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URL,
                "rules": [rule_descriptor(check) for check in checks],
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
            # Positions count characters (code points), as the loader does.
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, rule_index, sources, root) for f in findings],
            "invocations": [{
                "executionSuccessful": True,
                "exitCode": report.exit_code,
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": note}} for note in report.notes
                ],
            }],
            "properties": properties,
        }],
    }


def render(report: Report, color: bool) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
