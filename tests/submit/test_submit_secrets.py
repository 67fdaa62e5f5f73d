"""A canary secret and security token must never show up anywhere the submit stage writes."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

import pytest

from egresslint.submit import ApiCallError, Journal, submit_rules
from egresslint.submit.redact import MASK, Redactor
from tests.ens_emulator import AUTHORIZE_EGRESS, TEST_ACCESS_KEY_ID, EnsEmulator
from tests.submit.plans import GROUP_A, ClientFactory, planned

pytest.importorskip("alibabacloud_ens20171110")

CANARY_SECRET = "CanarySecret-4c1d7e0b9a"
CANARY_TOKEN = "CanaryToken-93f0b2aa6d5e"


def _texts_of(error: BaseException) -> list[str]:
    """str, repr and the full formatted traceback, following every chained exception."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    seen = error.__context__ or error.__cause__
    while seen is not None:
        # nothing from the SDK may ride along: its exceptions hold the signed request
        assert isinstance(seen, ApiCallError), type(seen)
        texts += [str(seen), repr(seen)]
        seen = seen.__context__ or seen.__cause__
    return texts


@pytest.fixture
def canary(emulator: EnsEmulator, credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator.access_keys[TEST_ACCESS_KEY_ID] = CANARY_SECRET
    emulator.security_tokens[TEST_ACCESS_KEY_ID] = CANARY_TOKEN
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", CANARY_SECRET)
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", CANARY_TOKEN)
    monkeypatch.setenv("DEBUG", "sdk")  # the SDK then logs every request header
    # A careless server or proxy quoting the request (token included) back in its errors.
    emulator.echo_request_in_errors = True


def test_canary_never_appears(
    canary: None,
    emulator: EnsEmulator,
    make_client: ClientFactory,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    client = make_client(read_timeout=0.5, max_attempts=2)
    journal_path = tmp_path / "run.jsonl"

    emulator.throttle(1, action=AUTHORIZE_EGRESS)
    with Journal(journal_path, client.endpoint) as journal:
        first = submit_rules(
            [
                planned(GROUP_A, 1),  # throttled once, then submitted: the canary works
                planned(GROUP_A, 2, PortRange="9/1"),  # rejected; the error echoes headers
            ],
            client,
            journal=journal,
        )
    emulator.drop(2, action=AUTHORIZE_EGRESS)
    with Journal(journal_path, client.endpoint) as journal:
        second = submit_rules(
            [planned(GROUP_A, 3), planned(GROUP_A, 4)],  # network failure stops the run
            client,
            journal=journal,
        )
    assert [o.status.value for o in first.outcomes + second.outcomes] == [
        "submitted",
        "rejected",
        "rejected",
        "not attempted",
    ]
    assert emulator.rule_count(GROUP_A) == 1
    echoed = first.outcomes[1].message or ""
    assert "x-acs-security-token" in echoed and MASK in echoed  # the echo was there, scrubbed
    for report in (first, second):
        texts += [*report.lines(), repr(report)]
    texts.append(journal_path.read_text(encoding="utf-8"))

    # errors raised straight from the client: rejected, denied, timed out, no credentials
    with pytest.raises(ApiCallError) as caught:
        client.authorize_egress(planned(GROUP_A, 5, Priority=0).params)
    assert caught.value.code == "InvalidParameter.Priority"
    texts += _texts_of(caught.value)
    emulator.deny(1)
    with pytest.raises(ApiCallError) as caught:
        client.authorize_egress(planned(GROUP_A, 6).params)
    assert caught.value.code == "NoPermission"
    texts += _texts_of(caught.value)
    emulator.slow(2, delay=1.5)
    with pytest.raises(ApiCallError) as caught:
        client.describe_egress(GROUP_A)
    assert caught.value.code == "Timeout"
    texts += _texts_of(caught.value)

    class LeakyCredentials:
        def get_credential(self) -> object:
            raise RuntimeError(f"cannot refresh: secret={CANARY_SECRET} token={CANARY_TOKEN}")

    with pytest.raises(ApiCallError) as caught:
        make_client(credential=LeakyCredentials()).describe_egress(GROUP_A)
    assert caught.value.code == "CredentialsUnavailable"
    texts += _texts_of(caught.value)

    texts.append(caplog.text)
    texts += [record.getMessage() for record in caplog.records]
    out, err = capfd.readouterr()
    texts += [out, err]
    sdk_log = [r.getMessage() for r in caplog.records if r.name == "darabonba-core"]
    assert any("x-acs-security-token" in m for m in sdk_log)  # DEBUG=sdk did log the headers
    for text in texts:
        assert CANARY_SECRET not in text
        assert CANARY_TOKEN not in text


def test_redactor_masks_known_values_and_signatures() -> None:
    redact = Redactor(["s3cr3t-value", None, "abc"])  # too short to mask safely: ignored
    text = redact(
        "secret s3cr3t-value, Signature=0123456789abcdef0123456789abcdef, "
        '"x-acs-security-token": ["tok-123"], abc'
    )
    assert text == ('secret ***, Signature=***, "x-acs-security-token": ["***"], abc')
