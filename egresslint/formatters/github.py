"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

    ::error file=a.yaml,line=4,col=17,endLine=4,endColumn=20,title=EGL101 invalid-protocol::...

Paths are relative to the repository root (the workspace GitHub checks out). Columns are
sent only when a finding starts and ends on one line, as GitHub requires. Errors come first:
GitHub shows a limited number of annotations of each kind per step.
"""

from __future__ import annotations

from pathlib import Path

from egresslint.finding import Finding, Severity
from egresslint.formatters import Report
from egresslint.formatters.text import summary_lines
from egresslint.location import relative_path, root_for

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message after `::`."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`): also `:` and `,`, which delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, root: Path) -> str:
    path = relative_path(finding.path, root) or finding.path
    properties = [("file", path), ("line", str(finding.line))]
    if finding.end_line == finding.line:
        properties += [("col", str(finding.column)), ("endLine", str(finding.end_line)),
                       ("endColumn", str(finding.end_column))]
    else:
        properties += [("endLine", str(finding.end_line))]
    properties.append(("title", f"{finding.code} {finding.name}"))
    message = finding.message
    if finding.fix_hint:
        message += f"\nFix: {finding.fix_hint}"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(message)}"


def render(report: Report, color: bool) -> str:
    root = report.root or root_for(Path.cwd())
    findings = sorted(report.result.findings, key=lambda f: (-f.severity, f.sort_key))
    lines = [annotation(f, root) for f in findings]
    # Plain lines are ordinary log output: the summary, with what was suppressed and how.
    lines.extend(summary_lines(report, False))
    return "\n".join(lines) + "\n"
