"""The JSON Schema of rule files, for editors (`egresslint schema`).

Editors validate as you type; egresslint itself checks rule files by hand so that every
problem carries a position and a fix, and YAML 1.1 readings are caught before typing.
"""

from __future__ import annotations

from typing import Any

_PORTS = {"type": "string", "pattern": r"^(-1/-1|[1-9][0-9]{0,4}/[1-9][0-9]{0,4})$",
          "examples": ["443/443", "1/65535", "-1/-1"]}

_FIELDS: dict[str, Any] = {
    "SecurityGroupId": {"type": "string", "pattern": r"^sg-[a-z0-9]+$",
                        "description": "The security group the rule belongs to."},
    "IpProtocol": {"enum": ["tcp", "udp", "icmp", "gre", "all"],
                   "description": "Case-sensitive."},
    "PortRange": {**_PORTS, "description": "start/end for tcp and udp; -1/-1 otherwise."},
    "SourcePortRange": {**_PORTS, "description": "Optional; absent means every source port."},
    "DestCidrIp": {"type": "string",
                   "pattern": r"^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}(/(0|[1-9][0-9]?))?$",
                   "description": "An IPv4 address or CIDR block, host bits clear."},
    "Policy": {"enum": ["accept", "drop"], "default": "accept"},
    "Priority": {"type": "integer", "minimum": 1, "maximum": 100, "default": 1,
                 "description": "1 is the highest priority."},
}

_RULE = {
    "type": "object",
    "properties": _FIELDS,
    "patternProperties": {"^x-[A-Za-z0-9][A-Za-z0-9_.-]*$": {
        "type": ["string", "number", "boolean", "null"],
        "description": "An annotation: kept and shown, never sent."}},
    "additionalProperties": False,
}

RULE_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://egresslint.dev/schemas/rule-file.schema.json",
    "title": "egresslint rule file",
    "$defs": {"rule": _RULE},
    "oneOf": [
        {"type": "object",
         "properties": {
             "defaults": {**_RULE,
                          "description": "Fields every rule inherits unless it sets them."},
             "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}}},
         "required": ["rules"],
         "additionalProperties": False},
        {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        {"allOf": [{"$ref": "#/$defs/rule"}, {"not": {"required": ["rules"]}}]},
    ],
}
