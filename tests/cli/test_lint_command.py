"""The command line as users and gates use it: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from egresslint.cli import app, main

GOOD = ('rules:\n  - SecurityGroupId: sg-1a2b\n    IpProtocol: tcp\n    PortRange: "443/443"\n'
        "    DestCidrIp: 10.0.0.0/8\n")
BAD = ('rules:\n  - SecurityGroupId: sg-1a2b\n    IpProtocol: tcp\n    PortRange: "200/1"\n'
       "    DestCidrIp: 10.0.0.0/8\n")
EMPTY = "rules: []\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # stop configuration lookup at this folder
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "empty.yaml").write_text(EMPTY)
    return tmp_path


def test_good_file_passes(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "good.yaml"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == ("1 file, 1 rule: 0 errors, 0 warnings, 0 infos; 0 rules with "
                                    "errors. Gate passed (fails on error and above).")


def test_bad_file_fails_with_caret_and_fix(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "bad.yaml", "--color", "never"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        'bad.yaml:4:16: error EGL102 PortRange `200/1` starts after it ends: write "1/200" '
        "[invalid-port-range]",
        '  4 |     PortRange: "200/1"',
        "    |                ^^^^^^^",
        "  fix: For tcp and udp write `start/end` (`443/443`, `8000/8080`, `1/65535` for every "
        "port); for icmp, gre and all write `-1/-1`.",
    ]


# A line separator (U+2028) inside a JSON string is not a line break to JSON, nor to the
# editors people read JSON in, and a YAML parser counts it as one; CRLF ends one line in both.
@pytest.mark.parametrize(("name", "text", "line", "source"), [
    ("sep.json", '{"x-note": "a\u2028b",\n "rules": [\n  {"SecurityGroupId": "sg-1", '
     '"IpProtocol": "tcp", "PortRange": "200/1", "DestCidrIp": "10.0.0.0/8"}\n ]}\n', 3,
     '  {"SecurityGroupId": "sg-1", "IpProtocol": "tcp", "PortRange": "200/1", '
     '"DestCidrIp": "10.0.0.0/8"}'),
    ("sep.yaml", 'x-note: "a\u2028b"\nrules:\n  - {SecurityGroupId: sg-1, IpProtocol: tcp, '
     'PortRange: "200/1", DestCidrIp: 10.0.0.0/8}\n', 4,
     '  - {SecurityGroupId: sg-1, IpProtocol: tcp, PortRange: "200/1", DestCidrIp: 10.0.0.0/8}'),
    ("crlf.json", '{"rules": [\r\n  {"SecurityGroupId": "sg-1", "IpProtocol": "tcp", '
     '"PortRange": "200/1", "DestCidrIp": "10.0.0.0/8"}\r\n]}\r\n', 2,
     '  {"SecurityGroupId": "sg-1", "IpProtocol": "tcp", "PortRange": "200/1", '
     '"DestCidrIp": "10.0.0.0/8"}'),
])
def test_source_excerpt_counts_lines_as_the_format_does(
        files: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, line: int,
        source: str) -> None:
    (files / name).write_bytes(text.encode())
    assert main(["lint", name, "--color", "never", "--select", "EGL102"]) == 1
    out = capsys.readouterr().out.splitlines()
    column = source.index('"200/1"') + 1
    assert out[0].startswith(f"{name}:{line}:{column}: error EGL102 ")
    assert out[1] == f"  {line} | {source}"
    assert out[2] == f"  {' ' * len(str(line))} | {' ' * (column - 1)}^^^^^^^"


def test_warnings_pass_unless_fail_on_lowers(files: Path) -> None:
    assert main(["lint", "empty.yaml"]) == 0
    assert main(["lint", "empty.yaml", "--fail-on", "warning"]) == 1
    assert main(["lint", "empty.yaml", "--fail-on", "info"]) == 1


def test_select_and_ignore_by_code_name_and_prefix(files: Path) -> None:
    assert main(["lint", "bad.yaml", "--ignore", "EGL102"]) == 0
    assert main(["lint", "bad.yaml", "--ignore", "invalid-port-range"]) == 0
    assert main(["lint", "bad.yaml", "--select", "EGL101,EGL103"]) == 0
    assert main(["lint", "bad.yaml", "--select", "EGL1"]) == 1


def test_unreadable_files_cannot_be_ignored(files: Path) -> None:
    (files / "broken.yaml").write_text("rules: [\n")
    assert main(["lint", "broken.yaml", "--ignore", "EGL001"]) == 1
    assert main(["lint", "broken.yaml", "--select", "EGL101"]) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["lint", "missing.yaml"], "egresslint: error: missing.yaml: no such file or "
                     "directory", id="missing-path"),
        pytest.param(["lint", "good.yaml", "--fail-on", "fatal"], "egresslint: error: --fail-on "
                     "takes error, warning or info, not 'fatal'", id="bad-fail-on"),
        pytest.param(["lint", "good.yaml", "--format", "xml"], "egresslint: error: --format takes",
                     id="bad-format"),
        pytest.param(["lint", "good.yaml", "--select", "EGL999"], "egresslint: error: 'EGL999' is "
                     "not a check code, name or code prefix", id="bad-select"),
        pytest.param(["lint", "good.yaml", "--policy", "nonesuch"], "egresslint: error: nonesuch:0: "
                     "no built-in policy 'nonesuch'", id="bad-policy"),
        pytest.param(["lint"], "egresslint: error: no paths given", id="no-paths"),
        pytest.param(["explain", "EGL999"], "egresslint: error: no check 'EGL999'", id="explain"),
    ],
)
def test_usage_errors_exit_2(files: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                             message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert "Traceback" not in err


def test_unknown_option_exits_2(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "good.yaml", "--frobnicate"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_json_contract(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "bad.yaml", "good.yaml", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1
    assert doc["summary"] == {"files": 2, "rules": 2, "rules_with_errors": 1, "errors": 1,
                              "warnings": 0, "infos": 0, "suppressed": 0, "passed": False}
    (finding,) = doc["findings"]
    assert {k: finding[k] for k in ("path", "line", "column", "end_line", "end_column", "code",
                                    "name", "severity", "message", "rule", "related")} == {
        "path": "bad.yaml", "line": 4, "column": 16, "end_line": 4, "end_column": 23,
        "code": "EGL102", "name": "invalid-port-range", "severity": "error",
        "message": 'PortRange `200/1` starts after it ends: write "1/200"',
        "rule": {"index": 0, "security_group_id": "sg-1a2b", "line": 2}, "related": []}
    assert len(finding["fingerprint"]) == 32
    assert doc["policy"]["name"] == "default"


def test_json_findings_are_sorted_and_file_findings_have_no_rule(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "dup.yaml").write_text("rules: []\nrules: []\n")
    main(["lint", "dup.yaml", "bad.yaml", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    keys = [(f["path"], f["line"], f["column"], f["code"]) for f in findings]
    assert keys == sorted(keys)
    assert [f["rule"] for f in findings if f["path"] == "dup.yaml"] == [None, None]


def test_fingerprints_survive_reordering_and_unrelated_edits(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = '  - SecurityGroupId: sg-1a2b\n    IpProtocol: udp\n    PortRange: "53/53"\n' \
            "    DestCidrIp: 10.0.0.2\n"
    (files / "a.yaml").write_text(BAD + other)
    main(["lint", "a.yaml", "-f", "json"])
    before = json.loads(capsys.readouterr().out)["findings"][0]["fingerprint"]
    (files / "a.yaml").write_text("# moved\nrules:\n" + other.replace("53/53", "54/54")
                                  + BAD.split("rules:\n", 1)[1])
    main(["lint", "a.yaml", "-f", "json"])
    after = json.loads(capsys.readouterr().out)["findings"][0]
    assert after["line"] != 4
    assert after["fingerprint"] == before


def test_standard_input(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["lint", "-", "--format", "json"], input=BAD)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["path"] == "-"


def test_directories_are_searched_and_excluded(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "sub").mkdir()
    (files / "sub" / "x.json").write_text('{"rules": []}')
    (files / "sub" / "notes.txt").write_text("not a rule file")
    (files / ".hidden.yaml").write_text("rules: [")
    main(["lint", ".", "-f", "json", "--exclude", "bad.yaml"])
    paths = {f["path"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert paths == {"./empty.yaml", "./sub/x.json"}


def test_checks_explain_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == 0
    listing = capsys.readouterr().out
    assert "EGL102  invalid-port-range" in listing
    assert main(["explain", "invalid-port-range"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("EGL102 invalid-port-range (error by default, rule check)")
    assert "Example that fires:" in text
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$defs"]["rule"]["properties"]["IpProtocol"]["enum"][0] == "tcp"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("egresslint ")


def test_internal_errors_have_no_traceback(files: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import egresslint.engine

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(egresslint.engine.Engine, "run_loaded", explode)
    monkeypatch.delenv("EGRESSLINT_DEBUG", raising=False)
    assert main(["lint", "good.yaml"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("egresslint: internal error: RuntimeError: boom")
    assert "Traceback" not in err


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "egresslint", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_real_subprocess_exit_codes(files: Path) -> None:
    assert _run("lint", "good.yaml", cwd=files).returncode == 0
    bad = _run("lint", "bad.yaml", cwd=files)
    assert bad.returncode == 1
    assert bad.stdout.startswith("bad.yaml:4:16: error EGL102")
    usage = _run("lint", "nowhere.yaml", cwd=files)
    assert usage.returncode == 2
    assert usage.stderr == "egresslint: error: nowhere.yaml: no such file or directory\n"


def test_colour_only_when_asked_or_on_a_terminal(files: Path) -> None:
    plain = _run("lint", "bad.yaml", cwd=files)
    assert "\x1b[" not in plain.stdout  # a pipe is not a terminal
    forced = _run("lint", "bad.yaml", "--color", "always", cwd=files)
    assert "\x1b[31m" in forced.stdout
    assert "\x1b[" not in _run("lint", "bad.yaml", cwd=files, env={"NO_COLOR": "1"}).stdout


def test_console_script_is_installed(files: Path) -> None:
    script = Path(sys.executable).parent / "egresslint"
    result = subprocess.run([str(script), "lint", "bad.yaml"], cwd=files, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 1


def test_no_color_is_respected_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from egresslint.cli import _color

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert _color("auto") is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _color("auto") is False
    assert _color("always") is True
    assert _color("never") is False


def test_explain_states_the_settings_an_example_assumes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "destination-not-allowed"]) == 0
    text = capsys.readouterr().out
    assert ("Example that fires:\n  # with these policy settings:\n"
            '  #   allowed_destinations: ["10.0.0.0/8", "192.168.0.0/16"]\n') in text
    assert main(["explain", "EGL102"]) == 0
    assert "with these policy settings" not in capsys.readouterr().out
