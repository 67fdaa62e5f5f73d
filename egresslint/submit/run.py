"""Execute a plan: send the rules that passed lint, and say what happened to every rule."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import Enum

from egresslint.submit.client import EgressApi
from egresslint.submit.errors import DUPLICATED, ApiCallError, ErrorKind
from egresslint.submit.journal import Journal
from egresslint.submit.plan import PlannedRule, check_planned, rule_key, summarize


class Status(str, Enum):
    SUBMITTED = "submitted"
    ALREADY_PRESENT = "already present"
    SKIPPED_BY_LINT = "skipped by lint"
    REJECTED = "rejected"
    NOT_ATTEMPTED = "not attempted"
    WOULD_SUBMIT = "would submit"


@dataclass(frozen=True)
class RuleOutcome:
    """What happened to one planned rule."""

    rule: PlannedRule
    status: Status
    request_id: str | None = None
    code: str | None = None
    message: str | None = None

    @property
    def location(self) -> str:
        return self.rule.location

    @property
    def security_group_id(self) -> str:
        return self.rule.security_group_id

    @property
    def summary(self) -> str:
        return summarize(self.rule.params)

    def line(self) -> str:
        """One line for a person: path:line, group, what the rule does, status, details."""
        text = f"{self.location}: {self.security_group_id}: {self.summary}: {self.status.value}"
        details = []
        if self.code:
            details.append(f"{self.code}: {self.message}" if self.message else self.code)
        elif self.message:
            details.append(self.message)
        if self.request_id:
            details.append(f"request id {self.request_id}")
        return f"{text} ({'; '.join(details)})" if details else text


@dataclass(frozen=True)
class StopReason:
    """Why the run stopped sending (a permissions or credentials failure, or no service)."""

    code: str
    message: str
    location: str
    request_id: str | None = None


@dataclass(frozen=True)
class SubmitReport:
    outcomes: tuple[RuleOutcome, ...]
    dry_run: bool
    stopped: StopReason | None = None

    def count(self, status: Status) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is status)

    @property
    def ok(self) -> bool:
        """Every rule is (or in a dry run would be) in place."""
        good = {Status.SUBMITTED, Status.ALREADY_PRESENT, Status.WOULD_SUBMIT}
        return self.stopped is None and all(o.status in good for o in self.outcomes)

    def lines(self) -> list[str]:
        return [outcome.line() for outcome in self.outcomes]


def submit_rules(
    rules: Sequence[PlannedRule],
    client: EgressApi | None,
    *,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    journal: Journal | None = None,
    progress: Callable[[RuleOutcome], None] | None = None,
    present: Collection[str] = (),
) -> SubmitReport:
    """Send every rule that passed lint, in order, and report an outcome per rule.

    Rules with blocking findings are never sent. With `all_or_nothing`, nothing is sent when
    any rule is blocked (this covers lint only: a rule the API refuses halfway through a run
    is not rolled back). A dry run changes nothing: with a client it reads each security
    group once to tell "already present" from "would submit"; the journal is only read.
    Rules the journal records as done are not sent again, nor are rules whose key is in
    `present` (rules the caller found in the live security group).
    """
    for rule in rules:
        check_planned(rule)
    if not dry_run and client is None:
        raise ValueError("a client is needed unless dry_run is set")
    if journal is not None and client is not None and journal.endpoint != client.endpoint:
        raise ValueError("the journal belongs to another endpoint than the client's")

    blocked = [rule for rule in rules if not rule.passed_lint]
    if all_or_nothing and blocked:
        return SubmitReport(_refuse_all(rules, len(blocked)), dry_run)

    done = set(journal.state().done) if journal is not None else set()
    if dry_run:
        return SubmitReport(_dry_run(rules, client, done), dry_run)
    assert client is not None
    return _Run(client, journal, done, progress, set(present)).execute(rules)


def _skipped(rule: PlannedRule) -> RuleOutcome:
    return RuleOutcome(rule, Status.SKIPPED_BY_LINT, message="; ".join(rule.blocking))


def _refuse_all(rules: Sequence[PlannedRule], blocked: int) -> tuple[RuleOutcome, ...]:
    reason = f"all-or-nothing: {blocked} rule(s) blocked by lint, nothing sent"
    return tuple(
        _skipped(rule) if rule.blocking else RuleOutcome(rule, Status.NOT_ATTEMPTED, message=reason)
        for rule in rules
    )


def _dry_run(
    rules: Sequence[PlannedRule], client: EgressApi | None, done: set[str]
) -> tuple[RuleOutcome, ...]:
    present: dict[str, set[str]] = {}
    unreadable: dict[str, ApiCallError] = {}
    if client is not None:
        stop: ApiCallError | None = None
        for group_id in dict.fromkeys(r.security_group_id for r in rules if r.passed_lint):
            if stop is not None:  # the same failure would repeat for every group
                unreadable[group_id] = stop
                continue
            try:
                present[group_id] = {rule_key(p) for p in client.describe_egress(group_id)}
            except ApiCallError as error:
                unreadable[group_id] = error
                if error.kind in (ErrorKind.FATAL, ErrorKind.TRANSIENT):
                    stop = error
    outcomes = []
    for rule in rules:
        key = rule_key(rule.params)
        failure = unreadable.get(rule.security_group_id)
        if rule.blocking:
            outcomes.append(_skipped(rule))
        elif key in present.get(rule.security_group_id, set()):
            outcomes.append(RuleOutcome(rule, Status.ALREADY_PRESENT, message=_LIVE))
        elif key in done:
            outcomes.append(RuleOutcome(rule, Status.ALREADY_PRESENT, message=_JOURNAL_DONE))
        elif failure is not None and failure.kind is ErrorKind.GROUP:
            outcomes.append(_from_error(rule, Status.NOT_ATTEMPTED, failure))
        elif failure is not None:
            note = f"could not read the security group's rules: {failure.message}"
            outcomes.append(
                RuleOutcome(rule, Status.WOULD_SUBMIT, failure.request_id, failure.code, note)
            )
        else:
            outcomes.append(RuleOutcome(rule, Status.WOULD_SUBMIT))
    return tuple(outcomes)


_JOURNAL_DONE = "done in an earlier run (journal), not sent again"
_LIVE = "present in the security group"


def _from_error(rule: PlannedRule, status: Status, error: ApiCallError) -> RuleOutcome:
    return RuleOutcome(rule, status, error.request_id, error.code, error.message)


class _Run:
    """One real run: sends rules in order, stopping a group or everything when told to."""

    def __init__(self, client: EgressApi, journal: Journal | None, done: set[str],
                 progress: Callable[[RuleOutcome], None] | None = None,
                 present: set[str] | None = None) -> None:
        self._client = client
        self._progress = progress
        self._present = present or set()
        self._journal = journal
        self._done = done  # from the journal: earlier runs
        self._handled: dict[str, str] = {}  # rule key -> location, for this run
        self._stopped: StopReason | None = None
        self._stopped_groups: dict[str, StopReason] = {}

    def execute(self, rules: Sequence[PlannedRule]) -> SubmitReport:
        outcomes = []
        for rule in rules:
            outcome = self._handle(rule)
            if self._journal is not None and outcome.status is not Status.SUBMITTED:
                self._record(outcome)  # submitted ones were recorded right after the call
            outcomes.append(outcome)
            if self._progress is not None:
                self._progress(outcome)
        return SubmitReport(tuple(outcomes), False, self._stopped)

    def _handle(self, rule: PlannedRule) -> RuleOutcome:
        if rule.blocking:
            return _skipped(rule)
        key = rule_key(rule.params)
        if self._stopped is not None:
            return self._not_sent(rule, self._stopped, "run")
        group_stop = self._stopped_groups.get(rule.security_group_id)
        if group_stop is not None:
            return self._not_sent(rule, group_stop, "security group")
        if key in self._handled:
            message = f"same rule as {self._handled[key]}, already in place"
            return RuleOutcome(rule, Status.ALREADY_PRESENT, message=message)
        if key in self._done:
            return RuleOutcome(rule, Status.ALREADY_PRESENT, message=_JOURNAL_DONE)
        if key in self._present:
            return RuleOutcome(rule, Status.ALREADY_PRESENT, message=_LIVE)
        if self._journal is not None:
            self._journal.record_attempt(rule)
        try:
            request_id = self._client.authorize_egress(rule.params)
        except ApiCallError as error:
            return self._failed(rule, key, error)
        self._handled[key] = rule.location
        outcome = RuleOutcome(rule, Status.SUBMITTED, request_id or None)
        if self._journal is not None:
            self._record(outcome)
        return outcome

    def _failed(self, rule: PlannedRule, key: str, error: ApiCallError) -> RuleOutcome:
        if error.kind is ErrorKind.DUPLICATE:
            self._handled[key] = rule.location
            message = "the rule already exists"
            if error.attempts > 1:  # an earlier attempt whose answer was lost may have made it
                message += " (possibly created by an earlier attempt of this call)"
            return RuleOutcome(rule, Status.ALREADY_PRESENT, error.request_id, DUPLICATED, message)
        stop = StopReason(error.code, error.message, rule.location, error.request_id)
        if error.kind is ErrorKind.GROUP:
            self._stopped_groups[rule.security_group_id] = stop
        elif error.kind in (ErrorKind.FATAL, ErrorKind.TRANSIENT):
            # Credentials and permissions fail the same way for every rule, and a service
            # still failing after all retries is not helped by more calls: stop, rerun later.
            self._stopped = stop
        message = error.message
        if error.kind is ErrorKind.TRANSIENT:
            message += "; the rule may or may not exist, a rerun will settle it"
        return RuleOutcome(rule, Status.REJECTED, error.request_id, error.code, message)

    @staticmethod
    def _not_sent(rule: PlannedRule, stop: StopReason, scope: str) -> RuleOutcome:
        message = f"not sent: {scope} stopped after {stop.code} at {stop.location}"
        return RuleOutcome(rule, Status.NOT_ATTEMPTED, code=stop.code, message=message)

    def _record(self, outcome: RuleOutcome) -> None:
        assert self._journal is not None
        self._journal.record_outcome(
            outcome.rule,
            outcome.status.value,
            request_id=outcome.request_id,
            code=outcome.code,
            message=outcome.message,
        )
