"""Built-in policies validate against the schema and resolve against the registry; a bad
policy is a usage error naming its file and line."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from egresslint.checks import load_registry
from egresslint.cli import main
from egresslint.policy import builtin_dir, builtin_names, load_policy, schema
from tests.analysis.rulefiles import one_rule


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_policy_validates(name: str) -> None:
    data = yaml.safe_load((builtin_dir() / f"{name}.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema("policy.schema.json")).validate(data)
    effective = load_policy(name).resolve(load_registry(plugins=False))
    assert set(effective) == {check.code for check in load_registry(plugins=False)}


def test_builtins_include_the_documented_ones() -> None:
    assert {"default", "strict", "permissive"} <= set(builtin_names())


def test_default_settings_say_why() -> None:
    text = (builtin_dir() / "default.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    risky = data["settings"]["risky_ports"]
    # Every risky port carries a comment on its line.
    for protocol in ("tcp", "udp"):
        for port in risky[protocol]:
            line = next(li for li in text.splitlines() if li.strip().startswith(f"- {port} "))
            assert "#" in line, f"{protocol} {port} has no comment"
    assert risky["tcp"] == [21, 23, 25, 110, 135, 139, 445, 1433, 1521, 2375, 3306, 3389, 5432,
                            5900, 6379, 6667, 9200, 11211, 27017]
    assert risky["udp"] == [69, 137, 138, 161, 1900, 11211]


def test_strict_tightens_default() -> None:
    registry = load_registry(plugins=False)
    default = load_policy("default").resolve(registry)
    strict = load_policy("strict")
    effective = strict.resolve(registry)
    assert strict.settings["max_public_port_span"] < load_policy("default").settings[
        "max_public_port_span"]
    for code in effective:
        assert effective[code].enabled >= default[code].enabled
        assert effective[code].severity >= default[code].severity, code
    assert effective["EGL204"].severity.label == "error"
    assert effective["EGL306"].severity.label == "warning"


def test_permissive_keeps_broken_rules_failing() -> None:
    effective = load_policy("permissive").resolve(load_registry(plugins=False))
    for code in ("EGL206", "EGL301", "EGL303", "EGL304", "EGL307"):
        assert effective[code].enabled and effective[code].severity.label == "error", code
    assert effective["EGL201"].severity.label == "warning"


@pytest.mark.parametrize(("policy", "line", "message"), [
    pytest.param("settings:\n  max_rules_per_group: 0\n", 2,
                 "settings.max_rules_per_group: 0 is less than the minimum of 1", id="limit"),
    pytest.param("settings:\n  allowed_destinations:\n    - 10.0.0.0/8\n    - 10.0.0.256/32\n",
                 4, "settings.allowed_destinations.1: '10.0.0.256/32' does not match", id="cidr"),
    pytest.param("settings:\n  risky_ports:\n    icmp: [8]\n", 3,
                 "unknown key `icmp` in settings.risky_ports", id="risky-icmp"),
    pytest.param("extends: default\nchecks:\n  broad-public-destination:\n"
                 "    severity: fatal\n", 4, "checks.broad-public-destination.severity: 'fatal' "
                 "is not one of 'error', 'warning', 'info'", id="severity"),
])
def test_bad_policy_exits_2_naming_file_and_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        policy: str, line: int, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(policy, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(one_rule(), encoding="utf-8")
    assert main(["lint", "--no-config", "--policy", "bad.yaml", "rules.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"egresslint: error: {tmp_path / 'bad.yaml'}:{line}: "), err
    assert message in err
