"""GitHub Actions annotations: exact workflow commands, GitHub's escaping, the default under
GitHub Actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from egresslint.finding import Finding, Severity
from egresslint.formatters.github import annotation, escape_data, escape_property
from tests.output.helpers import MISTAKES, cli


@pytest.fixture
def files(repo: Path) -> Path:
    (repo / "rules").mkdir()
    (repo / "rules" / "payments.yaml").write_text(MISTAKES, encoding="utf-8")
    (repo / "empty.yaml").write_text("rules: []\n")
    return repo


PROTOCOL = ("::error file=rules/payments.yaml,line=4,col=17,endLine=4,endColumn=20,"
            "title=EGL101 invalid-protocol::`TCP` is not a protocol (IpProtocol is "
            "case-sensitive): write \"tcp\"%0AFix: Write the protocol in lower case: tcp, udp, "
            "icmp, gre or all.")


def test_exact_lines(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "lint", "--format", "github", "rules/payments.yaml")
    assert run.code == 1
    lines = run.out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert commands[0] == PROTOCOL
    assert [c.split(" ", 1)[0] for c in commands] == ["::error"] * 4
    assert commands[1].startswith("::error file=rules/payments.yaml,line=5,col=16,endLine=5,"
                                  "endColumn=27,title=EGL102 invalid-port-range::PortRange "
                                  "`443 / 443` is not of the form start/end")
    # The summary is ordinary log output, stating what was suppressed.
    assert lines[-1].startswith("1 file, 2 rules: 4 errors, 0 warnings, 0 infos;")


def test_warnings_and_notices(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "lint", "--format", "github", "empty.yaml")
    assert run.out.splitlines()[0] == (
        "::warning file=empty.yaml,line=1,col=8,endLine=1,endColumn=10,title=EGL010 no-rules::"
        "the list of rules is empty%0AFix: Add rules, or delete the file.")
    (files / ".egresslint.yaml").write_text("checks:\n  EGL010:\n    severity: info\n")
    run = cli(capsys, "lint", "--format", "github", "empty.yaml")
    assert run.out.startswith("::notice file=empty.yaml,line=1,")


def test_escaping() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def _finding(**changes: object) -> Finding:
    values: dict[str, object] = {
        "path": "dir/a,b:c.yaml", "line": 3, "column": 5, "end_line": 3, "end_column": 9,
        "code": "EGL101", "name": "invalid-protocol", "severity": Severity.ERROR,
        "message": "100% wrong:\nsee", "rule": None}
    values.update(changes)
    return Finding(**values)  # type: ignore[arg-type]


def test_properties_and_message_are_escaped(tmp_path: Path) -> None:
    assert annotation(_finding(), tmp_path) == (
        "::error file=dir/a%2Cb%3Ac.yaml,line=3,col=5,endLine=3,endColumn=9,"
        "title=EGL101 invalid-protocol::100%25 wrong:%0Asee")


def test_columns_only_on_one_line(tmp_path: Path) -> None:
    assert annotation(_finding(end_line=5, severity=Severity.WARNING), tmp_path) == (
        "::warning file=dir/a%2Cb%3Ac.yaml,line=3,endLine=5,title=EGL101 invalid-protocol::"
        "100%25 wrong:%0Asee")


def test_default_format_under_github_actions(files: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert cli(capsys, "lint", "rules/payments.yaml").out.splitlines()[0] == PROTOCOL
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert cli(capsys, "lint", "rules/payments.yaml").out.startswith(
        "rules/payments.yaml:4:17: error EGL101")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert cli(capsys, "lint", "rules/payments.yaml").out.startswith("rules/payments.yaml:4:17:")


def test_errors_come_first(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "lint", "--format", "github", "empty.yaml", "rules/payments.yaml")
    kinds = [line.split(" ", 1)[0] for line in run.out.splitlines() if line.startswith("::")]
    assert kinds == ["::error"] * 4 + ["::warning"]


def test_summary_states_suppressions(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = files / "rules" / "payments.yaml"
    path.write_text(MISTAKES.replace(
        "IpProtocol: TCP", 'IpProtocol: TCP  # egresslint: ignore[EGL101] reason="NET-7"'))
    run = cli(capsys, "lint", "--format", "github", "rules/payments.yaml")
    assert not any("EGL101" in line for line in run.out.splitlines() if line.startswith("::"))
    assert "3 errors, 0 warnings, 0 infos, 1 suppressed (1 inline);" in run.out.splitlines()[-1]
