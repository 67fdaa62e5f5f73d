"""Fixes: apply the safe edits of findings in place, changing only the characters of each value.

An edit's span covers a scalar as written, quotes included; its replacement is the new value.
The value is written back in the same style (plain, 'single', "double" quoted), so comments,
indentation, key order and line endings stay byte for byte. Edits that could change what a
rule means (`safe=False`, such as host bits in a CIDR) are offered as suggestions, never
applied. A file whose fixed text would read differently in any other way is left alone.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from yaml.nodes import MappingNode, ScalarNode

from egresslint.finding import Edit, Finding
from egresslint.loader import STDIN, LoadedFile, is_json, load_text
from egresslint.location import line_starts, offset_of

if TYPE_CHECKING:
    from egresslint.engine import LintResult
    from egresslint.run import LintRequest

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class AppliedEdit:
    finding: Finding
    edit: Edit
    #: The scalar as written before and after.
    before: str
    after: str


@dataclass
class FileFix:
    path: str
    before: str
    after: str
    applied: list[AppliedEdit] = field(default_factory=list)
    #: Safe edits that could not be applied, and why.
    skipped: list[tuple[Finding, Edit, str]] = field(default_factory=list)


@dataclass
class FixPlan:
    files: list[FileFix]
    suggestions: list[tuple[Finding, Edit]]

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.after != f.before]


def written_replacement(original: str, value: str, *, json_file: bool) -> str | None:
    """`value` written in the style of `original` (a scalar as written), or None when that
    cannot be done without changing more than the value."""
    if "\n" in original or "\r" in original:
        return None
    if json_file:
        if len(original) >= 2 and original[0] == original[-1] == '"':
            return json.dumps(value, ensure_ascii=False)
        return None
    if len(original) >= 2 and original[0] == original[-1] == '"':
        # JSON's escapes are a subset of YAML's double-quoted escapes.
        return json.dumps(value, ensure_ascii=False)
    if len(original) >= 2 and original[0] == original[-1] == "'":
        return "'" + value.replace("'", "''") + "'"
    if original[:1] in ("|", ">", "&", "*", "!"):
        return None
    return value if _reads_as_plain_text(value) else json.dumps(value, ensure_ascii=False)


@lru_cache(maxsize=1024)
def _reads_as_plain_text(value: str) -> bool:
    """Whether `value`, written unquoted after `key: `, reads back as the same text."""
    if not value or value != value.strip():
        return False
    try:
        node = yaml.compose(f"k: {value}\n", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        return False
    scalar = node.value[0][1]
    return (isinstance(scalar, ScalarNode) and scalar.tag == "tag:yaml.org,2002:str"
            and scalar.value == value)


def edit_as_written(loaded: LoadedFile, edit: Edit,
                    starts: list[int] | None = None) -> str | None:
    """The text `fix` would put in place of `edit.span` (quotes included), or None.
    `starts` are the file's `line_starts`, when the caller has them already."""
    span = edit.span
    if span.line != span.end_line:
        return None
    json_file = is_json(loaded.path, loaded.text)
    if starts is None:
        starts = line_starts(loaded.text, json=json_file)
    if span.line > len(starts):
        return None
    start = offset_of(starts, span.line, span.column)
    end = offset_of(starts, span.end_line, span.end_column)
    return written_replacement(loaded.text[start:end], edit.replacement, json_file=json_file)


def plan_fixes(result: LintResult) -> FixPlan:
    """What `fix` would change in each file, without writing."""
    by_path = {f.path: f for f in result.files}
    safe: dict[str, list[tuple[Finding, Edit]]] = {}
    suggestions: list[tuple[Finding, Edit]] = []
    seen: set[tuple[str, Edit]] = set()
    for finding in result.findings:
        for edit in finding.edits:
            # Several findings can share an edit (a value inherited from `defaults`).
            if (finding.path, edit) in seen:
                continue
            seen.add((finding.path, edit))
            if edit.safe:
                safe.setdefault(finding.path, []).append((finding, edit))
            else:
                suggestions.append((finding, edit))
    files = []
    for path, edits in safe.items():
        loaded = by_path.get(path)
        if loaded is not None and path != STDIN and loaded.text:
            files.append(_fix_file(loaded, edits))
    return FixPlan(files, suggestions)


def _fix_file(loaded: LoadedFile, edits: list[tuple[Finding, Edit]]) -> FileFix:
    text = loaded.text
    json_file = is_json(loaded.path, text)
    starts = line_starts(text, json=json_file)
    fix = FileFix(loaded.path, text, text)
    placed: list[tuple[int, int, str, Finding, Edit, str]] = []
    for finding, edit in edits:
        span = edit.span
        if span.line != span.end_line or span.line > len(starts):
            fix.skipped.append((finding, edit, "the value spans several lines"))
            continue
        start = offset_of(starts, span.line, span.column)
        end = offset_of(starts, span.end_line, span.end_column)
        original = text[start:end]
        new = written_replacement(original, edit.replacement, json_file=json_file)
        if new is None:
            fix.skipped.append((finding, edit, "the value is not written as a single scalar"))
            continue
        placed.append((start, end, new, finding, edit, original))
    placed.sort(key=lambda p: (p[0], p[1]))
    pieces = []
    cursor = 0
    for start, end, new, finding, edit, original in placed:
        if start < cursor:
            fix.skipped.append((finding, edit, "it overlaps another fix"))
            continue
        pieces.append(text[cursor:start])
        pieces.append(new)
        cursor = end
        fix.applied.append(AppliedEdit(finding, edit, original, new))
    pieces.append(text[cursor:])
    after = "".join(pieces)
    if after != text and not _reads_the_same(loaded, after):
        for applied in fix.applied:
            fix.skipped.append((applied.finding, applied.edit,
                                "the fixed file would read differently"))
        fix.applied = []
        return fix
    fix.after = after
    return fix


def _reads_the_same(loaded: LoadedFile, after: str) -> bool:
    """A last guard: the fixed file has the same rules and no new load problems."""
    again = load_text(loaded.path, after)
    before_codes = Counter(p.code for p in loaded.problems)
    after_codes = Counter(p.code for p in again.problems)
    return len(again.rules) == len(loaded.rules) and not (after_codes - before_codes)


def unified_diff(plan: FixPlan) -> str:
    out: list[str] = []
    for fix in plan.changed:
        posix = fix.path.replace("\\", "/")
        for line in difflib.unified_diff(
                fix.before.splitlines(keepends=True), fix.after.splitlines(keepends=True),
                fromfile=f"a/{posix}", tofile=f"b/{posix}"):
            # As `diff` and `git` write a last line without a newline.
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_fixes(plan: FixPlan) -> None:
    for fix in plan.changed:
        path = Path(fix.path)
        bom = BOM if path.read_bytes().startswith(BOM) else b""
        # Bytes, so line endings are written exactly as they were read.
        path.write_bytes(bom + fix.after.encode("utf-8"))


def describe(plan: FixPlan, *, dry_run: bool) -> list[str]:
    """One line per applied edit, skipped edit and suggestion, then a count."""
    applied_verb = "would fix" if dry_run else "fixed"
    lines = []
    for fix in plan.files:
        for a in fix.applied:
            s = a.edit.span
            lines.append(f"{fix.path}:{s.line}:{s.column}: {applied_verb} {a.finding.code} "
                         f"{a.edit.description}")
        for finding, edit, why in fix.skipped:
            s = edit.span
            lines.append(f"{fix.path}:{s.line}:{s.column}: not fixed {finding.code} "
                         f"{edit.description}: {why}")
    for finding, edit in plan.suggestions:
        s = edit.span
        lines.append(f"{finding.path}:{s.line}:{s.column}: suggestion {finding.code} "
                     f"{edit.description} (not applied: it could change what the rule means; "
                     "edit it by hand if it is what you meant)")
    count = sum(len(f.applied) for f in plan.files)
    files = len(plan.changed)
    lines.append(f"{count} value{'' if count == 1 else 's'} "
                 f"{'would be fixed' if dry_run else 'fixed'} in {files} "
                 f"file{'' if files == 1 else 's'}; {len(plan.suggestions)} "
                 f"suggestion{'' if len(plan.suggestions) == 1 else 's'} not applied.")
    return lines


def fix_command(request: LintRequest, *, diff: bool) -> tuple[str, str, int]:
    """`egresslint fix`: (standard output, standard error, exit code). With `diff`, print a
    unified diff and write nothing; exit 1 when there is something to fix."""
    from egresslint.run import UsageError, run_lint

    if STDIN in request.paths:
        raise UsageError("fix changes files in place; it cannot read standard input (`-`)")
    plan = plan_fixes(run_lint(request).result)
    if diff:
        notes = describe(plan, dry_run=True)
        return unified_diff(plan), "\n".join(notes) + "\n", 1 if plan.changed else 0
    write_fixes(plan)
    return "\n".join(describe(plan, dry_run=False)) + "\n", "", 0
