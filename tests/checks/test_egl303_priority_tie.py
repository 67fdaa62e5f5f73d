"""EGL303 priority-tie: equal priority, opposite policies, overlapping traffic."""

from __future__ import annotations

import pytest

from tests.analysis.rulefiles import group, line_of, rule
from tests.conftest import LintText, brief

SELECT = ("EGL303", "EGL304")

FIRES = [
    pytest.param(
        group(rule("tcp", "500/1000", "10.1.5.0/24", policy="drop", priority=10),
              rule("tcp", "1/1000", "10.1.0.0/16", policy="accept", priority=10)),
        [(line_of(2), 5, "EGL303", "priority 10 tie with line 4, which drops what this rule "
          "accepts: tcp 500-1000 to 10.1.5.0/24; drop wins")], id="drop-first-in-file"),
    pytest.param(
        group(rule("tcp", "1/1000", "10.1.0.0/16", policy="accept", priority=10),
              rule("tcp", "500/2000", "10.1.5.0/24", policy="drop", priority=10)),
        [(line_of(2), 5, "EGL303", "priority 10 tie with line 4, which accepts what this rule "
          "drops: tcp 500-1000 to 10.1.5.0/24; drop wins")], id="accept-first-in-file"),
    pytest.param(
        group(rule("tcp", "443/443", "10.0.0.1", sports="1024/2048", policy="drop"),
              rule("tcp", "400/500", "10.0.0.0/24", sports="2000/65535")),
        [(line_of(2), 5, "EGL303", "priority 1 tie with line 4, which drops what this rule "
          "accepts: tcp 443 from port 2000-2048 to 10.0.0.1; drop wins")],
        id="source-ports-overlap"),
    pytest.param(
        group(rule("all", "-1/-1", "10.0.0.0/24", policy="drop", priority=7),
              rule("icmp", "-1/-1", "10.0.0.0/16", priority=7)),
        [(line_of(2), 5, "EGL303", "priority 7 tie with line 4, which drops what this rule "
          "accepts: icmp to 10.0.0.0/24; drop wins")], id="all-and-icmp"),
    pytest.param(
        group(rule("all", "-1/-1", "10.0.0.0/16", priority=3),
              rule("all", "-1/-1", "10.0.0.0/24", policy="drop", priority=3)),
        [(line_of(2), 5, "EGL303", "priority 3 tie with line 4, which accepts what this rule "
          "drops: all traffic to 10.0.0.0/24; drop wins")], id="all-and-all"),
    pytest.param(
        group(rule("tcp", "443/443", "10.0.0.0/24", policy="drop", priority=2),
              rule("tcp", "80/80", "10.0.0.0/24", policy="drop", priority=2),
              rule("tcp", "1/1000", "10.0.0.0/16", priority=2)),
        [(line_of(3), 5, "EGL303", "priority 2 tie with line 4, which drops what this rule "
          "accepts: tcp 443 to 10.0.0.0/24; drop wins"),
         (line_of(3), 5, "EGL303", "priority 2 tie with line 5, which drops what this rule "
          "accepts: tcp 80 to 10.0.0.0/24; drop wins")], id="one-finding-per-partner"),
    # The accept is reported shadowed by the drop; the drop, later in the file, still carries
    # the tie: the shadow is on one rule, the tie is about both.
    pytest.param(
        group(rule("tcp", "443/443", "10.0.0.1", priority=10),
              rule("tcp", "1/1000", "10.0.0.0/8", policy="drop", priority=10)),
        [(line_of(1), 5, "EGL304", "never takes effect: line 5 comes first and decides all of "
          "its traffic, dropping all of it"),
         (line_of(2), 5, "EGL303", "priority 10 tie with line 4, which accepts what this rule "
          "drops: tcp 443 to 10.0.0.1; drop wins")], id="tie-on-the-drop-beside-a-shadow"),
]
QUIET = [
    pytest.param(group(rule("tcp", "443/443", "10.0.0.0/8", policy="drop", priority=10),
                       rule("tcp", "443/443", "10.1.0.0/16", priority=10)),
                 id="shadowed-by-that-partner-reported-once"),
    pytest.param(group(rule("tcp", "1/1000", policy="drop", priority=10),
                       rule("tcp", "500/600", priority=20)), id="other-priority"),
    pytest.param(group(rule("tcp", "1/1000", policy="drop"), rule("tcp", "1001/2000")),
                 id="disjoint-ports"),
    pytest.param(group(rule("tcp", "1/1000", policy="drop"), rule("udp", "1/1000")),
                 id="other-protocol"),
    pytest.param(group(rule("tcp", "443/443", sports="1/1023", policy="drop"),
                       rule("tcp", "443/443", sports="1024/65535")), id="disjoint-source-ports"),
    pytest.param(group(rule("tcp", "1/1000", "10.0.0.0/24", policy="drop"),
                       rule("tcp", "1/1000", "10.0.1.0/24")), id="disjoint-destinations"),
    pytest.param(group(rule("tcp", "1/1000", priority=4), rule("tcp", "1/500", priority=4)),
                 id="same-policy"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_fires(lint_text: LintText, text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert brief(lint_text(text, select=SELECT)) == expected


@pytest.mark.parametrize("text", QUIET)
def test_quiet(lint_text: LintText, text: str) -> None:
    assert brief(lint_text(text, select=SELECT), "EGL303") == []


def test_related_names_the_partner(lint_text: LintText) -> None:
    (finding,) = lint_text(group(rule("tcp", "500/1000", policy="drop", priority=10),
                                 rule("tcp", "1/1000", "10.1.0.0/16", priority=10)),
                           select=("EGL303",))
    assert finding.severity.label == "error"
    assert [(r.line, r.message) for r in finding.related] == [
        (4, "the other rule of the tie: drop tcp 500/1000 -> 10.0.0.0/8 (priority 10)")]
