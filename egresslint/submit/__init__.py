"""Submit planned egress rules to Alibaba Cloud ENS with the official SDK.

A leaf of the package: nothing else in egresslint imports it, and it imports the SDK only
when a client is built (`build_client`), so the lint path never pays for it.
"""

from __future__ import annotations

from egresslint.submit.client import (
    DEFAULT_ENDPOINT,
    ClientSettings,
    EgressApi,
    EnsClient,
    build_client,
    egress_permissions,
    existing_rules,
    parse_endpoint,
)
from egresslint.submit.errors import (
    ApiCallError,
    ErrorKind,
    SdkMissingError,
    SubmitConfigError,
    SubmitError,
)
from egresslint.submit.journal import Journal, JournalState
from egresslint.submit.plan import PlannedRule, rule_key, summarize
from egresslint.submit.retry import RetryPolicy
from egresslint.submit.run import RuleOutcome, Status, StopReason, SubmitReport, submit_rules

__all__ = [
    "DEFAULT_ENDPOINT",
    "ApiCallError",
    "ClientSettings",
    "EgressApi",
    "EnsClient",
    "ErrorKind",
    "Journal",
    "JournalState",
    "PlannedRule",
    "RetryPolicy",
    "RuleOutcome",
    "SdkMissingError",
    "Status",
    "StopReason",
    "SubmitConfigError",
    "SubmitError",
    "SubmitReport",
    "build_client",
    "egress_permissions",
    "existing_rules",
    "parse_endpoint",
    "rule_key",
    "submit_rules",
    "summarize",
]
