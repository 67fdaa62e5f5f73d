"""Which files a run reads: files named on the command line always; in directories, every
`*.yaml`, `*.yml` and `*.json` below them, skipping hidden files and folders and whatever
matches `--exclude`."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from egresslint.loader import RULE_FILE_SUFFIXES, STDIN


class PathError(Exception):
    """A path named on the command line that does not exist: a usage error."""


def _excluded(path: str, patterns: Sequence[str]) -> bool:
    posix = Path(path).as_posix()
    parts = posix.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(posix, pattern + "/*"):
            return True
        if any(fnmatch.fnmatch(part, pattern) for part in parts):
            return True
        # `dir/**` and `dir/` exclude everything below dir.
        if pattern.endswith("/**") and (posix + "/").startswith(pattern[:-2]):
            return True
    return False


def discover(paths: Iterable[str], exclude: Sequence[str] = ()) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    for given in paths:
        if given == STDIN:
            candidates = [STDIN]
        elif os.path.isdir(given):
            candidates = sorted(_walk(given, exclude))
        elif os.path.exists(given):
            # Named explicitly (as pre-commit does): linted whatever its suffix, unless excluded.
            candidates = [] if _excluded(given, exclude) else [given]
        else:
            raise PathError(f"{given}: no such file or directory")
        for path in candidates:
            if path not in seen:
                seen.add(path)
                found.append(path)
    return found


def _walk(root: str, exclude: Sequence[str]) -> Iterable[str]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")
                       and not _excluded(os.path.join(directory, d), exclude)]
        for name in filenames:
            if name.startswith(".") or not name.endswith(RULE_FILE_SUFFIXES):
                continue
            path = os.path.join(directory, name)
            if not _excluded(path, exclude):
                yield path
