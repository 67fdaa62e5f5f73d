"""Baselines: record today's findings, report only new ones, notice fixed ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.output.helpers import cli

RULE_A = """\
  # payments to the card processor
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
    IpProtocol: TCP
    PortRange: "443/443"
    DestCidrIp: 10.0.0.0/8
"""
RULE_B = """\
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
    IpProtocol: udp
    PortRange: "53/53"
    DestCidrIp: 10.0.0.1/8
"""
RULE_C = """\
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
    IpProtocol: tcp
    PortRange: "22/22"
    DestCidrIp: 10.1.0.0/16
"""


def write(path: Path, *rules: str) -> None:
    path.write_text("rules:\n" + "".join(rules), encoding="utf-8")


@pytest.fixture
def files(repo: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    (repo / "rules").mkdir()
    write(repo / "rules" / "app.yaml", RULE_A, RULE_B, RULE_C)
    run = cli(capsys, "baseline", "write", "baseline.json", "rules")
    assert (run.code, run.out) == (0, "wrote 2 findings to baseline.json; lint with "
                                      "`--baseline baseline.json` to report only new ones\n")
    return repo


def lint(capsys: pytest.CaptureFixture[str], *paths: str) -> tuple[int, dict[str, Any]]:
    run = cli(capsys, "lint", "-f", "json", "--baseline", "baseline.json", *(paths or ("rules",)))
    assert run.code in (0, 1), run.err
    return run.code, json.loads(run.out)


def test_baseline_file_is_sorted_and_readable(files: Path) -> None:
    text = (files / "baseline.json").read_text()
    document = json.loads(text)
    assert document["version"] == 1
    entries = document["findings"]
    assert [(e["path"], e["code"]) for e in entries] == [("rules/app.yaml", "EGL101"),
                                                         ("rules/app.yaml", "EGL104")]
    assert entries[0]["message"].startswith("`TCP` is not a protocol")
    assert all(len(e["fingerprint"]) == 32 for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    assert text.endswith("}\n")


def test_rewriting_an_unchanged_baseline_changes_nothing(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (files / "baseline.json").read_bytes()
    assert cli(capsys, "baseline", "write", "baseline.json", "./rules/").code == 0
    assert (files / "baseline.json").read_bytes() == before


def test_known_findings_pass_the_gate(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = lint(capsys)
    assert code == 0
    assert document["findings"] == []
    assert [f["suppressed_by"] for f in document["suppressed"]] == [
        "baseline: known in baseline.json"] * 2
    assert document["suppressions"]["counts"]["baseline"] == 2


def test_new_findings_are_reported(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = RULE_C.replace('"22/22"', '"22 / 22"')
    write(files / "rules" / "app.yaml", RULE_A, RULE_B, new)
    code, document = lint(capsys)
    assert code == 1
    assert [f["code"] for f in document["findings"]] == ["EGL102"]


def test_survives_reordering_and_edits_to_other_rules(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited_c = RULE_C.replace('"22/22"', '"2222/2222"').replace("10.1.0.0/16", "10.2.0.0/16")
    write(files / "rules" / "app.yaml", edited_c, "  # moved\n", RULE_B, RULE_A)
    code, document = lint(capsys)
    assert (code, document["findings"]) == (0, [])
    assert len(document["suppressed"]) == 2
    assert document["suppressions"]["baseline"] == {"file": "baseline.json", "fixed": []}


def test_the_same_file_by_another_path(files: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    assert lint(capsys, "./rules/app.yaml")[1]["findings"] == []
    (files / "ci").mkdir()
    monkeypatch.chdir(files / "ci")
    run = cli(capsys, "lint", "-f", "json", "--baseline", "../baseline.json", "../rules")
    assert (run.code, json.loads(run.out)["findings"]) == (0, [])


def test_fixed_entries_are_reported(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(files / "rules" / "app.yaml", RULE_A, RULE_C)  # rule B (host bits) is gone
    code, document = lint(capsys)
    assert code == 0
    fixed = document["suppressions"]["baseline"]["fixed"]
    assert [(e["path"], e["code"]) for e in fixed] == [("rules/app.yaml", "EGL104")]
    text = cli(capsys, "lint", "--baseline", "baseline.json", "rules").out.splitlines()
    assert "baseline: baseline.json (1 fixed since it was written)" in text
    assert any(line.startswith("  fixed: rules/app.yaml: EGL104 DestCidrIp `10.0.0.1/8`")
               for line in text)


def test_entries_of_files_not_linted_are_not_fixed(files: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (files / "other.yaml").write_text("rules:\n" + RULE_C)
    _, document = lint(capsys, "other.yaml")
    assert document["suppressions"]["baseline"]["fixed"] == []


def test_unreadable_baseline_is_a_usage_error(files: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (files / "bad.json").write_text('{"version": 1}')
    run = cli(capsys, "lint", "rules", "--baseline", "bad.json")
    assert run.code == 2
    assert "not an egresslint baseline" in run.err
    run = cli(capsys, "lint", "rules", "--baseline", "missing.json")
    assert run.code == 2
    assert "no such baseline" in run.err
