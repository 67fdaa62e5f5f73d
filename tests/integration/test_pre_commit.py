"""The pre-commit hook for real: a temporary repository, this checkout as the hook repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
GOOD = ('rules:\n  - SecurityGroupId: sg-1a2b\n    IpProtocol: tcp\n    PortRange: "443/443"\n'
        "    DestCidrIp: 10.0.0.0/8\n")
BAD = GOOD.replace('"443/443"', "22:22")

pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                                reason="pre-commit and git are needed")


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check,
                          timeout=600, env=_env())


def _env() -> dict[str, str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("GIT_DIR", None)
    return env


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    yield home


@pytest.fixture
def repo(tmp_path: Path, pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "egress").mkdir()
    return tmp_path


def test_hook_blocks_a_bad_commit_and_lets_a_good_one_through(repo: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=CHECKOUT, capture_output=True,
                          text=True, check=True).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {CHECKOUT}\n    rev: {head}\n    hooks:\n      - id: egresslint\n")
    subprocess.run(["pre-commit", "install"], cwd=repo, check=True, capture_output=True,
                   env={**_env(), "PRE_COMMIT_HOME": os.environ["PRE_COMMIT_HOME"]})
    (repo / "egress" / "web.yaml").write_text(BAD)
    (repo / "README.md").write_text("not a rule file\n")
    git(repo, "add", ".")
    failed = git(repo, "commit", "-m", "bad rule", check=False)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "egress/web.yaml:4:16: error EGL003" in output
    assert git(repo, "rev-parse", "--verify", "HEAD", check=False).returncode != 0  # no commit

    (repo / "egress" / "web.yaml").write_text(GOOD)
    git(repo, "add", ".")
    passed = git(repo, "commit", "-m", "good rule", check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "egresslint" in passed.stdout + passed.stderr
    assert git(repo, "log", "--oneline").stdout.count("\n") == 1


def test_try_repo_runs_the_hook_on_the_given_files(repo: Path) -> None:
    (repo / "egress" / "good.yaml").write_text(GOOD)
    (repo / "egress" / "bad.yaml").write_text(BAD)
    git(repo, "add", ".")
    env = {**_env(), "PRE_COMMIT_HOME": os.environ["PRE_COMMIT_HOME"]}
    good = subprocess.run(["pre-commit", "try-repo", str(CHECKOUT), "egresslint", "--files",
                           "egress/good.yaml"], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = subprocess.run(["pre-commit", "try-repo", str(CHECKOUT), "egresslint", "--files",
                          "egress/bad.yaml"], cwd=repo, capture_output=True, text=True,
                         env=env, timeout=600, check=False)
    assert bad.returncode == 1
    assert "egress/bad.yaml:4:16: error EGL003" in bad.stdout
