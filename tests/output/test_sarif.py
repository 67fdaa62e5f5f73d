"""SARIF output: valid against the SARIF 2.1.0 schema, and carrying what code scanning needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from egresslint.checks import load_registry
from egresslint.finding import Severity
from egresslint.formatters.sarif import DOCS_BASE_URL, FINGERPRINT_KEY, LEVELS
from tests.output.helpers import GOOD, MISTAKES, cli

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))

# A duplicate key gives a related location; the suppressed EGL105 gives `suppressions`.
WITH_EVERYTHING = MISTAKES.replace(
    "    Policy: 'Accept'\n",
    "    Policy: 'Accept'  # egresslint: ignore[EGL105] reason=\"tracked in NET-7\"\n"
    "    DestCidrIp: 10.9.0.0/16\n",
)


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    run = cli(capsys, "lint", "--format", "sarif", *args)
    assert run.code in (0, 1), run.err
    document: dict[str, Any] = json.loads(run.out)
    return document


def assert_valid(document: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(SCHEMA,
                                           format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


@pytest.fixture
def rules_dir(repo: Path) -> Path:
    (repo / "rules").mkdir()
    (repo / "rules" / "payments.yaml").write_text(WITH_EVERYTHING, encoding="utf-8")
    (repo / "rules" / "good.yaml").write_text(GOOD, encoding="utf-8")
    return repo


def test_real_output_is_valid_sarif(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = sarif(capsys, "rules")
    assert_valid(document)
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    results = document["runs"][0]["results"]
    assert {"relatedLocations", "suppressions", "fixes"} <= {k for r in results for k in r}


def test_empty_run_is_valid(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = sarif(capsys, "rules/good.yaml")
    assert_valid(document)
    assert document["runs"][0]["results"] == []


def test_driver_lists_every_check(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    driver = sarif(capsys, "rules")["runs"][0]["tool"]["driver"]
    assert driver["name"] == "egresslint"
    assert driver["informationUri"].startswith("https://")
    registry = load_registry()
    assert [r["id"] for r in driver["rules"]] == [c.code for c in registry]
    for descriptor, check in zip(driver["rules"], registry, strict=True):
        assert descriptor["name"] == check.name
        assert descriptor["shortDescription"]["text"] == check.summary
        assert descriptor["fullDescription"]["text"] == check.rationale
        assert check.fix in descriptor["help"]["text"]
        assert check.fix in descriptor["help"]["markdown"]
        assert descriptor["helpUri"] == f"{DOCS_BASE_URL}{check.code}.md"
        assert descriptor["helpUri"].endswith(f"/docs/checks/{check.code}.md")
        level, security_severity = LEVELS[check.severity]
        assert descriptor["defaultConfiguration"] == {"level": level}
        assert descriptor["properties"]["security-severity"] == security_severity
        assert isinstance(descriptor["properties"]["security-severity"], str)
        assert "security" in descriptor["properties"]["tags"]


def test_severity_maps_in_one_table() -> None:
    assert LEVELS == {Severity.ERROR: ("error", "8.0"), Severity.WARNING: ("warning", "5.0"),
                      Severity.INFO: ("note", "2.0")}


def test_result_location_rule_index_and_fingerprint(rules_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    run = sarif(capsys, "rules")["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": rules_dir.as_uri() + "/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    protocol = next(r for r in run["results"] if r["ruleId"] == "EGL101")
    assert run["tool"]["driver"]["rules"][protocol["ruleIndex"]]["id"] == "EGL101"
    assert protocol["level"] == "error"
    assert protocol["message"]["text"].startswith("`TCP` is not a protocol")
    assert protocol["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "rules/payments.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "startColumn": 17, "endLine": 4, "endColumn": 20},
    }}]
    assert set(protocol["partialFingerprints"]) == {FINGERPRINT_KEY}


def test_related_locations(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = sarif(capsys, "rules")["runs"][0]["results"]
    duplicate = next(r for r in results if r["ruleId"] == "EGL002")
    assert duplicate["relatedLocations"] == [{
        "id": 0,
        "message": {"text": "first `DestCidrIp`"},
        "physicalLocation": {
            "artifactLocation": {"uri": "rules/payments.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 6, "startColumn": 5},
        },
    }]


def test_uris_are_relative_to_the_repository_root_wherever_the_run_starts(
        rules_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (rules_dir / "ci").mkdir()
    monkeypatch.chdir(rules_dir / "ci")
    results = sarif(capsys, "../rules/payments.yaml")["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"rules/payments.yaml"}


def test_fingerprints_are_stable_across_runs_and_reordering(
        rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def fingerprints() -> dict[str, str]:
        results = sarif(capsys, "rules/payments.yaml")["runs"][0]["results"]
        return {r["ruleId"]: r["partialFingerprints"][FINGERPRINT_KEY] for r in results}

    before = fingerprints()
    assert before == fingerprints()
    path = rules_dir / "rules" / "payments.yaml"
    head, _, second = path.read_text().partition("  - SecurityGroupId")
    rule_one, _, rule_two = second.partition("  - SecurityGroupId")
    path.write_text(head + "  - SecurityGroupId" + rule_two + "  - SecurityGroupId" + rule_one)
    assert fingerprints() == before


def test_suppressions_inline_and_external(rules_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (rules_dir / ".egresslint-waivers.yaml").write_text(
        "waivers:\n  - code: EGL104\n    path: rules/payments.yaml\n"
        "    reason: vendor range (VEND-1)\n    owner: network-team\n    expires: 2099-01-01\n")
    document = sarif(capsys, "rules")
    assert_valid(document)
    run = document["runs"][0]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["EGL105"]["suppressions"] == [{
        "kind": "inSource", "status": "accepted",
        "justification": "inline: tracked in NET-7 [rules/payments.yaml:7]",
    }]
    waived = by_rule["EGL104"]["suppressions"][0]
    assert waived["kind"] == "external"
    assert waived["justification"].startswith("waiver: vendor range (VEND-1) (owner network-team")
    assert "suppressions" not in by_rule["EGL101"]
    assert run["properties"]["suppressed"]["byKind"] == {"inline": 1, "waiver": 1, "baseline": 0}
    assert run["properties"]["suppressed"]["description"] == "2 suppressed (1 inline, 1 waiver)"


def test_fixes_are_the_edits_fix_applies(rules_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = rules_dir / "rules" / "payments.yaml"
    path.write_text(MISTAKES, encoding="utf-8")
    results = sarif(capsys, "rules/payments.yaml")["runs"][0]["results"]
    replacements = [
        (c["artifactLocation"]["uri"], rep["deletedRegion"], rep["insertedContent"]["text"])
        for r in results for fix in r.get("fixes", ()) for c in fix["artifactChanges"]
        for rep in c["replacements"]
    ]
    assert [text for _, _, text in replacements] == ["tcp", '"443/443"', "'accept'"]
    assert not any(r["ruleId"] == "EGL104" and "fixes" in r for r in results)  # unsafe
    # Applying SARIF's replacements gives exactly what `egresslint fix` writes.
    lines = MISTAKES.splitlines(keepends=True)
    for _, region, text in sorted(replacements, key=lambda x: (-x[1]["startLine"],
                                                               -x[1]["startColumn"])):
        assert region["startLine"] == region["endLine"]
        line = lines[region["startLine"] - 1]
        lines[region["startLine"] - 1] = (line[:region["startColumn"] - 1] + text
                                          + line[region["endColumn"] - 1:])
    assert cli(capsys, "fix", "rules/payments.yaml").code == 0
    assert path.read_text(encoding="utf-8") == "".join(lines)


def test_info_is_a_note(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".egresslint.yaml").write_text("checks:\n  EGL010:\n    severity: info\n")
    (repo / "empty.yaml").write_text("rules: []\n")
    document = sarif(capsys, "empty.yaml")
    assert_valid(document)
    assert [(r["ruleId"], r["level"]) for r in document["runs"][0]["results"]] == [
        ("EGL010", "note")]


def test_baseline_state_in_properties(rules_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "baseline", "write", "base.json", "rules").code == 0
    document = sarif(capsys, "rules", "--baseline", "base.json")
    assert_valid(document)
    run = document["runs"][0]
    assert run["properties"]["baseline"] == {"file": "base.json", "fixed": []}
    assert all(r["suppressions"][0]["justification"] == "baseline: known in base.json"
               for r in run["results"] if r["ruleId"] != "EGL105")
