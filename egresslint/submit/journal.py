"""A JSON-lines journal of a submit run, so that a rerun skips what is already done.

Before each call a line with event "attempt" is written; after it, a line with event
"outcome". Each line is flushed and fsync'd before the run moves on, so a run killed at any
point leaves at worst an attempt without its outcome. Such a rule is simply sent again on
the next run: the API answers SecurityGroupRuleConflict.Duplicated for a rule that exists,
which counts as already present, so no rule is ever created twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from egresslint.submit.plan import PlannedRule, rule_key

JOURNAL_VERSION = 1
DONE_STATUSES = frozenset({"submitted", "already present"})


@dataclass(frozen=True)
class JournalState:
    """What earlier runs against one endpoint left behind."""

    done: frozenset[str] = frozenset()  # rule keys submitted or found present
    interrupted: frozenset[str] = frozenset()  # attempted, no outcome written


@dataclass
class Journal:
    """Appends run events to `path`; reads back the state of earlier runs for `endpoint`.

    The endpoint is written on every line so that a journal kept from a run against one
    endpoint (say a test emulator) does not make a run against another skip anything.
    """

    path: Path
    endpoint: str
    _handle: IO[str] | None = field(default=None, init=False, repr=False)

    def state(self) -> JournalState:
        done: set[str] = set()
        attempted: set[str] = set()
        settled: set[str] = set()
        for entry in self._entries():
            if entry.get("endpoint") != self.endpoint:
                continue
            key = entry.get("key")
            if not isinstance(key, str):
                continue
            if entry.get("event") == "attempt":
                attempted.add(key)
                settled.discard(key)
            elif entry.get("event") == "outcome":
                settled.add(key)
                if entry.get("status") in DONE_STATUSES:
                    done.add(key)
        return JournalState(frozenset(done), frozenset(attempted - settled - done))

    def record_attempt(self, rule: PlannedRule) -> None:
        self._write(
            {
                "event": "attempt",
                "key": rule_key(rule.params),
                "group": rule.security_group_id,
                "location": rule.location,
                "params": {k: rule.params[k] for k in sorted(rule.params)},
            }
        )

    def record_outcome(
        self,
        rule: PlannedRule,
        status: str,
        *,
        request_id: str | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        self._write(
            {
                "event": "outcome",
                "key": rule_key(rule.params),
                "group": rule.security_group_id,
                "location": rule.location,
                "status": status,
                "request_id": request_id,
                "code": code,
                "message": message,
            }
        )

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, entry: dict[str, Any]) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
            if self._ends_mid_line():
                self._handle.write("\n")  # end a line cut short by a kill, keep ours whole
        line = {
            "v": JOURNAL_VERSION,
            "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "endpoint": self.endpoint,
            **entry,
        }
        self._handle.write(json.dumps(line, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())  # the line must survive a kill right after the call

    def _ends_mid_line(self) -> bool:
        try:
            with self.path.open("rb") as existing:
                if existing.seek(0, os.SEEK_END) == 0:
                    return False
                existing.seek(-1, os.SEEK_END)
                return existing.read(1) != b"\n"
        except FileNotFoundError:
            return False

    def _entries(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        entries = []
        for raw in text.splitlines():
            try:
                entry = json.loads(raw)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill mid-write
            if isinstance(entry, dict) and entry.get("v") == JOURNAL_VERSION:
                entries.append(entry)
        return entries
