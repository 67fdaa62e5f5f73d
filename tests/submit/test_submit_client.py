"""The SDK-backed client against the emulator: retries, timeouts, errors, credentials."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from egresslint.submit import (
    ApiCallError,
    ClientSettings,
    ErrorKind,
    RetryPolicy,
    SdkMissingError,
    SubmitConfigError,
    build_client,
    existing_rules,
    parse_endpoint,
)
from tests.ens_emulator import (
    AUTHORIZE_EGRESS,
    DESCRIBE_ATTRIBUTE,
    TEST_ACCESS_KEY_ID,
    TEST_ACCESS_KEY_SECRET,
    EnsEmulator,
)
from tests.submit.plans import GROUP_A, GROUP_B, ClientFactory, planned

pytest.importorskip("alibabacloud_ens20171110")

PARAMS = planned(GROUP_A, 443).params


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ens.aliyuncs.com", ("ens.aliyuncs.com", "https")),
        ("https://ens.aliyuncs.com/", ("ens.aliyuncs.com", "https")),
        ("ens.aliyuncs.com", ("ens.aliyuncs.com", "https")),
        ("http://127.0.0.1:8123", ("127.0.0.1:8123", "http")),
    ],
)
def test_parse_endpoint(url: str, expected: tuple[str, str]) -> None:
    assert parse_endpoint(url) == expected


@pytest.mark.parametrize(
    "url",
    ["ftp://ens.aliyuncs.com", "https://", "https://ens.aliyuncs.com/v1", "http://h:99999", "x@h"],
)
def test_parse_endpoint_refuses(url: str) -> None:
    with pytest.raises(SubmitConfigError):
        parse_endpoint(url)


def test_authorize_and_existing_rules(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    client = make_client()
    request_id = client.authorize_egress(PARAMS)
    assert request_id == emulator.calls(AUTHORIZE_EGRESS)[-1].request_id
    emulator.add_rule(GROUP_A, direction="ingress", IpProtocol="tcp", PortRange="22/22")
    emulator.capitalised = True  # the real API may answer TCP / Accept
    rules = existing_rules(client, GROUP_A)
    assert len(rules) == 1
    assert rules[0]["IpProtocol"] == "tcp"
    assert rules[0]["Policy"] == "accept"
    assert rules[0]["Priority"] == 10
    assert rules[0]["PortRange"] == "443/443"
    assert rules[0]["SecurityGroupId"] == GROUP_A


def test_sdk_makes_exactly_one_request_per_attempt(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    # Without our retries the SDK must not retry by itself (RuntimeOptions.autoretry is ignored).
    emulator.throttle(1)
    with pytest.raises(ApiCallError) as caught:
        make_client(max_attempts=1).authorize_egress(PARAMS)
    assert caught.value.code == "Throttling"
    assert len(emulator.calls(AUTHORIZE_EGRESS)) == 1


@pytest.mark.parametrize("code", ["Throttling", "Throttling.User", "Throttling.Api"])
def test_retries_recover_from_throttling(
    emulator: EnsEmulator, make_client: ClientFactory, sleeps: list[float], code: str
) -> None:
    emulator.throttle(2, code=code)
    make_client().authorize_egress(PARAMS)
    assert [r.code for r in emulator.calls(AUTHORIZE_EGRESS)] == [code, code, None]
    assert emulator.rule_count(GROUP_A) == 1
    # full jitter with rand() == 0.5: half of 0.2 s, then half of 0.4 s
    assert sleeps == pytest.approx([0.1, 0.2])


def test_retries_recover_from_server_errors(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.fail_server(2, status=500)
    emulator.fail_server(1, status=503, code="ServiceUnavailable")
    make_client().describe_egress(GROUP_A)
    assert [r.status for r in emulator.calls(DESCRIBE_ATTRIBUTE)] == [500, 500, 503, 200]


def test_retries_recover_from_dropped_connections(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.drop(2)
    make_client().authorize_egress(PARAMS)
    assert [r.status for r in emulator.calls(AUTHORIZE_EGRESS)] == [0, 0, 200]
    assert emulator.rule_count(GROUP_A) == 1


def test_answer_lost_after_the_rule_was_made_reads_as_duplicate(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.drop(1, after_apply=True)
    with pytest.raises(ApiCallError) as caught:
        make_client().authorize_egress(PARAMS)
    assert caught.value.kind is ErrorKind.DUPLICATE
    assert caught.value.attempts == 2
    assert emulator.rule_count(GROUP_A) == 1


def test_slow_answer_beyond_read_timeout_is_retried(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.slow(1, delay=1.5, action=DESCRIBE_ATTRIBUTE)
    rules = make_client(read_timeout=0.5).describe_egress(GROUP_A)
    assert rules == []
    assert [r.fault for r in emulator.calls(DESCRIBE_ATTRIBUTE)] == ["slow", None]


def test_slow_answers_that_never_end_are_reported_as_timeout(
    emulator: EnsEmulator, make_client: ClientFactory
) -> None:
    emulator.slow(5, delay=1.5, action=DESCRIBE_ATTRIBUTE)
    with pytest.raises(ApiCallError) as caught:
        make_client(read_timeout=0.4, max_attempts=2).describe_egress(GROUP_A)
    error = caught.value
    assert (error.code, error.kind, error.attempts) == ("Timeout", ErrorKind.TRANSIENT, 2)
    assert "gave up after 2 attempts" in error.message


def test_attempts_are_bounded(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    emulator.throttle(10)
    with pytest.raises(ApiCallError) as caught:
        make_client(max_attempts=3).authorize_egress(PARAMS)
    assert caught.value.attempts == 3
    assert len(emulator.calls()) == 3


def test_total_time_is_bounded(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    emulator.throttle(10)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = make_client(max_attempts=10, max_total=0.35, sleep=sleep, clock=lambda: now[0])
    with pytest.raises(ApiCallError) as caught:
        client.authorize_egress(PARAMS)
    # waits of 0.1, 0.2 fit in 0.35 s; the next (0.4 s) would not
    assert caught.value.attempts == 3
    assert now[0] == pytest.approx(0.3)


def test_server_retry_after_is_honoured(
    emulator: EnsEmulator, make_client: ClientFactory, sleeps: list[float]
) -> None:
    emulator.throttle(1, retry_after_ms=800)
    make_client().authorize_egress(PARAMS)
    assert sleeps == [pytest.approx(0.8)]


@pytest.mark.parametrize(
    ("setup", "code", "kind"),
    [
        pytest.param("nosuch", "InvalidSecurityGroupId.NotFound", ErrorKind.GROUP, id="notfound"),
        pytest.param("full", "AuthorizationLimitExceed", ErrorKind.GROUP, id="full"),
        pytest.param("deny", "NoPermission", ErrorKind.FATAL, id="nopermission"),
        pytest.param("dup", "SecurityGroupRuleConflict.Duplicated", ErrorKind.DUPLICATE, id="dup"),
        pytest.param("bad", "InvalidParameter.PortRange", ErrorKind.REJECTED, id="invalid"),
    ],
)
def test_error_classification(
    emulator: EnsEmulator, make_client: ClientFactory, setup: str, code: str, kind: ErrorKind
) -> None:
    params = dict(PARAMS)
    if setup == "nosuch":
        params["SecurityGroupId"] = "sg-nosuch"
    elif setup == "full":
        emulator.set_rule_limit(GROUP_A, 0)
    elif setup == "deny":
        emulator.deny()
    elif setup == "dup":
        emulator.add_rule(
            GROUP_A, IpProtocol="tcp", PortRange="443/443", DestCidrIp="10.0.0.0/8", Priority=10
        )
    elif setup == "bad":
        params["PortRange"] = "443/80"
    with pytest.raises(ApiCallError) as caught:
        make_client().authorize_egress(params)
    error = caught.value
    assert (error.code, error.kind, error.attempts) == (code, kind, 1)
    assert error.request_id == emulator.requests[-1].request_id
    assert error.message  # the server's own text
    assert error.http_status == 400


def test_wrong_secret_is_fatal(
    emulator: EnsEmulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "a-wrong-secret-value")
    with pytest.raises(ApiCallError) as caught:
        make_client().authorize_egress(PARAMS)
    assert (caught.value.code, caught.value.kind) == ("SignatureDoesNotMatch", ErrorKind.FATAL)
    assert emulator.rule_count(GROUP_A) == 0


def test_credentials_set_after_the_library_was_imported_are_used(
    emulator: EnsEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # alibabacloud_credentials copies the variables at import; by now it has been imported.
    from alibabacloud_credentials.utils import auth_util

    emulator.access_keys["LTAI5tLateKey"] = "late-secret-value-1234"
    monkeypatch.setattr(auth_util, "environment_access_key_id", TEST_ACCESS_KEY_ID)
    monkeypatch.setattr(auth_util, "environment_access_key_secret", TEST_ACCESS_KEY_SECRET)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tLateKey")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "late-secret-value-1234")
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)
    client = build_client(ClientSettings(endpoint=emulator.url), sleep=lambda _s: None)
    client.describe_egress(GROUP_B)
    assert emulator.requests[-1].access_key_id == "LTAI5tLateKey"


def test_security_token_from_environment_is_sent(
    emulator: EnsEmulator, make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.security_tokens[TEST_ACCESS_KEY_ID] = "sts-token-value-5678"
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "sts-token-value-5678")
    make_client().describe_egress(GROUP_A)
    assert emulator.requests[-1].code is None


def test_unusable_credentials_are_fatal(emulator: EnsEmulator, make_client: ClientFactory) -> None:
    class NoCredentials:
        def get_credential(self) -> object:
            raise RuntimeError("unable to load credentials from any provider")

    with pytest.raises(ApiCallError) as caught:
        make_client(credential=NoCredentials()).describe_egress(GROUP_A)
    assert (caught.value.code, caught.value.kind) == ("CredentialsUnavailable", ErrorKind.FATAL)
    assert emulator.requests == []


def test_missing_sdk_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "alibabacloud_ens20171110", None)
    with pytest.raises(SdkMissingError) as caught:
        build_client(ClientSettings())
    text = str(caught.value)
    assert "\n" not in text
    assert "pip install 'egresslint[submit]'" in text


def test_importing_the_package_does_not_import_the_sdk() -> None:
    code = textwrap.dedent(
        """
        import sys
        import egresslint.submit
        loaded = [m for m in sys.modules if m.startswith(("alibabacloud", "darabonba", "Tea"))]
        assert not loaded, loaded
        """
    )
    repo_root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=repo_root)


def test_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(SubmitConfigError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(SubmitConfigError):
        ClientSettings(read_timeout=0)
