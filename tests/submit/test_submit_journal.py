"""The journal, and runs that die halfway and are resumed from it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from egresslint.submit import (
    EgressApi,
    Journal,
    PlannedRule,
    Status,
    rule_key,
    submit_rules,
)
from egresslint.submit.plan import ParamValue
from tests.ens_emulator import AUTHORIZE_EGRESS, EnsEmulator
from tests.submit.plans import GROUP_A, GROUP_B, ClientFactory, planned

pytest.importorskip("alibabacloud_ens20171110")

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).resolve().parent / "submit_worker.py"


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_journal_records_attempt_then_outcome(
    tmp_path: Path, emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    client = make_client()
    path = tmp_path / "run.jsonl"
    rules = [planned(GROUP_A, 1), planned(GROUP_A, 2, blocking=("EGR001",))]
    with Journal(path, client.endpoint) as journal:
        submit_rules(rules, client, journal=journal)
    entries = _lines(path)
    assert [(e["event"], e.get("status")) for e in entries] == [
        ("attempt", None),
        ("outcome", "submitted"),
        ("outcome", "skipped by lint"),
    ]
    assert (
        entries[0]["key"] == rule_key(rules[0].params) == f"{GROUP_A}|tcp|1/1||10.0.0.0/8|accept|10"
    )
    assert entries[1]["request_id"] == emulator.calls(AUTHORIZE_EGRESS)[0].request_id
    assert {e["endpoint"] for e in entries} == {client.endpoint}
    assert Journal(path, client.endpoint).state().done == {rule_key(rules[0].params)}


def test_rerun_skips_what_is_done(
    tmp_path: Path, emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    client = make_client()
    path = tmp_path / "run.jsonl"
    first = [planned(GROUP_A, 1), planned(GROUP_A, 2)]
    with Journal(path, client.endpoint) as journal:
        submit_rules(first, client, journal=journal)
    emulator.clear_requests()
    with Journal(path, client.endpoint) as journal:
        report = submit_rules([*first, planned(GROUP_A, 3)], client, journal=journal)
    assert [o.status for o in report.outcomes] == [
        Status.ALREADY_PRESENT,
        Status.ALREADY_PRESENT,
        Status.SUBMITTED,
    ]
    assert "journal" in (report.outcomes[0].message or "")
    assert [c.params["PortRange"] for c in emulator.calls(AUTHORIZE_EGRESS)] == ["3/3"]


def test_journal_of_another_endpoint_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    rule = planned(GROUP_A, 1)
    with Journal(path, "http://127.0.0.1:1") as journal:
        journal.record_attempt(rule)
        journal.record_outcome(rule, "submitted", request_id="r1")
    assert Journal(path, "http://127.0.0.1:1").state().done == {rule_key(rule.params)}
    assert Journal(path, "https://ens.aliyuncs.com").state().done == frozenset()


def test_line_cut_short_by_a_kill_is_skipped_and_closed(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    one, two = planned(GROUP_A, 1), planned(GROUP_A, 2)
    with Journal(path, "e") as journal:
        journal.record_attempt(one)
        journal.record_outcome(one, "submitted")
        journal.record_attempt(two)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"v": 1, "event": "outcome", "key": "')  # the kill came mid-write
    state = Journal(path, "e").state()
    assert state.done == {rule_key(one.params)}
    assert state.interrupted == {rule_key(two.params)}
    with Journal(path, "e") as journal:
        journal.record_outcome(two, "already present")
    assert Journal(path, "e").state().done == {rule_key(one.params), rule_key(two.params)}


def test_rule_key_reads_values_the_way_the_api_does() -> None:
    written: dict[str, ParamValue] = {"SecurityGroupId": "sg-1", "IpProtocol": "tcp"}
    written |= {"PortRange": "1/2", "DestCidrIp": "192.0.2.1"}
    described = dict(written, IpProtocol="TCP", DestCidrIp="192.0.2.1/32")
    described |= {"Policy": "Accept", "Priority": 1}
    assert rule_key(written) == rule_key(described)
    assert rule_key(written) != rule_key(dict(written, Priority="2"))


# -- runs that die -------------------------------------------------------------------------


class _Crash(BaseException):
    """Stands in for the process dying: nothing in the run may catch it."""


class _CrashAfter:
    """A client that dies right after its Nth rule was created, before the run hears back."""

    def __init__(self, inner: EgressApi, calls: int) -> None:
        self._inner = inner
        self._left = calls

    @property
    def endpoint(self) -> str:
        return self._inner.endpoint

    def authorize_egress(self, params: Mapping[str, ParamValue]) -> str:
        request_id = self._inner.authorize_egress(params)
        self._left -= 1
        if self._left == 0:
            raise _Crash
        return request_id

    def describe_egress(self, group_id: str) -> list[dict[str, ParamValue]]:
        return self._inner.describe_egress(group_id)


def _assert_each_passing_rule_present_once(emulator: EnsEmulator, rules: list[PlannedRule]) -> None:
    for rule in rules:
        count = emulator.rule_count(
            rule.security_group_id,
            PortRange=str(rule.params["PortRange"]),
            IpProtocol=str(rule.params["IpProtocol"]),
        )
        assert count == (0 if rule.blocking else 1), rule.location


def test_crash_after_a_call_then_resume(
    tmp_path: Path, emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    client = make_client()
    path = tmp_path / "run.jsonl"
    rules = [planned(GROUP_A if p % 2 else GROUP_B, p) for p in range(1, 7)]
    rules.insert(2, planned(GROUP_A, 99, blocking=("EGR003",)))
    with pytest.raises(_Crash), Journal(path, client.endpoint) as journal:
        submit_rules(rules, _CrashAfter(client, 3), journal=journal)
    state = Journal(path, client.endpoint).state()
    assert len(state.done) == 2
    assert state.interrupted == {rule_key(rules[3].params)}  # created, outcome never written

    emulator.clear_requests()
    with Journal(path, client.endpoint) as journal:
        report = submit_rules(rules, client, journal=journal)
    statuses = [o.status.value for o in report.outcomes]
    assert statuses == [
        "already present",  # journal
        "already present",  # journal
        "skipped by lint",
        "already present",  # resubmitted: Duplicated
        "submitted",
        "submitted",
        "submitted",
    ]
    assert report.outcomes[3].code == "SecurityGroupRuleConflict.Duplicated"
    assert len(emulator.calls(AUTHORIZE_EGRESS)) == 4
    _assert_each_passing_rule_present_once(emulator, rules)


def test_sigkilled_run_resumes_without_duplicates(
    tmp_path: Path, emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    rules = [planned(GROUP_A, p) for p in range(1, 9)]
    rules.append(planned(GROUP_B, 7, blocking=("EGR001",)))
    journal_path = tmp_path / "run.jsonl"
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "url": emulator.url,
                "journal": str(journal_path),
                "rules": [
                    {
                        "path": r.path,
                        "line": r.line,
                        "group": r.security_group_id,
                        "params": dict(r.params),
                        "blocking": list(r.blocking),
                    }
                    for r in rules
                ],
            }
        ),
        encoding="utf-8",
    )
    # Every call takes effect at once but is answered late: killed while the fourth call
    # waits for its answer, the worker has created that rule without writing its outcome.
    emulator.slow(100, delay=0.3, action=AUTHORIZE_EGRESS)
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), *sys.path]))
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(spec)],
        cwd=REPO_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and worker.poll() is None:
            if len(emulator.calls(AUTHORIZE_EGRESS)) >= 4:
                break
            time.sleep(0.005)
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=10)
        if worker.stderr is not None:
            worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL
    emulator.clear_faults()

    client = make_client()
    state = Journal(journal_path, client.endpoint).state()
    assert state.done == {rule_key(r.params) for r in rules[:3]}
    assert state.interrupted == {rule_key(rules[3].params)}
    with Journal(journal_path, client.endpoint) as journal:
        report = submit_rules(rules, client, journal=journal)
    assert report.ok is False  # the blocked rule
    assert report.count(Status.SKIPPED_BY_LINT) == 1
    assert report.count(Status.SUBMITTED) + report.count(Status.ALREADY_PRESENT) == 8
    assert [o.status.value for o in report.outcomes[:5]] == [
        "already present",  # journal
        "already present",  # journal
        "already present",  # journal
        "already present",  # the interrupted call had created it: Duplicated
        "submitted",
    ]
    _assert_each_passing_rule_present_once(emulator, rules)
    created = [c for c in emulator.state_changes() if c.action == AUTHORIZE_EGRESS]
    assert len(created) == 8
