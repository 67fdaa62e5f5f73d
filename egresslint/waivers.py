"""The waiver file: central, reviewed exceptions, for JSON rule files (which cannot carry
comments) and for exceptions granted outside the rule files.

    waivers:
      - code: EGL104
        path: rules/vendor.json            # relative to the waiver file; globs allowed
        rule: {DestCidrIp: 203.0.113.7/24}  # field values the rule must have
        reason: the vendor publishes this block in this form (VEND-12)
        owner: network-team
        expires: 2025-12-31

An entry names the rule by `fingerprint` (as `--format json` shows it), by `path` and an
optional `rule` selector, or both. Expiry is inclusive: an entry applies through its date.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egresslint.checks import Registry
from egresslint.checks.suppressions import EXPIRED
from egresslint.finding import Finding, Problem
from egresslint.location import STDIN, display_path
from egresslint.policy import PolicyError, schema
from egresslint.rule import Rule
from egresslint.span import Span
from egresslint.yamlnodes import YamlFileError, line_of, read_yaml

if TYPE_CHECKING:
    from yaml.nodes import Node

    from egresslint.config import RepoConfig
    from egresslint.run import LintRequest
    from egresslint.suppression import _Pass

WAIVER_FILE = ".egresslint-waivers.yaml"
SCHEMA = "waivers.schema.json"


class WaiverFileError(PolicyError):
    """A waiver file that cannot be used: a usage error, exit 2."""


@dataclass(frozen=True)
class Waiver:
    #: Position of the entry in the file (0-based) and the line it starts on.
    index: int
    line: int
    code: str
    fingerprint: str | None
    path: str | None
    rule: Mapping[str, str]
    reason: str
    owner: str
    expires: dt.date

    def describe(self) -> str:
        target = self.fingerprint or self.path or ""
        if self.rule:
            target += " " + ", ".join(f"{k}={v}" for k, v in sorted(self.rule.items()))
        return f"{self.code} {target}".strip()


@dataclass(frozen=True)
class WaiverFile:
    path: str
    #: Paths in entries are relative to the folder holding the file.
    base_dir: Path
    waivers: tuple[Waiver, ...]


@dataclass(frozen=True)
class WaiverProblem:
    line: int
    message: str


def find_waiver_file(explicit: str | None, config: RepoConfig | None, cwd: Path,
                     use_config: bool) -> Path | None:
    """`--waivers`, else the configuration's `waivers`, else `.egresslint-waivers.yaml` beside
    the configuration or at the repository root, when it exists."""
    from egresslint.location import root_for

    if explicit is not None:
        path = Path(explicit) if Path(explicit).is_absolute() else cwd / explicit
        if not path.is_file():
            raise WaiverFileError(explicit, 0, "no such waiver file")
        return path
    if not use_config:
        return None
    if config is not None and config.waivers is not None:
        path = config.base_dir / config.waivers
        if not path.is_file():
            raise WaiverFileError(str(path), 0, f"the waiver file named in {config.source} "
                                  "does not exist")
        return path
    base = config.base_dir if config is not None else root_for(cwd)
    default = base / WAIVER_FILE
    return default if default.is_file() else None


# -- reading ---------------------------------------------------------------------------------


def lint_waivers(path: Path, registry: Registry) -> tuple[WaiverFile, list[WaiverProblem]]:
    """Read a waiver file and report every way it is wrong (entries that are wrong are left
    out of the result)."""
    shown = display_path(path)
    empty = WaiverFile(shown, path.parent.resolve(), ())
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return empty, [WaiverProblem(0, f"cannot read the waiver file: {exc}")]
    try:
        data, root = read_yaml(shown, text)
    except YamlFileError as exc:
        return empty, [WaiverProblem(exc.line, exc.message)]
    data = _dates_as_text(data)
    problems = _schema_problems(data, root)
    bad_entries = {p for p, _ in problems if p is not None}
    result = [WaiverProblem(line, message) for _, (line, message) in problems]
    waivers = []
    entries = data.get("waivers", []) if isinstance(data, dict) else []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if index in bad_entries:
            continue
        line = line_of(root, ["waivers", index])
        waiver, problem = _waiver(index, line, entry, registry)
        if problem is not None:
            result.append(WaiverProblem(line, problem))
        if waiver is not None:
            waivers.append(waiver)
    result.sort(key=lambda p: p.line)
    return WaiverFile(shown, path.parent.resolve(), tuple(waivers)), result


def read_waivers(path: Path, registry: Registry) -> WaiverFile:
    """A usable waiver file, or WaiverFileError naming its first mistake."""
    waivers, problems = lint_waivers(path, registry)
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more; `egresslint waivers check` lists them)" \
            if len(problems) > 1 else ""
        raise WaiverFileError(display_path(path), first.line, first.message + more)
    return waivers


def _dates_as_text(data: Any) -> Any:
    """YAML reads `2025-12-31` as a date; the schema and the reader want its text."""
    if isinstance(data, dict):
        return {k: _dates_as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_dates_as_text(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


def _schema_problems(data: Any, root: Node | None) -> list[tuple[int | None, tuple[int, str]]]:
    """(entry index or None, (line, message)) for every schema error."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(SCHEMA))
    found = []
    for error in validator.iter_errors(data):
        where = list(error.absolute_path)
        entry = where[1] if len(where) >= 2 and where[0] == "waivers" else None
        label = ".".join(str(p) for p in where) or "the document"
        found.append((entry if isinstance(entry, int) else None,
                      (line_of(root, where), f"{label}: {_message(error)}")))
    found.sort(key=lambda item: item[1])
    return found


def _message(error: Any) -> str:
    if error.validator == "anyOf" and list(error.absolute_schema_path)[-1:] == ["anyOf"]:
        return "name the rule with `fingerprint`, or `path` (and optionally `rule`)"
    if error.validator == "additionalProperties":
        return str(error.message).replace("Additional properties are not allowed", "unknown key")
    if error.validator == "pattern" and error.schema.get("pattern", "").startswith("^[0-9]{4}"):
        return f"{error.instance!r} is not a date: write YYYY-MM-DD"
    if error.validator == "pattern" and error.schema.get("pattern") == "\\S":
        return "must not be empty"
    return str(error.message)


def _waiver(index: int, line: int, entry: Mapping[str, Any],
            registry: Registry) -> tuple[Waiver | None, str | None]:
    from egresslint.suppression import UNSUPPRESSIBLE, parse_date

    check = registry.get(entry["code"])
    if check is None:
        return None, (f"`{entry['code']}` is not a check code or name; `egresslint checks` "
                      "lists them")
    if check.code in UNSUPPRESSIBLE:
        return None, f"{check.code} {check.name} cannot be waived"
    expires = parse_date(entry["expires"])
    if expires is None:
        return None, f"expires {entry['expires']!r} is not a date: write YYYY-MM-DD"
    path = entry.get("path")
    return Waiver(
        index=index, line=line, code=check.code, fingerprint=entry.get("fingerprint"),
        path=_clean(path) if path is not None else None,
        rule={k: str(v) for k, v in (entry.get("rule") or {}).items()},
        reason=entry["reason"].strip(), owner=entry["owner"].strip(), expires=expires,
    ), None


def _clean(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


# -- matching --------------------------------------------------------------------------------


def matches(waiver: Waiver, finding: Finding, rules: Mapping[tuple[str, int], Rule],
            base_dir: Path) -> bool:
    if finding.code != waiver.code:
        return False
    if waiver.fingerprint is not None and finding.fingerprint != waiver.fingerprint:
        return False
    if waiver.path is not None:
        if finding.path == STDIN:
            return False
        # Both sides absolute, so a waiver file may name `../rules/*.json`.
        pattern = os.path.normpath(base_dir / waiver.path)
        if not fnmatch.fnmatchcase(str(Path(finding.path).resolve()), pattern):
            return False
    if waiver.rule:
        rule = rules.get((finding.path, finding.rule.index)) if finding.rule else None
        if rule is None:
            return False
        for name, wanted in waiver.rule.items():
            fv = rule.fields.get(name)
            if fv is None or fv.text != wanted:
                return False
    return True


def rules_by_position(rules: Iterable[Rule]) -> dict[tuple[str, int], Rule]:
    return {(rule.path, rule.index): rule for rule in rules}


def apply_waivers(state: _Pass, waivers: WaiverFile, rules: Sequence[Rule]) -> None:
    """Move findings a current waiver covers to the suppressed list; report expired waivers
    that would have applied."""
    from egresslint.suppression import UNSUPPRESSIBLE, WAIVER

    by_position = rules_by_position(rules)
    kept = []
    expired_hits: Counter[int] = Counter()
    for finding in state.findings:
        current = expired = None
        if finding.code not in UNSUPPRESSIBLE:
            for waiver in waivers.waivers:
                if not matches(waiver, finding, by_position, waivers.base_dir):
                    continue
                if state.today > waiver.expires:
                    expired = expired or waiver
                    continue
                current = waiver
                break
        if current is not None:
            state.suppress(finding, WAIVER, f"{current.reason} (owner {current.owner}, until "
                           f"{current.expires.isoformat()}) [{waivers.path}:{current.line}]")
            continue
        kept.append(finding)
        if expired is not None:
            expired_hits[expired.index] += 1
    state.findings = kept
    for waiver in waivers.waivers:
        hits = expired_hits[waiver.index]
        if hits:
            plural = "finding it covered is" if hits == 1 else f"{hits} findings it covered are"
            state.report(EXPIRED, Problem(
                f"the waiver for {waiver.describe()} (owner {waiver.owner}) expired on "
                f"{waiver.expires.isoformat()}: the {plural} reported again",
                Span(waiver.line, 1, waiver.line, 2), key=f"waiver|{waiver.describe()}"),
                waivers.path)


def check_waivers(waivers: WaiverFile, problems: list[WaiverProblem], today: dt.date,
                  findings: Sequence[Finding] | None, rules: Sequence[Rule]
                  ) -> list[WaiverProblem]:
    """`egresslint waivers check`: the file's own problems, expired entries, and, when
    `findings` is given, entries that match none of them."""
    result = list(problems)
    by_position = rules_by_position(rules)
    for waiver in waivers.waivers:
        if today > waiver.expires:
            result.append(WaiverProblem(waiver.line, f"the waiver for {waiver.describe()} "
                                        f"(owner {waiver.owner}) expired on "
                                        f"{waiver.expires.isoformat()}"))
        elif findings is not None and not any(
                matches(waiver, f, by_position, waivers.base_dir) for f in findings):
            result.append(WaiverProblem(waiver.line, f"the waiver for {waiver.describe()} "
                                        "matches no finding in the files checked: remove it"))
    result.sort(key=lambda p: p.line)
    return result


def waivers_check_command(file: str | None, request: LintRequest) -> tuple[str, int]:
    """`egresslint waivers check [FILE] [--path P]...`: the waiver file's problems, one per
    line as `FILE:LINE: message`; exit 1 when there is any."""
    from egresslint.checks import load_registry
    from egresslint.config import find_config
    from egresslint.run import UsageError, run_lint

    cwd = request.cwd or Path.cwd()
    config = find_config(cwd) if request.use_config else None
    path = find_waiver_file(file, config, cwd, use_config=True)
    if path is None:
        raise UsageError(f"no waiver file: name one, or create {WAIVER_FILE} at the "
                         "repository root")
    registry = load_registry()
    waivers, problems = lint_waivers(path, registry)
    findings: list[Finding] | None = None
    rules: list[Rule] = []
    if request.paths:
        # Every finding before any suppression: a waiver is used if it covers one of them.
        run = run_lint(request, suppress=False)
        findings, rules = run.result.findings, run.result.rules
    today = request.today or dt.date.today()
    found = check_waivers(waivers, problems, today, findings, rules)
    lines = [f"{waivers.path}:{p.line}: {p.message}" for p in found]
    count = len(waivers.waivers)
    verdict = "no problems" if not found else \
        f"{len(found)} problem{'' if len(found) == 1 else 's'}"
    lines.append(f"{waivers.path}: {count} waiver{'' if count == 1 else 's'}, {verdict}")
    return "\n".join(lines) + "\n", 1 if found else 0
