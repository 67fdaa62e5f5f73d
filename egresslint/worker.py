"""A second process for a large run: it loads the same files and runs the rule checks, and
the group checks of the first groups, while this one loads them and analyses the other
groups.

The rule checks read one rule at a time and the group checks one group at a time, so the
work divides without changing any finding. The worker is forked before the files are
loaded, from bytes already read: each process builds its own rules, so neither writes to
pages the other still reads (a fork after loading copied most of the heap, page by page,
in both), and each loads at full speed. On two CPUs a large run takes about four fifths of
the time it takes in one process (benchmarks/: 100,000 rules as JSON 1.9 s instead of 2.5 s),
for a load of its own on the second CPU and a second copy of the rules in memory.

The worker sends back only its findings, and what it loaded (counts), which must match
what this process loaded. Whatever goes wrong in it (an exception, an unexpected type in a
plugin's problem, a signal, a different load), the caller is told nothing came back and does
the worker's part itself: the findings are always those of a run without a worker.

Used only where forking is safe and cheap: not on Windows (no fork), not on macOS (where
system libraries make forking without exec unsafe, and CPython defaults to spawning), not
when another thread runs, and only when two CPUs are available to this process.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from egresslint.finding import Edit, Finding, Related, RuleRef, Severity
from egresslint.span import Span

if TYPE_CHECKING:
    from egresslint.security_group import SecurityGroup

#: A run over fewer bytes of rule files does all the work itself: below this, loading twice
#: and computing each rule's traffic in both processes cost about what the second CPU saves
#: (measured on benchmarks/: about 5,000 rules).
WORKER_MIN_BYTES = 1 << 20
#: The share of the group analysis the worker takes besides the rule checks, so that both
#: processes finish together. Measured on benchmarks/ realistic-100k: the rule checks cost
#: about three fifths of the group analysis.
WORKER_GROUP_SHARE = 0.2

#: What a worker sends back: lists of findings, each in the order it was made.
Findings = list[list[Finding]]
#: A worker's result: what it loaded (counts the caller compares with its own), and its
#: findings.
Result = tuple[tuple[int, ...], Findings]


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork(jobs: int | None, size: int) -> bool:
    """Whether a run over `size` bytes of rule files, allowed `jobs` processes (None: as
    many as there are CPUs), should start a worker."""
    if jobs is not None and jobs < 2:
        return False
    if size < WORKER_MIN_BYTES or not hasattr(os, "fork"):
        return False
    import threading  # here: a small run (a pre-commit hook's) never needs it

    if sys.platform in ("darwin", "win32", "cygwin") or threading.active_count() > 1:
        return False
    return available_cpus() >= 2


def worker_share(groups: Sequence[SecurityGroup]) -> int:
    """How many of the first groups the worker analyses: about `WORKER_GROUP_SHARE` of the
    rules."""
    target = WORKER_GROUP_SHARE * sum(len(group.rules) for group in groups)
    total = 0
    for count, group in enumerate(groups):
        if total >= target:
            return count
        total += len(group.rules)
    return len(groups)


class Worker:
    """A forked process running `task`, whose result `result` returns."""

    def __init__(self, pid: int, read_fd: int) -> None:
        self._pid: int | None = pid
        self._read_fd: int | None = read_fd

    @classmethod
    def start(cls, task: Callable[[], Result]) -> Worker | None:
        """The worker, or None when the fork failed (the caller then runs `task` itself)."""
        # Nothing written so far may be written again by the worker's copy of the buffers.
        _flush()
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return None
        if pid == 0:  # the worker: never returns
            os.close(read_fd)
            _serve(task, write_fd)
        os.close(write_fd)
        return cls(pid, read_fd)

    def result(self) -> Result | None:
        """The worker's result; None when it failed."""
        assert self._read_fd is not None and self._pid is not None, "result() is called once"
        chunks = []
        with os.fdopen(self._read_fd, "rb") as pipe:
            self._read_fd = None
            while chunk := pipe.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            return decode(b"".join(chunks))
        except (ValueError, EOFError, TypeError):
            return None

    def stop(self) -> None:
        """End the worker if it still runs (the run failed before asking for its result)."""
        if self._read_fd is not None:
            os.close(self._read_fd)
            self._read_fd = None
        if self._pid is not None:
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None


def _serve(task: Callable[[], Result], write_fd: int) -> None:
    code = 1
    try:
        loaded, lists = task()
        data = encode(loaded, lists)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        code = 0
    except BaseException:
        pass  # the parent does the task itself, and reports what fails
    finally:
        # What a check printed is kept; then straight out, without the exit handlers the
        # caller's process runs.
        _flush()
        os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


# Findings as plain tuples for `marshal`, which is fast and refuses anything but exact
# built-in types: a plugin's unusual value fails the worker instead of changing in transit.


def encode(loaded: tuple[int, ...], lists: Findings) -> bytes:
    return marshal.dumps((loaded, [[
        (f.path, f.line, f.column, f.end_line, f.end_column, f.code, f.name, int(f.severity),
         f.message,
         None if f.rule is None else (f.rule.index, f.rule.security_group_id, f.rule.line),
         [(r.path, r.line, r.column, r.message) for r in f.related],
         f.fingerprint, f.fix_hint,
         [(tuple(e.span), e.replacement, e.safe, e.description) for e in f.edits],
         f.suppressed_by)
        for f in findings] for findings in lists]))


def decode(data: bytes) -> Result:
    loaded, lists = marshal.loads(data)
    return tuple(loaded), [[
        Finding(path, line, column, end_line, end_column, code, name, Severity(severity),
                message, None if rule is None else RuleRef(*rule),
                tuple([Related(*r) for r in related]), fingerprint, fix_hint,
                tuple([Edit(Span(*e[0]), e[1], e[2], e[3]) for e in edits]), suppressed_by)
        for (path, line, column, end_line, end_column, code, name, severity, message, rule,
             related, fingerprint, fix_hint, edits, suppressed_by) in findings]
        for findings in lists]
