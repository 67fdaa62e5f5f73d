"""Suppressions: inline comments in YAML rule files, and the one pass that applies every kind
(inline comments, the waiver file, a baseline) after the engine has run.

    IpProtocol: TCP  # egresslint: ignore[EGL101] reason="vendor template" expires=2025-06-30

A comment sharing its line with a value covers that line; a comment alone on its line covers
the next line that is not itself a comment (so several can be stacked above a rule). It
suppresses a finding of a named check (code or name) that starts on the covered line, or
whose rule starts there. Suppressed findings move to `LintResult.suppressed` with
`Finding.suppressed_by` set to `"<kind>: <justification>"`.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from egresslint.checks import Registry
from egresslint.checks.suppressions import EXPIRED, MALFORMED, MISSING_REASON, UNUSED
from egresslint.engine import unique_fingerprints
from egresslint.finding import Finding, Problem
from egresslint.loader import LoadedFile, is_json
from egresslint.location import display_path, line_starts
from egresslint.span import Span

if TYPE_CHECKING:
    from egresslint.baseline import BaselineEntry
    from egresslint.engine import Engine, LintResult

INLINE = "inline"
WAIVER = "waiver"
BASELINE = "baseline"
KINDS = (INLINE, WAIVER, BASELINE)

#: Findings no suppression may hide: a file that was not read, and problems with
#: suppressions themselves (else a careless suppression could hide its own report).
UNSUPPRESSIBLE = frozenset({"EGL001", "EGL007", "EGL009", MISSING_REASON, EXPIRED, UNUSED,
                            MALFORMED})

# A YAML comment starts with `#` at the start of a line or after a space or tab.
_DIRECTIVE = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*egresslint[ \t]*:(?P<body>.*)")
_IGNORE = re.compile(r"[ \t]*ignore\[(?P<codes>[^\]]*)\]")
_PARAM = re.compile(
    r"[ \t]+(?P<key>[A-Za-z_][\w-]*)=(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s\"']\S*)"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_KEYS = ("reason", "expires")
FORMAT = 'ignore[CODE,...] reason="..." expires=YYYY-MM-DD'


def suppressed_by(kind: str, justification: str) -> str:
    return f"{kind}: {justification}"


def split_suppressed_by(text: str) -> tuple[str, str]:
    """(kind, justification) of a `Finding.suppressed_by` value."""
    kind, _, justification = text.partition(": ")
    return kind, justification


@dataclass(frozen=True)
class InlineSuppression:
    path: str
    line: int
    column: int
    end_column: int
    #: The line it covers.
    target: int
    #: Check codes, and the keys (codes or names) as written, in the same order.
    codes: tuple[str, ...]
    keys: tuple[str, ...]
    reason: str
    expires: date | None
    #: The whole line, which identifies the comment for fingerprints (not its number).
    text: str

    @property
    def span(self) -> Span:
        return Span(self.line, self.column, self.line, self.end_column)


@dataclass(frozen=True)
class Malformed:
    span: Span
    message: str
    text: str


@dataclass(frozen=True)
class GateOptions:
    """What the suppression pass applies. `today` decides expiry (injectable for tests)."""

    inline: bool = True
    waivers: Path | None = None
    baseline: Path | None = None
    today: date | None = None


@dataclass(frozen=True)
class SuppressionSummary:
    """What the pass did, for every output format to state."""

    inline_enabled: bool = True
    #: Readable inline suppressions found in the files.
    inline_comments: int = 0
    #: Findings an inline suppression covers that were reported anyway because inline
    #: suppressions were turned off.
    not_applied: int = 0
    waiver_file: str | None = None
    baseline_file: str | None = None
    #: Baseline entries whose finding is gone.
    fixed: tuple[BaselineEntry, ...] = ()


def suppressed_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings each kind of suppression hid: {"inline": n, "waiver": n, "baseline": n}."""
    counts = Counter(split_suppressed_by(f.suppressed_by)[0] for f in findings if f.suppressed_by)
    return {kind: counts.get(kind, 0) for kind in sorted(set(KINDS) | set(counts),
                                                         key=_kind_order)}


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def describe_counts(counts: dict[str, int]) -> str:
    """`3 suppressed (2 inline, 1 baseline)`, or `none suppressed`."""
    total = sum(counts.values())
    if not total:
        return "none suppressed"
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    return f"{total} suppressed ({parts})"


def summary_notes(summary: SuppressionSummary | None) -> list[str]:
    """Lines for people: what the pass applied, and what it did not."""
    if summary is None:
        return []
    notes = []
    if summary.waiver_file is not None:
        notes.append(f"waivers: {summary.waiver_file}")
    if not summary.inline_enabled:
        covered = summary.not_applied
        notes.append(f"inline suppressions are off (--no-inline-suppressions): "
                     f"{summary.inline_comments} found; the {covered} "
                     f"finding{'' if covered == 1 else 's'} they cover "
                     f"{'is' if covered == 1 else 'are'} reported")
    if summary.baseline_file is not None:
        notes.append(f"baseline: {summary.baseline_file} ({len(summary.fixed)} fixed since "
                     "it was written)")
        notes.extend(f"  fixed: {e.path}: {e.code} {e.message}" for e in summary.fixed)
    return notes


# -- reading comments ------------------------------------------------------------------------


def parse_comments(loaded: LoadedFile, registry: Registry
                   ) -> tuple[list[InlineSuppression], list[Malformed]]:
    """Every `# egresslint:` comment of a YAML file, read or reported as malformed."""
    text = loaded.text
    if "egresslint" not in text or is_json(loaded.path, text):
        return [], []
    scalars = _scalar_spans(text)
    if scalars is None:  # the file does not scan; its syntax error is reported and unsuppressible
        return [], []
    starts = line_starts(text)
    lines = [text[a:b].rstrip("\r\n\x85\u2028\u2029") for a, b in
             zip(starts, [*starts[1:], len(text)], strict=True)]
    found: list[InlineSuppression] = []
    malformed: list[Malformed] = []
    for index, line in enumerate(lines):
        for match in _DIRECTIVE.finditer(line):
            if _inside(scalars, (index, match.start())):
                continue
            number = index + 1
            span = Span(number, match.start() + 1, number, len(line) + 1)
            alone = not line[:match.start()].strip()
            target = _next_content_line(lines, index) if alone else number
            parsed = _parse(match.group("body"), registry)
            if isinstance(parsed, str):
                malformed.append(Malformed(span, parsed, line.strip()))
            else:
                codes, keys, reason, expires = parsed
                found.append(InlineSuppression(loaded.path, number, span.column, span.end_column,
                                               target, codes, keys, reason, expires,
                                               line.strip()))
            break  # the rest of the line is this comment
    return found, malformed


def _scalar_spans(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
    """(start, end) of every scalar, 0-based: a `#` inside one is text, not a comment."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spans = []
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, yaml.ScalarToken):
                start, end = token.start_mark, token.end_mark
                spans.append(((start.line, start.column), (end.line, end.column)))
    except yaml.YAMLError:
        return None
    return spans


def _inside(spans: list[tuple[tuple[int, int], tuple[int, int]]], pos: tuple[int, int]) -> bool:
    i = bisect.bisect_right(spans, (pos, (1 << 62, 0))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _next_content_line(lines: Sequence[str], index: int) -> int:
    """1-based number of the first line after `index` that is not only a comment."""
    j = index + 1
    while j < len(lines) and lines[j].lstrip().startswith("#"):
        j += 1
    return j + 1


def _parse(body: str, registry: Registry
           ) -> tuple[tuple[str, ...], tuple[str, ...], str, date | None] | str:
    """The codes, keys, reason and expiry of a directive, or why it cannot be read."""
    ignore = _IGNORE.match(body)
    if ignore is None:
        return f"cannot read `# egresslint:{body.rstrip()}`: write `# egresslint: {FORMAT}`"
    keys = tuple(k.strip() for k in ignore.group("codes").split(","))
    if not any(keys) or not all(keys):
        return f"`ignore[{ignore.group('codes')}]` must list check codes or names, separated " \
               "by commas"
    codes = []
    for key in keys:
        check = registry.get(key)
        if check is None:
            return f"`{key}` is not a check code or name; `egresslint checks` lists them"
        if check.code in UNSUPPRESSIBLE:
            return f"{check.code} {check.name} cannot be suppressed"
        codes.append(check.code)
    params: dict[str, str] = {}
    pos = ignore.end()
    while pos < len(body) and body[pos:].strip():
        param = _PARAM.match(body, pos)
        if param is None:
            return f"cannot read `{body[pos:].strip()}`: after `ignore[...]` write " \
                   "reason=\"...\" and optionally expires=YYYY-MM-DD"
        key = param.group("key")
        if key not in _KEYS:
            return f"unknown key `{key}=`: a suppression takes reason= and expires="
        if key in params:
            return f"`{key}=` is given twice"
        params[key] = _unquote(param.group("value"))
        pos = param.end()
    expires: date | None = None
    if "expires" in params:
        expires = parse_date(params["expires"])
        if expires is None:
            return f"expires={params['expires']} is not a date: write YYYY-MM-DD"
    return tuple(codes), keys, params.get("reason", "").strip(), expires


def parse_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


# -- applying --------------------------------------------------------------------------------


@dataclass
class _Pass:
    """The state of one suppression pass over one lint result."""

    engine: Engine
    today: date
    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def report(self, code: str, problem: Problem, path: str,
               loaded: LoadedFile | None = None) -> None:
        finding = self.engine.file_finding(code, problem, path, loaded)
        if finding is not None:
            self.problems.append(finding)

    def suppress(self, finding: Finding, kind: str, justification: str) -> None:
        self.suppressed.append(replace(finding, suppressed_by=suppressed_by(kind, justification)))


def apply_suppressions(result: LintResult, engine: Engine,
                       options: GateOptions) -> SuppressionSummary:
    """Apply inline suppressions, then the waiver file, then the baseline, to `result` (in
    place). Problems with suppressions become findings of their own."""
    from egresslint.baseline import apply_baseline, read_baseline
    from egresslint.waivers import apply_waivers, read_waivers

    state = _Pass(engine, options.today or date.today(), list(result.findings))
    comments, not_applied = _apply_inline(state, result.files, options.inline)
    waiver_file = None
    if options.waivers is not None:
        waivers = read_waivers(options.waivers, engine.registry)
        waiver_file = waivers.path
        apply_waivers(state, waivers, result.rules)
    state.findings = [*state.findings,
                      *unique_fingerprints(sorted(state.problems, key=lambda f: f.sort_key))]
    fixed: tuple[BaselineEntry, ...] = ()
    if options.baseline is not None:
        fixed = tuple(apply_baseline(state, read_baseline(options.baseline),
                                     display_path(options.baseline), result.files))
    # Without findings of its own, the pass only removed some: the rest keep their order.
    if state.problems:
        result.findings = sorted(state.findings, key=lambda f: f.sort_key)
    else:
        result.findings = state.findings
    result.suppressed = sorted([*result.suppressed, *state.suppressed], key=lambda f: f.sort_key)
    return SuppressionSummary(
        inline_enabled=options.inline, inline_comments=comments, not_applied=not_applied,
        waiver_file=waiver_file,
        baseline_file=display_path(options.baseline) if options.baseline is not None else None,
        fixed=fixed,
    )


def _apply_inline(state: _Pass, files: Sequence[LoadedFile], enabled: bool) -> tuple[int, int]:
    """Returns (readable suppressions found, findings they cover that were not suppressed)."""
    registry = state.engine.registry
    require_expiry = bool(state.engine.effective[MISSING_REASON].options.get("require_expiry"))
    valid: dict[tuple[str, int], list[InlineSuppression]] = {}
    loaded_by_path = {}
    comments = 0
    for loaded in files:
        found, malformed = parse_comments(loaded, registry)
        loaded_by_path[loaded.path] = loaded
        for bad in malformed:
            state.report(MALFORMED, Problem(f"suppression not read: {bad.message}", bad.span,
                                            key=bad.text),
                         loaded.path, loaded)
        for sup in found:
            comments += 1
            problem = _invalid(sup, state.today, require_expiry)
            if problem is not None:
                code, message = problem
                state.report(code, Problem(message, sup.span, key=sup.text),
                             loaded.path, loaded)
            else:
                valid.setdefault((sup.path, sup.target), []).append(sup)
    if not valid:
        return comments, 0  # nothing to apply, so nothing unused either
    used: set[tuple[int, str]] = set()  # (id of the suppression, code)
    kept: list[Finding] = []
    not_applied = 0
    for finding in state.findings:
        covering = _covering(valid, finding)
        if covering is None:
            kept.append(finding)
            continue
        used.add((id(covering), finding.code))
        if enabled:
            state.suppress(finding, INLINE, _justification(covering))
        else:
            not_applied += 1
            kept.append(finding)
    state.findings = kept
    for sups in valid.values():
        for sup in sups:
            for key, code in zip(sup.keys, sup.codes, strict=True):
                if (id(sup), code) in used or code not in state.engine.active:
                    continue
                state.report(UNUSED, Problem(
                    f"`ignore[{key}]` suppresses nothing: {code} reports nothing on line "
                    f"{sup.target}; remove it", sup.span,
                    key=f"{sup.text}|{code}"),
                    sup.path, loaded_by_path[sup.path])
    return comments, not_applied


def _invalid(sup: InlineSuppression, today: date, require_expiry: bool) -> tuple[str, str] | None:
    named = ",".join(sup.keys)
    if not sup.reason:
        return MISSING_REASON, (f"`ignore[{named}]` gives no reason, so it suppresses nothing: "
                                'add reason="why this is acceptable"')
    if require_expiry and sup.expires is None:
        return MISSING_REASON, (f"`ignore[{named}]` gives no expiry, which the policy requires, "
                                "so it suppresses nothing: add expires=YYYY-MM-DD")
    if sup.expires is not None and today > sup.expires:
        return EXPIRED, (f"`ignore[{named}]` expired on {sup.expires.isoformat()}: the findings "
                         "it covered are reported again")
    return None


def _covering(valid: dict[tuple[str, int], list[InlineSuppression]],
              finding: Finding) -> InlineSuppression | None:
    if finding.code in UNSUPPRESSIBLE:
        return None
    lines = [finding.line]
    if finding.rule is not None and finding.rule.line != finding.line:
        lines.append(finding.rule.line)
    for line in lines:
        for sup in valid.get((finding.path, line), ()):
            if finding.code in sup.codes:
                return sup
    return None


def _justification(sup: InlineSuppression) -> str:
    until = f" (until {sup.expires.isoformat()})" if sup.expires else ""
    return f"{sup.reason}{until} [{sup.path}:{sup.line}]"


