"""Security groups, planned rules and types shared by the submit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from egresslint.submit.plan import PlannedRule

GROUP_A = "sg-alpha01"
GROUP_B = "sg-beta02"

#: make_client(**options) -> EnsClient (see the fixture in conftest.py)
ClientFactory = Callable[..., Any]


def planned(
    group: str,
    port: int,
    *,
    line: int | None = None,
    blocking: tuple[str, ...] = (),
    path: str = "rules/egress.yaml",
    **overrides: str | int,
) -> PlannedRule:
    """A planned tcp rule to 10.0.0.0/8 on one port; overrides change any API parameter."""
    params: dict[str, str | int] = {
        "SecurityGroupId": group,
        "IpProtocol": "tcp",
        "PortRange": f"{port}/{port}",
        "DestCidrIp": "10.0.0.0/8",
        "Policy": "accept",
        "Priority": 10,
    }
    params.update(overrides)
    return PlannedRule(
        path=path,
        line=line if line is not None else port,
        security_group_id=group,
        params=params,
        blocking=blocking,
    )
