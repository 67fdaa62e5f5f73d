"""Live rules: a DescribeSecurityGroupAttribute response, as the API or the aliyun CLI prints it.

    {"SecurityGroupId": "sg-...", "Permissions": {"Permission": [
        {"Direction": "egress", "IpProtocol": "TCP", "PortRange": "443/443",
         "SourcePortRange": "", "DestCidrIp": "10.0.0.0/8", "Policy": "Accept",
         "Priority": 1, ...}]}}

A file may also hold a JSON list of such responses. Ingress entries are ignored. Values are
compared without case (documented examples print `TCP` and `Accept`), an empty
SourcePortRange means every source port, and each rule keeps its position in the file so
that a finding can point at the live rule. A live rule that cannot be read is a usage
error: a gate that quietly left it out could pass a rule it shadows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from egresslint import rule as r
from egresslint.destination import parse_destination
from egresslint.loader import yaml11
from egresslint.loader.build import node_span
from egresslint.ports import PROTOCOLS, parse_port_range
from egresslint.run import UsageError

EXISTING = "existing"
_POLICIES = ("accept", "drop")
#: A priority as the API writes it: ASCII digits, no more than three.
_PRIORITY = re.compile(r"[0-9]{1,3}\Z")


class ExistingError(UsageError):
    """A `--existing` file that cannot be read: exit 2, naming the file and line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line


def load_existing(paths: Sequence[str]) -> list[r.Rule]:
    rules: list[r.Rule] = []
    for path in paths:
        rules.extend(read_existing(path))
    return rules


def read_existing(path: str) -> list[r.Rule]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExistingError(path, 0, f"cannot read the live rules: {exc}") from None
    return parse_existing(path, text)


def parse_existing(path: str, text: str) -> list[r.Rule]:
    from egresslint.loader.json_source import parse

    root, problem = parse(text)
    if problem is not None:
        span = problem.problem.span
        raise ExistingError(path, span.line if span else 1,
                            f"not a JSON response: {problem.problem.message}")
    if root is None:
        raise ExistingError(path, 1, "the file is empty; expected a "
                            "DescribeSecurityGroupAttribute response")
    responses = root.value if isinstance(root, SequenceNode) else [root]
    reader = _Reader(path)
    for response in responses:
        reader.response(response)
    return reader.rules


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.rules: list[r.Rule] = []
        self.index = 0

    def fail(self, node: Node, message: str) -> ExistingError:
        return ExistingError(self.path, node.start_mark.line + 1, message)

    def response(self, node: Node) -> None:
        keys = self.mapping(node, "a DescribeSecurityGroupAttribute response")
        group = keys.get("SecurityGroupId")
        if group is None or not isinstance(group[1], ScalarNode) or not group[1].value:
            raise self.fail(node, "the response has no SecurityGroupId")
        group_field = r.FieldValue(r.SECURITY_GROUP_ID, group[1].value, group[1].value,
                                   node_span(group[1]))
        permissions = keys.get("Permissions")
        if permissions is None:
            return
        inner = self.mapping(permissions[1], "`Permissions`").get("Permission")
        if inner is None:
            return
        if not isinstance(inner[1], SequenceNode):
            raise self.fail(inner[1], "`Permissions.Permission` must be a list")
        for item in inner[1].value:
            self.permission(item, group_field)

    def mapping(self, node: Node, what: str) -> dict[str, tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"expected {what} (a JSON object)")
        return {key.value: (key, value) for key, value in node.value
                if isinstance(key, ScalarNode)}

    def permission(self, node: Node, group_field: r.FieldValue) -> None:
        keys = self.mapping(node, "a permission")
        index = self.index
        self.index += 1
        direction = self.scalar(keys, "Direction")
        if direction is None:
            raise self.fail(node, "the permission has no Direction; cannot tell egress from "
                            "ingress")
        if direction[0].lower() != "egress":
            return
        fields: dict[str, r.FieldValue] = {r.SECURITY_GROUP_ID: group_field}
        protocol = self.required(node, keys, "IpProtocol").lower()
        if protocol not in PROTOCOLS:
            raise self.fail(keys["IpProtocol"][1], f"IpProtocol `{protocol}` is not one of "
                            f"{', '.join(PROTOCOLS)}")
        self.put(fields, keys, r.IP_PROTOCOL, protocol)
        for name in (r.PORT_RANGE, r.SOURCE_PORT_RANGE):
            found = self.scalar(keys, name)
            if found is None or not found[0]:
                if name == r.PORT_RANGE:
                    raise self.fail(node, "the egress permission has no PortRange")
                continue  # empty SourcePortRange: every source port
            _, message = parse_port_range(found[0], protocol)
            if message is not None:
                raise self.fail(found[1], f"{name} {message}")
            self.put(fields, keys, name, found[0])
        dest = self.required(node, keys, "DestCidrIp")
        _, message = parse_destination(dest)
        if message is not None:
            raise self.fail(keys["DestCidrIp"][1], f"DestCidrIp {message}")
        self.put(fields, keys, r.DEST_CIDR_IP, dest)
        policy = self.scalar(keys, "Policy")
        if policy is not None and policy[0]:
            if policy[0].lower() not in _POLICIES:
                raise self.fail(policy[1], f"Policy `{policy[0]}` is not accept or drop")
            self.put(fields, keys, r.POLICY, policy[0].lower())
        priority = self.scalar(keys, "Priority")
        if priority is not None and priority[0]:
            if _PRIORITY.match(priority[0]) is None or not 1 <= int(priority[0]) <= 100:
                raise self.fail(priority[1], f"Priority `{priority[0]}` is not 1..100")
            fields[r.PRIORITY] = r.FieldValue(r.PRIORITY, int(priority[0]), priority[0],
                                              node_span(priority[1]))
        self.rules.append(r.Rule(self.path, index, node_span(node), fields, {},
                                 origin=EXISTING))

    def scalar(self, keys: dict[str, tuple[Node, Node]], name: str) -> tuple[str, Node] | None:
        found = keys.get(name)
        if found is None:
            return None
        value = found[1]
        if not isinstance(value, ScalarNode):
            raise self.fail(value, f"{name} must be a single value")
        if value.tag == yaml11.NULL:
            return None
        return str(value.value).strip(), value

    def required(self, node: Node, keys: dict[str, tuple[Node, Node]], name: str) -> str:
        found = self.scalar(keys, name)
        if found is None or not found[0]:
            raise self.fail(node, f"the egress permission has no {name}")
        return found[0]

    @staticmethod
    def put(fields: dict[str, r.FieldValue], keys: dict[str, tuple[Node, Node]], name: str,
            value: str) -> None:
        # The canonical value, so that summaries read `accept tcp ...`; the span points at
        # the value as the file writes it.
        fields[name] = r.FieldValue(name, value, value, node_span(keys[name][1]))
