"""EGL307 too-many-rules: located at the first rule past the limit; live rules count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egresslint.checks import load_registry
from egresslint.engine import Engine
from egresslint.existing import load_existing
from egresslint.policy import load_policy
from tests.analysis.rulefiles import SG, group, line_of, rule
from tests.conftest import LintText, brief


@pytest.fixture
def limit_3(tmp_path: Path) -> str:
    path = tmp_path / "small.yaml"
    path.write_text("extends: default\nsettings:\n  max_rules_per_group: 3\n", encoding="utf-8")
    return str(path)


def _rules(count: int, group_id: str | None = None) -> list[str]:
    return [rule("tcp", f"{p}/{p}", group=group_id) for p in range(1, count + 1)]


def test_fires_at_the_first_rule_past_the_limit(lint_text: LintText, limit_3: str) -> None:
    findings = lint_text(group(*_rules(5)), policy=limit_3, select=("EGL307",))
    assert brief(findings) == [
        (line_of(4), 5, "EGL307", f"security group {SG} would have 5 rules (all proposed), more "
         "than the limit of 3; this is rule 4, and the API refuses rules past the limit "
         "(AuthorizationLimitExceed)")]
    assert findings[0].severity.label == "error"


def test_quiet_at_the_limit(lint_text: LintText, limit_3: str) -> None:
    assert brief(lint_text(group(*_rules(3)), policy=limit_3, select=("EGL307",))) == []


def test_groups_are_counted_apart(lint_text: LintText, limit_3: str) -> None:
    text = group(*_rules(3), *_rules(3, "sg-9z8y7x"))
    assert brief(lint_text(text, policy=limit_3, select=("EGL307",))) == []


def test_invalid_rules_count(lint_text: LintText, limit_3: str) -> None:
    text = group(*_rules(3), rule("tcp", "-1/-1"))
    assert [f.line for f in lint_text(text, policy=limit_3, select=("EGL307",))] == [line_of(4)]


def test_default_limit_is_200(lint_text: LintText) -> None:
    assert brief(lint_text(group(*_rules(200)), select=("EGL307",))) == []
    assert [f.line for f in lint_text(group(*_rules(201)), select=("EGL307",))] == [line_of(201)]


def _live(tmp_path: Path, count: int) -> str:
    path = tmp_path / "live.json"
    permissions = [{"Direction": "egress", "IpProtocol": "TCP", "PortRange": f"{p}/{p}",
                    "DestCidrIp": "172.16.0.0/12", "Policy": "Accept", "Priority": 1}
                   for p in range(1, count + 1)]
    path.write_text(json.dumps({"SecurityGroupId": SG,
                                "Permissions": {"Permission": permissions}}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(("live", "proposed", "line", "counts", "number"), [
    pytest.param(2, 2, line_of(2), "2 live and 2 proposed", 4, id="live-then-proposed"),
    pytest.param(4, 1, line_of(1), "4 live and 1 proposed", 5, id="live-alone-over"),
])
def test_live_rules_count(tmp_path: Path, limit_3: str, live: int, proposed: int, line: int,
                          counts: str, number: int) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(group(*_rules(proposed)), encoding="utf-8")
    engine = Engine(load_registry(), load_policy(limit_3), select=("EGL307",))
    result = engine.run([str(path)], existing=load_existing([_live(tmp_path, live)]))
    assert brief(result.findings) == [
        (line, 5, "EGL307", f"security group {SG} would have {live + proposed} rules ({counts}), "
         f"more than the limit of 3; this is rule {number}, and the API refuses rules past the "
         "limit (AuthorizationLimitExceed)")]
