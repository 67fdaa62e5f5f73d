"""Running a plan against the emulator: outcomes, stops, lint gating, dry runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egresslint.submit import (
    ClientSettings,
    PlannedRule,
    RetryPolicy,
    Status,
    build_client,
    rule_key,
    submit_rules,
)
from egresslint.submit.client import CredentialSource
from tests.ens_emulator import (
    AUTHORIZE_EGRESS,
    DESCRIBE_ATTRIBUTE,
    TEST_ACCESS_KEY_ID,
    TEST_ACCESS_KEY_SECRET,
    EnsEmulator,
    running_emulator,
)
from tests.submit.plans import GROUP_A, GROUP_B, ClientFactory, planned

pytest.importorskip("alibabacloud_ens20171110")


def statuses(report_outcomes: tuple[object, ...]) -> list[str]:
    return [o.status.value for o in report_outcomes]  # type: ignore[attr-defined]


def test_rules_are_submitted_in_order(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    rules = [planned(GROUP_A, 443), planned(GROUP_B, 80), planned(GROUP_A, 53, IpProtocol="udp")]
    report = submit_rules(rules, make_client())
    assert statuses(report.outcomes) == ["submitted"] * 3
    assert report.ok and report.stopped is None
    calls = emulator.calls(AUTHORIZE_EGRESS)
    assert [o.request_id for o in report.outcomes] == [c.request_id for c in calls]
    assert [c.params["PortRange"] for c in calls] == ["443/443", "80/80", "53/53"]
    assert calls[2].params["Priority"] == "10"
    line = report.outcomes[0].line()
    assert line.startswith(f"rules/egress.yaml:443: {GROUP_A}: accept tcp 443/443 to 10.0.0.0/8")
    assert line.endswith(f": submitted (request id {calls[0].request_id})")


def test_duplicate_is_already_present(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    emulator.add_rule(
        GROUP_A,
        IpProtocol="tcp",
        PortRange="443/443",
        DestCidrIp="10.0.0.0/8",
        Priority=10,
    )
    report = submit_rules([planned(GROUP_A, 443), planned(GROUP_A, 80)], make_client())
    first, second = report.outcomes
    assert first.status is Status.ALREADY_PRESENT
    assert first.code == "SecurityGroupRuleConflict.Duplicated"
    assert first.request_id == emulator.calls(AUTHORIZE_EGRESS)[0].request_id
    assert second.status is Status.SUBMITTED
    assert report.ok
    assert emulator.rule_count(GROUP_A, PortRange="443/443") == 1


def test_same_rule_twice_in_a_plan_is_sent_once(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    rules = [planned(GROUP_A, 443, line=3), planned(GROUP_A, 443, line=9, DestCidrIp="10.0.0.0/8")]
    report = submit_rules(rules, make_client())
    assert statuses(report.outcomes) == ["submitted", "already present"]
    assert report.outcomes[1].message == "same rule as rules/egress.yaml:3, already in place"
    assert len(emulator.calls(AUTHORIZE_EGRESS)) == 1


def test_unknown_group_stops_that_group(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    rules = [
        planned("sg-gone", 1),
        planned(GROUP_A, 2),
        planned("sg-gone", 3),
        planned(GROUP_A, 4),
    ]
    report = submit_rules(rules, make_client())
    assert statuses(report.outcomes) == ["rejected", "submitted", "not attempted", "submitted"]
    rejected, _, skipped, _ = report.outcomes
    assert rejected.code == skipped.code == "InvalidSecurityGroupId.NotFound"
    assert rejected.message == "The specified SecurityGroupId does not exist."
    assert rejected.request_id
    assert "rules/egress.yaml:1" in (skipped.message or "")
    assert report.stopped is None
    sent = [c.params["SecurityGroupId"] for c in emulator.calls(AUTHORIZE_EGRESS)]
    assert sent == ["sg-gone", GROUP_A, GROUP_A]


def test_full_group_stops_that_group(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    emulator.set_rule_limit(GROUP_A, 1)
    rules = [planned(GROUP_A, 1), planned(GROUP_A, 2), planned(GROUP_B, 3), planned(GROUP_A, 4)]
    report = submit_rules(rules, make_client())
    assert statuses(report.outcomes) == ["submitted", "rejected", "submitted", "not attempted"]
    assert report.outcomes[1].code == "AuthorizationLimitExceed"
    assert report.outcomes[3].code == "AuthorizationLimitExceed"
    assert len(emulator.calls(AUTHORIZE_EGRESS)) == 3


def test_no_permission_stops_everything(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    rules = [planned(GROUP_A, 1), planned(GROUP_B, 2), planned(GROUP_A, 3)]
    emulator.deny(action=AUTHORIZE_EGRESS)
    report = submit_rules(rules, make_client())
    assert statuses(report.outcomes) == ["rejected", "not attempted", "not attempted"]
    assert report.stopped is not None
    assert (report.stopped.code, report.stopped.location) == ("NoPermission", "rules/egress.yaml:1")
    assert len(emulator.calls(AUTHORIZE_EGRESS)) == 1
    assert not report.ok


def test_wrong_credentials_stop_everything(
    emulator: EnsEmulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tUnknownKey")
    report = submit_rules([planned(GROUP_A, 1), planned(GROUP_A, 2)], make_client())
    assert statuses(report.outcomes) == ["rejected", "not attempted"]
    assert report.outcomes[0].code == "InvalidAccessKeyId.NotFound"
    assert emulator.state_changes() == []


def test_service_still_failing_after_retries_stops_the_run(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.fail_server(100)
    report = submit_rules([planned(GROUP_A, 1), planned(GROUP_A, 2)], make_client(max_attempts=2))
    assert statuses(report.outcomes) == ["rejected", "not attempted"]
    assert report.outcomes[0].code == "InternalError"
    assert "rerun" in (report.outcomes[0].message or "")
    assert len(emulator.calls()) == 2


def test_lost_answer_then_duplicate_is_already_present(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.slow(1, delay=1.5, action=AUTHORIZE_EGRESS)  # applied, answer too late
    report = submit_rules([planned(GROUP_A, 443)], make_client(read_timeout=0.5))
    outcome = report.outcomes[0]
    assert outcome.status is Status.ALREADY_PRESENT
    assert "earlier attempt" in (outcome.message or "")
    assert emulator.rule_count(GROUP_A) == 1


def test_blocked_rules_are_never_sent(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    rules = [
        planned(GROUP_A, 1),
        planned(GROUP_A, 2, blocking=("EGR001", "EGR004: priority out of range")),
        planned(GROUP_A, 3),
    ]
    report = submit_rules(rules, make_client())
    assert statuses(report.outcomes) == ["submitted", "skipped by lint", "submitted"]
    assert report.outcomes[1].message == "EGR001; EGR004: priority out of range"
    assert [c.params["PortRange"] for c in emulator.calls(AUTHORIZE_EGRESS)] == ["1/1", "3/3"]


def test_all_or_nothing_sends_nothing_when_one_is_blocked(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    rules = [planned(GROUP_A, 1), planned(GROUP_A, 2, blocking=("EGR001",))]
    report = submit_rules(rules, make_client(), all_or_nothing=True)
    assert statuses(report.outcomes) == ["not attempted", "skipped by lint"]
    assert "all-or-nothing" in (report.outcomes[0].message or "")
    assert emulator.requests == []


def test_all_or_nothing_sends_everything_when_nothing_is_blocked(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    report = submit_rules([planned(GROUP_A, 1)], make_client(), all_or_nothing=True)
    assert statuses(report.outcomes) == ["submitted"]


def test_dry_run_changes_nothing(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    emulator.add_rule(GROUP_A, IpProtocol="tcp", PortRange="443/443", DestCidrIp="10.0.0.0/8")
    emulator.capitalised = True
    rules = [
        planned(GROUP_A, 443, Priority=1),
        planned(GROUP_A, 80),
        planned(GROUP_B, 22, blocking=("EGR002",)),
        planned("sg-gone", 8),
    ]
    report = submit_rules(rules, make_client(), dry_run=True)
    assert statuses(report.outcomes) == [
        "already present",
        "would submit",
        "skipped by lint",
        "not attempted",
    ]
    assert report.outcomes[3].code == "InvalidSecurityGroupId.NotFound"
    assert report.dry_run
    assert emulator.state_changes() == []
    assert {c.action for c in emulator.requests} == {DESCRIBE_ATTRIBUTE}
    # one read per security group, and none for a group with only blocked rules
    assert sorted(c.params["SecurityGroupId"] for c in emulator.requests) == [GROUP_A, "sg-gone"]


def test_dry_run_without_permission_to_read_still_reports(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.deny(action=DESCRIBE_ATTRIBUTE)
    report = submit_rules([planned(GROUP_A, 1), planned(GROUP_B, 2)], make_client(), dry_run=True)
    assert statuses(report.outcomes) == ["would submit", "would submit"]
    assert [o.code for o in report.outcomes] == ["NoPermission", "NoPermission"]
    assert len(emulator.requests) == 1  # not asked again for the second group


def test_dry_run_without_a_client_calls_nothing() -> None:
    report = submit_rules([planned(GROUP_A, 1)], None, dry_run=True)
    assert statuses(report.outcomes) == ["would submit"]


def test_plan_inconsistencies_are_refused_before_sending(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    wrong_group = PlannedRule("a.yaml", 1, GROUP_B, dict(planned(GROUP_A, 1).params))
    with pytest.raises(ValueError, match="differs"):
        submit_rules([planned(GROUP_A, 2), wrong_group], make_client())
    with pytest.raises(ValueError, match="unknown API parameters RegionId"):
        submit_rules([planned(GROUP_A, 3, RegionId="cn-hangzhou")], make_client())
    assert emulator.requests == []


# -- property: whatever the plan, nothing with a blocking finding reaches the API ------------


def _generated_rule(group: str, port: int, protocol: str, blocked: bool) -> PlannedRule:
    ports = "-1/-1" if protocol in ("icmp", "all") else f"{port}/{port}"
    blocking = ("EGR001",) if blocked else ()
    return planned(group, port, IpProtocol=protocol, PortRange=ports, blocking=blocking)


_rule_strategy = st.builds(
    _generated_rule,
    group=st.sampled_from([GROUP_A, GROUP_B, "sg-gone"]),
    port=st.integers(min_value=1, max_value=65535),
    protocol=st.sampled_from(["tcp", "udp", "icmp", "all"]),
    blocked=st.booleans(),
)


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[EnsEmulator]:
    with running_emulator() as emu:
        yield emu


@settings(max_examples=25, deadline=None)
@given(
    rules=st.lists(_rule_strategy, max_size=8, unique_by=lambda r: rule_key(r.params)),
    all_or_nothing=st.booleans(),
    dry_run=st.booleans(),
    throttled=st.integers(min_value=0, max_value=2),
)
def test_blocked_rules_never_reach_the_api(
    shared_emulator: EnsEmulator,
    rules: list[PlannedRule],
    all_or_nothing: bool,
    dry_run: bool,
    throttled: int,
) -> None:
    emulator = shared_emulator
    emulator.reset()
    emulator.add_group(GROUP_A, rule_limit=3)
    emulator.add_group(GROUP_B)
    emulator.throttle(throttled)
    client = build_client(
        ClientSettings(endpoint=emulator.url, retry=RetryPolicy(base_delay=0.0)),
        credential=_static_credential(),
        sleep=lambda _seconds: None,
    )
    report = submit_rules(rules, client, dry_run=dry_run, all_or_nothing=all_or_nothing)

    blocked_keys = {rule_key(r.params) for r in rules if r.blocking}
    sent = emulator.calls(AUTHORIZE_EGRESS)
    assert not blocked_keys & {rule_key(c.params) for c in sent}
    if dry_run or (all_or_nothing and blocked_keys):
        assert emulator.state_changes() == []
    if all_or_nothing and blocked_keys:
        assert emulator.requests == []
    for rule, outcome in zip(rules, report.outcomes, strict=True):
        assert outcome.rule is rule
        if rule.blocking:
            assert outcome.status is Status.SKIPPED_BY_LINT
    # and whatever was sent was created at most once
    for group in (GROUP_A, GROUP_B):
        keys = [rule_key(r) for r in emulator.egress_rules(group)]
        assert len(keys) == len(set(keys))


def _static_credential() -> CredentialSource:
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.models import Config as CredentialConfig

    return CredentialClient(  # type: ignore[no-any-return]
        CredentialConfig(
            type="access_key",
            access_key_id=TEST_ACCESS_KEY_ID,
            access_key_secret=TEST_ACCESS_KEY_SECRET,
        )
    )
