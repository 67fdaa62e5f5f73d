"""Live rules from a DescribeSecurityGroupAttribute response, and `lint --existing`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egresslint.cli import main
from egresslint.existing import ExistingError, parse_existing
from tests.analysis.rulefiles import SG, group, rule

RESPONSE = """{
  "RequestId": "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
  "SecurityGroupId": "sg-0a1b2c3d",
  "Permissions": {
    "Permission": [
      {
        "Direction": "ingress",
        "IpProtocol": "TCP",
        "PortRange": "22/22",
        "SourceCidrIp": "0.0.0.0/0",
        "Policy": "Accept",
        "Priority": 1
      },
      {
        "Direction": "egress",
        "IpProtocol": "TCP",
        "PortRange": "1/1000",
        "SourcePortRange": "",
        "DestCidrIp": "0.0.0.0/0",
        "Policy": "Drop",
        "Priority": 1,
        "Description": "no low ports out"
      },
      {
        "Direction": "Egress",
        "IpProtocol": "udp",
        "PortRange": "53/53",
        "SourcePortRange": "1024/65535",
        "DestCidrIp": "10.0.0.2",
        "Policy": "accept",
        "Priority": "5"
      },
      {
        "Direction": "egress",
        "IpProtocol": "ALL",
        "PortRange": "-1/-1",
        "DestCidrIp": "10.0.0.0/8"
      }
    ]
  }
}
"""


def test_reads_egress_permissions_without_case() -> None:
    rules = parse_existing("live.json", RESPONSE)
    assert [(r.index, r.span.line, r.origin, r.security_group_id, r.summary()) for r in rules] == [
        (1, 14, "existing", SG, "drop tcp 1/1000 -> 0.0.0.0/0 (priority 1)"),
        (2, 24, "existing", SG, "accept udp 53/53 from port 1024/65535 -> 10.0.0.2 (priority 5)"),
        (3, 33, "existing", SG, "accept all -1/-1 -> 10.0.0.0/8 (priority 1)"),
    ]
    # Each value keeps its place in the file.
    assert rules[0].fields["Policy"].span.line == 20
    assert rules[0].fields["SecurityGroupId"].span.line == 3


def test_reads_a_list_of_responses() -> None:
    second = RESPONSE.replace("sg-0a1b2c3d", "sg-9z8y7x")
    rules = parse_existing("live.json", f"[{RESPONSE}, {second}]")
    assert [r.security_group_id for r in rules] == [SG] * 3 + ["sg-9z8y7x"] * 3


def test_a_group_without_permissions_has_no_rules() -> None:
    assert parse_existing("live.json", '{"SecurityGroupId": "sg-1", "Permissions": {}}') == []


@pytest.mark.parametrize(("text", "line", "message"), [
    pytest.param("{", 1, "not a JSON response: expected a double-quoted key", id="not-json"),
    pytest.param("[1]", 1, "expected a DescribeSecurityGroupAttribute response (a JSON object)",
                 id="not-an-object"),
    pytest.param('{"Permissions": {}}', 1, "the response has no SecurityGroupId", id="no-group"),
    pytest.param('{"SecurityGroupId": "sg-1",\n "Permissions": {"Permission": [\n'
                 '  {"IpProtocol": "tcp"}]}}', 3, "the permission has no Direction; cannot "
                 "tell egress from ingress", id="no-direction"),
    pytest.param('{"SecurityGroupId": "sg-1",\n "Permissions": {"Permission": [\n'
                 '  {"Direction": "egress",\n   "IpProtocol": "sctp"}]}}', 4,
                 "IpProtocol `sctp` is not one of tcp, udp, icmp, gre, all", id="bad-protocol"),
    pytest.param('{"SecurityGroupId": "sg-1",\n "Permissions": {"Permission": [\n'
                 '  {"Direction": "egress", "IpProtocol": "tcp", "PortRange": "1/2",\n'
                 '   "DestCidrIp": "10.0.0.1/8"}]}}', 4, "DestCidrIp `10.0.0.1/8` has host bits "
                 "set: did you mean 10.0.0.0/8 or 10.0.0.1/32?", id="bad-destination"),
    pytest.param('{"SecurityGroupId": "sg-1",\n "Permissions": {"Permission": [\n'
                 '  {"Direction": "egress", "IpProtocol": "tcp", "PortRange": "1/2",\n'
                 '   "DestCidrIp": "10.0.0.0/8", "Priority": 0}]}}', 4,
                 "Priority `0` is not 1..100", id="bad-priority"),
    pytest.param('{"SecurityGroupId": "sg-1",\n "Permissions": {"Permission": [\n'
                 '  {"Direction": "egress", "IpProtocol": "tcp", "PortRange": "1/2",\n'
                 '   "DestCidrIp": "10.0.0.0/8", "Priority": "\u00b9"}]}}', 4,
                 "Priority `\u00b9` is not 1..100", id="superscript-priority"),
    pytest.param('{"SecurityGroupId": "sg-1",\n "Permissions": {"Permission": [\n'
                 '  {"Direction": "egress", "IpProtocol": "tcp", "PortRange": "1/2",\n'
                 '   "DestCidrIp": "10.0.0.0/8", "Priority": "1' + "0" * 5000 + '"}]}}', 4,
                 "Priority `1" + "0" * 5000 + "` is not 1..100", id="huge-priority"),
])
def test_unreadable_live_rules_are_usage_errors(text: str, line: int, message: str) -> None:
    with pytest.raises(ExistingError) as caught:
        parse_existing("live.json", text)
    assert str(caught.value) == f"live.json:{line}: {message}"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "live.json").write_text(RESPONSE, encoding="utf-8")
    return tmp_path


def test_lint_names_the_live_rule(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "rules.yaml").write_text(group(
        rule("udp", "53/53", "10.0.0.2/32", sports="1024/65535", priority=5),
        rule("tcp", "443/443", "10.1.0.0/16", priority=10),
        rule("tcp", "5432/5432", "10.1.0.0/16", priority=10),
    ), encoding="utf-8")
    code = main(["lint", "--no-config", "--select", "EGL3", "rules.yaml",
                 "--existing", "live.json"])
    out = capsys.readouterr().out
    assert code == 1
    assert ("rules.yaml:4:5: error EGL301 duplicates live rule live.json:24: same traffic, "
            "policy and priority; the API refuses a second copy "
            "(SecurityGroupRuleConflict.Duplicated) [duplicate-rule]") in out
    assert ("  note: live.json:24:7: the first copy: live rule accept udp 53/53 from port "
            "1024/65535 -> 10.0.0.2 (priority 5)") in out
    assert ("rules.yaml:5:5: error EGL304 never takes effect: live rule live.json:14 comes "
            "first and decides all of its traffic, dropping all of it [shadowed-rule]") in out
    assert ("  note: live.json:14:7: comes first and drops part of its traffic: live rule drop "
            "tcp 1/1000 -> 0.0.0.0/0 (priority 1)") in out
    # The live `all` accept to 10.0.0.0/8 already lets 5432 through.
    assert ("rules.yaml:6:5: warning EGL305 can be removed: live rule live.json:33 comes first "
            "and already accepts all of its traffic [redundant-rule]") in out
    # The live rules themselves are not reported.
    assert not [line for line in out.splitlines() if line.startswith("live.json")]


def test_report_existing_option(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "policy.yaml").write_text(
        "extends: default\nchecks:\n  shadowed-rule:\n    options: {report_existing: true}\n",
        encoding="utf-8")
    # The live `all` accept to 10.0.0.0/8 is only partly overridden by the live drop of
    # tcp 1-1000; a proposed drop at the same priority shadows the rest of it.
    (workspace / "rules.yaml").write_text(group(
        rule("all", "-1/-1", "10.0.0.0/8", policy="drop")), encoding="utf-8")
    code = main(["lint", "--no-config", "--select", "EGL304", "--policy", "policy.yaml",
                 "rules.yaml", "--existing", "live.json"])
    out = capsys.readouterr().out
    assert code == 1
    assert ("live.json:33:7: error EGL304 never takes effect: live rule live.json:14 and "
            "rules.yaml:4 come first and decide all of its traffic, dropping all of it "
            "[shadowed-rule]") in out


def test_bad_existing_file_exits_2(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "rules.yaml").write_text(group(rule()), encoding="utf-8")
    (workspace / "bad.json").write_text(json.dumps({"SecurityGroupId": SG, "Permissions": {
        "Permission": [{"Direction": "egress", "IpProtocol": "tcp"}]}}, indent=1),
        encoding="utf-8")
    assert main(["lint", "--no-config", "rules.yaml", "--existing", "bad.json"]) == 2
    assert capsys.readouterr().err == (
        "egresslint: error: bad.json:5: the egress permission has no PortRange\n")


def test_missing_existing_file_exits_2(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workspace / "rules.yaml").write_text(group(rule()), encoding="utf-8")
    assert main(["lint", "--no-config", "rules.yaml", "--existing", "nope.json"]) == 2
    assert capsys.readouterr().err.startswith(
        "egresslint: error: nope.json: cannot read the live rules:")
