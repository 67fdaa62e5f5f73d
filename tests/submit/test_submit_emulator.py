"""The emulator itself: signatures, parameter rules, error codes, faults, the request log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ens_emulator import (
    AUTHORIZE_EGRESS,
    DESCRIBE_ATTRIBUTE,
    TEST_ACCESS_KEY_ID,
    EnsEmulator,
    raw_call,
)
from tests.submit.plans import GROUP_A, GROUP_B

pytest.importorskip("alibabacloud_ens20171110")

RULE = {
    "SecurityGroupId": GROUP_A,
    "IpProtocol": "tcp",
    "PortRange": "443/443",
    "DestCidrIp": "10.0.0.0/8",
    "Policy": "accept",
    "Priority": "10",
}


def _sdk_call(emulator: EnsEmulator, secret: str, key_id: str = TEST_ACCESS_KEY_ID) -> Any:
    """One DescribeSecurityGroupAttribute through the bare SDK, returning the exception."""
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.models import Config as CredentialConfig
    from alibabacloud_ens20171110 import models
    from alibabacloud_ens20171110.client import Client
    from alibabacloud_tea_openapi.models import Config
    from darabonba.runtime import RuntimeOptions

    credential = CredentialClient(
        CredentialConfig(type="access_key", access_key_id=key_id, access_key_secret=secret)
    )
    client = Client(Config(credential=credential, endpoint=emulator.endpoint, protocol="http"))
    request = models.DescribeSecurityGroupAttributeRequest(security_group_id=GROUP_A)
    try:
        return client.describe_security_group_attribute_with_options(request, RuntimeOptions())
    except Exception as exc:
        return exc


def test_sdk_signature_is_accepted(emulator: EnsEmulator) -> None:
    from tests.ens_emulator import TEST_ACCESS_KEY_SECRET

    response = _sdk_call(emulator, TEST_ACCESS_KEY_SECRET)
    assert response.body.security_group_id == GROUP_A
    assert emulator.requests[-1].code is None


def test_signature_with_wrong_secret_is_rejected(emulator: EnsEmulator) -> None:
    error = _sdk_call(emulator, "not-the-secret-at-all")
    assert error.code == "SignatureDoesNotMatch"
    assert error.status_code == 400
    assert set(error.data) >= {"RequestId", "HostId", "Code", "Message"}
    assert emulator.requests[-1].code == "SignatureDoesNotMatch"


def test_unknown_access_key_is_not_found(emulator: EnsEmulator) -> None:
    error = _sdk_call(emulator, "whatever-secret", key_id="LTAI5tNoSuchKey")
    assert error.code == "InvalidAccessKeyId.NotFound"
    assert error.status_code == 404


def test_a_changed_parameter_breaks_the_signature(emulator: EnsEmulator) -> None:
    # Signed for one port, sent with another: what a tampering proxy would do.
    tampered = RULE | {"PortRange": "1/65535"}
    status, body = raw_call(emulator, AUTHORIZE_EGRESS, RULE, send_params=tampered)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
    assert emulator.egress_rules(GROUP_A) == []


def test_a_stale_request_is_refused(emulator: EnsEmulator) -> None:
    stale = {"x-acs-date": "2000-01-01T00:00:00Z"}
    status, body = raw_call(emulator, AUTHORIZE_EGRESS, RULE, extra_headers=stale)
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")
    assert emulator.egress_rules(GROUP_A) == []


def test_stdlib_client_round_trip_and_duplicate(emulator: EnsEmulator) -> None:
    assert raw_call(emulator, AUTHORIZE_EGRESS, RULE)[0] == 200
    status, body = raw_call(emulator, AUTHORIZE_EGRESS, RULE)
    assert status == 400
    assert body["Code"] == "SecurityGroupRuleConflict.Duplicated"
    assert body["Message"] == "The SecurityGroup rule already exists."
    assert body["RequestId"] and body["HostId"]
    assert len(emulator.egress_rules(GROUP_A)) == 1
    assert [r.changed_state for r in emulator.calls(AUTHORIZE_EGRESS)] == [True, False]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"IpProtocol": "TCP"}, "InvalidParameter.IpProtocol", id="protocol-case"),
        pytest.param({"IpProtocol": "sctp"}, "InvalidParameter.IpProtocol", id="protocol"),
        pytest.param({"PortRange": "200/1"}, "InvalidParameter.PortRange", id="ports-reversed"),
        pytest.param({"PortRange": "0/80"}, "InvalidParameter.PortRange", id="port-zero"),
        pytest.param({"PortRange": "1/65536"}, "InvalidParameter.PortRange", id="port-high"),
        pytest.param(
            {"IpProtocol": "icmp", "PortRange": "1/1"}, "InvalidParameter.PortRange", id="icmp"
        ),
        pytest.param({"SourcePortRange": "9/8"}, "InvalidParameter.SourcePortRange", id="sport"),
        pytest.param({"Policy": "allow"}, "InvalidParameter.Policy", id="policy"),
        pytest.param({"Priority": "0"}, "InvalidParameter.Priority", id="priority-0"),
        pytest.param({"Priority": "101"}, "InvalidParameter.Priority", id="priority-101"),
        pytest.param({"DestCidrIp": "10.0.0.0/33"}, "InvalidParameter.DestCidrIp", id="cidr"),
        pytest.param({"DestCidrIp": "::/0"}, "InvalidParameter.DestCidrIp", id="ipv6"),
        pytest.param({"PortRange": ""}, "MissingParameter", id="missing-ports"),
        pytest.param({"SecurityGroupId": "sg-nosuch"}, "InvalidSecurityGroupId.NotFound", id="sg"),
    ],
)
def test_invalid_parameters_are_refused(
    emulator: EnsEmulator, change: dict[str, str], code: str
) -> None:
    status, body = raw_call(emulator, AUTHORIZE_EGRESS, RULE | change)
    assert (status, body["Code"]) == (400, code)
    assert emulator.egress_rules(GROUP_A) == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"IpProtocol": "all", "PortRange": "-1/-1"}, id="all"),
        pytest.param({"IpProtocol": "gre", "PortRange": "-1/-1"}, id="gre"),
        pytest.param({"PortRange": "1/65535", "SourcePortRange": "1024/65535"}, id="wide"),
        pytest.param({"DestCidrIp": "192.0.2.7"}, id="bare-address"),
        pytest.param({"Policy": "drop", "Priority": "100"}, id="drop"),
    ],
)
def test_valid_parameters_are_stored(emulator: EnsEmulator, change: dict[str, str]) -> None:
    assert raw_call(emulator, AUTHORIZE_EGRESS, RULE | change)[0] == 200
    assert emulator.rule_count(GROUP_A, **change) == 1


def test_group_limit(emulator: EnsEmulator) -> None:
    emulator.set_rule_limit(GROUP_A, 1)
    assert raw_call(emulator, AUTHORIZE_EGRESS, RULE)[0] == 200
    status, body = raw_call(emulator, AUTHORIZE_EGRESS, RULE | {"PortRange": "80/80"})
    assert (status, body["Code"]) == (400, "AuthorizationLimitExceed")
    # an identical rule is still reported as a duplicate, not as over the limit
    assert raw_call(emulator, AUTHORIZE_EGRESS, RULE)[1]["Code"] == (
        "SecurityGroupRuleConflict.Duplicated"
    )


def test_describe_shape_and_capitalised_values(emulator: EnsEmulator) -> None:
    emulator.add_rule(GROUP_B, direction="ingress", IpProtocol="tcp", PortRange="22/22")
    emulator.add_rule(GROUP_B, IpProtocol="udp", PortRange="53/53", DestCidrIp="10.1.0.0/16")
    emulator.capitalised = True
    status, body = raw_call(emulator, DESCRIBE_ATTRIBUTE, {"SecurityGroupId": GROUP_B})
    assert status == 200
    assert body["SecurityGroupId"] == GROUP_B
    assert body["RequestId"]
    permissions = body["Permissions"]["Permission"]
    assert [p["Direction"] for p in permissions] == ["ingress", "egress"]
    egress = permissions[1]
    assert egress["IpProtocol"] == "UDP"
    assert egress["Policy"] == "Accept"
    assert egress["Priority"] == 1
    assert {"PortRange", "SourcePortRange", "DestCidrIp", "CreationTime", "Description"} <= set(
        egress
    )


def test_nonce_cannot_be_replayed(emulator: EnsEmulator) -> None:
    headers = {"x-acs-signature-nonce": "fixed-nonce-123"}
    query = {"SecurityGroupId": GROUP_A}
    assert raw_call(emulator, DESCRIBE_ATTRIBUTE, query, extra_headers=headers)[0] == 200
    status, body = raw_call(emulator, DESCRIBE_ATTRIBUTE, query, extra_headers=headers)
    assert (status, body["Code"]) == (400, "SignatureNonceUsed")


def test_faults_apply_to_the_next_calls_only(emulator: EnsEmulator) -> None:
    query = {"SecurityGroupId": GROUP_A}
    emulator.throttle(2, code="Throttling.Api", action=DESCRIBE_ATTRIBUTE)
    emulator.fail_server(1, status=503, code="ServiceUnavailable")
    emulator.deny(1, action=AUTHORIZE_EGRESS)
    assert raw_call(emulator, DESCRIBE_ATTRIBUTE, query)[1]["Code"] == "Throttling.Api"
    assert raw_call(emulator, DESCRIBE_ATTRIBUTE, query)[1]["Code"] == "Throttling.Api"
    assert raw_call(emulator, DESCRIBE_ATTRIBUTE, query)[0] == 503
    assert raw_call(emulator, DESCRIBE_ATTRIBUTE, query)[0] == 200
    assert raw_call(emulator, AUTHORIZE_EGRESS, RULE)[1]["Code"] == "NoPermission"
    assert raw_call(emulator, AUTHORIZE_EGRESS, RULE)[0] == 200
    assert [r.fault for r in emulator.requests] == [
        "throttle",
        "throttle",
        "server_error",
        None,
        "deny",
        None,
    ]


def test_dropped_connection_can_still_apply_the_call(emulator: EnsEmulator) -> None:
    emulator.drop(1, after_apply=True)
    with pytest.raises(ConnectionError):
        raw_call(emulator, AUTHORIZE_EGRESS, RULE)
    assert emulator.requests[-1].status == 0
    assert emulator.requests[-1].changed_state
    assert len(emulator.egress_rules(GROUP_A)) == 1
