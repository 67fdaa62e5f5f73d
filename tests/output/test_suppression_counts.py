"""Every output format states how many findings were suppressed, and by what."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.output.helpers import MISTAKES, cli

INLINE = MISTAKES.replace("IpProtocol: TCP",
                          'IpProtocol: TCP  # egresslint: ignore[EGL101] reason="NET-7"')
WAIVERS = ("waivers:\n  - code: EGL104\n    path: payments.yaml\n    reason: vendor range\n"
           "    owner: network-team\n    expires: 2099-12-31\n")


@pytest.fixture
def files(repo: Path) -> Path:
    (repo / "payments.yaml").write_text(INLINE, encoding="utf-8")
    (repo / ".egresslint-waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    return repo


def test_text(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = cli(capsys, "lint", "payments.yaml").out.splitlines()
    assert "waivers: .egresslint-waivers.yaml" in lines
    assert lines[-1] == ("1 file, 2 rules: 2 errors, 0 warnings, 0 infos, 2 suppressed "
                         "(1 inline, 1 waiver); 1 rule with errors. Gate failed (fails on "
                         "error and above).")


def test_json(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(cli(capsys, "lint", "-f", "json", "payments.yaml").out)
    assert document["suppressions"] == {
        "counts": {"inline": 1, "waiver": 1, "baseline": 0},
        "inline": {"enabled": True, "found": 1, "not_applied": 0},
        "waivers": ".egresslint-waivers.yaml",
        "baseline": None,
    }
    assert document["summary"]["suppressed"] == 2
    assert sorted(f["suppressed_by"].split(":")[0] for f in document["suppressed"]) == [
        "inline", "waiver"]


def test_sarif(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = json.loads(cli(capsys, "lint", "-f", "sarif", "payments.yaml").out)["runs"][0]
    assert run["properties"]["suppressed"]["byKind"] == {"inline": 1, "waiver": 1, "baseline": 0}
    assert sum(1 for r in run["results"] if "suppressions" in r) == 2


def test_junit(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "lint", "-f", "junit", "payments.yaml").out
    assert "2 suppressed (1 inline, 1 waiver)" in out
    properties = {p.get("name"): p.get("value") for p in ET.fromstring(out).iter("property")}
    assert properties["suppressed.inline"] == "1" and properties["suppressed.waiver"] == "1"


def test_github(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "lint", "-f", "github", "payments.yaml").out
    assert "2 suppressed (1 inline, 1 waiver)" in out.splitlines()[-1]


def test_no_inline_suppressions_is_stated(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "lint", "payments.yaml", "--no-inline-suppressions").out
    assert ("inline suppressions are off (--no-inline-suppressions): 1 found; the 1 finding "
            "they cover is reported") in out
    document = json.loads(cli(capsys, "lint", "-f", "json", "payments.yaml",
                              "--no-inline-suppressions").out)
    assert document["suppressions"]["inline"] == {"enabled": False, "found": 1,
                                                  "not_applied": 1}
    assert document["suppressions"]["counts"]["inline"] == 0
