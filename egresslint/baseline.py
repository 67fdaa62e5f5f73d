"""Baselines: the findings a repository already had, so a gate can fail only on new ones.

A baseline is JSON, sorted, one entry per finding: its fingerprint (what matching uses), and
its code, path and message for the people reading a diff of the file. Fingerprints ignore line
numbers and other rules, so reordering rules or editing one rule keeps every other entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egresslint import __version__
from egresslint.finding import Finding
from egresslint.location import display_path, identity_path
from egresslint.policy import PolicyError

if TYPE_CHECKING:
    from egresslint.loader import LoadedFile
    from egresslint.run import LintRequest
    from egresslint.suppression import _Pass

FORMAT_VERSION = 1


class BaselineError(PolicyError):
    """A baseline that cannot be read: a usage error, exit 2."""


@dataclass(frozen=True, order=True)
class BaselineEntry:
    path: str
    code: str
    fingerprint: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"fingerprint": self.fingerprint, "code": self.code, "path": self.path,
                "message": self.message}


def entries_of(findings: Iterable[Finding]) -> list[BaselineEntry]:
    return sorted(BaselineEntry(identity_path(f.path), f.code, f.fingerprint, f.message)
                  for f in findings)


def baseline_text(findings: Iterable[Finding]) -> str:
    """The baseline file's content: stable, so rewriting an unchanged baseline changes nothing."""
    document = {
        "version": FORMAT_VERSION,
        "tool": f"egresslint {__version__}",
        "findings": [e.as_dict() for e in entries_of(findings)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, findings: Sequence[Finding]) -> int:
    path.write_text(baseline_text(findings), encoding="utf-8")
    return len(findings)


def read_baseline(path: Path) -> list[BaselineEntry]:
    shown = display_path(path)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(shown, 0, "no such baseline; write one with "
                            "`egresslint baseline write FILE PATHS`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(shown, 0, f"cannot read the baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(shown, exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION \
            or not isinstance(data.get("findings"), list):
        raise BaselineError(shown, 1, f"not an egresslint baseline (version "
                            f"{FORMAT_VERSION} with a `findings` list)")
    entries = []
    for number, item in enumerate(data["findings"]):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(shown, 1, f"findings[{number}] has no fingerprint")
        entries.append(BaselineEntry(str(item.get("path", "")), str(item.get("code", "")),
                                     item["fingerprint"], str(item.get("message", ""))))
    return entries


def apply_baseline(state: _Pass, entries: Sequence[BaselineEntry], source: str,
                   files: Sequence[LoadedFile]) -> list[BaselineEntry]:
    """Move findings the baseline knows to the suppressed list; return the entries of linted
    files whose finding is gone (fixed). Entries of files not linted this time are neither."""
    from egresslint.suppression import BASELINE

    known = {e.fingerprint for e in entries}
    seen: set[str] = set()
    kept = []
    for finding in state.findings:
        if finding.fingerprint in known:
            seen.add(finding.fingerprint)
            state.suppress(finding, BASELINE, f"known in {source}")
        else:
            kept.append(finding)
    state.findings = kept
    # A finding that is now suppressed another way is not fixed.
    seen.update(f.fingerprint for f in state.suppressed)
    linted = {identity_path(f.path) for f in files}
    return [e for e in entries if e.fingerprint not in seen and e.path in linted]


def baseline_write_command(request: LintRequest, file: str) -> tuple[str, int]:
    """`egresslint baseline write FILE [PATHS]`: record today's findings."""
    from egresslint.run import run_lint

    findings = run_lint(request).result.findings
    target = Path(file) if request.cwd is None or Path(file).is_absolute() else request.cwd / file
    count = write_baseline(target, findings)
    noun = "finding" if count == 1 else "findings"
    return (f"wrote {count} {noun} to {display_path(target)}; lint with `--baseline "
            f"{file}` to report only new ones\n"), 0
