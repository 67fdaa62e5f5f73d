"""Errors of the submit stage and how an API error code is handled."""

from __future__ import annotations

from enum import Enum


class SubmitError(Exception):
    """A failure of the submit stage that the command line shows as one line."""


class SdkMissingError(SubmitError):
    """The optional Alibaba Cloud SDK is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"submitting needs the Alibaba Cloud SDK ({missing} is not installed): "
            "pip install 'egresslint[submit]'"
        )


class SubmitConfigError(SubmitError):
    """Settings that cannot work (a malformed endpoint URL, a bad timeout)."""


class ErrorKind(Enum):
    """What a failed call means for the run."""

    DUPLICATE = "duplicate"  # the rule already exists: success
    TRANSIENT = "transient"  # worth retrying: throttling, 5xx, network
    GROUP = "group"  # this security group cannot take more rules: stop the group
    FATAL = "fatal"  # permissions or credentials: stop everything
    REJECTED = "rejected"  # this one rule was refused


DUPLICATED = "SecurityGroupRuleConflict.Duplicated"
THROTTLING_CODES = frozenset({"Throttling", "Throttling.User", "Throttling.Api"})
GROUP_STOP_CODES = frozenset({"InvalidSecurityGroupId.NotFound", "AuthorizationLimitExceed"})

# Codes made on this side for failures that carry no server code.
NETWORK_ERROR = "NetworkError"
TIMEOUT = "Timeout"
INVALID_RESPONSE = "InvalidResponse"
CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable"
CLIENT_ERROR = "ClientError"

_TRANSIENT_CODES = THROTTLING_CODES | {
    "ServiceUnavailable",
    "InternalError",
    "SignatureNonceUsed",  # a nonce collision; the next attempt gets a fresh nonce
    NETWORK_ERROR,
    TIMEOUT,
    INVALID_RESPONSE,
}
# Failures that will repeat for every later call of the run, so the run stops.
_FATAL_CODES = frozenset(
    {
        "NoPermission",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidTimeStamp.Expired",
        "InvalidAction.NotFound",
        "InvalidVersion",
        CREDENTIALS_UNAVAILABLE,
        CLIENT_ERROR,
    }
)
_FATAL_PREFIXES = ("InvalidAccessKeyId", "InvalidSecurityToken", "Forbidden")


def kind_of(code: str, http_status: int | None) -> ErrorKind:
    """Classify an error code (and HTTP status) from the ENS API."""
    if code == DUPLICATED:
        return ErrorKind.DUPLICATE
    if code in _TRANSIENT_CODES or code.startswith("Throttling."):
        return ErrorKind.TRANSIENT
    if code in GROUP_STOP_CODES:
        return ErrorKind.GROUP
    if code in _FATAL_CODES or code.startswith(_FATAL_PREFIXES):
        return ErrorKind.FATAL
    if http_status is not None and http_status >= 500:
        return ErrorKind.TRANSIENT
    if http_status in (401, 403):
        return ErrorKind.FATAL
    return ErrorKind.REJECTED


class ApiCallError(Exception):
    """A call that did not succeed, reduced to what is safe to show.

    It never holds the SDK's exception (that one can carry the signed request and its
    security token); `message` has already been scrubbed of secrets.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        http_status: int | None = None,
        attempts: int = 1,
        kind: ErrorKind | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.attempts = attempts
        self.kind = kind if kind is not None else kind_of(code, http_status)
        # seconds the server asked us to wait before the next attempt, if it said
        self.retry_after = retry_after
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}" if self.message else self.code
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def after_attempts(self, attempts: int) -> ApiCallError:
        """The same failure, noting how many attempts were made before giving up."""
        message = self.message
        if attempts > 1:
            message = f"{message} (gave up after {attempts} attempts)".lstrip()
        return ApiCallError(
            self.code,
            message,
            request_id=self.request_id,
            http_status=self.http_status,
            attempts=attempts,
            kind=self.kind,
            retry_after=self.retry_after,
        )
