"""JSON rule files keep positions like YAML ones, and refuse what JSON does not allow."""

from __future__ import annotations

import json

import pytest

from egresslint.loader import load_text
from tests.loader.test_traps import problems

RULE = {"SecurityGroupId": "sg-1a2b", "IpProtocol": "tcp", "PortRange": "443/443",
        "DestCidrIp": "10.0.0.0/8", "Priority": 10}


def test_positions_of_values() -> None:
    text = json.dumps({"rules": [RULE, {**RULE, "PortRange": "80/80"}]}, indent=2)
    loaded = load_text("rules.json", text)
    assert problems(loaded) == []
    lines = text.splitlines()
    second = loaded.rules[1]
    line = next(i for i, t in enumerate(lines, 1) if '"80/80"' in t)
    column = lines[line - 1].index('"80/80"') + 1
    assert second.fields["PortRange"].span == (line, column, line, column + 7)
    assert second.fields["Priority"].value == 10
    assert second.span.line == next(i for i, t in enumerate(lines, 1) if i > line - 5 and "{" in t)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('{"rules": [],}', [(1, 14, "EGL001", "expected a double-quoted key; JSON "
                     "allows no trailing comma")], id="trailing-comma-object"),
        pytest.param('[{"IpProtocol": "tcp"},]', [(1, 24, "EGL001", "unexpected ']'; JSON "
                     "allows no trailing comma")], id="trailing-comma-array"),
        pytest.param('{"rules": [] // comment\n}', [(1, 14, "EGL001", "expected ',' or '}', "
                     "found '/'")], id="comment"),
        pytest.param('{"rules": [NaN]}', [(1, 12, "EGL001", "unexpected character 'N'; "
                     "expected a JSON value")], id="nan"),
        pytest.param('{"rules": [', [(1, 12, "EGL001", "unexpected end of file; the JSON "
                     "document is incomplete")], id="truncated"),
        pytest.param('{"a": "\\q"}', [(1, 8, "EGL001", "Invalid \\escape")], id="bad-escape"),
        pytest.param('{} {}', [(1, 4, "EGL001", "unexpected text after the JSON document")],
                     id="two-documents"),
    ],
)
def test_syntax_errors(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert problems(load_text("rules.json", text)) == expected


def test_duplicate_keys() -> None:
    text = '{"SecurityGroupId": "sg-1", "IpProtocol": "tcp",\n "IpProtocol": "udp"}'
    assert problems(load_text("rules.json", text)) == [
        (2, 2, "EGL002", "`IpProtocol` is set twice; the first value (line 1) is kept and this "
         "one ignored: delete one")]


def test_types_are_json_types_without_yaml_readings() -> None:
    text = '{"PortRange": 22, "Policy": false, "Priority": "5", "DestCidrIp": null}'
    assert problems(load_text("rules.json", text)) == [
        (1, 15, "EGL005", 'PortRange must be text like "443/443", not the number 22; write '
         '"22/22"'),
        (1, 29, "EGL005", 'Policy must be text like "accept", not the boolean false; write '
         '"accept"'),
        (1, 48, "EGL005", 'Priority must be an integer from 1 to 100, not the text "5"; write 5 '
         "without quotes"),
        (1, 67, "EGL005", 'DestCidrIp has no value; write text like "10.0.0.0/8"'),
    ]


def test_json_strings_that_look_like_yaml_surprises_are_plain_text() -> None:
    loaded = load_text("rules.json", '{"PortRange": "22:22", "Policy": "no"}')
    assert problems(loaded) == []
    assert loaded.rules[0].fields["PortRange"].text == "22:22"


def test_deep_nesting_is_bounded() -> None:
    assert [p[2] for p in problems(load_text("rules.json", "[" * 1001 + "]" * 1001))] == ["EGL009"]
    assert all(p[2] != "EGL009" for p in problems(load_text("rules.json",
                                                            "[" * 999 + "]" * 999)))


def test_standard_input_is_sniffed() -> None:
    assert load_text("-", json.dumps([RULE])).rules[0].fields["IpProtocol"].text == "tcp"
    assert load_text("-", "- IpProtocol: tcp\n").rules[0].fields["IpProtocol"].text == "tcp"
