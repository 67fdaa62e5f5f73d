"""Repository configuration: found, applied, and always declared in the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egresslint.cli import main

BAD_PRIORITY = ('SecurityGroupId: sg-1a2b\nIpProtocol: tcp\nPortRange: "443/443"\n'
                "DestCidrIp: 10.0.0.0/8\nPriority: 0\n")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.yaml").write_text(BAD_PRIORITY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint_json(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    import io
    from contextlib import redirect_stdout

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(["lint", "--format", "json", *args])
    return code, json.loads(buffer.getvalue())


def test_configuration_changes_are_listed(repo: Path) -> None:
    (repo / ".egresslint.yaml").write_text(
        "paths: [rules]\nchecks:\n  EGL106: {severity: warning}\nsettings:\n"
        "  max_rules_per_group: 300\nfail_on: warning\n")
    code, doc = lint_json()
    assert code == 1  # fail_on warning from the configuration
    assert doc["policy"]["configuration"] == str(repo / ".egresslint.yaml")
    assert doc["policy"]["changes"] == ["settings.max_rules_per_group: 200 -> 300",
                                        "EGL106: severity -> warning", "fail_on: error -> warning"]
    assert [f["severity"] for f in doc["findings"]] == ["warning"]


def test_text_output_names_the_weakened_gate(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".egresslint.yaml").write_text("checks:\n  invalid-priority: {enabled: false}\n")
    assert main(["lint", "rules"]) == 0
    out = capsys.readouterr().out
    assert f"configuration {repo / '.egresslint.yaml'} changes the policy:\n" \
           "  - invalid-priority: disabled\n" in out


def test_no_config_ignores_the_repository(repo: Path) -> None:
    (repo / ".egresslint.yaml").write_text("checks:\n  EGL106: {enabled: false}\n")
    assert lint_json("rules")[0] == 0
    code, doc = lint_json("rules", "--policy", "default", "--no-config")
    assert code == 1
    assert doc["policy"]["configuration"] is None
    assert doc["policy"]["changes"] == []


def test_configuration_is_found_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".egresslint.yaml").write_text("checks:\n  EGL106: {enabled: false}\n")
    monkeypatch.chdir(repo / "rules")
    assert lint_json("a.yaml")[0] == 0


def test_pyproject_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.egresslint]\n'
                                         'fail-on = "info"\npaths = ["rules"]\n')
    code, doc = lint_json()
    assert code == 1
    assert doc["policy"]["changes"] == ["fail_on: error -> info"]


def test_policy_file_with_extends(repo: Path) -> None:
    (repo / "policy.yaml").write_text("name: team\nextends: default\nchecks:\n"
                                      "  EGL106: {severity: info}\n")
    code, doc = lint_json("rules", "--policy", "./policy.yaml")
    assert code == 0
    assert doc["policy"]["name"] == "team"
    assert [f["severity"] for f in doc["findings"]] == ["info"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param(".egresslint.yaml", "fail_on: sometimes\n",
                     ".egresslint.yaml:1: fail_on: 'sometimes' is not one of 'error', 'warning', "
                     "'info'", id="bad-enum"),
        pytest.param(".egresslint.yaml", "paths: [rules]\nplugins: [evil]\n",
                     ".egresslint.yaml:2: unknown key `plugins`; allowed: checks, exclude, fail_on, "
                     "paths, policy, settings",
                     id="no-plugins-from-config"),
        pytest.param(".egresslint.yaml", "checks:\n  EGL106: {severity: loud}\n",
                     ".egresslint.yaml:2: checks.EGL106.severity: 'loud' is not one of",
                     id="bad-severity"),
        pytest.param(".egresslint.yaml", "checks: {EGL106: {}}\nchecks: {}\n",
                     ".egresslint.yaml:2: `checks` is set twice (first on line 1)",
                     id="duplicate-key"),
        pytest.param(".egresslint.yaml", "policy: nonesuch\n",
                     "nonesuch:0: no built-in policy 'nonesuch'", id="unknown-policy"),
    ],
)
def test_bad_configuration_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str],
                                             name: str, text: str, message: str) -> None:
    (repo / name).write_text(text)
    assert main(["lint", "rules"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("egresslint: error: ")
    assert message in err, err


def test_policy_naming_an_unknown_check(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "p.yaml").write_text("extends: default\nchecks:\n  EGL777: {enabled: false}\n")
    assert main(["lint", "rules", "--policy", "./p.yaml"]) == 2
    assert "policy names unknown check 'EGL777'" in capsys.readouterr().err


def test_extends_loop(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.yaml").write_text("extends: ./b.yaml\n")
    (repo / "b.yaml").write_text("extends: ./a.yaml\n")
    assert main(["lint", "rules", "--policy", "./a.yaml"]) == 2
    assert "`extends` forms a loop" in capsys.readouterr().err
