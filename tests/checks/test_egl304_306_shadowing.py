"""EGL304 shadowed-rule, EGL305 redundant-rule and EGL306 partial-override."""

from __future__ import annotations

import pytest

from tests.analysis.rulefiles import group, line_of, rule
from tests.conftest import LintText, brief

SELECT = ("EGL304", "EGL305", "EGL306")
ANYWHERE = "0.0.0.0/0"

FIRES = [
    pytest.param(
        group(rule("tcp", "1/1000", ANYWHERE, policy="drop", priority=1),
              rule("tcp", "1001/65535", ANYWHERE, policy="drop", priority=1),
              rule("tcp", "80/8080", "10.0.0.0/8", priority=10)),
        [(line_of(3), 5, "EGL304", "never takes effect: line 4 and line 5 come first and "
          "decide all of its traffic, dropping all of it")], id="304-union-of-two-drops"),
    pytest.param(
        group(rule("tcp", "443/443", "10.0.0.0/24", priority=5),
              rule("tcp", "443/443", "10.0.0.0/16", policy="drop", priority=5)),
        [(line_of(1), 5, "EGL304", "never takes effect: line 5 comes first and decides all of "
          "its traffic, dropping all of it")], id="304-drop-wins-at-equal-priority"),
    pytest.param(
        group(rule("tcp", "443/443", "10.0.0.0/25", priority=1),
              rule("tcp", "443/443", "10.0.0.128/25", policy="drop", priority=1),
              rule("tcp", "443/443", "10.0.0.0/24", priority=5)),
        [(line_of(3), 5, "EGL304", "never takes effect: line 5 and line 4 come first and "
          "decide all of its traffic, dropping some of it")], id="304-some-of-it"),
    pytest.param(
        group(rule("all", "-1/-1", "10.0.0.0/8", priority=1),
              rule("tcp", "22/22", "10.1.0.0/16", policy="drop", priority=10)),
        [(line_of(2), 5, "EGL304", "never takes effect: line 4 comes first and decides all of "
          "its traffic, accepting all of it")], id="304-drop-shadowed-by-accept"),
    pytest.param(
        group(rule("tcp", "443/443", sports="1/1023", policy="drop"),
              rule("tcp", "443/443", sports="1024/65535", policy="drop"),
              rule("tcp", "443/443", "10.1.0.0/16", priority=2)),
        [(line_of(3), 5, "EGL304", "never takes effect: line 4 and line 5 come first and "
          "decide all of its traffic, dropping all of it")], id="304-source-port-halves"),
    pytest.param(
        group(rule("tcp", "443/443", "10.0.0.0/8", priority=1),
              rule("tcp", "443/443", "10.1.0.0/16", priority=10)),
        [(line_of(2), 5, "EGL305", "can be removed: line 4 comes first and already accepts all "
          "of its traffic")], id="305-narrower-accept"),
    pytest.param(
        group(rule("tcp", "1/1000", "10.0.0.0/8"), rule("tcp", "1001/65535", "10.0.0.0/8"),
              rule("tcp", "80/8080", "10.2.0.0/16", priority=3)),
        [(line_of(3), 5, "EGL305", "can be removed: line 4 and line 5 come first and already "
          "accept all of its traffic")], id="305-union-of-two-accepts"),
    pytest.param(
        group(rule("all", "-1/-1", ANYWHERE, policy="drop", priority=50),
              rule("udp", "53/53", "10.0.0.2", policy="drop", priority=60)),
        [(line_of(2), 5, "EGL305", "can be removed: line 4 comes first and already drops all "
          "of its traffic")], id="305-drop-after-deny-all"),
    pytest.param(
        group(rule("tcp", "443/443", "10.1.2.3", priority=1),
              rule("all", "-1/-1", "10.0.0.0/8", policy="drop", priority=10)),
        [(line_of(2), 5, "EGL306", "partly overridden: line 4, of higher priority, comes first "
          "and accepts part of its traffic")], id="306-exception-then-deny"),
    pytest.param(
        group(rule("tcp", "443/443", "10.1.2.3", priority=1),
              rule("udp", "53/53", "10.1.2.4", priority=2),
              rule("all", "-1/-1", "10.0.0.0/8", policy="drop", priority=10)),
        [(line_of(3), 5, "EGL306", "partly overridden: line 4 and line 5, of higher priority, "
          "come first and accept part of its traffic")], id="306-two-exceptions"),
]
QUIET = [
    pytest.param(group(rule("tcp", "1/1000", ANYWHERE, policy="drop"),
                       rule("tcp", "80/8080", "10.0.0.0/8", priority=10)),
                 id="partly-covered-by-same-policy-is-not-reported-304-305"),
    pytest.param(group(rule("tcp", "1/65535", ANYWHERE, policy="drop"),
                       rule("udp", "1/65535", ANYWHERE, policy="drop"),
                       rule("icmp", "-1/-1", ANYWHERE, policy="drop"),
                       rule("gre", "-1/-1", ANYWHERE, policy="drop"),
                       rule("all", "-1/-1", "10.0.0.0/8", priority=2)),
                 id="all-reaches-protocols-no-other-rule-names"),
    pytest.param(group(rule("tcp", "443/443", sports="1/1023", policy="drop"),
                       rule("tcp", "443/443", "10.1.0.0/16", priority=2)),
                 id="306-info-only-304-quiet"),
    pytest.param(group(rule(), rule(dest="10.0.0.0/8", group="sg-9z8y7x")),
                 id="other-group"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_fires(lint_text: LintText, text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert brief(lint_text(text, select=SELECT)) == expected


@pytest.mark.parametrize("text", QUIET)
def test_quiet(lint_text: LintText, text: str) -> None:
    assert brief(lint_text(text, select=("EGL304", "EGL305"))) == []


def test_partial_override_stays_quiet_where_others_speak(lint_text: LintText) -> None:
    # A tie (equal priority) and a full cover are not partial overrides.
    tie = group(rule("tcp", "1/1000", policy="drop", priority=5),
                rule("tcp", "500/2000", priority=5))
    covered = group(rule("tcp", "1/1000", policy="drop"), rule("tcp", "80/80", priority=5))
    assert [f.code for f in lint_text(covered, select=SELECT)] == ["EGL304"]
    assert brief(lint_text(tie, select=("EGL306",))) == []
    assert brief(lint_text(covered, select=("EGL306",))) == []


def test_related_locations_name_every_decider(lint_text: LintText) -> None:
    (finding,) = lint_text(group(
        rule("tcp", "1/1000", ANYWHERE, policy="drop"),
        rule("tcp", "1001/65535", ANYWHERE, policy="drop"),
        rule("tcp", "1/65535", "10.0.0.0/8", policy="drop", priority=2),
        rule("tcp", "80/8080", "10.0.0.0/8", priority=10)), select=("EGL304",))
    # Line 6 overlaps the rule but decides none of its packets: not named.
    assert [(r.line, r.column, r.message) for r in finding.related] == [
        (4, 5, "comes first and drops part of its traffic: drop tcp 1/1000 -> 0.0.0.0/0 "
         "(priority 1)"),
        (5, 5, "comes first and drops part of its traffic: drop tcp 1001/65535 -> 0.0.0.0/0 "
         "(priority 1)")]


def test_long_lists_are_cut(lint_text: LintText) -> None:
    drops = [rule("tcp", f"{p}/{p}", policy="drop") for p in range(1, 6)]
    findings = lint_text(group(*drops, rule("tcp", "1/5", priority=9)), select=("EGL304",))
    assert brief(findings) == [
        (line_of(6), 5, "EGL304", "never takes effect: line 4, line 5, line 6 and 2 more come "
         "first and decide all of its traffic, dropping all of it")]
    assert len(findings[0].related) == 5


def test_default_severities(lint_text: LintText) -> None:
    text = group(rule("tcp", "443/443", "10.1.2.0/24"), rule("tcp", "1/1000", "10.1.2.3",
                 policy="drop", priority=3), rule("tcp", "443/443", "10.1.2.3", priority=4),
                 rule("tcp", "22/22", "10.1.2.3", priority=5))
    assert [(f.code, f.severity.label) for f in lint_text(text, select=SELECT)] == [
        ("EGL306", "info"), ("EGL305", "warning"), ("EGL304", "error")]
