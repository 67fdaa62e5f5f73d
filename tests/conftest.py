from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from egresslint.checks import load_registry
from egresslint.engine import Engine
from egresslint.finding import Finding
from egresslint.policy import load_policy

LintText = Callable[..., list[Finding]]


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under GitHub Actions `lint` prints annotations by default; tests expect text unless
    they set GITHUB_ACTIONS themselves."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


@pytest.fixture
def lint_text(tmp_path: Path) -> LintText:
    """Lint `text` saved as `name` under the default policy; returns the findings."""

    def run(text: str | bytes, name: str = "rules.yaml", *, policy: str = "default",
            select: tuple[str, ...] = ()) -> list[Finding]:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        engine = Engine(load_registry(), load_policy(policy), select=select)
        return engine.run([str(path)]).findings

    return run


def brief(findings: list[Finding], code: str | None = None) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) of each finding, optionally of one code only."""
    return [(f.line, f.column, f.code, f.message) for f in findings
            if code is None or f.code == code]
