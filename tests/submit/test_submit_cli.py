"""`egresslint submit` end to end: the real CLI, the real SDK, the emulator on 127.0.0.1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from egresslint.cli import main
from tests.ens_emulator import EnsEmulator
from tests.submit.plans import GROUP_A, GROUP_B

pytest.importorskip("alibabacloud_ens20171110")

RULES = f"""defaults:
  SecurityGroupId: {GROUP_A}
rules:
  - IpProtocol: tcp
    PortRange: "443/443"
    DestCidrIp: 10.20.0.0/16
    Priority: 10
  - IpProtocol: udp
    PortRange: "53/53"
    DestCidrIp: 10.20.0.2
    Priority: 10
  - IpProtocol: tcp
    PortRange: "8080/80"
    DestCidrIp: 10.30.0.0/16
    Priority: 10
  - SecurityGroupId: {GROUP_B}
    IpProtocol: tcp
    PortRange: "5432/5432"
    DestCidrIp: 10.40.0.0/24
    Priority: 20
"""
GOOD_ONLY = RULES.split("  - IpProtocol: tcp\n    PortRange: \"8080/80\"")[0]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, credentials: None) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "egress.yaml").write_text(RULES)
    (tmp_path / "good.yaml").write_text(GOOD_ONLY)
    return tmp_path


def submit(emulator: EnsEmulator, *args: str) -> int:
    return main(["submit", "--endpoint", emulator.url, *args])


def test_only_rules_that_passed_are_sent(workdir: Path, emulator: EnsEmulator,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert submit(emulator, "egress.yaml", "--yes") == 1  # one rule skipped by lint
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith(f"egress.yaml:4: {GROUP_A}: accept tcp 443/443")
    assert "submitted (request id" in lines[0]
    assert lines[2].startswith(f"egress.yaml:12: {GROUP_A}: ")
    assert "skipped by lint" in lines[2] and "EGL102" in lines[2]
    assert lines[-1] == "submit: 3 submitted, 1 skipped by lint"
    sent = [c.params["PortRange"] for c in emulator.calls("AuthorizeSecurityGroupEgress")]
    assert sent == ["443/443", "53/53", "5432/5432"]
    assert emulator.rule_count(GROUP_A) == 2 and emulator.rule_count(GROUP_B) == 1


def test_all_passing_exits_0_and_a_rerun_sends_nothing_new(
        workdir: Path, emulator: EnsEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert submit(emulator, "good.yaml", "--yes") == 0
    capsys.readouterr()
    assert submit(emulator, "good.yaml", "--yes", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert [o["status"] for o in doc["outcomes"]] == ["already present", "already present"]
    assert emulator.rule_count(GROUP_A) == 2


def test_dry_run_changes_nothing(workdir: Path, emulator: EnsEmulator,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert submit(emulator, "egress.yaml", "--dry-run") == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "dry run (nothing changed): 1 skipped by lint, 3 would submit"
    assert emulator.state_changes() == []
    assert {c.action for c in emulator.requests} <= {"DescribeSecurityGroupAttribute"}


def test_all_or_nothing(workdir: Path, emulator: EnsEmulator,
                        capsys: pytest.CaptureFixture[str]) -> None:
    assert submit(emulator, "egress.yaml", "--yes", "--all-or-nothing") == 1
    assert emulator.calls("AuthorizeSecurityGroupEgress") == []
    assert "not attempted" in capsys.readouterr().out


def test_no_terminal_and_no_yes_refuses(workdir: Path, emulator: EnsEmulator,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert submit(emulator, "good.yaml") == 2
    assert "refusing to submit without --yes" in capsys.readouterr().err
    assert emulator.requests == []


def test_journal_resume_skips_what_is_done(workdir: Path, emulator: EnsEmulator,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    journal = workdir / "run.jsonl"
    assert submit(emulator, "good.yaml", "--yes", "--journal", str(journal),
                  "--no-fetch-existing") == 0
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    assert sum(1 for e in entries if e.get("status") == "submitted") == 2
    emulator.clear_requests()
    assert submit(emulator, "good.yaml", "--yes", "--journal", str(journal),
                  "--no-fetch-existing") == 0
    assert emulator.calls("AuthorizeSecurityGroupEgress") == []


def test_unknown_group_stops_that_group_only(workdir: Path, emulator: EnsEmulator,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "x.yaml").write_text(RULES.replace(GROUP_B, "sg-nowhere1").replace(
        '"8080/80"', '"80/8080"'))
    assert submit(emulator, "x.yaml", "--yes") == 1
    out = capsys.readouterr().out
    assert "InvalidSecurityGroupId.NotFound" in out
    assert emulator.rule_count(GROUP_A) == 3


def test_missing_sdk_is_one_line(workdir: Path, emulator: EnsEmulator,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "alibabacloud_ens20171110", None)
    assert submit(emulator, "good.yaml", "--yes") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'egresslint[submit]'" in err


def test_bad_credentials_exit_2_and_never_print_the_secret(
        workdir: Path, emulator: EnsEmulator, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    canary = "CANARY-secret-0123456789abcdef"
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", canary)
    assert submit(emulator, "good.yaml", "--yes", "--no-fetch-existing") == 2
    captured = capsys.readouterr()
    assert "SignatureDoesNotMatch" in captured.out
    assert canary not in captured.out + captured.err


def test_lint_never_imports_the_submit_stage(workdir: Path) -> None:
    import subprocess

    code = ("import sys; from egresslint.cli import main; main(['lint', 'egress.yaml']); "
            "print(sorted(m for m in sys.modules if m.startswith(('egresslint.submit', "
            "'alibabacloud', 'Tea', 'darabonba'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60, cwd=workdir)
    assert result.stdout.strip().splitlines()[-1] == "[]"


FIELD_VALUES = {
    "IpProtocol": ["tcp", "udp", "TCP", "icmp", "sctp"],
    "PortRange": ['"443/443"', '"80/8080"', '"8080/80"', '"-1/-1"', "22:22", '"0/5"'],
    "DestCidrIp": ["10.20.0.0/16", "10.20.0.1/16", '"10.1"', "0.0.0.0/0", "192.168.1.7"],
    "Policy": ["accept", "drop", "Accept", "no"],
    "Priority": ["1", "10", "0", '"5"', "101"],
}


def test_property_the_api_never_receives_a_rule_that_failed_lint(
        workdir: Path, credentials: None) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from egresslint.checks import load_registry
    from egresslint.engine import Engine
    from egresslint.policy import load_policy
    from egresslint.rule import API_FIELDS
    from tests.ens_emulator import running_emulator

    rule = st.fixed_dictionaries({name: st.sampled_from(values)
                                  for name, values in FIELD_VALUES.items()})

    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(rule, min_size=1, max_size=6))
    def check(rules: list[dict[str, str]]) -> None:
        text = f"defaults:\n  SecurityGroupId: {GROUP_A}\nrules:\n" + "".join(
            "  - " + "\n    ".join(f"{k}: {v}" for k, v in r.items()) + "\n" for r in rules)
        path = workdir / "generated.yaml"
        path.write_text(text)
        result = Engine(load_registry(), load_policy("default")).run([str(path)])
        failed_lines = {f.rule.line for f in result.findings
                        if f.rule is not None and f.severity.label == "error"}
        passed = [r for r in result.rules if r.span.line not in failed_lines]
        with running_emulator(groups=[GROUP_A]) as emulator:
            main(["submit", "--endpoint", emulator.url, "--yes", str(path)])
            sent = [c.params for c in emulator.calls("AuthorizeSecurityGroupEgress")]
        allowed = [{k: str(v) for k, v in r.api_parameters().items()} for r in passed]
        for params in sent:
            sent_rule = {k: str(v) for k, v in params.items() if k in API_FIELDS}
            assert sent_rule in allowed, f"sent a rule that failed lint: {params}"
        assert len(sent) <= len(passed)

    check()


def test_terminal_confirmation_and_progress(workdir: Path, emulator: EnsEmulator) -> None:
    import io

    from egresslint.submit.command import PROGRESS_THRESHOLD, SubmitRequest, run_submit

    many = "rules:\n" + "".join(
        f"  - {{SecurityGroupId: {GROUP_A}, IpProtocol: tcp, PortRange: \"{p}/{p}\", "
        f"DestCidrIp: 10.50.0.0/16, Priority: 10}}\n" for p in range(1000, 1000 + PROGRESS_THRESHOLD))
    (workdir / "many.yaml").write_text(many)
    questions: list[str] = []

    def refuse(question: str) -> bool:
        questions.append(question)
        return False

    output, code = run_submit(SubmitRequest(paths=["many.yaml"], endpoint=emulator.url,
                                            confirm=refuse))
    assert (output, code) == ("nothing sent\n", 1)
    assert questions == [f"{PROGRESS_THRESHOLD} of {PROGRESS_THRESHOLD} rules passed lint and "
                         f"would be sent to {emulator.url}. Submit them?"]
    assert emulator.state_changes() == []

    progress = io.StringIO()
    output, code = run_submit(SubmitRequest(paths=["many.yaml"], endpoint=emulator.url,
                                            confirm=lambda _: True, progress_stream=progress))
    assert code == 0
    assert progress.getvalue().endswith(
        f"\r[{'#' * 30}] {PROGRESS_THRESHOLD}/{PROGRESS_THRESHOLD} rules\n")
    assert emulator.rule_count(GROUP_A) == PROGRESS_THRESHOLD
