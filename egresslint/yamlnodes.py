"""Reading small trusted-format YAML files (policies, configuration, waivers) with positions,
so that a mistake in them can be reported at its line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


class YamlFileError(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def read_yaml(path: str, text: str) -> tuple[Any, Node | None]:
    """Parse `text`; refuse duplicate keys and non-standard tags; return data and its nodes."""
    loader_cls: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_nodes(path, node)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlFileError(path, mark.line + 1 if mark else 1,
                            f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlFileError(path, 1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


def _check_nodes(path: str, root: Node) -> None:
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not node.tag.startswith("tag:yaml.org,2002:"):
            raise YamlFileError(path, node.start_mark.line + 1, f"tag {node.tag} is not allowed")
        if isinstance(node, MappingNode):
            keys: dict[str, Node] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    if key.value in keys:
                        raise YamlFileError(path, key.start_mark.line + 1,
                                            f"`{key.value}` is set twice (first on line "
                                            f"{keys[key.value].start_mark.line + 1})")
                    keys[key.value] = key
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def line_of(root: Node | None, path: Sequence[object]) -> int:
    """The line of the value at `path` (keys and indexes) under `root`, or the nearest parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    for part in path:
        nxt: Node | None = None
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == str(part):
                    nxt = value
                    line = key.start_mark.line + 1
                    break
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
            line = nxt.start_mark.line + 1
        if nxt is None:
            break
        node = nxt
    return line
