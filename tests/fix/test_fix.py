"""`egresslint fix`: safe fixes in place, only the characters of each value; suggestions for
the rest; `--diff` writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.output.helpers import MISTAKES, cli

FIXED = MISTAKES.replace("IpProtocol: TCP", "IpProtocol: tcp").replace(
    '"443 / 443"', '"443/443"').replace("'Accept'", "'accept'")


@pytest.fixture
def rules(repo: Path) -> Path:
    path = repo / "payments.yaml"
    path.write_text(MISTAKES, encoding="utf-8")
    return path


def codes(capsys: pytest.CaptureFixture[str], path: str) -> list[str]:
    run = cli(capsys, "lint", "-f", "json", path)
    return [f["code"] for f in json.loads(run.out)["findings"]]


def test_fix_changes_only_the_values(rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert codes(capsys, "payments.yaml") == ["EGL101", "EGL102", "EGL104", "EGL105"]
    run = cli(capsys, "fix", "payments.yaml")
    assert run.code == 0
    assert rules.read_text(encoding="utf-8") == FIXED  # comments, quotes and layout kept
    assert run.out.splitlines() == [
        "payments.yaml:4:17: fixed EGL101 IpProtocol: TCP -> tcp",
        "payments.yaml:5:16: fixed EGL102 PortRange: 443 / 443 -> 443/443",
        "payments.yaml:7:13: fixed EGL105 Policy: Accept -> accept",
        "payments.yaml:6:17: suggestion EGL104 DestCidrIp: 10.0.0.1/8 -> 10.0.0.0/8 (not "
        "applied: it could change what the rule means; edit it by hand if it is what you "
        "meant)",
        "3 values fixed in 1 file; 1 suggestion not applied.",
    ]
    # Re-lint: only the finding whose fix could change the rule's meaning is left.
    assert codes(capsys, "payments.yaml") == ["EGL104"]
    again = cli(capsys, "fix", "payments.yaml")
    assert again.out.splitlines()[-1] == "0 values fixed in 0 files; 1 suggestion not applied."
    assert rules.read_text(encoding="utf-8") == FIXED


def test_diff_writes_nothing(rules: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "fix", "--diff", "payments.yaml")
    assert run.code == 1
    assert rules.read_text(encoding="utf-8") == MISTAKES
    assert run.out == """\
--- a/payments.yaml
+++ b/payments.yaml
@@ -1,10 +1,10 @@
 # Rules for the payments tier.
 rules:
   - SecurityGroupId: sg-5tsq3x7kkt2o9f6b   # payments
-    IpProtocol: TCP
-    PortRange: "443 / 443"
+    IpProtocol: tcp
+    PortRange: "443/443"
     DestCidrIp: 10.0.0.1/8
-    Policy: 'Accept'
+    Policy: 'accept'
   - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
     IpProtocol: udp
     PortRange: "53/53"
"""
    assert run.err.splitlines()[-1] == "3 values would be fixed in 1 file; 1 suggestion not " \
                                       "applied."
    cli(capsys, "fix", "payments.yaml")
    assert cli(capsys, "fix", "--diff", "payments.yaml").code == 0


@pytest.mark.parametrize(("before", "after"), [
    pytest.param("IpProtocol: TCP", "IpProtocol: tcp", id="plain"),
    pytest.param('IpProtocol: "TCP"', 'IpProtocol: "tcp"', id="double-quoted"),
    pytest.param("IpProtocol: 'TCP'", "IpProtocol: 'tcp'", id="single-quoted"),
    pytest.param("IpProtocol: ' tcp'", "IpProtocol: 'tcp'", id="spaces-in-quotes"),
    pytest.param("Policy: Accept  # why", "Policy: accept  # why", id="trailing-comment"),
    pytest.param('PortRange: "1024 / 2048"', 'PortRange: "1024/2048"', id="port-range"),
    pytest.param("{IpProtocol: TCP}", "{IpProtocol: tcp}", id="flow-mapping"),
])
def test_quoting_style_is_kept(before: str, after: str, repo: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    rule = ('SecurityGroupId: sg-5tsq3x7kkt2o9f6b\nIpProtocol: tcp\nPortRange: "443/443"\n'
            "DestCidrIp: 10.0.0.0/8\n")
    key = before.strip("{").split(":")[0]
    lines = [line for line in rule.splitlines() if not line.startswith(key)]
    if before.startswith("{"):
        text = "rules:\n  - " + before[:-1] + ", " + ", ".join(lines) + "}\n"
        expected = "rules:\n  - " + after[:-1] + ", " + ", ".join(lines) + "}\n"
    else:
        text = "\n".join([*lines, before]) + "\n"
        expected = "\n".join([*lines, after]) + "\n"
    Path("rule.yaml").write_text(text)
    assert cli(capsys, "fix", "rule.yaml").code == 0
    assert Path("rule.yaml").read_text() == expected
    assert codes(capsys, "rule.yaml") == []


def test_json_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ('{\n  "rules": [\n    {"SecurityGroupId": "sg-5tsq3x7kkt2o9f6b", "IpProtocol": '
            '"TCP",\n     "PortRange": "80 /80", "DestCidrIp": "10.0.0.0/8", "Policy": '
            '"Accept"}\n  ]\n}\n')
    Path("rules.json").write_text(text)
    assert cli(capsys, "fix", "rules.json").code == 0
    assert Path("rules.json").read_text() == text.replace('"TCP"', '"tcp"').replace(
        '"80 /80"', '"80/80"').replace('"Accept"', '"accept"')
    assert codes(capsys, "rules.json") == []


def test_line_endings_and_byte_order_mark_are_kept(repo: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    text = MISTAKES.replace("\n", "\r\n")
    Path("crlf.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert cli(capsys, "fix", "crlf.yaml").code == 0
    assert Path("crlf.yaml").read_bytes() == b"\xef\xbb\xbf" + FIXED.replace(
        "\n", "\r\n").encode()


def test_a_value_from_defaults_is_fixed_once(repo: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = ("defaults:\n  SecurityGroupId: sg-5tsq3x7kkt2o9f6b\n  IpProtocol: TCP  # all tcp\n"
            "rules:\n  - PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n"
            "  - PortRange: \"80/80\"\n    DestCidrIp: 10.0.0.0/8\n")
    Path("rules.yaml").write_text(text)
    run = cli(capsys, "fix", "rules.yaml")
    assert run.out.splitlines()[-1] == "1 value fixed in 1 file; 0 suggestions not applied."
    assert Path("rules.yaml").read_text() == text.replace("TCP", "tcp")


def test_suppressed_findings_are_not_fixed(repo: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    text = MISTAKES.replace("IpProtocol: TCP",
                            'IpProtocol: TCP  # egresslint: ignore[EGL101] reason="vendor"')
    Path("rules.yaml").write_text(text)
    cli(capsys, "fix", "rules.yaml")
    assert "IpProtocol: TCP  # egresslint" in Path("rules.yaml").read_text()


def test_standard_input_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "fix", "-")
    assert run.code == 2
    assert "cannot read standard input" in run.err
