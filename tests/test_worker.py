"""A large run loads and checks in two processes: its findings are exactly those of a run
in one process, and when the worker fails (or loads something else) the run does its part
itself."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from egresslint import worker as worker_module
from egresslint.checks import Check, CheckContext, Registry, Scope, load_registry
from egresslint.cli import main
from egresslint.engine import Engine, LintResult
from egresslint.finding import Edit, Finding, Problem, Related, RuleRef, Severity
from egresslint.loader import LoadedFile
from egresslint.policy import load_policy
from egresslint.rule import Rule
from egresslint.span import Span
from egresslint.worker import Worker, can_fork, decode, encode

ROOT = Path(__file__).resolve().parent.parent
needs_fork = pytest.mark.skipif(sys.platform in ("win32", "darwin", "cygwin"),
                                reason="the worker is used only where forking is safe")


@pytest.fixture(scope="module")
def rule_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,200 rules in 12 groups, with mistakes and overlaps for every kind of check."""
    path = tmp_path_factory.mktemp("rules") / "rules.json"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--groups", "12",
         "--rules-per-group", "100", "--overlap", "0.4", "--mistakes", "40",
         "--format", "json", "--seed", "7", "--quiet", "--out", str(path)],
        check=True)
    return path


class Spy:
    def __init__(self) -> None:
        #: What each `Worker.start` returned, and whether each result came back (not None).
        self.started: list[Worker | None] = []
        self.answered: list[bool] = []


@pytest.fixture
def always_fork(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """Workers for runs of any size, on any machine that can fork."""
    monkeypatch.setattr(worker_module, "WORKER_MIN_BYTES", 1)
    monkeypatch.setattr(worker_module, "available_cpus", lambda: 2)
    spy = Spy()
    real_start = Worker.start.__func__  # type: ignore[attr-defined]
    real_result = Worker.result

    def start(cls: type[Worker], task: object) -> Worker | None:
        found: Worker | None = real_start(cls, task)
        spy.started.append(found)
        return found

    def result(self: Worker) -> object:
        found = real_result(self)
        spy.answered.append(found is not None)
        return found

    monkeypatch.setattr(Worker, "start", classmethod(start))
    monkeypatch.setattr(Worker, "result", result)
    yield spy


def run(path: Path, jobs: int | None, registry: Registry | None = None) -> LintResult:
    engine = Engine(registry or load_registry(plugins=False), load_policy("default"), jobs=jobs)
    return engine.run([str(path)])


@needs_fork
def test_worker_findings_are_those_of_one_process(
        rule_file: Path, always_fork: Spy) -> None:
    alone = run(rule_file, jobs=1)
    assert always_fork.started == []
    shared = run(rule_file, jobs=None)
    assert always_fork.answered == [True]
    assert shared.findings == alone.findings
    codes = {f.code for f in alone.findings}
    # Both halves had something to say: rule checks (EGL1xx, EGL2xx) and group checks.
    assert codes & {"EGL101", "EGL102", "EGL103", "EGL104", "EGL105", "EGL106"}
    assert codes & {"EGL202", "EGL203", "EGL204"}
    assert codes >= {"EGL301", "EGL303", "EGL304", "EGL305"}
    assert [f.fingerprint for f in shared.findings] == [f.fingerprint for f in alone.findings]


@needs_fork
def test_the_worker_loads_the_bytes_this_process_read(
        rule_file: Path, always_fork: Spy) -> None:
    # No file on disk: both processes load what was read once, before the fork.
    data = rule_file.read_bytes()
    engine = Engine(load_registry(plugins=False), load_policy("default"), jobs=1)
    alone = engine.run_read([("rules.json", data)])
    read: list[tuple[str, bytes | LoadedFile]] = [("rules.json", data)]
    shared = Engine(load_registry(plugins=False), load_policy("default")).run_read(read)
    assert read == [("rules.json", b"")]  # consumed
    assert always_fork.answered == [True]
    assert shared.findings == alone.findings and alone.findings


@needs_fork
def test_an_answer_about_another_load_is_not_used(
        rule_file: Path, always_fork: Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = run(rule_file, jobs=1)

    def elsewhere(self: Engine, files: object, existing: object) -> object:
        return (0, 0, 0), [[], *([[]] * 7)]  # as if it had loaded no rules

    monkeypatch.setattr(Engine, "_worker_part", elsewhere)
    shared = run(rule_file, jobs=None)
    assert always_fork.answered == [True]
    assert shared.findings == alone.findings


@needs_fork
def test_standard_input_is_read_once_for_both_processes(
        rule_file: Path, always_fork: Spy, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def findings(argv: list[str]) -> list[tuple[int, int, str, str]]:
        main(["lint", "--no-config", "--format", "json", *argv])
        report = json.loads(capsys.readouterr().out)
        return [(f["line"], f["column"], f["code"], f["message"]) for f in report["findings"]]

    alone = findings(["--jobs", "1", str(rule_file)])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(rule_file.read_bytes())))
    assert findings(["-"]) == alone and alone
    assert always_fork.answered == [True]


class _Odd(str):
    """A message type `marshal` refuses, as a plugin might produce."""


def _odd_check(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    if rule.text("IpProtocol") != "udp":
        return ()
    return (Problem(_Odd("udp rule seen"), None, key="udp"),)


def _raising_check(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    raise RuntimeError("the check broke")


def _noisy_check(rule: Rule, ctx: CheckContext) -> tuple[Problem, ...]:
    if rule.index == 0:
        print("looked at the first rule", end="")  # no line end: stays in the buffer
    return ()


def _registry_with(fn: object) -> Registry:
    extra = Check(code="ACME001", name="acme-check", severity=Severity.WARNING,
                  scope=Scope.RULE, check_rule=fn,  # type: ignore[arg-type]
                  summary="s", rationale="r", fix="f", bad_example="", good_example="")
    return Registry((*load_registry(plugins=False).checks, extra))


@needs_fork
def test_a_worker_that_fails_leaves_its_part_to_the_run(
        rule_file: Path, always_fork: Spy) -> None:
    registry = _registry_with(_odd_check)
    alone = run(rule_file, jobs=1, registry=registry)
    shared = run(rule_file, jobs=None, registry=registry)
    assert always_fork.answered == [False]
    assert shared.findings == alone.findings
    odd = [f for f in shared.findings if f.code == "ACME001"]
    assert odd and all(f.message == "udp rule seen" for f in odd)


@needs_fork
def test_what_a_check_prints_in_the_worker_is_printed_once(rule_file: Path) -> None:
    # In a process of its own, so that standard output is a pipe and buffered, as in CI.
    script = (
        "from egresslint import worker\n"
        "worker.WORKER_MIN_BYTES = 1\n"
        "worker.available_cpus = lambda: 2\n"
        "from egresslint.engine import Engine\n"
        "from egresslint.policy import load_policy\n"
        "from tests.test_worker import _noisy_check, _registry_with\n"
        "engine = Engine(_registry_with(_noisy_check), load_policy('default'))\n"
        f"assert engine.run([{str(rule_file)!r}]).findings\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("looked at the first rule") == 1


@needs_fork
def test_an_exception_in_a_check_is_raised_as_without_a_worker(
        rule_file: Path, always_fork: Spy) -> None:
    registry = _registry_with(_raising_check)
    with pytest.raises(RuntimeError, match="the check broke"):
        run(rule_file, jobs=None, registry=registry)
    assert always_fork.answered == [False]
    (started,) = always_fork.started
    assert started is not None and started._pid is None  # reaped


def test_no_worker_when_one_job_small_runs_or_other_threads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "available_cpus", lambda: 2)
    big = worker_module.WORKER_MIN_BYTES
    assert not can_fork(1, big)
    assert not can_fork(None, big - 1)
    if sys.platform not in ("win32", "darwin", "cygwin"):
        assert can_fork(None, big)
        assert can_fork(2, big)
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        try:
            assert not can_fork(None, big)
        finally:
            release.set()
            other.join()
    monkeypatch.setattr(worker_module, "available_cpus", lambda: 1)
    assert not can_fork(None, big)


def test_findings_cross_the_pipe_unchanged() -> None:
    findings = [
        Finding("a.yaml", 3, 5, 3, 9, "EGL102", "invalid-port-range", Severity.ERROR,
                "PortRange `200/1` starts after it ends", RuleRef(0, "sg-1", 2),
                (Related("a.yaml", 2, 3, "the rule"),), "f" * 32, "write start/end",
                (Edit(Span(3, 5, 3, 9), '"1/200"', True, "swap"),)),
        Finding("b.json", 1, 1, 1, 2, "EGL010", "no-rules", Severity.WARNING, "no rules",
                None),
    ]
    assert decode(encode((3, 2, 1), [findings, []])) == ((3, 2, 1), [findings, []])
    assert decode(encode((), [findings]))[1][0][0].severity is Severity.ERROR


def test_jobs_must_be_positive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "r.yaml").write_text('rules:\n  - SecurityGroupId: sg-1\n    IpProtocol: tcp\n'
                                     '    PortRange: "443/443"\n    DestCidrIp: 10.0.0.0/8\n')
    assert main(["lint", "r.yaml", "--jobs", "1"]) == 0
    assert main(["lint", "r.yaml", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err
