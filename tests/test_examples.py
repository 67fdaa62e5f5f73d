"""The bundled examples say what they do: the passing ones pass, the mistakes are all caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from egresslint.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def lint(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["lint", "--no-config", "--format", "json", *map(str, paths)])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", ["web-tier.yaml", "batch-workers.json"])
def test_passing_examples_pass(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, doc = lint(capsys, EXAMPLES / name)
    assert code == 0
    assert [f for f in doc["findings"] if f["severity"] != "info"] == []


def test_every_commented_mistake_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = lint(capsys, EXAMPLES / "mistakes.yaml")
    assert code == 1
    assert [(f["line"], f["code"]) for f in doc["findings"]] == [
        (9, "EGL003"), (13, "EGL101"), (14, "EGL102"), (20, "EGL104"), (26, "EGL003"),
        (27, "EGL106"), (33, "EGL004"), (38, "EGL201")]


def test_group_mistakes_are_caught(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = lint(capsys, EXAMPLES / "group-mistakes.yaml")
    assert code == 1
    assert [(f["line"], f["code"]) for f in doc["findings"]] == [
        (10, "EGL203"), (22, "EGL304"), (32, "EGL303"), (43, "EGL301")]


def test_the_quick_start_command_fails_the_gate_on_the_mistakes_only(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = lint(capsys, EXAMPLES)
    assert code == 1
    failing = {Path(f["path"]).name for f in doc["findings"] if f["severity"] == "error"}
    assert failing == {"mistakes.yaml", "group-mistakes.yaml"}
