"""EGL301 duplicate-rule and EGL302 duplicate-other-priority."""

from __future__ import annotations

from pathlib import Path

import pytest

from egresslint.checks import load_registry
from egresslint.engine import Engine
from egresslint.policy import load_policy
from tests.analysis.rulefiles import group, line_of, rule
from tests.conftest import LintText, brief

DUP = ("duplicates line {}: same traffic, policy and priority; the API refuses a second copy "
       "(SecurityGroupRuleConflict.Duplicated)")
SELECT = ("EGL3",)

FIRES = [
    pytest.param(group(rule(priority=10), rule(priority=10)),
                 [(line_of(2), 5, "EGL301", DUP.format(4))], id="identical"),
    pytest.param(group(rule(dest="10.0.0.7", priority=10), rule(dest="10.0.0.7/32", priority=10)),
                 [(line_of(2), 5, "EGL301", DUP.format(4))], id="host-with-and-without-/32"),
    pytest.param(group(rule(), rule(policy="accept", priority=1)),
                 [(line_of(2), 5, "EGL301", DUP.format(4))], id="defaults-made-explicit"),
    pytest.param(group(rule(sports="1/65535"), rule()),
                 [(line_of(2), 5, "EGL301", DUP.format(4))], id="every-source-port-spelled-out"),
    pytest.param(group(rule("icmp", "-1/-1", sports="-1/-1"), rule("icmp", "-1/-1")),
                 [(line_of(2), 5, "EGL301", DUP.format(4))], id="icmp-source-ports"),
    pytest.param(group(rule(policy="drop"), rule(dest="172.16.0.0/12"), rule(policy="drop")),
                 [(line_of(3), 5, "EGL301", DUP.format(4))], id="not-adjacent"),
    pytest.param(group(rule(), rule(), rule()),
                 [(line_of(2), 5, "EGL301", DUP.format(4)),
                  (line_of(3), 5, "EGL301", DUP.format(4))], id="three-copies-name-the-first"),
    pytest.param(group(rule(priority=10), rule(priority=20)),
                 [(line_of(2), 5, "EGL302", "same traffic and policy as line 4 (priority 10), "
                   "which comes first: this copy at priority 20 decides nothing")],
                 id="other-priority"),
    pytest.param(group(rule(priority=20), rule(priority=10)),
                 [(line_of(1), 5, "EGL302", "same traffic and policy as line 5 (priority 10), "
                   "which comes first: this copy at priority 20 decides nothing")],
                 id="other-priority-reported-on-the-copy-that-comes-second"),
    pytest.param(group(rule(priority=5), rule(priority=10), rule(priority=10)),
                 [(line_of(2), 5, "EGL302", "same traffic and policy as line 4 (priority 5), "
                   "which comes first: this copy at priority 10 decides nothing"),
                  (line_of(3), 5, "EGL301", DUP.format(5))], id="exact-copy-wins-over-other-priority"),
]
QUIET = [
    pytest.param(group(rule(), rule(dest="10.0.0.0/9")), id="other-destination"),
    pytest.param(group(rule(), rule(sports="1024/65535")), id="other-source-ports"),
    pytest.param(group(rule("tcp"), rule("udp")), id="other-protocol"),
    pytest.param(group(rule(), rule(group="sg-9z8y7x")), id="other-group"),
    pytest.param(group(rule(), rule(policy="drop", priority=2)), id="other-policy"),
    pytest.param(group(rule(), rule(dest="10.0.0.1/8")), id="invalid-copy-left-to-EGL104"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_fires(lint_text: LintText, text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert brief(lint_text(text, select=SELECT)) == expected


@pytest.mark.parametrize("text", QUIET)
def test_quiet(lint_text: LintText, text: str) -> None:
    assert brief(lint_text(text, select=("EGL301", "EGL302"))) == []


def test_related_location_is_the_first_copy(lint_text: LintText) -> None:
    (finding,) = lint_text(group(rule(priority=10), rule(priority=10)), select=SELECT)
    assert [(r.line, r.column, r.message) for r in finding.related] == [
        (4, 5, "the first copy: accept tcp 443/443 -> 10.0.0.0/8 (priority 10)")]


def test_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(group(rule(dest="10.1.0.0/16")), encoding="utf-8")
    second.write_text(group(rule(dest="10.2.0.0/16"), rule(dest="10.1.0.0/16")), encoding="utf-8")
    engine = Engine(load_registry(), load_policy("default"), select=SELECT)
    result = engine.run([str(second), str(first)])
    assert [(f.path, f.line, f.message) for f in result.findings] == [
        (str(second), 5, f"duplicates {first}:4: same traffic, policy and priority; the API "
         "refuses a second copy (SecurityGroupRuleConflict.Duplicated)")]


def test_severities(lint_text: LintText) -> None:
    findings = lint_text(group(rule(priority=10), rule(priority=10), rule(priority=20)),
                         select=SELECT)
    assert [(f.code, f.severity.label) for f in findings] == [
        ("EGL301", "error"), ("EGL302", "warning")]
