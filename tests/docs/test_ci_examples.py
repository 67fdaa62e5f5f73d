"""The ready-made CI files: valid YAML, doing what the docs say, never linted as rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from egresslint.discovery import discover

REPOSITORY = Path(__file__).resolve().parents[2]
CI = REPOSITORY / "examples" / "ci"


def load(name: str) -> Any:
    return yaml.safe_load((CI / name).read_text(encoding="utf-8"))


def test_github_actions_lints_uploads_sarif_and_annotates() -> None:
    workflow = load(".github/workflows/egresslint.yml")
    steps = workflow["jobs"]["egresslint"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("--format sarif > egresslint.sarif" in r for r in runs)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith(
        "github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "egresslint.sarif"
    assert any("--format github" in r for r in runs)
    assert workflow["jobs"]["egresslint"]["permissions"]["security-events"] == "write"


def test_gitlab_job_publishes_junit() -> None:
    job = load(".gitlab-ci.yml")["egresslint"]
    assert any("--format junit > egresslint-junit.xml" in line for line in job["script"])
    assert job["artifacts"]["reports"]["junit"] == "egresslint-junit.xml"


def test_pre_commit_hooks_fix_then_lint() -> None:
    local, published = load(".pre-commit-config.yaml")["repos"]
    assert [h["entry"] for h in local["hooks"]] == ["egresslint fix"]
    published_ids = {h["id"] for h in load_hooks()}
    assert [h["id"] for h in published["hooks"]] == ["egresslint"]
    assert {h["id"] for h in published["hooks"]} <= published_ids


def load_hooks() -> Any:
    return yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_linting_examples_does_not_read_the_ci_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    found = discover(["examples/"])
    assert found and not any(Path(p).is_relative_to(Path("examples/ci")) for p in found)
