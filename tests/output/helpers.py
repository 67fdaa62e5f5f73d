"""Running the command line as users do, for the output, suppression, fix and docs tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from egresslint.cli import main

#: A rule with three safe fixes (protocol, port range, policy) and one unsafe (host bits).
MISTAKES = """\
# Rules for the payments tier.
rules:
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b   # payments
    IpProtocol: TCP
    PortRange: "443 / 443"
    DestCidrIp: 10.0.0.1/8
    Policy: 'Accept'
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
    IpProtocol: udp
    PortRange: "53/53"
    DestCidrIp: 10.0.0.0/8
"""
GOOD = """\
rules:
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
    IpProtocol: tcp
    PortRange: "443/443"
    DestCidrIp: 10.0.0.0/8
"""


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    capsys.readouterr()  # drop anything printed before
    code = main(list(args))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`tmp_path` as the working directory and the root of a repository (configuration and
    waiver lookup stop here, and URIs are relative to it)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / ".git").mkdir()
    return tmp_path
