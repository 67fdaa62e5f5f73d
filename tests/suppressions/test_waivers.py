"""The waiver file: JSON rule files and central exceptions; `egresslint waivers check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.output.helpers import cli

RULES_JSON = json.dumps({"rules": [
    {"SecurityGroupId": "sg-5tsq3x7kkt2o9f6b", "IpProtocol": "tcp", "PortRange": "443/443",
     "DestCidrIp": "203.0.113.7/24"},
    {"SecurityGroupId": "sg-5tsq3x7kkt2o9f6b", "IpProtocol": "tcp", "PortRange": "80/80",
     "DestCidrIp": "198.51.100.9/24"},
]}, indent=2) + "\n"


def waiver(**fields: str) -> str:
    entry = {"code": "EGL104", "path": "rules/vendor.json", "reason": "vendor range (VEND-12)",
             "owner": "network-team", "expires": "2099-12-31", **fields}
    lines = ["waivers:"]
    for i, (key, value) in enumerate(entry.items()):
        lines.append(f"  {'- ' if i == 0 else '  '}{key}: {value}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(repo: Path) -> Path:
    (repo / "rules").mkdir()
    (repo / "rules" / "vendor.json").write_text(RULES_JSON)
    return repo


def lint(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    run = cli(capsys, "lint", "-f", "json", "rules/vendor.json", *args)
    assert run.code in (0, 1), run.err
    document: dict[str, Any] = json.loads(run.out)
    return document


def dest(findings: list[dict[str, Any]]) -> list[str]:
    return [f["message"].split("`")[1] for f in findings]


def test_path_and_selector(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(waiver(rule="{DestCidrIp: 203.0.113.7/24}"))
    document = lint(capsys)
    assert dest(document["suppressed"]) == ["203.0.113.7/24"]
    assert dest(document["findings"]) == ["198.51.100.9/24"]
    assert document["suppressed"][0]["suppressed_by"] == (
        "waiver: vendor range (VEND-12) (owner network-team, until 2099-12-31) "
        "[.egresslint-waivers.yaml:2]")


def test_path_alone_covers_the_file_and_globs_match(files: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(waiver(path="rules/*.json"))
    document = lint(capsys)
    assert document["findings"] == []
    assert len(document["suppressed"]) == 2


def test_fingerprint(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = lint(capsys)["findings"][0]
    text = waiver(fingerprint=first["fingerprint"]).replace("    path: rules/vendor.json\n", "")
    (files / ".egresslint-waivers.yaml").write_text(text)
    document = lint(capsys)
    assert [f["fingerprint"] for f in document["suppressed"]] == [first["fingerprint"]]


@pytest.mark.parametrize("fields", [
    pytest.param({"rule": "{DestCidrIp: 10.0.0.0/8}"}, id="selector-differs"),
    pytest.param({"code": "EGL101"}, id="other-check"),
    pytest.param({"path": "rules/other.json"}, id="other-file"),
])
def test_no_match(fields: dict[str, str], files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(waiver(**fields))
    assert lint(capsys)["suppressed"] == []


def test_code_by_name(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(waiver(code="destination-host-bits"))
    assert len(lint(capsys)["suppressed"]) == 2


def test_expired_waiver_is_reported_where_it_is(files: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(waiver(expires="2020-01-31"))
    document = lint(capsys)
    assert document["suppressed"] == []
    expired = [f for f in document["findings"] if f["code"] == "EGL402"]
    assert [(f["path"], f["line"], f["message"]) for f in expired] == [(
        ".egresslint-waivers.yaml", 2,
        "the waiver for EGL104 rules/vendor.json (owner network-team) expired on 2020-01-31: "
        "the 2 findings it covered are reported again")]


def test_waivers_option_and_configuration(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "security").mkdir()
    # Paths in a waiver file are relative to it.
    (files / "security" / "waivers.yaml").write_text(waiver(path="../rules/vendor.json"))
    assert lint(capsys)["suppressed"] == []
    assert len(lint(capsys, "--waivers", "security/waivers.yaml")["suppressed"]) == 2
    (files / ".egresslint.yaml").write_text("waivers: security/waivers.yaml\n")
    assert len(lint(capsys)["suppressed"]) == 2
    assert lint(capsys, "--no-config")["suppressed"] == []


def test_missing_or_invalid_waiver_file_is_a_usage_error(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "lint", "rules/vendor.json", "--waivers", "nope.yaml")
    assert run.code == 2
    assert run.err == "egresslint: error: nope.yaml:0: no such waiver file\n"
    (files / ".egresslint-waivers.yaml").write_text(waiver(owner='""'))
    run = cli(capsys, "lint", "rules/vendor.json")
    assert run.code == 2
    assert run.err == "egresslint: error: .egresslint-waivers.yaml:5: waivers.0.owner: must not " \
                      "be empty\n"


# -- egresslint waivers check ----------------------------------------------------------------

BROKEN = """\
waivers:
  - code: EGL104
    path: rules/vendor.json
    reason: vendor range
    owner: network-team
    expires: 2099-12-31
  - code: EGL104
    reason: no target
    owner: alice
    expires: 2099-12-31
  - code: EGL104
    path: rules/vendor.json
    reason: bad date
    owner: alice
    expires: 31/12/2099
  - code: EGL104
    path: rules/vendor.json
    reason: ""
    owner: alice
    expires: 2099-12-31
    ticket: SEC-1
  - code: EGL999
    path: rules/vendor.json
    reason: unknown check
    owner: alice
    expires: 2099-12-31
  - code: EGL104
    path: rules/vendor.json
    reason: old
    owner: bob
    expires: 2021-03-01
  - code: EGL104
    path: rules/gone.json
    reason: file was removed
    owner: carol
    expires: 2099-12-31
"""


def test_waivers_check_reports_every_problem_with_its_line(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(BROKEN)
    run = cli(capsys, "waivers", "check")
    assert run.code == 1
    assert run.out.splitlines() == [
        ".egresslint-waivers.yaml:7: waivers.1: name the rule with `fingerprint`, or `path` "
        "(and optionally `rule`)",
        ".egresslint-waivers.yaml:15: waivers.2.expires: '31/12/2099' is not a date: write "
        "YYYY-MM-DD",
        ".egresslint-waivers.yaml:16: waivers.3: unknown key ('ticket' was unexpected)",
        ".egresslint-waivers.yaml:18: waivers.3.reason: must not be empty",
        ".egresslint-waivers.yaml:22: `EGL999` is not a check code or name; `egresslint checks` "
        "lists them",
        ".egresslint-waivers.yaml:27: the waiver for EGL104 rules/vendor.json (owner bob) "
        "expired on 2021-03-01",
        ".egresslint-waivers.yaml: 3 waivers, 6 problems",
    ]


def test_waivers_check_with_paths_reports_unused(files: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (files / ".egresslint-waivers.yaml").write_text(BROKEN)
    run = cli(capsys, "waivers", "check", "--path", "rules")
    assert ".egresslint-waivers.yaml:32: the waiver for EGL104 rules/gone.json matches no " \
           "finding in the files checked: remove it" in run.out.splitlines()
    assert not any(line.startswith(".egresslint-waivers.yaml:2:") for line in run.out.splitlines())


def test_waivers_check_clean_file(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "w.yaml").write_text(waiver())
    run = cli(capsys, "waivers", "check", "w.yaml", "--path", "rules")
    assert (run.code, run.out) == (0, "w.yaml: 1 waiver, no problems\n")


def test_waivers_check_without_a_file(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "waivers", "check")
    assert run.code == 2
    assert "no waiver file" in run.err


def test_yaml_errors_have_a_line(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "w.yaml").write_text("waivers:\n  - code: EGL104\n    code: EGL101\n")
    run = cli(capsys, "waivers", "check", "w.yaml")
    assert run.code == 1
    assert run.out.splitlines()[0] == "w.yaml:3: `code` is set twice (first on line 2)"
