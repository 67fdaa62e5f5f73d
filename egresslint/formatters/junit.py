"""JUnit XML for CI test reporters (GitLab, Jenkins, Azure DevOps, GitHub test-report actions).

One `<testsuite>` per file; in it one `<testcase>` per rule (classname the file, name the
rule's line and summary) and one for the file itself. A test case fails, with one
`<failure>` listing its findings, when a finding reaches `--fail-on`; findings below it and
suppressed findings are listed in `<system-out>`, so the test report agrees with the gate.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence

from egresslint.finding import Finding
from egresslint.formatters import Report
from egresslint.rule import Rule
from egresslint.suppression import describe_counts, summary_notes, suppressed_counts

FILE_CASE = "file-level checks"
# Characters XML 1.0 cannot carry, even escaped; a value quoted from a rule file may hold one.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _line(finding: Finding) -> str:
    text = (f"{finding.path}:{finding.line}:{finding.column}: {finding.severity.label} "
            f"{finding.code} {finding.message} [{finding.name}]")
    if finding.suppressed_by:
        text += f" (suppressed: {finding.suppressed_by})"
    elif finding.fix_hint:
        text += f"\n  fix: {finding.fix_hint}"
    return _safe(text)


def _case(suite: ET.Element, classname: str, name: str, findings: Sequence[Finding],
          suppressed: Sequence[Finding], report: Report) -> bool:
    """Add a test case; returns whether it failed."""
    case = ET.SubElement(suite, "testcase", classname=_safe(classname), name=_safe(name),
                         time="0")
    failing = [f for f in findings if f.severity >= report.fail_on]
    passing = [f for f in findings if f.severity < report.fail_on]
    if failing:
        codes = ", ".join(dict.fromkeys(f.code for f in failing))
        noun = "finding" if len(failing) == 1 else "findings"
        failure = ET.SubElement(case, "failure", message=f"{len(failing)} {noun}: {codes}",
                                type=failing[0].code)
        failure.text = "\n".join(_line(f) for f in failing)
    others = [*passing, *suppressed]
    if others:
        ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    return bool(failing)


def _by_rule(findings: Sequence[Finding], known: set[int]) -> dict[int | None, list[Finding]]:
    """Findings by the index of their rule; None for the file's own (and unknown rules')."""
    grouped: dict[int | None, list[Finding]] = defaultdict(list)
    for f in findings:
        grouped[f.rule.index if f.rule is not None and f.rule.index in known else None].append(f)
    return grouped


def _rule_name(rule: Rule) -> str:
    return f"rule {rule.index + 1} (line {rule.span.line}): {rule.summary()}"


def document(report: Report) -> ET.Element:
    result = report.result
    rules_by_path: dict[str, list[Rule]] = defaultdict(list)
    for rule in result.rules:
        rules_by_path[rule.path].append(rule)
    findings: dict[str, list[Finding]] = defaultdict(list)
    suppressed: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        findings[f.path].append(f)
    for f in result.suppressed:
        suppressed[f.path].append(f)
    # Files in the order read, then any other place a finding points at (a waiver file).
    paths = list(dict.fromkeys([*(f.path for f in result.files), *findings, *suppressed]))
    counts = suppressed_counts(result.suppressed)
    root = ET.Element("testsuites", name="egresslint", time="0")
    root.append(ET.Comment(f" egresslint: policy {report.policy_name}; "
                           f"{describe_counts(counts)}; gate "
                           f"{'failed' if report.failed else 'passed'} "
                           f"(fails on {report.fail_on.label} and above) "))
    for note in summary_notes(report.suppression):
        root.append(ET.Comment(f" {note.strip()} ".replace("--", "- -")))
    total_tests = total_failures = 0
    for path in paths:
        suite = ET.Element("testsuite", name=_safe(path), time="0", errors="0", skipped="0")
        properties = ET.SubElement(suite, "properties")
        for kind, count in suppressed_counts(suppressed[path]).items():
            ET.SubElement(properties, "property", name=f"suppressed.{kind}", value=str(count))
        tests = failures = 0
        known = {r.index for r in rules_by_path[path]}
        mine, hidden = _by_rule(findings[path], known), _by_rule(suppressed[path], known)
        for rule in sorted(rules_by_path[path], key=lambda r: r.index):
            failures += _case(suite, path, _rule_name(rule), mine.get(rule.index, []),
                              hidden.get(rule.index, []), report)
            tests += 1
        failures += _case(suite, path, FILE_CASE, mine.get(None, []), hidden.get(None, []),
                          report)
        tests += 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        root.append(suite)
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("skipped", "0")
    return root


def render(report: Report, color: bool) -> str:
    root = document(report)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
