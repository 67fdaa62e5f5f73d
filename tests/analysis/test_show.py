"""`egresslint show`: rules in evaluation order, where each came from, what each does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egresslint.cli import main
from tests.analysis.rulefiles import SG, group, rule
from tests.analysis.test_existing import RESPONSE


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "live.json").write_text(RESPONSE, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(group(
        rule("tcp", "443/443", "10.1.0.0/16", priority=10),           # line 4: shadowed
        rule("tcp", "2000/3000", "10.1.0.0/16", priority=20),         # line 5: redundant
        rule("tcp", "2000/2100", "10.1.2.0/24", priority=30),         # line 6: redundant
        rule("udp", "53/53", "10.0.0.2", policy="drop", priority=1),  # line 7: a tie
        rule("tcp", "2000/3000", "10.1.0.0/16", priority=40),         # line 8: copy of 5
        rule("tcp", "-1/-1", "10.1.0.0/16"),                          # line 9: invalid
        rule("icmp", "-1/-1", "10.0.0.0/8", group="sg-9z8y7x"),       # line 10: other group
    ), encoding="utf-8")
    return tmp_path


def test_text(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--no-config", "rules.yaml", "--existing", "live.json",
                 "--group", SG]) == 0
    assert capsys.readouterr().out == f"""\
security group {SG}: 9 rules (3 live, 6 proposed); limit 200
  evaluation order: priority 1 first; at equal priority drop before accept; then live rules, then path and file order
  #1  drop tcp 1/1000 -> 0.0.0.0/0 (priority 1)  [live.json:14 (live)]
      effective
  #2  drop udp 53/53 -> 10.0.0.2 (priority 1)  [rules.yaml:7]
      effective
      findings: EGL303 error
  #3  accept all -1/-1 -> 10.0.0.0/8 (priority 1)  [live.json:33 (live)]
      partly overridden: #1, #2 drop part of its traffic first
  #4  accept udp 53/53 from port 1024/65535 -> 10.0.0.2 (priority 5)  [live.json:24 (live)]
      shadowed by #2: never takes effect
  #5  accept tcp 443/443 -> 10.1.0.0/16 (priority 10)  [rules.yaml:4]
      shadowed by #1: never takes effect
      findings: EGL304 error
  #6  accept tcp 2000/3000 -> 10.1.0.0/16 (priority 20)  [rules.yaml:5]
      redundant: #3 already decides its traffic
      findings: EGL305 warning
  #7  accept tcp 2000/2100 -> 10.1.2.0/24 (priority 30)  [rules.yaml:6]
      redundant: #3 already decides its traffic
      findings: EGL305 warning
  #8  accept tcp 2000/3000 -> 10.1.0.0/16 (priority 40)  [rules.yaml:8]
      same as #6 but for priority: decides nothing
      findings: EGL302 warning
  not analysed (a field is missing or invalid; see egresslint lint):
      accept tcp -1/-1 -> 10.1.0.0/16 (priority 1)  [rules.yaml:9]
      findings: EGL102 error

policy: default (builtin:default)
"""


def test_json(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--no-config", "rules.yaml", "--existing", "live.json",
                 "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [g["id"] for g in document["groups"]] == [SG, "sg-9z8y7x"]
    rules = document["groups"][0]["rules"]
    assert [(r["order"], r["origin"], r["line"], r["verdict"], r["decided_by"])
            for r in rules] == [
        (1, "live", 14, "effective", []),
        (2, "proposed", 7, "effective", []),
        (3, "live", 33, "partly-overridden", [1, 2]),
        (4, "live", 24, "shadowed", [2]),
        (5, "proposed", 4, "shadowed", [1]),
        (6, "proposed", 5, "redundant", [3]),
        (7, "proposed", 6, "redundant", [3]),
        (8, "proposed", 8, "duplicate", [6]),
    ]
    assert rules[4]["findings"][0]["code"] == "EGL304"
    assert [r["line"] for r in document["groups"][0]["not_analysed"]] == [9]


def test_unknown_group_is_a_usage_error(workspace: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--no-config", "rules.yaml", "--group", "sg-nothere"]) == 2
    assert "no rules for security group sg-nothere" in capsys.readouterr().err


def test_live_rules_alone(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--no-config", "--existing", "live.json"]) == 0
    assert capsys.readouterr().out.startswith(
        f"security group {SG}: 3 rules (3 live, 0 proposed); limit 200\n")
