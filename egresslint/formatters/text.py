"""Text for people: `path:line:col: severity CODE message`, the source line with a caret
under the value, the fix, and a summary naming the policy in effect."""

from __future__ import annotations

from egresslint.finding import Severity
from egresslint.formatters import Report
from egresslint.suppression import describe_counts, summary_notes, suppressed_counts

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _pad(before: str) -> str:
    """Blanks as wide as `before` on screen: its tabs kept, every other character a space."""
    if "\t" not in before:
        return " " * len(before)
    return "".join("\t" if ch == "\t" else " " for ch in before)


def render(report: Report, color: bool) -> str:
    out: list[str] = []
    add = out.append
    files = {f.path: f for f in report.result.files}
    # A large run prints tens of thousands of findings: a file's lines are split once, when
    # a finding first needs them, and what depends on the severity is painted once.
    lines_of: dict[str, list[str]] = {}
    lines: list[str] = []
    lines_path: str | None = None
    labels = {severity: _paint(severity.label, _COLOURS[severity], color) for severity in Severity}
    carets = {severity: (f"\x1b[{_COLOURS[severity]}m", "\x1b[0m") if color else ("", "")
              for severity in Severity}
    for finding in report.result.findings:
        path, line, column = finding.path, finding.line, finding.column
        if path != lines_path:
            lines_path = path
            found = lines_of.get(path)
            if found is None:
                loaded = files.get(path)
                found = lines_of[path] = loaded.lines if loaded is not None else []
            lines = found
        location = _paint(f"{path}:{line}:{column}:", "1", color)
        # One string per finding, lines joined here: fewer, longer pieces join faster.
        block = (f"{location} {labels[finding.severity]} {finding.code} {finding.message} "
                 f"[{finding.name}]")
        if 0 < line <= len(lines):
            # The source line, and a caret under the value.
            text = lines[line - 1]
            start = column - 1
            end = finding.end_column - 1 if finding.end_line == line else len(text)
            gutter = str(line)
            before, after = carets[finding.severity]
            block += (f"\n  {gutter} | {text}\n  {' ' * len(gutter)} | {_pad(text[:start])}"
                      f"{before}{'^' * (max(end, start + 1) - start)}{after}")
        if finding.related:
            block += "".join([f"\n  note: {related.path}:{related.line}:{related.column}: "
                              f"{related.message}" for related in finding.related])
        if finding.fix_hint:
            block += f"\n  fix: {finding.fix_hint}"
        add(block)
        add("")
    out.extend(summary_lines(report, color))
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
