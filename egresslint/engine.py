"""The lint run: load files, run the enabled checks, stamp and sort findings."""

from __future__ import annotations

import gc
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from inspect import isgeneratorfunction
from itertools import chain
from operator import attrgetter

from egresslint.checks import Check, CheckContext, Registry, Scope
from egresslint.finding import Finding, Problem, RuleRef, Severity
from egresslint.loader import LoadedFile, load_read, read_path
from egresslint.location import identity_path
from egresslint.policy import EffectiveCheck, Policy
from egresslint.rule import API_FIELDS, MEMO_IDENTITY, UNSET, Rule, new_memo, prime_memos
from egresslint.security_group import SecurityGroup, group_rules
from egresslint.worker import Result as WorkerResult
from egresslint.worker import Worker, can_fork, worker_share

#: Checks that say a file could not be read at all. They cannot be ignored or disabled:
#: a gate that skipped them would pass files it never read.
ALWAYS_ON = frozenset({"EGL001", "EGL007", "EGL009"})


_SORT_KEY = attrgetter("sort_key")
#: `rule_identity` lists fields by name; rules have API fields only, in this order then.
_SORTED_API_FIELDS = tuple(sorted(API_FIELDS))
#: A run over at least this many rules freezes what it leaves for the collector (about the
#: rules of the 1 MiB file after which the loader does the same).
FREEZE_RULES = 5000


class SelectionError(ValueError):
    """`--select` or `--ignore` named something that is not a check."""


@dataclass
class LintResult:
    files: list[LoadedFile]
    rules: list[Rule]
    findings: list[Finding]
    existing: list[Rule] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        failing_rules = {
            (f.path, f.rule.index) for f in self.findings
            if f.rule is not None and f.severity is Severity.ERROR
        }
        return {
            "files": len(self.files),
            "rules": len(self.rules),
            "rules_with_errors": len(failing_rules),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
            "suppressed": len(self.suppressed),
        }

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


def resolve_selection(registry: Registry, keys: Iterable[str]) -> set[str]:
    """Codes for `--select`/`--ignore` keys: codes, names, or code prefixes such as `EGL2`."""
    codes: set[str] = set()
    for key in keys:
        check = registry.get(key)
        if check is not None:
            codes.add(check.code)
            continue
        matches = {c.code for c in registry if c.code.startswith(key.upper())} if key else set()
        if not matches:
            raise SelectionError(f"{key!r} is not a check code, name or code prefix; "
                                 "`egresslint checks` lists them")
        codes |= matches
    return codes


class Engine:
    def __init__(self, registry: Registry, policy: Policy, *, select: Iterable[str] = (),
                 ignore: Iterable[str] = (), jobs: int | None = None) -> None:
        self.registry = registry
        self.policy = policy
        #: At most this many processes (None: one per available CPU); see `egresslint.worker`.
        self.jobs = jobs
        self.effective: dict[str, EffectiveCheck] = policy.resolve(registry)
        selected = resolve_selection(registry, select)
        ignored = resolve_selection(registry, ignore)
        self.active: set[str] = set()
        for check in registry:
            on = self.effective[check.code].enabled
            if selected:
                on = check.code in selected
            if check.code in ignored:
                on = False
            if on or check.code in ALWAYS_ON:
                self.active.add(check.code)

    def context(self, check: Check) -> CheckContext:
        return CheckContext(self.effective[check.code].options, self.policy.settings)

    def run(self, paths: Sequence[str], existing: Sequence[Rule] = ()) -> LintResult:
        return self.run_read([(path, read_path(path)) for path in paths], existing)

    def run_read(self, read: list[tuple[str, bytes | LoadedFile]],
                 existing: Sequence[Rule] = ()) -> LintResult:
        """Load files already read (`egresslint.loader.read_path`) and run. `read` is
        consumed: each file's bytes are let go once it is loaded.

        A large run starts a worker first (`egresslint.worker`), which loads the same bytes
        and does the rule checks and the first groups' checks while this process loads them
        and checks the other groups."""
        worker = None
        if self._divides() and can_fork(self.jobs, sum(
                len(found) for _, found in read if isinstance(found, bytes))):
            worker = Worker.start(lambda: self._worker_part(_load_all(read), existing))
        try:
            files = _load_all(read)
        except BaseException:
            if worker is not None:
                worker.stop()
            raise
        return self.run_loaded(files, existing, worker=worker)

    def run_loaded(self, files: list[LoadedFile], existing: Sequence[Rule] = (), *,
                   worker: Worker | None = None) -> LintResult:
        """Run over loaded files; with `worker` (from `run_read`), only this process's part
        and the worker's findings."""
        # The checks allocate millions of short-lived objects on a large file and no cyclic
        # garbage worth collecting: with the collector paused they run about a fifth faster.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            result = self._run_loaded(files, existing, worker)
        finally:
            if was_enabled:
                gc.enable()
        if len(result.rules) >= FREEZE_RULES:
            # What the run made and kept (findings, what rules remember) lives until the
            # process ends; as after loading, keep the collector from walking it again and
            # again (else the first collections after a large run take a tenth of a second).
            gc.freeze()
        return result

    def _run_loaded(self, files: list[LoadedFile], existing: Sequence[Rule],
                    worker: Worker | None) -> LintResult:
        findings: list[Finding] = []
        rules: list[Rule] = []
        stamp = _Stamper(self)
        for loaded in files:
            by_index = {rule.index: rule for rule in loaded.rules} if loaded.problems else {}
            for lp in loaded.problems:
                if lp.code in self.active:
                    rule = by_index.get(lp.rule_index) if lp.rule_index is not None else None
                    findings.append(stamp(self.registry.get(lp.code), lp.problem,
                                          loaded.path, rule, loaded))
            rules.extend(loaded.rules)
        rule_checks, group_checks, groups, split = self._plan(rules, existing)
        try:
            if worker is None:
                findings.extend(self._rule_findings(rule_checks, files, stamp))
                findings.extend(chain(*self._group_findings(group_checks, groups, stamp)))
            else:
                mine = self._group_findings(group_checks, groups[split:], stamp)
                answer = worker.result()
                if answer is not None and answer[0] == (len(rules), len(groups), split):
                    theirs = answer[1]
                else:
                    # A worker that failed (or loaded something else) said nothing: its
                    # part runs here, and fails here if it fails, as without a worker.
                    theirs = self._first_part(rule_checks, group_checks, files, groups[:split],
                                              stamp)
                # The order of a run without a worker: rule checks, then each group check
                # over every group in turn.
                findings.extend(theirs[0])
                for earlier, later in zip(theirs[1:], mine, strict=True):
                    findings.extend(earlier)
                    findings.extend(later)
        finally:
            if worker is not None:
                worker.stop()
            # The groups hold every analysis: free them now. (Not at return: an exception
            # raised and caught below this frame, as netaddr does, can leave a cycle that
            # keeps the frame and its variables until the collector runs.)
            groups.clear()
        # Sorted once: numbering repeated fingerprints goes in this order too.
        findings.sort(key=_SORT_KEY)
        findings = unique_fingerprints(findings)
        return LintResult(files, rules, findings, list(existing))

    def _divides(self) -> bool:
        """Whether a run has two parts a worker can share: rule checks and group checks."""
        scopes = {check.scope for check in self.registry if check.code in self.active}
        return Scope.RULE in scopes and Scope.GROUP in scopes

    def _plan(self, rules: list[Rule], existing: Sequence[Rule]
              ) -> tuple[list[Check], list[Check], list[SecurityGroup], int]:
        """The active rule and group checks, the groups, and how many of the first groups a
        worker takes: the same in the worker and here, for the same rules."""
        prime_memos(rules)
        prime_memos(existing)
        rule_checks = [c for c in self.registry.of_scope(Scope.RULE) if c.code in self.active]
        group_checks = [c for c in self.registry.of_scope(Scope.GROUP) if c.code in self.active]
        groups = list(group_rules([*existing, *rules]).values()) if group_checks else []
        return rule_checks, group_checks, groups, worker_share(groups)

    def _worker_part(self, files: list[LoadedFile], existing: Sequence[Rule]) -> WorkerResult:
        """What a worker does: the rule checks, and the group checks of the first groups."""
        gc.disable()  # as in `run_loaded`; the process ends with the task
        rules = [rule for loaded in files for rule in loaded.rules]
        rule_checks, group_checks, groups, split = self._plan(rules, existing)
        return (len(rules), len(groups), split), self._first_part(
            rule_checks, group_checks, files, groups[:split], _Stamper(self))

    def _first_part(self, rule_checks: list[Check], group_checks: list[Check],
                    files: list[LoadedFile], groups: list[SecurityGroup], stamp: _Stamper
                    ) -> list[list[Finding]]:
        """A worker's part, wherever it runs: the rule checks' findings, then each group
        check's over the first groups."""
        return [self._rule_findings(rule_checks, files, stamp),
                *self._group_findings(group_checks, groups, stamp)]

    def _rule_findings(self, checks: list[Check], files: list[LoadedFile],
                       stamp: _Stamper | None = None) -> list[Finding]:
        stamp = stamp or _Stamper(self)
        findings: list[Finding] = []
        for check in checks:
            fn, ctx = check.check_rule, self.context(check)
            assert fn is not None
            # One check over every rule at a time: a comprehension that keeps only the rules
            # with problems costs a third of a loop that visits every check for each rule.
            # Findings come out in the same order for each check, and codes differ between
            # checks, so the sorted output is the same as the rule-by-rule order's.
            # A generator (a plugin's, say) runs as it always did: rule by rule, each one to
            # the end before the next call.
            lazy = isgeneratorfunction(fn)
            hits: list[tuple[Rule, Iterable[Problem]]]
            for loaded in files:
                if lazy:
                    hits = [(rule, tuple(fn(rule, ctx))) for rule in loaded.rules]
                else:
                    hits = [(rule, found) for rule in loaded.rules if (found := fn(rule, ctx))]
                for rule, problems in hits:
                    for problem in problems:
                        findings.append(stamp(check, problem, rule.path, rule, loaded))
        return findings

    def _group_findings(self, checks: list[Check], groups: list[SecurityGroup],
                        stamp: _Stamper) -> list[list[Finding]]:
        """The findings of each group check over `groups`, a list per check."""
        per_check: list[list[Finding]] = []
        for check in checks:
            ctx = self.context(check)
            group_fn = check.check_group
            assert group_fn is not None
            report_existing = bool(ctx.options.get("report_existing"))
            findings: list[Finding] = []
            for group in groups:
                for rule, problem in group_fn(group, ctx):
                    # Live rules are reported only when the check's options ask.
                    if rule.origin == "proposed" or report_existing:
                        findings.append(stamp(check, problem, rule.path, rule, None))
            per_check.append(findings)
        return per_check

    def file_finding(self, code: str, problem: Problem, path: str,
                     loaded: LoadedFile | None = None) -> Finding | None:
        """A finding of a file-scope check raised after the run (the suppression pass), stamped
        like any other; None when the check is not active."""
        if code not in self.active:
            return None
        return self._finding(self.registry.get(code), problem, path, None, loaded)

    def _finding(self, check: Check | None, problem: Problem, path: str, rule: Rule | None,
                 loaded: LoadedFile | None) -> Finding:
        return _Stamper(self)(check, problem, path, rule, loaded)


def _load_all(read: list[tuple[str, bytes | LoadedFile]]) -> list[LoadedFile]:
    """Load what was read, letting each file's bytes go once it is loaded (a large file's
    bytes take as much memory as its text)."""
    files = []
    for index, (path, found) in enumerate(read):
        read[index] = (path, b"")
        files.append(load_read(path, found))
    return files


class _Stamper:
    """Turns problems into findings for one run, remembering what every finding of a path or
    a check shares (the path's identity, the check's severity)."""

    def __init__(self, engine: Engine) -> None:
        self.effective = engine.effective
        self.where: dict[str, str] = {}
        self.severity: dict[str, Severity] = {}

    def __call__(self, check: Check | None, problem: Problem, path: str, rule: Rule | None,
                 loaded: LoadedFile | None) -> Finding:
        assert check is not None, "every loader code is registered"
        code = check.code
        span = problem.span or (rule.span if rule is not None else None)
        line, column, end_line, end_column = span if span is not None else (1, 1, 1, 2)
        ref = RuleRef(rule.index, rule.security_group_id, rule.span.line) if rule else None
        severity = self.severity.get(code)
        if severity is None:
            severity = self.severity[code] = self.effective[code].severity
        where = self.where.get(path)
        if where is None:
            # The repository-relative path, so `rules/a.yaml` and `./rules/a.yaml` agree.
            where = self.where[path] = identity_path(path)
        # Positional: a large run makes tens of thousands, and keywords cost a third more.
        return Finding(path, line, column, end_line, end_column, code, check.name, severity,
                       problem.message, ref, problem.related,
                       _fingerprint(code, where, rule, problem, loaded, line), check.fix,
                       problem.edits)


def rule_identity(rule: Rule) -> str:
    """What a rule says, independent of where it stands in its file."""
    try:
        memo = rule._memo
    except AttributeError:
        memo = new_memo(rule)
    identity = memo[MEMO_IDENTITY]
    if identity is UNSET:
        # Kept on the rule: a rule with several findings needs it for each.
        fields = rule.fields
        names = [name for name in _SORTED_API_FIELDS if name in fields]
        if len(names) != len(fields):  # a name outside the API's: sort them all
            names = sorted(fields)
        identity = memo[MEMO_IDENTITY] = "\x1f".join(
            [f"{name}={fields[name].text}" for name in names])
    return identity  # type: ignore[no-any-return]


def _fingerprint(code: str, where: str, rule: Rule | None, problem: Problem,
                 loaded: LoadedFile | None, line: int) -> str:
    """`where` is the path's `identity_path`."""
    if rule is not None:
        anchor = rule_identity(rule)
    elif problem.key:
        anchor = problem.key
    elif loaded is not None and loaded.text:
        # A file-level problem without a key: the text of its line, not its number.
        lines = loaded.lines
        anchor = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    else:
        anchor = problem.message
    digest = hashlib.sha256("\x1e".join((code, where, anchor, problem.key)).encode()).hexdigest()
    return digest[:32]


def unique_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Identical rules (or comments) in one file would share fingerprints; number the repeats
    in file order. `findings` are sorted by `sort_key`."""
    from dataclasses import replace

    counts = Counter(f.fingerprint for f in findings)
    if all(n == 1 for n in counts.values()):
        return findings
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        fp = finding.fingerprint
        if counts[fp] > 1:
            seen[fp] += 1
            finding = replace(finding, fingerprint=f"{fp}:{seen[fp]}")
        result.append(finding)
    return result
