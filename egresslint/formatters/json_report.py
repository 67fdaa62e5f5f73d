"""JSON for tools. The keys documented in the README are a public contract (`version: 1`)."""

from __future__ import annotations

import json
from typing import Any

from egresslint import __version__
from egresslint.finding import Finding
from egresslint.formatters import Report

FORMAT_VERSION = 1


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line,
        "end_column": f.end_column,
        "code": f.code,
        "name": f.name,
        "severity": f.severity.label,
        "message": f.message,
        "rule": None if f.rule is None else {
            "index": f.rule.index,
            "security_group_id": f.rule.security_group_id,
            "line": f.rule.line,
        },
        "related": [
            {"path": r.path, "line": r.line, "column": r.column, "message": r.message}
            for r in f.related
        ],
        "fingerprint": f.fingerprint,
        "fix": f.fix_hint,
        "edits": [
            {"line": e.span.line, "column": e.span.column, "end_line": e.span.end_line,
             "end_column": e.span.end_column, "replacement": e.replacement, "safe": e.safe,
             "description": e.description}
            for e in f.edits
        ],
        "suppressed_by": f.suppressed_by,
    }


def suppressions_dict(report: Report) -> dict[str, Any]:
    """How many findings each kind of suppression hid, and what the pass applied."""
    from egresslint.suppression import SuppressionSummary, suppressed_counts

    gate = report.suppression or SuppressionSummary()
    return {
        "counts": suppressed_counts(report.result.suppressed),
        "inline": {"enabled": gate.inline_enabled, "found": gate.inline_comments,
                   "not_applied": gate.not_applied},
        "waivers": gate.waiver_file,
        "baseline": None if gate.baseline_file is None else {
            "file": gate.baseline_file, "fixed": [e.as_dict() for e in gate.fixed]},
    }


def document(report: Report) -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "egresslint", "version": __version__},
        "policy": {
            "name": report.policy_name,
            "source": report.policy_source,
            "configuration": report.config_source,
            "changes": list(report.config_changes),
            "fail_on": report.fail_on.label,
        },
        "findings": [finding_dict(f) for f in report.result.findings],
        "suppressed": [finding_dict(f) for f in report.result.suppressed],
        "suppressions": suppressions_dict(report),
        "summary": {**report.result.summary(), "passed": not report.failed},
    }


def render(report: Report, color: bool) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
