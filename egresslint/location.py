"""Where a file is relative to its repository: the form CI systems, baselines and waivers use.

A path given on the command line (`rules/a.yaml`, `./rules/a.yaml`, `/ci/repo/rules/a.yaml`)
is shown as given, but identified by its path from the repository root, so a fingerprint or a
SARIF location does not change with the directory a run starts in.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

STDIN = "-"


@lru_cache(maxsize=256)
def repository_root(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding `.git`, or None."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def root_for(cwd: Path) -> Path:
    """The root URIs are relative to: the repository around `cwd`, else `cwd` itself."""
    resolved = cwd.resolve()
    return repository_root(resolved) or resolved


def relative_path(path: str, root: Path) -> str | None:
    """`path` from `root` with `/` separators, or None when it lies outside `root`."""
    if path == STDIN:
        return None
    absolute = Path(os.path.normpath(Path(path).absolute()))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        # A symbolic link on the way: compare real locations.
        try:
            return absolute.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return None


def identity_path(path: str) -> str:
    """The stable name of a rule file: from its repository root when it is in one, else from
    the working directory; names that are not files (standard input) are kept as they are."""
    return _identity_path(path, str(Path.cwd()))


@lru_cache(maxsize=4096)
def _identity_path(path: str, cwd: str) -> str:
    if path == STDIN or not Path(path).exists():
        return path
    absolute = Path(path).resolve()
    root = repository_root(absolute.parent) or Path(cwd).resolve()
    return relative_path(str(absolute), root) or absolute.as_posix()


_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def line_starts(text: str, *, json: bool = False) -> list[int]:
    """Offsets where each line begins, counting lines as the loader does: JSON breaks lines
    only at `\\n`; YAML also at `\\r`, NEL and the Unicode line and paragraph separators."""
    pattern = re.compile("\n") if json else _YAML_BREAK
    return [0, *(match.end() for match in pattern.finditer(text))]


def source_lines(text: str, *, json: bool = False) -> list[str]:
    """The lines of a file as `line_starts` counts them, without their line breaks; a break
    at the very end starts no line (as with `str.splitlines`, which also breaks at form
    feeds and other characters neither format does)."""
    lines = (text.split("\n") if json or (text.isascii() and "\r" not in text)
             else _YAML_BREAK.split(text))
    if lines[-1] == "":
        lines.pop()
    if json and "\r" in text:  # CRLF: the CR is whitespace before the break
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    return lines


def offset_of(starts: list[int], line: int, column: int) -> int:
    """The offset of a 1-based (line, column) given `line_starts`."""
    return starts[line - 1] + column - 1


def display_path(path: Path) -> str:
    """`path` as people read it: relative to the working directory when it is below it."""
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
