"""The ENS API as the submit stage uses it: the official SDK behind two calls.

The SDK is imported only inside `build_client`, so importing this module costs nothing and
works without it. Retries are done here, around each call: the SDK's RuntimeOptions
autoretry is ignored by alibabacloud-tea-openapi 0.4.x (only Config.retry_options retries,
and it is left unset so that a call is exactly one HTTP request).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from egresslint.rule import (
    DEST_CIDR_IP,
    IP_PROTOCOL,
    POLICY,
    PORT_RANGE,
    PRIORITY,
    SECURITY_GROUP_ID,
    SOURCE_PORT_RANGE,
)
from egresslint.submit.errors import (
    CLIENT_ERROR,
    CREDENTIALS_UNAVAILABLE,
    INVALID_RESPONSE,
    NETWORK_ERROR,
    TIMEOUT,
    ApiCallError,
    ErrorKind,
    SdkMissingError,
    SubmitConfigError,
)
from egresslint.submit.plan import ParamValue
from egresslint.submit.redact import KNOWN_SECRETS, Redactor, guard_sdk_logging, one_line
from egresslint.submit.retry import Clock, Random, RetryPolicy, Sleep, call_with_retry

T = TypeVar("T")

DEFAULT_ENDPOINT = "https://ens.aliyuncs.com"
AUTHORIZE_EGRESS = "AuthorizeSecurityGroupEgress"
DESCRIBE_ATTRIBUTE = "DescribeSecurityGroupAttribute"

# API parameter name -> keyword of the SDK's AuthorizeSecurityGroupEgressRequest
_SDK_FIELDS = {
    SECURITY_GROUP_ID: "security_group_id",
    IP_PROTOCOL: "ip_protocol",
    PORT_RANGE: "port_range",
    SOURCE_PORT_RANGE: "source_port_range",
    DEST_CIDR_IP: "dest_cidr_ip",
    POLICY: "policy",
    PRIORITY: "priority",
}


class EgressApi(Protocol):
    """What the submit run needs from the API; `EnsClient` is the real one."""

    @property
    def endpoint(self) -> str: ...

    def authorize_egress(self, params: Mapping[str, ParamValue]) -> str:
        """Create one egress rule; return the request id. Raises ApiCallError."""
        ...

    def describe_egress(self, group_id: str) -> list[dict[str, ParamValue]]:
        """The group's egress rules (see `egress_permissions`). Raises ApiCallError."""
        ...


class CredentialSource(Protocol):
    """An alibabacloud_credentials client, or anything with the same get_credential()."""

    def get_credential(self) -> Any: ...


@dataclass(frozen=True)
class ClientSettings:
    """Where and how to call the API. Timeouts in seconds."""

    endpoint: str = DEFAULT_ENDPOINT
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Optional: the ENS endpoint serves every region; a region only labels the requests.
    region: str | None = None

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise SubmitConfigError("timeouts must be positive")
        parse_endpoint(self.endpoint)


def parse_endpoint(url: str) -> tuple[str, str]:
    """Split an endpoint URL into the SDK's (host[:port], protocol).

    The SDK wants the scheme apart: a scheme left in Config.endpoint ends up in the Host
    header. A bare host means https.
    """
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise SubmitConfigError(f"malformed endpoint URL {url!r}") from None
    if parts.scheme not in ("http", "https"):
        raise SubmitConfigError(f"endpoint URL {url!r} must use http or https")
    if not parts.hostname or "@" in parts.netloc:
        raise SubmitConfigError(f"endpoint URL {url!r} must name a host (and no user)")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SubmitConfigError(f"endpoint URL {url!r} must not have a path or query")
    return parts.netloc, parts.scheme


def default_credential() -> CredentialSource:
    """The alibabacloud_credentials default chain, reading the environment now.

    alibabacloud_credentials copies ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN
    when it is first imported (utils/auth_util.py in 1.0.x), so variables set later would be
    ignored. When the key pair is in the environment, that first link of the chain is built
    here from the current values; otherwise the library's own default chain runs.
    """
    from alibabacloud_credentials.client import Client as CredentialClient
    from alibabacloud_credentials.models import Config as CredentialConfig

    key_id = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
    secret = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    token = os.environ.get("ALIBABA_CLOUD_SECURITY_TOKEN")
    if key_id and secret:
        config = CredentialConfig(
            type="sts" if token else "access_key",
            access_key_id=key_id,
            access_key_secret=secret,
            security_token=token or None,
        )
        return CredentialClient(config)  # type: ignore[no-any-return]
    return CredentialClient()  # type: ignore[no-any-return]


def build_client(
    settings: ClientSettings | None = None,
    *,
    credential: CredentialSource | None = None,
    sleep: Sleep = time.sleep,
    rand: Random = random.random,
    clock: Clock = time.monotonic,
) -> EnsClient:
    """Build the official SDK client for `settings`; raise SdkMissingError without the SDK."""
    settings = settings or ClientSettings()
    try:
        from alibabacloud_ens20171110 import models as ens_models
        from alibabacloud_ens20171110.client import Client as SdkClient
        from alibabacloud_tea_openapi.models import Config
        from darabonba.runtime import RuntimeOptions
    except ImportError as exc:
        raise SdkMissingError(exc.name or "alibabacloud-ens20171110") from None

    from egresslint import __version__

    KNOWN_SECRETS.add_from_environment()
    guard_sdk_logging()
    if credential is None:
        credential = default_credential()
    host, protocol = parse_endpoint(settings.endpoint)
    config = Config(
        credential=credential,
        endpoint=host,
        protocol=protocol,
        connect_timeout=max(1, round(settings.connect_timeout * 1000)),  # milliseconds
        read_timeout=max(1, round(settings.read_timeout * 1000)),
        user_agent=f"egresslint/{__version__}",
        region_id=settings.region,
    )
    return EnsClient(
        SdkClient(config),
        models=ens_models,
        runtime_options=RuntimeOptions,
        endpoint=f"{protocol}://{host}",
        credential=credential,
        policy=settings.retry,
        sleep=sleep,
        rand=rand,
        clock=clock,
        redactor=KNOWN_SECRETS,
    )


class EnsClient:
    """AuthorizeSecurityGroupEgress and DescribeSecurityGroupAttribute with retries.

    Every failure comes out as an ApiCallError whose text has been scrubbed of secrets.
    """

    def __init__(
        self,
        sdk: Any,
        *,
        models: Any,
        runtime_options: Callable[[], Any],
        endpoint: str,
        credential: CredentialSource,
        policy: RetryPolicy,
        sleep: Sleep,
        rand: Random,
        clock: Clock,
        redactor: Redactor,
    ) -> None:
        self._sdk = sdk
        self._models = models
        self._runtime_options = runtime_options
        self._endpoint = endpoint
        self._credential = credential
        self._policy = policy
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self._redact = redactor

    @property
    def endpoint(self) -> str:
        return self._endpoint

    def authorize_egress(self, params: Mapping[str, ParamValue]) -> str:
        arguments = {_SDK_FIELDS[name]: value for name, value in params.items()}
        request = self._models.AuthorizeSecurityGroupEgressRequest(**arguments)
        response = self._call(
            AUTHORIZE_EGRESS,
            lambda: self._sdk.authorize_security_group_egress_with_options(
                request, self._runtime_options()
            ),
        )
        return str(getattr(response.body, "request_id", None) or "")

    def describe_egress(self, group_id: str) -> list[dict[str, ParamValue]]:
        request = self._models.DescribeSecurityGroupAttributeRequest(security_group_id=group_id)
        response = self._call(
            DESCRIBE_ATTRIBUTE,
            lambda: self._sdk.describe_security_group_attribute_with_options(
                request, self._runtime_options()
            ),
        )
        body = response.body.to_map() if response.body is not None else {}
        return egress_permissions(body, group_id)

    def _call(self, action: str, send: Callable[[], T]) -> T:
        return call_with_retry(
            lambda: self._once(send),
            action=action,
            policy=self._policy,
            sleep=self._sleep,
            rand=self._rand,
            clock=self._clock,
        )

    def _once(self, send: Callable[[], T]) -> T:
        self._learn_secrets()
        try:
            return send()
        except Exception as exc:  # every SDK failure is turned into a scrubbed ApiCallError
            failure = self._classify(exc)
        # Raised outside the handler so the SDK exception (which holds the signed request and
        # any security token) is not kept as __context__.
        raise failure

    def _learn_secrets(self) -> None:
        """Fetch the credentials first, so their secrets are known before any text is shown."""
        try:
            model = self._credential.get_credential()
        except Exception as exc:  # the credential providers raise assorted types
            failure = ApiCallError(
                CREDENTIALS_UNAVAILABLE,
                self._redact(one_line(f"no usable Alibaba Cloud credentials: {exc}")),
                kind=ErrorKind.FATAL,
            )
        else:
            self._redact.add(
                getattr(model, "access_key_secret", None),
                getattr(model, "security_token", None),
                getattr(model, "bearer_token", None),
            )
            return
        raise failure

    def _classify(self, exc: Exception) -> ApiCallError:
        from alibabacloud_credentials.exceptions import CredentialException
        from darabonba.exceptions import RetryError
        from Tea.exceptions import TeaException

        # UnretryableException wraps the real cause of a failure without an HTTP answer.
        inner = getattr(exc, "inner_exception", None) or exc
        code = getattr(inner, "code", None)
        if isinstance(inner, TeaException) and code not in (None, "", "None"):
            data = inner.data if isinstance(inner.data, dict) else {}
            message = data.get("Message") or data.get("message") or ""
            request_id = getattr(inner, "request_id", None) or data.get("RequestId")
            status = getattr(inner, "status_code", None) or data.get("statusCode")
            retry_after_ms = getattr(inner, "retry_after", None)
            return ApiCallError(
                str(code),
                self._redact(one_line(str(message))),
                request_id=None if request_id in (None, "", "None") else str(request_id),
                http_status=int(status) if isinstance(status, int) else None,
                retry_after=retry_after_ms / 1000 if isinstance(retry_after_ms, int) else None,
            )
        if isinstance(inner, CredentialException):
            text = f"no usable Alibaba Cloud credentials: {inner.message}"
            return ApiCallError(
                CREDENTIALS_UNAVAILABLE, self._redact(one_line(text)), kind=ErrorKind.FATAL
            )
        detail = self._redact(one_line(str(getattr(inner, "message", None) or inner)))
        if isinstance(inner, (RetryError, OSError)):
            code = TIMEOUT if "timed out" in detail.lower() else NETWORK_ERROR
            return ApiCallError(code, detail)
        if isinstance(inner, ValueError):  # an answer that is not the JSON it should be
            return ApiCallError(INVALID_RESPONSE, detail)
        return ApiCallError(CLIENT_ERROR, f"{type(inner).__name__}: {detail}", kind=ErrorKind.FATAL)


def egress_permissions(body: Mapping[str, Any], group_id: str) -> list[dict[str, ParamValue]]:
    """The egress rules of a DescribeSecurityGroupAttribute answer as plain dicts.

    Keys are the AuthorizeSecurityGroupEgress parameter names (plus Description and
    CreationTime when given). IpProtocol and Policy are lower-cased, because the API may
    answer "TCP" and "Accept" but only accepts the lower-case forms; Priority is an int.
    """
    permissions = body.get("Permissions") or {}
    if isinstance(permissions, Mapping):
        permissions = permissions.get("Permission") or []
    rules: list[dict[str, ParamValue]] = []
    for permission in permissions if isinstance(permissions, list) else []:
        if not isinstance(permission, Mapping):
            continue
        if str(permission.get("Direction", "")).lower() != "egress":
            continue
        rule: dict[str, ParamValue] = {
            SECURITY_GROUP_ID: group_id,
            IP_PROTOCOL: str(permission.get("IpProtocol", "")).lower(),
            PORT_RANGE: str(permission.get("PortRange", "")),
            DEST_CIDR_IP: str(permission.get("DestCidrIp", "")),
            POLICY: str(permission.get("Policy") or "accept").lower(),
            PRIORITY: _as_int(permission.get("Priority"), 1),
        }
        if permission.get("SourcePortRange"):
            rule[SOURCE_PORT_RANGE] = str(permission["SourcePortRange"])
        for extra in ("Description", "CreationTime"):
            if permission.get(extra) is not None:
                rule[extra] = str(permission[extra])
        rules.append(rule)
    return rules


def _as_int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def existing_rules(client: EgressApi, group_id: str) -> list[dict[str, ParamValue]]:
    """The egress rules a security group has now, for lint analysis of the whole group."""
    return client.describe_egress(group_id)
