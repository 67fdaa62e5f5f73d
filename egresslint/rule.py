"""An egress rule as written in a rule file, with the position of every value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from egresslint.span import Span

SECURITY_GROUP_ID = "SecurityGroupId"
IP_PROTOCOL = "IpProtocol"
PORT_RANGE = "PortRange"
SOURCE_PORT_RANGE = "SourcePortRange"
DEST_CIDR_IP = "DestCidrIp"
POLICY = "Policy"
PRIORITY = "Priority"

#: The parameters of AuthorizeSecurityGroupEgress, in the API page's order of importance.
API_FIELDS: tuple[str, ...] = (
    SECURITY_GROUP_ID,
    IP_PROTOCOL,
    PORT_RANGE,
    SOURCE_PORT_RANGE,
    DEST_CIDR_IP,
    POLICY,
    PRIORITY,
)
REQUIRED_FIELDS: tuple[str, ...] = (SECURITY_GROUP_ID, IP_PROTOCOL, PORT_RANGE, DEST_CIDR_IP)
STRING_FIELDS = frozenset(API_FIELDS) - {PRIORITY}
INTEGER_FIELDS = frozenset({PRIORITY})

#: Keys starting with this prefix are annotations: kept, shown, never sent.
ANNOTATION_PREFIX = "x-"

DEFAULT_POLICY = "accept"
DEFAULT_PRIORITY = 1


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One value of a rule.

    `value` is the typed value (str, or int for Priority); `text` is the scalar as written
    (without quotes). `usable` is False when the loader already reported the value (wrong
    type, a YAML 1.1 coercion): checks then leave the field alone rather than report twice.
    """

    name: str
    value: object
    text: str
    span: Span
    usable: bool = True
    from_defaults: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    path: str
    index: int
    span: Span
    fields: Mapping[str, FieldValue]
    annotations: Mapping[str, FieldValue]
    #: "proposed" for rules in the files under review, "existing" for live rules.
    origin: str = "proposed"

    def field(self, name: str) -> FieldValue | None:
        return self.fields.get(name)

    def text(self, name: str) -> str | None:
        """The usable string value of a field, or None."""
        fv = self.fields.get(name)
        if fv is None or not fv.usable or not isinstance(fv.value, str):
            return None
        return fv.value

    @property
    def security_group_id(self) -> str | None:
        fv = self.fields.get(SECURITY_GROUP_ID)
        return fv.text if fv is not None else None

    @property
    def policy(self) -> str:
        return self.text(POLICY) or DEFAULT_POLICY

    @property
    def priority(self) -> int:
        fv = self.fields.get(PRIORITY)
        if fv is not None and fv.usable and isinstance(fv.value, int):
            return fv.value
        return DEFAULT_PRIORITY

    def summary(self) -> str:
        """One line a reviewer reads: `accept tcp 443/443 -> 10.0.0.0/8 (priority 10)`."""
        parts = [self.policy, self._shown(IP_PROTOCOL), self._shown(PORT_RANGE)]
        sport = self.fields.get(SOURCE_PORT_RANGE)
        if sport is not None:
            parts.append(f"from port {sport.text}")
        parts.append(f"-> {self._shown(DEST_CIDR_IP)}")
        parts.append(f"(priority {self.priority})")
        return " ".join(parts)

    def _shown(self, name: str) -> str:
        fv = self.fields.get(name)
        return fv.text if fv is not None else "?"

    def api_parameters(self) -> dict[str, str | int]:
        """The parameters as they would be sent, defaults made explicit."""
        params: dict[str, str | int] = {}
        for name in API_FIELDS:
            fv = self.fields.get(name)
            if fv is not None and isinstance(fv.value, (str, int)):
                params[name] = fv.value
        params.setdefault(POLICY, DEFAULT_POLICY)
        params.setdefault(PRIORITY, DEFAULT_PRIORITY)
        return params
