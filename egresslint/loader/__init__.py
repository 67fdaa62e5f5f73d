"""Reading rule files: bytes in, rules and load problems out. Never raises on bad input."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, field
from pathlib import Path

from egresslint.finding import Problem
from egresslint.loader.problems import NOT_UTF8, SYNTAX_ERROR, TOO_COMPLEX, LoadProblem
from egresslint.rule import Rule
from egresslint.span import point

#: Larger files are refused unread: a rule file of this size is a mistake or an attack.
MAX_FILE_BYTES = 256 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
RULE_FILE_SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES
STDIN = "-"
#: Files at least this large have their loaded objects moved out of the collector's sight.
FREEZE_BYTES = 1024 * 1024


@dataclass
class LoadedFile:
    path: str
    text: str
    rules: list[Rule] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        """The file's lines, numbered as the positions of its findings are."""
        from egresslint.location import source_lines

        return source_lines(self.text, json=is_json(self.path, self.text))


def is_json(path: str, text: str) -> bool:
    if path.endswith(JSON_SUFFIXES):
        return True
    if path.endswith(YAML_SUFFIXES):
        return False
    # Standard input and unknown suffixes: JSON documents start with `{` or `[`, and every
    # JSON document is read exactly by the JSON reader.
    return text.lstrip()[:1] in ("{", "[")


def decode(path: str, data: bytes) -> tuple[str, LoadProblem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        return "", LoadProblem(NOT_UTF8, Problem(
            f"the file is not UTF-8{hint}: byte 0x{data[exc.start]:02x} cannot be decoded; "
            "save it as UTF-8", point(line, column)))


def load_text(path: str, text: str, *, use_libyaml: bool | None = None,
              stream: bool = True) -> LoadedFile:
    """Rules and load problems of one file's text.

    `stream=False` skips the fast readers (events for YAML, whole-object scanning for JSON)
    and always builds from a composed node tree; the results are the same, which the tests
    check by comparing the two.
    """
    # Nothing built while loading is garbage, and a large file allocates millions of objects:
    # with the collector paused the load is several times faster.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_text(path, text, use_libyaml, stream)
    finally:
        if len(text) >= FREEZE_BYTES:
            # The rules of a large file live until the run ends. Without this, the collector's
            # next passes would walk all of them, several times (about a second at 100,000
            # rules). Frozen objects are still freed when unreferenced; `gc.unfreeze()` undoes.
            gc.freeze()
        if was_enabled:
            gc.enable()


def _load_text(path: str, text: str, use_libyaml: bool | None, stream: bool) -> LoadedFile:
    from egresslint.loader.build import RuleFileBuilder

    loaded = LoadedFile(path, text)
    if is_json(path, text):
        from egresslint.loader import json_source

        if stream:
            builder = json_source.read_rules(path, text)
            if builder is not None:
                loaded.rules = builder.rules
                loaded.problems = builder.problems
                return loaded
        root, problem = json_source.parse(text)
    else:
        from egresslint.loader import yaml_source

        if stream:
            builder = yaml_source.read_rules(path, text, use_libyaml=use_libyaml)
            if builder is not None:
                loaded.rules = builder.rules
                loaded.problems = builder.problems
                return loaded
        root, problem = yaml_source.compose(text, use_libyaml=use_libyaml)
    if problem is not None:
        loaded.problems.append(problem)
        return loaded
    builder = RuleFileBuilder(path)
    builder.build(root, text)
    loaded.rules = builder.rules
    loaded.problems = builder.problems
    return loaded


def load_bytes(path: str, data: bytes, *, use_libyaml: bool | None = None) -> LoadedFile:
    text, problem = decode(path, data)
    if problem is not None:
        return LoadedFile(path, "", problems=[problem])
    return load_text(path, text, use_libyaml=use_libyaml)


def load_path(path: str, *, use_libyaml: bool | None = None) -> LoadedFile:
    """Load a file named on the command line (`-` is standard input)."""
    return load_read(path, read_path(path), use_libyaml=use_libyaml)


def read_path(path: str) -> bytes | LoadedFile:
    """The bytes of a file named on the command line (`-` is standard input), or the file
    with the problem that stopped the read. Read once, they can be loaded anywhere."""
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return LoadedFile(path, "", problems=[LoadProblem(SYNTAX_ERROR, Problem(
            f"cannot read the file: {exc.strerror or exc}", point(1, 1)))])
    if len(data) > MAX_FILE_BYTES:
        return LoadedFile(path, "", problems=[LoadProblem(TOO_COMPLEX, Problem(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; split it",
            point(1, 1)))])
    return data


def load_read(path: str, read: bytes | LoadedFile, *,
              use_libyaml: bool | None = None) -> LoadedFile:
    """What `read_path` gave, loaded."""
    if isinstance(read, LoadedFile):
        return read
    return load_bytes(path, read, use_libyaml=use_libyaml)
