"""The lint run: load files, run the enabled checks, stamp and sort findings."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from egresslint.checks import Check, CheckContext, Registry, Scope
from egresslint.finding import Finding, Problem, RuleRef, Severity
from egresslint.loader import LoadedFile, load_path
from egresslint.location import identity_path
from egresslint.policy import EffectiveCheck, Policy
from egresslint.rule import Rule
from egresslint.security_group import group_rules

#: Checks that say a file could not be read at all. They cannot be ignored or disabled:
#: a gate that skipped them would pass files it never read.
ALWAYS_ON = frozenset({"EGL001", "EGL007", "EGL009"})


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
                 ignore: Iterable[str] = ()) -> None:
        self.registry = registry
        self.policy = policy
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
        files = [load_path(path) for path in paths]
        return self.run_loaded(files, existing)

    def run_loaded(self, files: list[LoadedFile], existing: Sequence[Rule] = ()) -> LintResult:
        findings: list[Finding] = []
        rules: list[Rule] = []
        rule_checks = [(c, self.context(c)) for c in self.registry.of_scope(Scope.RULE)
                       if c.code in self.active]
        for loaded in files:
            by_index = {rule.index: rule for rule in loaded.rules}
            for lp in loaded.problems:
                if lp.code in self.active:
                    rule = by_index.get(lp.rule_index) if lp.rule_index is not None else None
                    findings.append(self._finding(self.registry.get(lp.code), lp.problem,
                                                  loaded.path, rule, loaded))
            for rule in loaded.rules:
                rules.append(rule)
                for check, ctx in rule_checks:
                    for problem in check.check_rule(rule, ctx):  # type: ignore[misc]
                        findings.append(self._finding(check, problem, rule.path, rule, loaded))
        group_checks = [c for c in self.registry.of_scope(Scope.GROUP) if c.code in self.active]
        if group_checks:
            groups = group_rules([*existing, *rules])
            for check in group_checks:
                ctx = self.context(check)
                for group in groups.values():
                    for rule, problem in check.check_group(group, ctx):  # type: ignore[misc]
                        # Live rules are reported only when the check's options ask.
                        if rule.origin == "proposed" or ctx.options.get("report_existing"):
                            findings.append(self._finding(check, problem, rule.path, rule, None))
        findings = _with_unique_fingerprints(findings)
        findings.sort(key=lambda f: f.sort_key)
        return LintResult(files, rules, findings, list(existing))

    def file_finding(self, code: str, problem: Problem, path: str,
                     loaded: LoadedFile | None = None) -> Finding | None:
        """A finding of a file-scope check raised after the run (the suppression pass), stamped
        like any other; None when the check is not active."""
        if code not in self.active:
            return None
        return self._finding(self.registry.get(code), problem, path, None, loaded)

    def _finding(self, check: Check | None, problem: Problem, path: str, rule: Rule | None,
                 loaded: LoadedFile | None) -> Finding:
        assert check is not None, "every loader code is registered"
        span = problem.span or (rule.span if rule is not None else None)
        line, column, end_line, end_column = span if span is not None else (1, 1, 1, 2)
        ref = RuleRef(rule.index, rule.security_group_id, rule.span.line) if rule else None
        return Finding(
            path=path, line=line, column=column, end_line=end_line, end_column=end_column,
            code=check.code, name=check.name, severity=self.effective[check.code].severity,
            message=problem.message, rule=ref, related=problem.related,
            fingerprint=_fingerprint(check.code, path, rule, problem, loaded, line),
            fix_hint=check.fix, edits=problem.edits,
        )


def rule_identity(rule: Rule) -> str:
    """What a rule says, independent of where it stands in its file."""
    return "\x1f".join(f"{name}={fv.text}" for name, fv in sorted(rule.fields.items()))


def _fingerprint(code: str, path: str, rule: Rule | None, problem: Problem,
                 loaded: LoadedFile | None, line: int) -> str:
    if rule is not None:
        anchor = rule_identity(rule)
    elif problem.key:
        anchor = problem.key
    elif loaded is not None and loaded.text:
        # A file-level problem without a key: the text of its line, not its number.
        lines = loaded.text.splitlines()
        anchor = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    else:
        anchor = problem.message
    # The repository-relative path, so `rules/a.yaml` and `./rules/a.yaml` agree.
    where = identity_path(path)
    digest = hashlib.sha256("\x1e".join((code, where, anchor, problem.key)).encode()).hexdigest()
    return digest[:32]


def _with_unique_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Identical rules in one file would share fingerprints; number the repeats in file order."""
    from dataclasses import replace

    counts = Counter(f.fingerprint for f in findings)
    if all(n == 1 for n in counts.values()):
        return findings
    seen: Counter[str] = Counter()
    result = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        fp = finding.fingerprint
        if counts[fp] > 1:
            seen[fp] += 1
            finding = replace(finding, fingerprint=f"{fp}:{seen[fp]}")
        result.append(finding)
    return result
