"""Compose YAML into position-carrying nodes, never constructing Python objects.

Composing (not loading) is what makes the loader safe: tags such as `!!python/object/apply`
are only ever strings on a node, and aliases stay shared nodes, so an alias bomb costs no more
than its text. libyaml refuses nesting deeper than 1000 levels; the pure-Python composer is
held to the same bound so both paths agree.
"""

from __future__ import annotations

import gc
import re
import sys
from typing import TYPE_CHECKING, Any

import yaml
from yaml.nodes import Node

from egresslint.finding import Problem
from egresslint.loader.problems import SYNTAX_ERROR, TOO_COMPLEX, LoadProblem
from egresslint.span import point

if TYPE_CHECKING:
    from egresslint.loader.build import RuleFileBuilder

#: libyaml's own limit (`exceeded maximum nesting depth`), matched by the Python composer.
MAX_DEPTH = 1000

HAVE_LIBYAML: bool = bool(getattr(yaml, "__with_libyaml__", False))


class _DepthLimitedLoader(yaml.SafeLoader):
    """The pure-Python composer, bounded like libyaml (it would otherwise recurse until the
    interpreter's recursion limit, which differs by build)."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, "exceeded maximum nesting depth", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(text: str, *,
            use_libyaml: bool | None = None) -> tuple[Node | None, LoadProblem | None]:
    """Compose one YAML document, or describe why it cannot be read."""
    if use_libyaml is None:
        use_libyaml = HAVE_LIBYAML
    loader_cls: Any = yaml.CSafeLoader if use_libyaml else _DepthLimitedLoader
    limit = sys.getrecursionlimit()
    if not use_libyaml:
        # The Python composer uses a few frames per level; let it reach libyaml's bound.
        sys.setrecursionlimit(max(limit, 6 * MAX_DEPTH))
    # The collector finds nothing to free while a tree is being built, and pausing it makes
    # composing a large file several times faster.
    was_enabled = gc.isenabled()
    gc.disable()
    loader = None
    try:
        loader = loader_cls(text)
        return loader.get_single_node(), None
    except yaml.MarkedYAMLError as exc:
        return None, _marked_error(exc, text)
    except yaml.YAMLError as exc:
        return None, _reader_error(exc, text)
    except RecursionError:
        return None, LoadProblem(
            TOO_COMPLEX, Problem(f"nesting deeper than {MAX_DEPTH} levels", point(1, 1))
        )
    finally:
        if loader is not None:
            loader.dispose()
        sys.setrecursionlimit(limit)
        if was_enabled:
            gc.enable()


def read_rules(path: str, text: str, *,
               use_libyaml: bool | None = None) -> RuleFileBuilder | None:
    """The rules of `text` read from the parser's events (see `stream`), or None when the
    document needs the composing path."""
    from egresslint.loader.build import RuleFileBuilder
    from egresslint.loader.stream import EventReader

    if use_libyaml is None:
        use_libyaml = HAVE_LIBYAML
    loader_cls: Any = yaml.CSafeLoader if use_libyaml else _DepthLimitedLoader
    builder = RuleFileBuilder(path)
    loader = None
    try:
        loader = loader_cls(text)
        EventReader(builder, loader.get_event).read()
    except Exception:  # Fallback, or an error the composing path reports with its position
        return None
    finally:
        if loader is not None:
            loader.dispose()
    return builder


#: What YAML allows in a stream (YAML 1.1, section 5.1), as PyYAML's reader checks it.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD"
                            "\U00010000-\U0010FFFF]")


def _marked_error(exc: yaml.MarkedYAMLError, text: str) -> LoadProblem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (exc.problem or "").strip()
    if "maximum nesting depth" in problem:
        return LoadProblem(
            TOO_COMPLEX,
            Problem(f"nesting deeper than {MAX_DEPTH} levels; a rule file needs three",
                    point(line, column)),
        )
    context = (exc.context or "").strip()
    control = re.search(r"#x([0-9a-fA-F]+)", context) if "not allowed" in problem else None
    if control is not None:
        # libyaml reports this position in bytes; find the character ourselves.
        found = _NOT_PRINTABLE.search(text)
        if found is not None:
            line, column = _position(text, found.start())
        return LoadProblem(SYNTAX_ERROR, Problem(_control_message(int(control.group(1), 16)),
                                                 point(line, column)))
    if "single document" in context or "single document" in problem:
        message = ("more than one YAML document (`---`); put all rules in one document under "
                   "`rules:`")
    elif context and problem:
        message = f"{problem} ({context})"
    else:
        message = problem or context or "invalid YAML"
    return LoadProblem(SYNTAX_ERROR, Problem(message, point(line, column)))


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _control_message(code_point: int) -> str:
    return (f"character U+{code_point:04X} is not allowed in YAML; remove it, or write it as an "
            "escape inside double quotes")


def _reader_error(exc: yaml.YAMLError, text: str) -> LoadProblem:
    position = getattr(exc, "position", None)
    line, column = 1, 1
    if isinstance(position, int) and 0 <= position <= len(text):
        line, column = _position(text, position)
    character = getattr(exc, "character", None)
    if isinstance(character, int):
        message = _control_message(character)
        # libyaml counts this position in bytes; find the character ourselves.
        found = _NOT_PRINTABLE.search(text)
        if found is not None:
            line, column = _position(text, found.start())
    else:
        message = str(exc).splitlines()[0] if str(exc) else "unreadable YAML"
    return LoadProblem(SYNTAX_ERROR, Problem(message, point(line, column)))
