"""Each destination and group check's own examples: the bad one fires the check, the good
one does not (under the default policy with the check's example settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from egresslint.checks import Check, builtin_checks, load_registry
from egresslint.engine import Engine
from egresslint.policy import load_policy

CHECKS = [c for c in builtin_checks() if c.code[3] in "23"]


def _fired(check: Check, path: Path, text: str) -> list[str]:
    path.write_text(text, encoding="utf-8")
    policy = load_policy("default").merged(check.example_settings, {}, "example settings")
    engine = Engine(load_registry(plugins=False), policy, select=(check.code,))
    return [f.code for f in engine.run([str(path)]).findings]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_examples(check: Check, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    assert check.code in _fired(check, path, check.bad_example)
    assert _fired(check, path, check.good_example) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_metadata_is_complete(check: Check) -> None:
    for text in (check.summary, check.rationale, check.fix, check.bad_example,
                 check.good_example):
        assert text.strip()
    assert set(check.option_docs) == set(check.options)


def test_codes_and_names() -> None:
    assert [(c.code, c.name, c.severity.label) for c in CHECKS] == [
        ("EGL201", "any-to-anywhere", "error"),
        ("EGL202", "all-ports-public", "error"),
        ("EGL203", "risky-port-public", "error"),
        ("EGL204", "broad-public-destination", "warning"),
        ("EGL205", "destination-not-allowed", "error"),
        ("EGL206", "special-destination", "error"),
        ("EGL301", "duplicate-rule", "error"),
        ("EGL302", "duplicate-other-priority", "warning"),
        ("EGL303", "priority-tie", "error"),
        ("EGL304", "shadowed-rule", "error"),
        ("EGL305", "redundant-rule", "warning"),
        ("EGL306", "partial-override", "info"),
        ("EGL307", "too-many-rules", "error"),
    ]
