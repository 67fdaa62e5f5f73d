"""EGL201-EGL204: accept rules toward public destinations, and their ladder (one finding per
rule, from the most severe condition it meets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.rulefiles import one_rule
from tests.conftest import LintText, brief

SELECT = ("EGL201", "EGL202", "EGL203", "EGL204")

FIRES = [
    pytest.param(one_rule("all", "-1/-1", "0.0.0.0/0"), (4, 13, "EGL201",
                 "accepts all traffic to 0.0.0.0/0: every protocol and every port to every "
                 "address, the whole internet included"), id="201-all-anywhere"),
    pytest.param(one_rule("all", "-1/-1", "0.0.0.0/0", Policy="accept", Priority=100),
                 (4, 13, "EGL201", "accepts all traffic to 0.0.0.0/0: every protocol and every "
                 "port to every address, the whole internet included"), id="201-explicit"),
    pytest.param(one_rule("tcp", "1/65535", "0.0.0.0/0"), (3, 12, "EGL202",
                 "tcp 1/65535 to 0.0.0.0/0 opens every port to public addresses"),
                 id="202-tcp-every-port"),
    pytest.param(one_rule("udp", "1/65535", "8.8.8.0/24"), (3, 12, "EGL202",
                 "udp 1/65535 to 8.8.8.0/24 opens every port to public addresses"),
                 id="202-udp-narrow-public"),
    pytest.param(one_rule("tcp", "1000/2500", "203.0.113.0/24"), (3, 12, "EGL202",
                 "tcp 1000/2500 to 203.0.113.0/24 opens 1501 ports to public addresses; the "
                 "policy allows at most 1000"), id="202-wide-span-beats-risky-1433"),
    pytest.param(one_rule("all", "-1/-1", "8.8.8.8"), (2, 13, "EGL202",
                 "all to 8.8.8.8 opens every protocol and every port to public addresses"),
                 id="202-all-to-one-host"),
    pytest.param(one_rule("tcp", "1/65535", "100.0.0.0/8"), (3, 12, "EGL202",
                 "tcp 1/65535 to 100.0.0.0/8 opens every port to public addresses"),
                 id="202-spans-shared-and-public"),
    pytest.param(one_rule("tcp", "20/30", "0.0.0.0/0"), (3, 12, "EGL203",
                 "tcp 20/30 to 0.0.0.0/0 includes risky ports 21 (FTP), 23 (Telnet), "
                 "25 (SMTP)"), id="203-range-contains-three"),
    pytest.param(one_rule("tcp", "3306/3306", "203.0.113.10"), (3, 12, "EGL203",
                 "tcp 3306/3306 to 203.0.113.10 includes risky port 3306 (MySQL)"),
                 id="203-single-port-one-host"),
    pytest.param(one_rule("udp", "100/200", "0.0.0.0/0"), (3, 12, "EGL203",
                 "udp 100/200 to 0.0.0.0/0 includes risky ports 137 (NetBIOS name), "
                 "138 (NetBIOS datagram), 161 (SNMP)"), id="203-udp"),
    pytest.param(one_rule("tcp", "1/1000", "0.0.0.0/0"), (3, 12, "EGL203",
                 "tcp 1/1000 to 0.0.0.0/0 includes risky ports 21 (FTP), 23 (Telnet), "
                 "25 (SMTP), 110 (POP3), 135 (MS RPC), 139 (NetBIOS), 445 (SMB)"),
                 id="203-range-at-the-span-limit"),
    pytest.param(one_rule("tcp", "443/443", "0.0.0.0/0"), (4, 13, "EGL204",
                 "tcp 443/443 to 0.0.0.0/0 reaches every public address; name the addresses "
                 "the service uses if they are known"), id="204-https-anywhere"),
    pytest.param(one_rule("udp", "123/123", "198.51.0.0/16"), (4, 13, "EGL204",
                 "udp 123/123 to 198.51.0.0/16 reaches a /16 of public addresses; name the "
                 "addresses the service uses if they are known"), id="204-slash-16"),
    pytest.param(one_rule("icmp", "-1/-1", "0.0.0.0/0"), (4, 13, "EGL204",
                 "icmp -1/-1 to 0.0.0.0/0 reaches every public address; name the addresses "
                 "the service uses if they are known"), id="204-icmp-has-no-ports"),
]

QUIET = [
    pytest.param(one_rule("all", "-1/-1", "0.0.0.0/0", Policy="drop", Priority=100),
                 id="deny-all"),
    pytest.param(one_rule("tcp", "1/65535", "0.0.0.0/0", Policy="drop"), id="drop-every-port"),
    pytest.param(one_rule("all", "-1/-1", "10.0.0.0/8"), id="all-private"),
    pytest.param(one_rule("tcp", "1/65535", "172.16.0.0/12"), id="every-port-private"),
    pytest.param(one_rule("tcp", "20/30", "192.168.1.0/24"), id="risky-private"),
    pytest.param(one_rule("tcp", "3306/3306", "100.64.0.0/10"), id="risky-shared-space"),
    pytest.param(one_rule("tcp", "443/443", "203.0.113.0/24"), id="narrow-public"),
    pytest.param(one_rule("udp", "53/53", "198.51.100.0/17"), id="slash-17-not-broad"),
    pytest.param(one_rule("tcp", "26/109", "203.0.113.5"), id="range-between-risky-ports"),
    pytest.param(one_rule("tcp", "-1/-1", "0.0.0.0/0"), id="invalid-ports-left-to-EGL102"),
    pytest.param(one_rule("tcp", "443/443", "0.0.0.0/0", Policy="allow"),
                 id="invalid-policy-left-to-EGL105"),
    pytest.param(one_rule("tcp", "1/65535", "0.0.0.0/0", Policy="no"),
                 id="unreadable-policy-left-to-EGL003"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_fires_once(lint_text: LintText, text: str, expected: tuple[int, int, str, str]) -> None:
    assert brief(lint_text(text, select=SELECT)) == [expected]


@pytest.mark.parametrize("text", QUIET)
def test_quiet(lint_text: LintText, text: str) -> None:
    assert brief(lint_text(text, select=SELECT)) == []


def test_severities_by_default(lint_text: LintText) -> None:
    found = {f.code: f.severity.label for text in (
        one_rule("all", "-1/-1", "0.0.0.0/0"), one_rule("tcp", "1/65535", "0.0.0.0/0"),
        one_rule("tcp", "23/23", "0.0.0.0/0"), one_rule("tcp", "443/443", "0.0.0.0/0"),
    ) for f in lint_text(text, select=SELECT)}
    assert found == {"EGL201": "error", "EGL202": "error", "EGL203": "error",
                     "EGL204": "warning"}


def _policy(tmp_path: Path, body: str) -> str:
    path = tmp_path / "team-policy.yaml"
    path.write_text("extends: default\n" + body, encoding="utf-8")
    return str(path)


def test_internal_destinations_are_not_public(lint_text: LintText, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "settings:\n  internal_destinations: [47.0.0.0/8]\n")
    assert brief(lint_text(one_rule("tcp", "1/65535", "47.96.0.0/16"), policy=policy,
                           select=SELECT)) == []
    # Partly outside the internal block: still public.
    assert [f.code for f in lint_text(one_rule("tcp", "1/65535", "46.0.0.0/7"), policy=policy,
                                      select=SELECT)] == ["EGL202"]


def test_policy_risky_ranges_and_span(lint_text: LintText, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "settings:\n  max_public_port_span: 10\n"
                     "  risky_ports:\n    tcp: [\"6000/6010\", 7000]\n")
    assert brief(lint_text(one_rule("tcp", "6005/6012", "0.0.0.0/0"), policy=policy,
                           select=SELECT)) == [
        (3, 12, "EGL203", "tcp 6005/6012 to 0.0.0.0/0 includes risky port 6005-6010")]
    assert brief(lint_text(one_rule("tcp", "6990/7000", "0.0.0.0/0"), policy=policy,
                           select=SELECT)) == [
        (3, 12, "EGL202", "tcp 6990/7000 to 0.0.0.0/0 opens 11 ports to public addresses; "
         "the policy allows at most 10")]
    # The policy replaced the list: 23 is no longer risky, only broad.
    assert [f.code for f in lint_text(one_rule("tcp", "23/23", "0.0.0.0/0"), policy=policy,
                                      select=SELECT)] == ["EGL204"]


def test_long_lists_are_cut(lint_text: LintText, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "settings:\n  max_public_port_span: 65535\n")
    assert brief(lint_text(one_rule("tcp", "1/30000", "0.0.0.0/0"), policy=policy,
                           select=SELECT)) == [
        (3, 12, "EGL203", "tcp 1/30000 to 0.0.0.0/0 includes risky ports 21 (FTP), "
         "23 (Telnet), 25 (SMTP), 110 (POP3), 135 (MS RPC), 139 (NetBIOS), 445 (SMB) and "
         "12 more")]


def test_broad_prefix_option(lint_text: LintText, tmp_path: Path) -> None:
    policy = _policy(tmp_path, "checks:\n  broad-public-destination:\n"
                     "    options: {max_prefix_length: 8}\n")
    assert brief(lint_text(one_rule("tcp", "443/443", "198.51.0.0/16"), policy=policy,
                           select=SELECT)) == []
    assert [f.code for f in lint_text(one_rule("tcp", "443/443", "11.0.0.0/8"), policy=policy,
                                      select=SELECT)] == ["EGL204"]


def test_strict_policy_makes_broad_an_error(lint_text: LintText) -> None:
    findings = lint_text(one_rule("tcp", "443/443", "0.0.0.0/0"), policy="strict",
                         select=SELECT)
    assert [(f.code, f.severity.label) for f in findings] == [("EGL204", "error")]
