"""Tiny rule files for tests, with line numbers that are easy to read off.

`one_rule` writes a single block-style rule: IpProtocol on line 2 (value at column 13),
PortRange on line 3 (column 12), DestCidrIp on line 4 (column 13), then the rest.
`group` writes a `defaults:` header (three lines) and one flow-style rule per line, so rule
k (from 1) starts at line 3 + k, column 5.
"""

from __future__ import annotations

SG = "sg-0a1b2c3d"
GROUP_HEADER = f"defaults:\n  SecurityGroupId: {SG}\nrules:\n"


def one_rule(protocol: str = "tcp", ports: str = "443/443", dest: str = "10.0.0.0/8",
             **extra: str | int) -> str:
    lines = [f"SecurityGroupId: {SG}", f"IpProtocol: {protocol}", f'PortRange: "{ports}"',
             f"DestCidrIp: {dest}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def rule(protocol: str = "tcp", ports: str = "443/443", dest: str = "10.0.0.0/8", *,
         policy: str | None = None, priority: int | None = None, sports: str | None = None,
         group: str | None = None) -> str:
    fields = [f"IpProtocol: {protocol}", f'PortRange: "{ports}"']
    if sports is not None:
        fields.append(f'SourcePortRange: "{sports}"')
    fields.append(f"DestCidrIp: {dest}")
    if policy is not None:
        fields.append(f"Policy: {policy}")
    if priority is not None:
        fields.append(f"Priority: {priority}")
    if group is not None:
        fields.append(f"SecurityGroupId: {group}")
    return "  - {" + ", ".join(fields) + "}\n"


def group(*rules: str) -> str:
    return GROUP_HEADER + "".join(rules)


def line_of(k: int) -> int:
    """The line of the k-th rule (from 1) of a `group` file."""
    return 3 + k
