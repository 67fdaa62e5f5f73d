"""JUnit XML: one test case per rule, failing with its findings, one suite per file."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.output.helpers import GOOD, MISTAKES, cli


def junit(capsys: pytest.CaptureFixture[str], *args: str) -> ET.Element:
    run = cli(capsys, "lint", "--format", "junit", *args)
    assert run.code in (0, 1), run.err
    assert run.out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(run.out)


def assert_common_schema(root: ET.Element) -> None:
    """The shape CI reporters read (the Jenkins/Ant JUnit schema): counts that add up, a name
    and classname on every test case, a message on every failure."""
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("name")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(1 for c in cases if c.find("failure")
                                                      is not None)
        assert suite.get("errors") == "0"
        assert suite.get("skipped") == "0"
        for case in cases:
            assert case.get("name") and case.get("classname")
            assert len(case.findall("failure")) <= 1
            for failure in case.findall("failure"):
                assert failure.get("message") and failure.get("type") and failure.text
    assert int(root.get("tests", "-1")) == sum(int(s.get("tests", "0")) for s in suites)
    assert int(root.get("failures", "-1")) == sum(int(s.get("failures", "0")) for s in suites)


@pytest.fixture
def files(repo: Path) -> Path:
    (repo / "payments.yaml").write_text(MISTAKES, encoding="utf-8")
    (repo / "good.yaml").write_text(GOOD, encoding="utf-8")
    (repo / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    return repo


def test_one_suite_per_file_one_case_per_rule(files: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = junit(capsys, "payments.yaml", "good.yaml", "broken.yaml")
    assert_common_schema(root)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["payments.yaml", "good.yaml", "broken.yaml"]
    cases = suites["payments.yaml"].findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("payments.yaml", "rule 1 (line 3): Accept TCP 443 / 443 -> 10.0.0.1/8 (priority 1)"),
        ("payments.yaml", "rule 2 (line 8): accept udp 53/53 -> 10.0.0.0/8 (priority 1)"),
        ("payments.yaml", "file-level checks"),
    ]


def test_failing_rule_lists_its_findings(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = junit(capsys, "payments.yaml")
    first, second, file_level = root.findall("testsuite/testcase")
    failure = first.find("failure")
    assert failure is not None
    assert failure.get("message") == "4 findings: EGL101, EGL102, EGL104, EGL105"
    assert failure.get("type") == "EGL101"
    assert failure.text is not None
    assert failure.text.splitlines()[0] == (
        "payments.yaml:4:17: error EGL101 `TCP` is not a protocol (IpProtocol is "
        "case-sensitive): write \"tcp\" [invalid-protocol]")
    assert second.find("failure") is None
    assert file_level.find("failure") is None
    assert root.get("tests") == "3" and root.get("failures") == "1"


def test_a_file_that_does_not_parse_fails_its_file_case(files: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = junit(capsys, "broken.yaml")
    assert_common_schema(root)
    (case,) = root.findall("testsuite/testcase")
    assert case.get("name") == "file-level checks"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "EGL001"


def test_findings_below_fail_on_pass_and_are_listed(repo: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "empty.yaml").write_text("rules: []\n")
    root = junit(capsys, "empty.yaml")
    (case,) = root.findall("testsuite/testcase")
    assert case.find("failure") is None
    out = case.find("system-out")
    assert out is not None and out.text is not None and "warning EGL010" in out.text
    root = junit(capsys, "empty.yaml", "--fail-on", "warning")
    assert root.findall("testsuite/testcase")[0].find("failure") is not None


def test_suppressed_findings_are_counted_and_listed(repo: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "payments.yaml").write_text(MISTAKES.replace(
        "IpProtocol: TCP", 'IpProtocol: TCP  # egresslint: ignore[EGL101] reason="NET-7"'))
    text = cli(capsys, "lint", "--format", "junit", "payments.yaml").out
    assert "<!-- egresslint: policy default; 1 suppressed (1 inline); gate failed" in text
    root = ET.fromstring(text)
    assert_common_schema(root)
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties == {"suppressed.inline": "1", "suppressed.waiver": "0",
                          "suppressed.baseline": "0"}
    case = root.findall("testsuite/testcase")[0]
    failure, out = case.find("failure"), case.find("system-out")
    assert failure is not None and "EGL101" not in (failure.get("message") or "")
    assert out is not None and out.text is not None
    assert "EGL101" in out.text and "(suppressed: inline: NET-7" in out.text


def test_control_characters_do_not_break_the_xml(repo: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "odd.yaml").write_text(GOOD.replace("IpProtocol: tcp", 'IpProtocol: "tc\\x07p"'))
    root = junit(capsys, "odd.yaml")
    assert_common_schema(root)
