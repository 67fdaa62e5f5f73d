"""Third-party checks through the `egresslint.checks` entry-point group; a bad plugin is loud."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from egresslint.checks import PluginError, load_registry
from egresslint.cli import main

RULES = ('SecurityGroupId: sg-1a2b\nIpProtocol: tcp\nPortRange: "443/443"\n'
         "DestCidrIp: 10.0.0.0/8\nx-owner: nobody\n")

PLUGIN = '''
from egresslint.checks import Check, Scope
from egresslint.finding import Problem, Severity

def _check(rule, ctx):
    owner = rule.annotations.get("x-owner")
    if owner is not None and owner.text == "nobody":
        yield Problem("every rule needs a real owner", owner.span, key="x-owner")

CHECKS = [Check(code="ACME001", name="acme-owner", severity=Severity.ERROR, scope=Scope.RULE,
                check_rule=_check, summary="s", rationale="r", fix="f",
                bad_example="x-owner: nobody", good_example="x-owner: team")]
BROKEN = [object()]
WRONG_PREFIX = [Check(code="XYZ001", name="xyz", severity=Severity.ERROR, scope=Scope.RULE,
                      check_rule=_check, summary="s", rationale="r", fix="f",
                      bad_example="", good_example="")]
'''


def install_plugin(root: Path, name: str, value: str) -> None:
    (root / "acme_plugin.py").write_text(textwrap.dedent(PLUGIN))
    dist = root / "acme_plugin-1.0.dist-info"
    dist.mkdir(exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[egresslint.checks]\n{name} = {value}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "rules.yaml").write_text(RULES)
    yield root
    sys.modules.pop("acme_plugin", None)


def test_plugin_checks_run_like_built_ins(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install_plugin(site, "ACME", "acme_plugin:CHECKS")
    assert load_registry().get("ACME001") is not None
    assert main(["lint", "rules.yaml"]) == 1
    assert capsys.readouterr().out.startswith(
        "rules.yaml:5:10: error ACME001 every rule needs a real owner [acme-owner]")
    assert main(["lint", "rules.yaml", "--ignore", "acme-owner"]) == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        pytest.param("ACME", "acme_plugin:BROKEN", "is not an egresslint Check", id="not-a-check"),
        pytest.param("ACME", "acme_plugin:WRONG_PREFIX", "does not use the prefix ACME",
                     id="wrong-prefix"),
        pytest.param("ACME", "acme_missing:CHECKS", "failed to import", id="import-error"),
        pytest.param("EGL", "acme_plugin:CHECKS", "code prefix other than EGL", id="builtin-prefix"),
    ],
)
def test_broken_plugins_are_usage_errors(site: Path, capsys: pytest.CaptureFixture[str],
                                         name: str, value: str, message: str) -> None:
    install_plugin(site, name, value)
    with pytest.raises(PluginError, match=message):
        load_registry()
    assert main(["lint", "rules.yaml"]) == 2
    assert message in capsys.readouterr().err
