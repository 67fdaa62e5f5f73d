"""The check pages match the checks, and every check's own examples behave as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from egresslint import docs
from egresslint.checks import Check, builtin_checks, load_registry
from egresslint.engine import Engine
from egresslint.policy import load_policy
from egresslint.suppression import GateOptions, apply_suppressions

REPOSITORY = Path(__file__).resolve().parents[2]
HEADINGS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead",
            "## Options", "## References"]


def test_committed_pages_match_the_generator() -> None:
    assert docs.DEFAULT_OUTPUT == REPOSITORY / "docs" / "checks"
    stale = docs.differences(docs.DEFAULT_OUTPUT)
    assert stale == [], "run `python -m egresslint.docs` to regenerate docs/checks/"


def test_check_mode_of_the_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert docs.main(["--check"]) == 0
    assert docs.main(["--check", "--output", str(tmp_path)]) == 1
    assert "EGL101.md: missing" in capsys.readouterr().out
    assert docs.main(["--output", str(tmp_path)]) == 0
    assert docs.main(["--check", "--output", str(tmp_path)]) == 0


def test_write_removes_pages_of_checks_that_are_gone(tmp_path: Path) -> None:
    docs.write(tmp_path)
    (tmp_path / "EGL999.md").write_text("old\n")
    (tmp_path / "notes.md").write_text("hand-written\n")
    assert docs.differences(tmp_path) == ["EGL999.md: no such check"]
    docs.write(tmp_path)
    assert not (tmp_path / "EGL999.md").exists()
    assert (tmp_path / "notes.md").exists()


@pytest.mark.parametrize("check", builtin_checks(), ids=lambda c: c.code)
def test_every_page_has_the_headings(check: Check) -> None:
    page = docs.render_check(check)
    assert page.splitlines()[2] == f"# {check.code} {check.name}"
    positions = [page.index(heading + "\n") for heading in HEADINGS]
    assert positions == sorted(positions)
    assert f"| `{check.code}` | `{check.name}` | {check.severity.label} |" in page


def test_index_lists_every_check() -> None:
    index = docs.render_index(sorted(builtin_checks(), key=lambda c: c.code))
    for check in builtin_checks():
        assert f"| [{check.code}]({check.code}.md) | `{check.name}` |" in index


def _codes_fired(check: Check, path: Path, data: bytes) -> set[str]:
    path.write_bytes(data)
    registry = load_registry(plugins=False)
    policy = load_policy("default").merged(check.example_settings, {}, "example settings")
    # Every check selected, so a check the default policy leaves off still shows its example.
    engine = Engine(registry, policy, select=[c.code for c in registry])
    result = engine.run([str(path)])
    apply_suppressions(result, engine, GateOptions())
    return {f.code for f in result.findings}


@pytest.mark.parametrize("check", builtin_checks(), ids=lambda c: c.code)
def test_bad_example_fires_and_good_example_does_not(check: Check, tmp_path: Path) -> None:
    path = tmp_path / "rule.yaml"
    bad = check.bad_example.encode(check.bad_example_encoding)
    assert check.code in _codes_fired(check, path, bad), \
        f"{check.code}'s bad example does not fire it"
    good = check.good_example.encode("utf-8")
    assert check.code not in _codes_fired(check, path, good), \
        f"{check.code}'s good example fires it"
