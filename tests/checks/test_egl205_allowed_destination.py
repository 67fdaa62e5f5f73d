"""EGL205 destination-not-allowed: only with `settings.allowed_destinations`, accepts only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.analysis.rulefiles import one_rule
from tests.conftest import LintText, brief


@pytest.fixture
def policy(tmp_path: Path) -> str:
    path = tmp_path / "zone.yaml"
    path.write_text("extends: default\nsettings:\n  allowed_destinations:\n"
                    "    - 10.0.0.0/8\n    - 192.168.10.0/24\n    - 192.168.11.0/24\n",
                    encoding="utf-8")
    return str(path)


FIRES = [
    pytest.param(one_rule(dest="172.16.0.0/12"), (4, 13, "EGL205",
                 "172.16.0.0/12 is not within the policy's allowed destinations (10.0.0.0/8, "
                 "192.168.10.0/23)"), id="outside"),
    pytest.param(one_rule(dest="0.0.0.0/0", protocol="all", ports="-1/-1"), (4, 13, "EGL205",
                 "0.0.0.0/0 is not within the policy's allowed destinations (10.0.0.0/8, "
                 "192.168.10.0/23)"), id="anywhere"),
    pytest.param(one_rule(dest="192.168.8.0/22"), (4, 13, "EGL205",
                 "192.168.8.0/22 is not within the policy's allowed destinations "
                 "(10.0.0.0/8, 192.168.10.0/23)"), id="partly-inside"),
]
QUIET = [
    pytest.param(one_rule(dest="10.20.30.40"), id="inside"),
    pytest.param(one_rule(dest="192.168.10.0/23"), id="spans-two-allowed-blocks"),
    pytest.param(one_rule(dest="172.16.0.0/12", Policy="drop"), id="drop-anywhere-is-fine"),
    pytest.param(one_rule(dest="172.16.0.1/12"), id="invalid-destination-left-to-EGL104"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_fires(lint_text: LintText, policy: str, text: str,
               expected: tuple[int, int, str, str]) -> None:
    assert brief(lint_text(text, policy=policy, select=("EGL205",))) == [expected]


@pytest.mark.parametrize("text", QUIET)
def test_quiet(lint_text: LintText, policy: str, text: str) -> None:
    assert brief(lint_text(text, policy=policy, select=("EGL205",))) == []


def test_no_list_no_limit(lint_text: LintText) -> None:
    assert brief(lint_text(one_rule(dest="172.16.0.0/12"), select=("EGL205",))) == []


def test_long_lists_are_cut(lint_text: LintText, tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    blocks = "".join(f"    - 10.{i}.0.0/16\n" for i in range(0, 12, 2))
    path.write_text(f"extends: default\nsettings:\n  allowed_destinations:\n{blocks}",
                    encoding="utf-8")
    assert brief(lint_text(one_rule(dest="11.0.0.0/8"), policy=str(path),
                           select=("EGL205",))) == [
        (4, 13, "EGL205", "11.0.0.0/8 is not within the policy's allowed destinations "
         "(10.0.0.0/16, 10.2.0.0/16, 10.4.0.0/16 and 3 more)")]
