"""A local emulator of the ENS (2017-11-10) API for tests of the submit stage.

It is a real HTTP server on 127.0.0.1 that checks ACS3-HMAC-SHA256 signatures the way the
official SDK makes them, serves AuthorizeSecurityGroupEgress and DescribeSecurityGroupAttribute
with the documented parameter rules and error codes, records every request it received and can
misbehave on demand (throttling, 5xx, slow answers, dropped connections, NoPermission).

Sources for the shapes used here: the ENS API pages for AuthorizeSecurityGroupEgress and
DescribeSecurityGroupAttribute (alibabacloud.com/help/en/ens/developer-reference/
api-ens-2017-11-10-describesecuritygroupattribute) and the SDK's own response model
``DescribeSecurityGroupAttributeResponseBody`` (alibabacloud-ens20171110 12.1.0), which reads
``Permissions.Permission[]``; the signing code is ``get_authorization`` in
``alibabacloud_tea_openapi/utils.py`` (alibabacloud-tea-openapi 0.4.6).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, quote, urlsplit

TEST_ACCESS_KEY_ID = "LTAI5tEmulatorTestKeyId"
TEST_ACCESS_KEY_SECRET = "emulator-test-secret-9f8e7d6c5b4a"
API_VERSION = "2017-11-10"
HOST_ID = "ens.aliyuncs.com"
SIGNATURE_ALGORITHM = "ACS3-HMAC-SHA256"

AUTHORIZE_EGRESS = "AuthorizeSecurityGroupEgress"
DESCRIBE_ATTRIBUTE = "DescribeSecurityGroupAttribute"

PROTOCOLS = ("tcp", "udp", "icmp", "gre", "all")
POLICIES = ("accept", "drop")
# The seven values that identify an egress rule (RevokeSecurityGroupEgress takes the same).
RULE_FIELDS = (
    "IpProtocol",
    "PortRange",
    "SourcePortRange",
    "DestCidrIp",
    "Policy",
    "Priority",
)

_MESSAGES = {
    "MissingParameter": 'The input parameter "{0}" that is mandatory for processing this request '
    "is not supplied.",
    "InvalidParameter": "The specified field {0} invalid. Please check it again.",
    "InvalidSecurityGroupId.NotFound": "The specified SecurityGroupId does not exist.",
    "SecurityGroupRuleConflict.Duplicated": "The SecurityGroup rule already exists.",
    "AuthorizationLimitExceed": "The limit of authorization records in the security group reaches.",
    "NoPermission": "Permission denied.",
    "Throttling": "Request was denied due to request throttling.",
    "Throttling.User": "Request was denied due to user flow control.",
    "Throttling.Api": "Request was denied due to api flow control.",
    "InternalError": "The request processing has failed due to some unknown error, exception "
    "or failure.",
    "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
    "SignatureDoesNotMatch": "Specified signature does not match our calculation.",
    "IncompleteSignature": "The request signature does not conform to Alibaba Cloud standards.",
    "InvalidAccessKeyId.NotFound": "Specified access key is not found.",
    "InvalidSecurityToken.MismatchWithAccessKey": "The security token does not match the access "
    "key.",
    "InvalidTimeStamp.Expired": "Specified time stamp or date value is expired.",
    "SignatureNonceUsed": "Specified signature nonce was used already.",
    "InvalidAction.NotFound": "Specified api is not found, please check your url and method.",
    "InvalidVersion": "Specified parameter Version is not valid.",
}

_AUTH_RE = re.compile(
    r"^ACS3-HMAC-SHA256 Credential=(?P<ak>[^,]+),SignedHeaders=(?P<headers>[^,]*),"
    r"Signature=(?P<sig>[0-9a-f]+)$"
)
_PORT_RANGE_RE = re.compile(r"^(-?\d+)/(-?\d+)$")


class ApiError(Exception):
    """An error answer: HTTP status, error code and the server's message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _error(code: str, *args: str, status: int = 400) -> ApiError:
    template = _MESSAGES.get(code.split(".")[0] if code.startswith("InvalidParameter.") else code)
    message = template.format(*args) if template else code
    return ApiError(status, code, message)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator saw it."""

    action: str
    params: dict[str, str]
    status: int  # 0 when the connection was dropped without an answer
    code: str | None  # error code, None on success
    changed_state: bool
    request_id: str
    access_key_id: str | None
    fault: str | None


@dataclass
class _Fault:
    kind: str  # throttle, server_error, slow, drop, deny
    remaining: int | None  # None: for every matching call
    action: str | None
    code: str = ""
    status: int = 400
    delay: float = 0.0
    apply_first: bool = False
    retry_after_ms: int | None = None


@dataclass
class _Group:
    group_id: str
    name: str
    rule_limit: int | None
    rules: list[dict[str, str]] = field(default_factory=list)


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """The sorted query string of the canonical request (RFC 3986, safe "~")."""
    items = sorted(pairs)
    return "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in items)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def acs3_signature(
    secret: str,
    method: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, list[str]],
    signed_header_names: list[str],
    body: bytes,
) -> str:
    """Compute an ACS3-HMAC-SHA256 signature (hex) from the parts of a request."""
    canonical_headers = "".join(
        f"{name}:{','.join(sorted(v.strip() for v in headers.get(name, [])))}\n"
        for name in signed_header_names
    )
    canonical_request = "\n".join(
        [
            method.upper(),
            "/",
            canonical_query(query_pairs),
            canonical_headers,
            ";".join(signed_header_names),
            sha256_hex(body),
        ]
    )
    string_to_sign = f"{SIGNATURE_ALGORITHM}\n{sha256_hex(canonical_request.encode('utf-8'))}"
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), "sha256").hexdigest()


def _check_port_range(name: str, value: str, protocol: str) -> None:
    match = _PORT_RANGE_RE.match(value)
    if match is None:
        raise _error(f"InvalidParameter.{name}", name)
    start, end = int(match.group(1)), int(match.group(2))
    if protocol in ("tcp", "udp"):
        if not (1 <= start <= end <= 65535):
            raise _error(f"InvalidParameter.{name}", name)
    elif (start, end) != (-1, -1):
        raise _error(f"InvalidParameter.{name}", name)


def _check_cidr(value: str) -> None:
    try:
        if "/" in value:
            ipaddress.IPv4Network(value, strict=False)
        else:
            ipaddress.IPv4Address(value)
    except ValueError:
        raise _error("InvalidParameter.DestCidrIp", "DestCidrIp") from None


class EnsEmulator:
    """The emulated service: state, fault plan and request log. Thread safe."""

    def __init__(
        self,
        *,
        access_keys: Mapping[str, str] | None = None,
        security_tokens: Mapping[str, str] | None = None,
        groups: Iterable[str] = (),
        rule_limit: int = 200,
        capitalised: bool = False,
        max_clock_skew: float = 900.0,
    ) -> None:
        self.access_keys = dict(
            access_keys if access_keys is not None else {TEST_ACCESS_KEY_ID: TEST_ACCESS_KEY_SECRET}
        )
        # access key id -> the STS token that must come with it
        self.security_tokens = dict(security_tokens or {})
        self.default_rule_limit = rule_limit
        # The real API documents IpProtocol "TCP" and Policy "Accept" in its examples.
        self.capitalised = capitalised
        # When true, error messages quote the request headers back (as a careless proxy might),
        # so tests can check that the client scrubs them.
        self.echo_request_in_errors = False
        self.max_clock_skew = max_clock_skew
        self._lock = threading.Lock()
        self._groups: dict[str, _Group] = {}
        self._faults: list[_Fault] = []
        self._requests: list[RecordedRequest] = []
        self._nonces: set[str] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for group_id in groups:
            self.add_group(group_id)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> EnsEmulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a "slow" fault
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> EnsEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        """host:port, as the SDK's Config.endpoint wants it."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    # -- state -------------------------------------------------------------------------------

    def add_group(
        self, group_id: str, *, name: str | None = None, rule_limit: int | None = None
    ) -> None:
        with self._lock:
            self._groups[group_id] = _Group(group_id, name or f"name-{group_id}", rule_limit)

    def add_rule(self, group_id: str, direction: str = "egress", **fields: str | int) -> None:
        """Put a rule in a group directly, bypassing the API (ingress rules too)."""
        with self._lock:
            group = self._groups[group_id]
            rule = {k: str(v) for k, v in fields.items()}
            rule.setdefault("Policy", "accept")
            rule.setdefault("Priority", "1")
            rule.setdefault("SourcePortRange", "")
            rule.setdefault("DestCidrIp", "")
            rule.setdefault("SourceCidrIp", "")
            rule["Direction"] = direction
            rule.setdefault("CreationTime", _now_text())
            rule.setdefault("Description", "")
            group.rules.append(rule)

    def set_rule_limit(self, group_id: str, limit: int | None) -> None:
        with self._lock:
            self._groups[group_id].rule_limit = limit

    def egress_rules(self, group_id: str) -> list[dict[str, str]]:
        """The stored egress rules of a group, as stored (lower-case values)."""
        with self._lock:
            return [
                {k: rule[k] for k in ("SecurityGroupId", *RULE_FIELDS) if k in rule}
                | {"SecurityGroupId": group_id}
                for rule in self._groups[group_id].rules
                if rule["Direction"] == "egress"
            ]

    def rule_count(self, group_id: str, **fields: str | int) -> int:
        """How many stored egress rules of a group carry all the given field values."""
        wanted = {k: str(v) for k, v in fields.items()}
        return sum(
            1
            for rule in self.egress_rules(group_id)
            if all(rule.get(k) == v for k, v in wanted.items())
        )

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def calls(self, action: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests if action is None or r.action == action]

    def state_changes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.changed_state]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        """Forget groups, rules, faults and the request log; keep keys and options."""
        with self._lock:
            self._groups.clear()
            self._faults.clear()
            self._requests.clear()
            self._nonces.clear()
        self.capitalised = False
        self.echo_request_in_errors = False

    # -- faults ------------------------------------------------------------------------------

    def throttle(
        self,
        n: int = 1,
        *,
        code: str = "Throttling",
        action: str | None = None,
        status: int = 400,
        retry_after_ms: int | None = None,
    ) -> None:
        """Answer the next n matching calls with a throttling error."""
        self._add_fault(
            _Fault("throttle", n, action, code=code, status=status, retry_after_ms=retry_after_ms)
        )

    def fail_server(
        self,
        n: int = 1,
        *,
        status: int = 500,
        code: str = "InternalError",
        action: str | None = None,
    ) -> None:
        """Answer the next n matching calls with a 5xx error."""
        self._add_fault(_Fault("server_error", n, action, code=code, status=status))

    def slow(
        self, n: int = 1, *, delay: float, action: str | None = None, apply_first: bool = True
    ) -> None:
        """Hold the answer to the next n matching calls for `delay` seconds.

        With apply_first the call takes effect before the wait, as a real server that is slow to
        answer would: a client that times out has then created the rule anyway.
        """
        self._add_fault(_Fault("slow", n, action, delay=delay, apply_first=apply_first))

    def drop(self, n: int = 1, *, action: str | None = None, after_apply: bool = False) -> None:
        """Close the connection without an answer on the next n matching calls."""
        self._add_fault(_Fault("drop", n, action, apply_first=after_apply))

    def deny(
        self, n: int | None = None, *, action: str | None = None, code: str = "NoPermission"
    ) -> None:
        """Refuse matching calls with NoPermission (every call when n is None)."""
        self._add_fault(_Fault("deny", n, action, code=code, status=400))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, fault: _Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, action: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.action is not None and fault.action != action:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    # -- request handling ---------------------------------------------------------------------

    def handle(
        self,
        method: str,
        target: str,
        headers: Mapping[str, list[str]],
        body: bytes,
    ) -> _Answer:
        request_id = str(uuid.uuid4()).upper()
        action = (headers.get("x-acs-action") or [""])[0]
        split = urlsplit(target)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        params = dict(pairs)
        answer = _Answer(request_id=request_id, action=action, params=params)
        try:
            if split.path != "/":
                raise _error("InvalidAction.NotFound", status=404)
            answer.access_key_id = self._authenticate(method, pairs, headers, body)
            if (headers.get("x-acs-version") or [""])[0] != API_VERSION:
                raise _error("InvalidVersion")
            fault = self._take_fault(action)
            if fault is not None:
                answer.fault = fault.kind
                self._apply_fault(fault, answer)
                if answer.done:
                    return answer
            if answer.fault == "slow" and not self._apply_slow_before(answer):
                return answer
            self._dispatch(action, params, answer)
        except ApiError as exc:
            answer.fail(exc, headers if self.echo_request_in_errors else None)
        return answer

    def _apply_fault(self, fault: _Fault, answer: _Answer) -> None:
        if fault.kind == "throttle":
            answer.fail(_error(fault.code, status=fault.status))
            if fault.retry_after_ms is not None:
                answer.extra_headers["x-acs-retry-after"] = str(fault.retry_after_ms)
            answer.done = True
        elif fault.kind == "server_error":
            answer.fail(_error(fault.code, status=fault.status))
            answer.done = True
        elif fault.kind == "deny":
            answer.fail(_error(fault.code))
            answer.done = True
        elif fault.kind == "drop":
            if fault.apply_first:
                with suppress(ApiError):
                    self._dispatch(answer.action, answer.params, answer)
            answer.drop = True
            answer.done = True
        elif fault.kind == "slow":
            answer.delay = fault.delay
            answer.slow_apply_first = fault.apply_first

    def _apply_slow_before(self, answer: _Answer) -> bool:
        """Wait before acting (a slow fault without apply_first); False if stopped meanwhile."""
        if answer.slow_apply_first:
            return True
        delay, answer.delay = answer.delay, 0.0
        if self._stopping.wait(delay):
            answer.drop = True
            return False
        return True

    def _authenticate(
        self,
        method: str,
        pairs: list[tuple[str, str]],
        headers: Mapping[str, list[str]],
        body: bytes,
    ) -> str:
        authorization = (headers.get("authorization") or [""])[0]
        match = _AUTH_RE.match(authorization)
        if match is None:
            raise _error("IncompleteSignature")
        access_key_id = match.group("ak")
        secret = self.access_keys.get(access_key_id)
        if secret is None:
            raise _error("InvalidAccessKeyId.NotFound", status=404)
        signed = match.group("headers").split(";")
        # host and every x-acs-* header must be covered, in sorted order
        must_sign = {"host"} | {h for h in headers if h.startswith("x-acs-")}
        if signed != sorted(signed) or not must_sign <= set(signed):
            raise _error("IncompleteSignature")
        content_sha = (headers.get("x-acs-content-sha256") or [""])[0]
        if content_sha != sha256_hex(body):
            raise _error("IncompleteSignature")
        expected = acs3_signature(secret, method, pairs, headers, signed, body)
        if not hmac.compare_digest(expected, match.group("sig")):
            raise _error("SignatureDoesNotMatch")
        wanted_token = self.security_tokens.get(access_key_id)
        got_tokens = headers.get("x-acs-security-token")
        got_token = got_tokens[0] if got_tokens else None
        if wanted_token is not None and got_token != wanted_token:
            raise _error("InvalidSecurityToken.MismatchWithAccessKey")
        self._check_freshness(headers)
        return access_key_id

    def _check_freshness(self, headers: Mapping[str, list[str]]) -> None:
        date_text = (headers.get("x-acs-date") or [""])[0]
        try:
            sent = datetime.strptime(date_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        except ValueError:
            raise _error("InvalidTimeStamp.Expired") from None
        if abs((datetime.now(timezone.utc) - sent).total_seconds()) > self.max_clock_skew:
            raise _error("InvalidTimeStamp.Expired")
        nonce = (headers.get("x-acs-signature-nonce") or [""])[0]
        with self._lock:
            if not nonce or nonce in self._nonces:
                raise _error("SignatureNonceUsed")
            self._nonces.add(nonce)

    def _dispatch(self, action: str, params: dict[str, str], answer: _Answer) -> None:
        if action == AUTHORIZE_EGRESS:
            answer.changed_state = self._authorize_egress(params)
            answer.body = {"RequestId": answer.request_id}
        elif action == DESCRIBE_ATTRIBUTE:
            answer.body = self._describe(params) | {"RequestId": answer.request_id}
        else:
            raise _error("InvalidAction.NotFound", status=404)

    def _authorize_egress(self, params: dict[str, str]) -> bool:
        for name in ("SecurityGroupId", "IpProtocol", "PortRange", "DestCidrIp"):
            if not params.get(name):
                raise _error("MissingParameter", name)
        protocol = params["IpProtocol"]
        if protocol not in PROTOCOLS:  # case-sensitive, as documented
            raise _error("InvalidParameter.IpProtocol", "IpProtocol")
        _check_port_range("PortRange", params["PortRange"], protocol)
        source_ports = params.get("SourcePortRange", "")
        if source_ports:
            _check_port_range("SourcePortRange", source_ports, protocol)
        policy = params.get("Policy") or "accept"
        if policy not in POLICIES:
            raise _error("InvalidParameter.Policy", "Policy")
        priority_text = params.get("Priority") or "1"
        if not re.fullmatch(r"\d{1,3}", priority_text) or not 1 <= int(priority_text) <= 100:
            raise _error("InvalidParameter.Priority", "Priority")
        _check_cidr(params["DestCidrIp"])
        rule = {
            "IpProtocol": protocol,
            "PortRange": params["PortRange"],
            "SourcePortRange": source_ports,
            "DestCidrIp": params["DestCidrIp"],
            "Policy": policy,
            "Priority": str(int(priority_text)),
        }
        with self._lock:
            group = self._groups.get(params["SecurityGroupId"])
            if group is None:
                raise _error("InvalidSecurityGroupId.NotFound")
            for existing in group.rules:
                if existing["Direction"] == "egress" and all(
                    existing.get(k) == rule[k] for k in RULE_FIELDS
                ):
                    raise _error("SecurityGroupRuleConflict.Duplicated")
            limit = group.rule_limit if group.rule_limit is not None else self.default_rule_limit
            if len(group.rules) >= limit:
                raise _error("AuthorizationLimitExceed")
            group.rules.append(
                rule
                | {
                    "Direction": "egress",
                    "SourceCidrIp": "",
                    "CreationTime": _now_text(),
                    "Description": "",
                }
            )
        return True

    def _describe(self, params: dict[str, str]) -> dict[str, Any]:
        group_id = params.get("SecurityGroupId")
        if not group_id:
            raise _error("MissingParameter", "SecurityGroupId")
        with self._lock:
            group = self._groups.get(group_id)
            if group is None:
                raise _error("InvalidSecurityGroupId.NotFound")
            permissions = [self._permission(rule) for rule in group.rules]
            name = group.name
        return {
            "SecurityGroupId": group_id,
            "SecurityGroupName": name,
            "Description": "",
            "Permissions": {"Permission": permissions},
        }

    def _permission(self, rule: dict[str, str]) -> dict[str, Any]:
        protocol, policy = rule.get("IpProtocol", ""), rule.get("Policy", "")
        if self.capitalised:
            protocol, policy = protocol.upper(), policy.capitalize()
        return {
            "Direction": rule["Direction"],
            "IpProtocol": protocol,
            "PortRange": rule.get("PortRange", ""),
            "SourcePortRange": rule.get("SourcePortRange", ""),
            "DestCidrIp": rule.get("DestCidrIp", ""),
            "SourceCidrIp": rule.get("SourceCidrIp", ""),
            "Policy": policy,
            "Priority": int(rule.get("Priority", "1")),
            "CreationTime": rule.get("CreationTime", ""),
            "Description": rule.get("Description", ""),
            "Ipv6DestCidrIp": "",
            "Ipv6SourceCidrIp": "",
        }

    def record(self, answer: _Answer) -> None:
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    action=answer.action,
                    params=dict(answer.params),
                    status=0 if answer.drop else answer.status,
                    code=answer.code,
                    changed_state=answer.changed_state,
                    request_id=answer.request_id,
                    access_key_id=answer.access_key_id,
                    fault=answer.fault,
                )
            )


@dataclass
class _Answer:
    request_id: str
    action: str
    params: dict[str, str]
    status: int = 200
    code: str | None = None
    body: dict[str, Any] = field(default_factory=dict)
    extra_headers: dict[str, str] = field(default_factory=dict)
    changed_state: bool = False
    access_key_id: str | None = None
    fault: str | None = None
    drop: bool = False
    delay: float = 0.0
    slow_apply_first: bool = True
    done: bool = False

    def fail(self, error: ApiError, echo_headers: Mapping[str, list[str]] | None = None) -> None:
        self.status, self.code = error.status, error.code
        message = error.message
        if echo_headers is not None:
            message += " Request headers: " + json.dumps(dict(echo_headers), sort_keys=True)
        self.body = {
            "RequestId": self.request_id,
            "HostId": HOST_ID,
            "Code": error.code,
            "Message": message,
            "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}",
        }


def _now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler stuck in a slow answer must not block shutdown
    emulator: EnsEmulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: no stale pooled sockets
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output clean

    def _serve(self) -> None:
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        answer = emulator.handle(self.command, self.path, headers, body)
        emulator.record(answer)
        if answer.drop:
            self._drop()
            return
        if answer.delay and emulator._stopping.wait(answer.delay):
            self._drop()
            return
        payload = json.dumps(answer.body).encode("utf-8")
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-acs-request-id", answer.request_id)
            for name, value in answer.extra_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (read timeout)

    def _drop(self) -> None:
        # Nothing is written: the client sees the connection closed without an answer.
        self.close_connection = True


@contextmanager
def running_emulator(**options: Any) -> Iterator[EnsEmulator]:
    """Start an emulator on an ephemeral 127.0.0.1 port for the duration of a block."""
    emulator = EnsEmulator(**options)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def raw_call(
    emulator: EnsEmulator,
    action: str,
    params: Mapping[str, str],
    *,
    access_key_id: str = TEST_ACCESS_KEY_ID,
    secret: str = TEST_ACCESS_KEY_SECRET,
    extra_headers: Mapping[str, str] | None = None,
    send_params: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Sign and send one request with the stdlib only (for tests of the emulator itself).

    `send_params`, when given, is sent instead of the signed `params` (a tampered request).
    """
    import http.client
    from urllib.parse import urlencode

    headers = {
        "host": emulator.endpoint,
        "x-acs-action": action,
        "x-acs-version": API_VERSION,
        "x-acs-date": _now_text(),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "x-acs-content-sha256": sha256_hex(b""),
        "accept": "application/json",
    }
    headers.update(extra_headers or {})
    signed = sorted(headers)
    as_lists = {k: [v] for k, v in headers.items()}
    signature = acs3_signature(secret, "POST", params.items(), as_lists, signed, b"")
    headers["Authorization"] = (
        f"{SIGNATURE_ALGORITHM} Credential={access_key_id},SignedHeaders={';'.join(signed)},"
        f"Signature={signature}"
    )
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    try:
        sent = dict(params if send_params is None else send_params)
        connection.request("POST", "/?" + urlencode(sent), body=b"", headers=headers)
        response = connection.getresponse()
        return response.status, cast(dict[str, Any], json.loads(response.read() or b"{}"))
    finally:
        connection.close()
