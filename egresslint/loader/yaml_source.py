"""Compose YAML into position-carrying nodes, never constructing Python objects.

Composing (not loading) is what makes the loader safe: tags such as `!!python/object/apply`
are only ever strings on a node, and aliases stay shared nodes, so an alias bomb costs no more
than its text. libyaml refuses nesting deeper than 1000 levels; the pure-Python composer is
held to the same bound so both paths agree.
"""

from __future__ import annotations

import gc
from typing import Any

import yaml
from yaml.nodes import Node

from egresslint.finding import Problem
from egresslint.loader.problems import SYNTAX_ERROR, TOO_COMPLEX, LoadProblem
from egresslint.span import point

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
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "exceeded maximum nesting depth", event.start_mark
                )
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


def compose(text: str, *, use_libyaml: bool | None = None) -> tuple[Node | None, LoadProblem | None]:
    """Compose one YAML document, or describe why it cannot be read."""
    if use_libyaml is None:
        use_libyaml = HAVE_LIBYAML
    loader_cls: Any = yaml.CSafeLoader if use_libyaml else _DepthLimitedLoader
    # The collector finds nothing to free while a tree is being built, and pausing it makes
    # composing a large file several times faster.
    was_enabled = gc.isenabled()
    gc.disable()
    loader = loader_cls(text)
    try:
        return loader.get_single_node(), None
    except yaml.MarkedYAMLError as exc:
        return None, _marked_error(exc)
    except yaml.YAMLError as exc:
        return None, _reader_error(exc, text)
    except RecursionError:
        return None, LoadProblem(
            TOO_COMPLEX, Problem(f"nesting deeper than {MAX_DEPTH} levels", point(1, 1))
        )
    finally:
        loader.dispose()
        if was_enabled:
            gc.enable()


def _marked_error(exc: yaml.MarkedYAMLError) -> LoadProblem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (exc.problem or "").strip()
    if "maximum nesting depth" in problem:
        return LoadProblem(
            TOO_COMPLEX,
            Problem(f"nesting deeper than {MAX_DEPTH} levels; a rule file needs three", point(line, column)),
        )
    context = (exc.context or "").strip()
    if problem.startswith("expected a single document"):
        message = "more than one YAML document (`---`); put all rules in one document under `rules:`"
    elif context and problem:
        message = f"{problem} ({context})"
    else:
        message = problem or context or "invalid YAML"
    return LoadProblem(SYNTAX_ERROR, Problem(message, point(line, column)))


def _reader_error(exc: yaml.YAMLError, text: str) -> LoadProblem:
    position = getattr(exc, "position", None)
    line, column = 1, 1
    if isinstance(position, int) and 0 <= position <= len(text):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = getattr(exc, "character", None)
    if isinstance(character, str):
        message = f"character U+{ord(character):04X} is not allowed in YAML; remove it"
    else:
        message = str(exc).splitlines()[0] if str(exc) else "unreadable YAML"
    return LoadProblem(SYNTAX_ERROR, Problem(message, point(line, column)))
