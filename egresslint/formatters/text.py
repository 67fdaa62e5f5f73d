"""Text for people: `path:line:col: severity CODE message`, the source line with a caret
under the value, the fix, and a summary naming the policy in effect."""

from __future__ import annotations

from egresslint.finding import Finding, Severity
from egresslint.formatters import Report
from egresslint.suppression import describe_counts, summary_notes, suppressed_counts

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _source_excerpt(finding: Finding, lines: list[str], color: bool) -> list[str]:
    if not 0 < finding.line <= len(lines):
        return []
    text = lines[finding.line - 1].rstrip("\n")
    start = finding.column - 1
    end = finding.end_column - 1 if finding.end_line == finding.line else len(text)
    end = max(end, start + 1)
    gutter = str(finding.line)
    caret = _paint("^" * (end - start), _COLOURS[finding.severity], color)
    return [f"  {gutter} | {text}", f"  {' ' * len(gutter)} | {_pad(text[:start])}{caret}"]


def _pad(before: str) -> str:
    """Blanks as wide as `before` on screen: its tabs kept, every other character a space."""
    if "\t" not in before:
        return " " * len(before)
    return "".join("\t" if ch == "\t" else " " for ch in before)


def render(report: Report, color: bool) -> str:
    out: list[str] = []
    add, extend = out.append, out.extend
    sources = {f.path: f.lines for f in report.result.files}
    # A large run prints tens of thousands of findings: what each one needs is looked up
    # once per path and severity, not once per finding.
    lines_of: list[str] = []
    lines_path: str | None = None
    labels = {severity: _paint(severity.label, _COLOURS[severity], color) for severity in Severity}
    for finding in report.result.findings:
        path = finding.path
        if path != lines_path:
            lines_path, lines_of = path, sources.get(path, [])
        location = _paint(f"{path}:{finding.line}:{finding.column}:", "1", color)
        add(f"{location} {labels[finding.severity]} {finding.code} {finding.message} "
            f"[{finding.name}]")
        extend(_source_excerpt(finding, lines_of, color))
        for related in finding.related:
            add(f"  note: {related.path}:{related.line}:{related.column}: {related.message}")
        if finding.fix_hint:
            add(f"  fix: {finding.fix_hint}")
        add("")
    extend(summary_lines(report, color))
    return "\n".join(out) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_lines(report: Report, color: bool) -> list[str]:
    s = report.result.summary()
    lines = [f"policy: {report.policy_name} ({report.policy_source})"]
    if report.config_source is not None:
        if report.config_changes:
            lines.append(f"configuration {report.config_source} changes the policy:")
            lines.extend(f"  - {change}" for change in report.config_changes)
        else:
            lines.append(f"configuration: {report.config_source} (no changes to the policy)")
    lines.extend(report.notes)
    lines.extend(summary_notes(report.suppression))
    counts = (f"{_plural(s['errors'], 'error')}, {_plural(s['warnings'], 'warning')}, "
              f"{_plural(s['infos'], 'info')}")
    scope = f"{_plural(s['files'], 'file')}, {_plural(s['rules'], 'rule')}"
    if s["suppressed"]:
        counts += f", {describe_counts(suppressed_counts(report.result.suppressed))}"
    verdict = (_paint("failed", "31;1", color) if report.failed
               else _paint("passed", "32;1", color))
    lines.append(f"{scope}: {counts}; {_plural(s['rules_with_errors'], 'rule')} with errors. "
                 f"Gate {verdict} (fails on {report.fail_on.label} and above).")
    return lines
