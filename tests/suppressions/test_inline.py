"""Inline `# egresslint: ignore[...]` comments: every rule of how they apply and fail."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from egresslint.run import LintRequest, lint_command
from tests.output.helpers import cli

RULE = """\
rules:
  - SecurityGroupId: sg-5tsq3x7kkt2o9f6b
    IpProtocol: TCP
    PortRange: "443/443"
    DestCidrIp: 10.0.0.0/8
    Policy: Accept
"""


def lint_json(capsys: pytest.CaptureFixture[str], text: str, *args: str) -> dict[str, Any]:
    Path("rules.yaml").write_text(text, encoding="utf-8")
    run = cli(capsys, "lint", "--format", "json", "--no-config", "rules.yaml", *args)
    assert run.code in (0, 1), run.err
    document: dict[str, Any] = json.loads(run.out)
    return document


def reported(document: dict[str, Any]) -> list[tuple[int, str]]:
    return [(f["line"], f["code"]) for f in document["findings"]]


def hidden(document: dict[str, Any]) -> list[tuple[int, str]]:
    return [(f["line"], f["code"]) for f in document["suppressed"]]


def with_comment(line: int, comment: str, text: str = RULE) -> str:
    """`text` with `comment` at the end of `line` (1-based)."""
    lines = text.splitlines()
    lines[line - 1] += "  " + comment
    return "\n".join(lines) + "\n"


def above(line: int, comment: str, text: str = RULE) -> str:
    """`text` with `comment` alone on a new line before `line`, indented like it."""
    lines = text.splitlines()
    target = lines[line - 1]
    indent = target[:len(target) - len(target.lstrip(" -"))].replace("-", " ")
    lines.insert(line - 1, indent + comment)
    return "\n".join(lines) + "\n"


# -- what a suppression covers ---------------------------------------------------------------


@pytest.mark.parametrize("text", [
    pytest.param(with_comment(3, '# egresslint: ignore[EGL101] reason="NET-7"'),
                 id="same-line-by-code"),
    pytest.param(with_comment(3, '# egresslint: ignore[invalid-protocol] reason="NET-7"'),
                 id="same-line-by-name"),
    pytest.param(with_comment(3, '# egresslint: ignore[egl101] reason="NET-7"'),
                 id="code-in-lower-case"),
    pytest.param(above(3, '# egresslint: ignore[EGL101] reason="NET-7"'), id="line-above"),
    pytest.param(with_comment(2, '# egresslint: ignore[EGL101] reason="NET-7"'),
                 id="on-the-rules-first-line"),
    pytest.param(above(2, '# egresslint: ignore[EGL101] reason="NET-7"'),
                 id="above-the-rule"),
    pytest.param(above(2, "# egresslint: ignore[EGL101] reason='single quotes'"),
                 id="single-quoted-reason"),
    pytest.param(above(2, "# egresslint: ignore[EGL101] reason=NET-7"), id="one-word-reason"),
])
def test_suppresses(text: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = lint_json(capsys, text)
    assert [code for _, code in hidden(document)] == ["EGL101"]
    assert [code for _, code in reported(document)] == ["EGL105"]


@pytest.mark.parametrize("text", [
    pytest.param(with_comment(4, '# egresslint: ignore[EGL101] reason="NET-7"'),
                 id="a-later-line"),
    pytest.param(above(4, '# egresslint: ignore[EGL101] reason="NET-7"'),
                 id="above-a-later-line"),
    pytest.param(with_comment(3, '# egresslint: ignore[EGL105] reason="NET-7"'),
                 id="another-check"),
    pytest.param(above(3, '# egresslint: ignore[EGL101] reason="NET-7"').replace(
        '"NET-7"\n', '"NET-7"\n\n'), id="blank-line-between"),
    pytest.param(with_comment(3, '# see ticket, egresslint: ignore[EGL101] reason="x"'),
                 id="not-a-directive"),
])
def test_does_not_suppress(text: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = lint_json(capsys, text)
    assert any(code == "EGL101" for _, code in reported(document))
    assert hidden(document) == []


def test_several_codes_and_stacked_comments(repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    text = above(2, '# egresslint: ignore[EGL105] reason="accepted by NET-8"')
    text = above(2, '# egresslint: ignore[EGL101, invalid-priority] reason="NET-7"', text)
    document = lint_json(capsys, text)
    assert hidden(document) == [(5, "EGL101"), (8, "EGL105")]
    # invalid-priority reports nothing here: that part is unused.
    assert [(f["line"], f["code"], f["message"]) for f in document["findings"]] == [
        (2, "EGL403", "`ignore[invalid-priority]` suppresses nothing: EGL106 reports nothing "
         "on line 4; remove it")]


def test_a_hash_inside_a_value_is_not_a_comment(repo: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = RULE.replace("    Policy: Accept\n",
                        '    Policy: Accept\n    x-note: "a # egresslint: ignore[EGL101]"\n')
    document = lint_json(capsys, text)
    assert hidden(document) == []
    assert [code for _, code in reported(document)] == ["EGL101", "EGL105"]


def test_suppressed_findings_do_not_fail_the_gate(repo: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = with_comment(3, '# egresslint: ignore[EGL101] reason="NET-7"',
                        RULE.replace("Policy: Accept", "Policy: accept"))
    Path("rules.yaml").write_text(text)
    run = cli(capsys, "lint", "rules.yaml")
    assert run.code == 0
    assert "1 suppressed (1 inline)" in run.out


def test_justification_names_reason_expiry_and_place(repo: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    text = with_comment(3, '# egresslint: ignore[EGL101] reason="say \\"tcp\\" later" '
                        "expires=2099-01-31")
    (finding,) = lint_json(capsys, text)["suppressed"]
    assert finding["suppressed_by"] == ('inline: say "tcp" later (until 2099-01-31) '
                                        "[rules.yaml:3]")


# -- suppressions that do not work -----------------------------------------------------------


@pytest.mark.parametrize("comment", [
    pytest.param("# egresslint: ignore[EGL101]", id="no-reason"),
    pytest.param('# egresslint: ignore[EGL101] reason=""', id="empty-reason"),
    pytest.param('# egresslint: ignore[EGL101] reason="   " expires=2099-01-01', id="blank"),
])
def test_missing_reason_is_a_finding_and_suppresses_nothing(
        comment: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = lint_json(capsys, with_comment(3, comment))
    assert hidden(document) == []
    assert reported(document) == [(3, "EGL101"), (3, "EGL401"), (6, "EGL105")]
    problem = next(f for f in document["findings"] if f["code"] == "EGL401")
    assert problem["column"] == 22 and problem["severity"] == "error"
    assert problem["message"].startswith("`ignore[EGL101]` gives no reason, so it suppresses "
                                         "nothing")


def test_policy_can_require_an_expiry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path(".egresslint.yaml").write_text(
        "checks:\n  suppression-without-reason:\n    options:\n      require_expiry: true\n")
    Path("rules.yaml").write_text(with_comment(3, '# egresslint: ignore[EGL101] reason="NET-7"'))
    document = json.loads(cli(capsys, "lint", "-f", "json", "rules.yaml").out)
    assert [(f["code"], f["message"]) for f in document["findings"]][:2] == [
        ("EGL101", "`TCP` is not a protocol (IpProtocol is case-sensitive): write \"tcp\""),
        ("EGL401", "`ignore[EGL101]` gives no expiry, which the policy requires, so it "
         "suppresses nothing: add expires=YYYY-MM-DD"),
    ]
    Path("rules.yaml").write_text(with_comment(
        3, '# egresslint: ignore[EGL101] reason="NET-7" expires=2099-01-01'))
    document = json.loads(cli(capsys, "lint", "-f", "json", "rules.yaml").out)
    assert [f["code"] for f in document["suppressed"]] == ["EGL101"]


def _lint_on(day: date, text: str) -> dict[str, Any]:
    Path("rules.yaml").write_text(text)
    output, _ = lint_command(LintRequest(paths=["rules.yaml"], output_format="json",
                                         use_config=False, today=day))
    document: dict[str, Any] = json.loads(output)
    return document


def test_expiry_is_inclusive_then_reported(repo: Path) -> None:
    text = with_comment(3, '# egresslint: ignore[EGL101] reason="NET-7" expires=2025-06-30')
    on_the_day = _lint_on(date(2025, 6, 30), text)
    assert hidden(on_the_day) == [(3, "EGL101")]
    after = _lint_on(date(2025, 7, 1), text)
    assert hidden(after) == []
    assert reported(after) == [(3, "EGL101"), (3, "EGL402"), (6, "EGL105")]
    expired = next(f for f in after["findings"] if f["code"] == "EGL402")
    assert expired["severity"] == "warning"
    assert expired["message"] == ("`ignore[EGL101]` expired on 2025-06-30: the findings it "
                                  "covered are reported again")


def test_expired_in_the_cli_with_a_past_date(repo: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = with_comment(3, '# egresslint: ignore[EGL101] reason="NET-7" expires=2020-01-01')
    assert reported(lint_json(capsys, text)) == [(3, "EGL101"), (3, "EGL402"), (6, "EGL105")]


def test_unused_is_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = with_comment(4, '# egresslint: ignore[EGL102] reason="NET-7"')
    document = lint_json(capsys, text)
    assert reported(document) == [(3, "EGL101"), (4, "EGL403"), (6, "EGL105")]


def test_unused_is_not_reported_for_a_check_that_did_not_run(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = with_comment(4, '# egresslint: ignore[EGL102] reason="NET-7"')
    assert reported(lint_json(capsys, text, "--ignore", "EGL102")) == [(3, "EGL101"),
                                                                       (6, "EGL105")]


@pytest.mark.parametrize(("comment", "message"), [
    pytest.param("# egresslint: ignore EGL101", "cannot read `# egresslint: ignore EGL101`: "
                 'write `# egresslint: ignore[CODE,...] reason="..." expires=YYYY-MM-DD`',
                 id="no-brackets"),
    pytest.param("# egresslint: disable[EGL101]", "cannot read `# egresslint: "
                 'disable[EGL101]`: write `# egresslint: ignore[CODE,...] reason="..." '
                 "expires=YYYY-MM-DD`", id="unknown-directive"),
    pytest.param('# egresslint: ignore[] reason="x"', "`ignore[]` must list check codes or "
                 "names, separated by commas", id="empty-list"),
    pytest.param('# egresslint: ignore[EGL101,] reason="x"', "`ignore[EGL101,]` must list "
                 "check codes or names, separated by commas", id="trailing-comma"),
    pytest.param('# egresslint: ignore[EGL999] reason="x"', "`EGL999` is not a check code or "
                 "name; `egresslint checks` lists them", id="unknown-check"),
    pytest.param('# egresslint: ignore[EGL001] reason="x"', "EGL001 syntax-error cannot be "
                 "suppressed", id="unsuppressible"),
    pytest.param('# egresslint: ignore[EGL401] reason="x"', "EGL401 suppression-without-reason "
                 "cannot be suppressed", id="a-suppression-check"),
    pytest.param('# egresslint: ignore[EGL101] because="x"', "unknown key `because=`: a "
                 "suppression takes reason= and expires=", id="unknown-key"),
    pytest.param('# egresslint: ignore[EGL101] reason="x" reason="y"', "`reason=` is given "
                 "twice", id="repeated-key"),
    pytest.param('# egresslint: ignore[EGL101] reason="x" expires=31/12/2025',
                 "expires=31/12/2025 is not a date: write YYYY-MM-DD", id="date-format"),
    pytest.param('# egresslint: ignore[EGL101] reason="x" expires=2025-02-30',
                 "expires=2025-02-30 is not a date: write YYYY-MM-DD", id="no-such-day"),
    pytest.param('# egresslint: ignore[EGL101] reason="unterminated', "cannot read "
                 '`reason="unterminated`: after `ignore[...]` write reason="..." and optionally '
                 "expires=YYYY-MM-DD", id="unterminated-quote"),
])
def test_malformed_is_reported_and_suppresses_nothing(
        comment: str, message: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = lint_json(capsys, with_comment(3, comment))
    assert hidden(document) == []
    malformed = [f for f in document["findings"] if f["code"] == "EGL404"]
    assert [(f["line"], f["column"], f["message"]) for f in malformed] == [
        (3, 22, f"suppression not read: {message}")]
    assert (3, "EGL101") in reported(document)


# -- --no-inline-suppressions ----------------------------------------------------------------


def test_no_inline_suppressions_applies_none(repo: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = with_comment(3, '# egresslint: ignore[EGL101] reason="NET-7"')
    text = with_comment(6, "# egresslint: ignore[EGL105]", text)
    text = with_comment(4, '# egresslint: ignore[EGL102] reason="unused"', text)
    document = lint_json(capsys, text, "--no-inline-suppressions")
    assert hidden(document) == []
    # Still read: the missing reason and the unused one are reported; the one that matches
    # is counted, not reported as unused.
    assert reported(document) == [(3, "EGL101"), (4, "EGL403"), (6, "EGL105"), (6, "EGL401")]
    assert document["suppressions"]["inline"] == {"enabled": False, "found": 3,
                                                  "not_applied": 1}
    Path("rules.yaml").write_text(text)
    assert cli(capsys, "lint", "rules.yaml").code == 1
    assert cli(capsys, "lint", "rules.yaml", "--no-inline-suppressions").code == 1


def test_json_rule_files_have_no_comments(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("rules.json").write_text(
        '{"rules": [{"SecurityGroupId": "sg-5tsq3x7kkt2o9f6b", "IpProtocol": "TCP", '
        '"PortRange": "443/443", "DestCidrIp": "10.0.0.0/8", '
        '"x-note": "# egresslint: ignore[EGL101] reason=\\"x\\""}]}')
    document = json.loads(cli(capsys, "lint", "-f", "json", "rules.json").out)
    assert [f["code"] for f in document["findings"]] == ["EGL101"]
