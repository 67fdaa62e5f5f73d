"""The adversarial group: 200 rules that all overlap one another (nested destinations,
crossing port and source-port ranges, mixed priorities and policies) are analysed to the end
and every kind of verdict appears. How long it takes is measured in benchmarks/, not here."""

from __future__ import annotations

import random

from egresslint.checks import load_registry
from egresslint.engine import Engine
from egresslint.loader import load_text
from egresslint.policy import load_policy

CENTRE = (10 << 24) | (200 << 16) | (123 << 8) | 45


def adversarial_group(count: int = 200, seed: int = 3) -> str:
    rng = random.Random(seed)
    lines = ["rules:"]
    for _ in range(count):
        prefix = rng.randint(8, 32)
        size = 1 << (32 - prefix)
        first = CENTRE // size * size
        dest = ".".join(str((first >> shift) & 255) for shift in (24, 16, 8, 0))
        protocol = "all" if rng.random() < 0.05 else "tcp"
        if protocol == "all":
            ports = '"-1/-1"'
        else:
            ports = (f'"{rng.randint(1, 30000)}/{rng.randint(30000, 65535)}", SourcePortRange: '
                     f'"{rng.randint(1, 30000)}/{rng.randint(30000, 65535)}"')
        lines.append(f"  - {{SecurityGroupId: sg-adv, IpProtocol: {protocol}, PortRange: "
                     f"{ports}, DestCidrIp: {dest}/{prefix}, "
                     f"Policy: {rng.choice(('accept', 'drop'))}, Priority: {rng.randint(1, 100)}}}")
    return "\n".join(lines) + "\n"


def test_adversarial_group_is_analysed() -> None:
    loaded = load_text("adversarial.yaml", adversarial_group())
    assert len(loaded.rules) == 200
    engine = Engine(load_registry(plugins=False), load_policy("strict"), select=("EGL3",))
    result = engine.run_loaded([loaded])
    codes = {f.code for f in result.findings}
    assert {"EGL303", "EGL304", "EGL306"} <= codes
