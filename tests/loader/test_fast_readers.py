"""The fast readers (YAML events, JSON whole-object scanning) give exactly what the composing
readers give: the same rules, values, positions and problems, in the same order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egresslint.loader import LoadedFile, json_source, load_text, yaml_source
from egresslint.loader.yaml_source import HAVE_LIBYAML

LOADERS = [pytest.param(False, id="python")]
if HAVE_LIBYAML:
    LOADERS.insert(0, pytest.param(True, id="libyaml"))


def _everything(loaded: LoadedFile) -> tuple[Any, ...]:
    return (
        [(p.code, p.problem, p.rule_index) for p in loaded.problems],
        [(r.index, r.span, r.path, dict(r.fields), dict(r.annotations)) for r in loaded.rules],
    )


def _same_yaml(text: str, use_libyaml: bool) -> None:
    fast = load_text("rules.yaml", text, use_libyaml=use_libyaml)
    exact = load_text("rules.yaml", text, use_libyaml=use_libyaml, stream=False)
    assert _everything(fast) == _everything(exact)


def _same_json(text: str) -> None:
    fast = load_text("rules.json", text)
    exact = load_text("rules.json", text, stream=False)
    assert _everything(fast) == _everything(exact)


RULE = ("  - SecurityGroupId: sg-1a2b\n    IpProtocol: tcp\n    PortRange: \"443/443\"\n"
        "    DestCidrIp: 10.0.0.0/8\n    Priority: 10\n")
COMMON_YAML = [
    "rules:\n" + RULE * 3,
    "# a comment\ndefaults:\n  SecurityGroupId: sg-1\n  x-owner: net\nrules:\n"
    "  - IpProtocol: tcp  # why\n    PortRange: '1/2'\n    DestCidrIp: 10.0.0.0/8\n"
    "    x-ticket: SEC-1\n",
    "x-note: {a: [1, 2]}\nrules:\n" + RULE + "x-after: done\n",
    "- {SecurityGroupId: sg-1, IpProtocol: tcp, PortRange: 1/2, DestCidrIp: 1.2.3.4}\n",
]
UNUSUAL_YAML = [
    "rules:\n" + RULE + "  - SecurityGroupId: sg-1\n    IpProtocol: tcp\n    IpProtocol: udp\n",
    "rules:\n  - PortRange: 22:22\n    Policy: no\n    Priority: 010\n    DestCidrIp: ~\n",
    "rules:\n  - Prioriti: 1\n    rules: x\n    x-: bad\n    x-ok: [1]\n    PortRange: [1, 2]\n",
    "rules:\n  - 5\n  - [a]\n  -\n" + RULE,
    "rules:\n  - true: 1\n    2024-01-01: x\n    1.5: y\n    ~: z\n",
    "defaults:\n  Policy: drop\n  Policy: accept\n  Bogus: 1\nrules:\n" + RULE,
    "unknown: 1\nrules:\n" + RULE,
    "rules:\n" + RULE + "defaults:\n  Policy: drop\n",
    "rules:\n" + RULE + "rules: []\n",
    "rules:\n" + RULE + "other: 1\n",
    "base: &b {IpProtocol: tcp}\nrules:\n  - <<: *b\n    PortRange: 1/2\n",
    "rules:\n  - SecurityGroupId: !!str sg-1\n    IpProtocol: !custom tcp\n",
    "rules:\n  - SecurityGroupId: !\n    Priority: !\n",
    "rules: []\n", "rules:\n", "defaults: {}\n", "", "# nothing\n", "5\n", "[]\n",
    "SecurityGroupId: sg-1\nIpProtocol: tcp\n", "rules:\n" + RULE + "---\nrules: []\n",
    "rules: [\n", "rules:\n  - a: b\n   c: d\n", "rules:\n  - {a: b, a: c}\n",
    "rules:\n  - PortRange: \"22\"\n    Priority: \"5\"\n    Policy: 'Accept'\n",
    "rules:\n  - DestCidrIp: é\n    x-note: 'ü ß'\n    PortRange: \"443/443\"\n",
    ("rules:\n" + RULE * 2).replace("\n", "\r\n"),
    "rules:\n  - PortRange: >-\n      443/443\n    DestCidrIp: |\n      10.0.0.0/8\n",
    "rules:\n  - IpProtocol: tcp\n\n\n    x-multi: 'a\n      b'\n# end\n",
]


@pytest.mark.parametrize("use_libyaml", LOADERS)
@pytest.mark.parametrize("text", COMMON_YAML + UNUSUAL_YAML)
def test_yaml_event_reader_matches_composing(text: str, use_libyaml: bool) -> None:
    _same_yaml(text, use_libyaml)


@pytest.mark.parametrize("use_libyaml", LOADERS)
@pytest.mark.parametrize("text", COMMON_YAML)
def test_yaml_event_reader_takes_the_common_files(text: str, use_libyaml: bool) -> None:
    assert yaml_source.read_rules("rules.yaml", text, use_libyaml=use_libyaml) is not None


JRULE = {"SecurityGroupId": "sg-1a2b", "IpProtocol": "tcp", "PortRange": "443/443",
         "DestCidrIp": "10.0.0.0/8", "Priority": 10}
COMMON_JSON = [
    json.dumps({"rules": [JRULE, JRULE]}, indent=2),
    json.dumps([JRULE, {**JRULE, "x-ticket": "SEC-1"}]),
    json.dumps({"x-note": {"a": [1]}, "defaults": {"Policy": "drop", "x-owner": "n"},
                "rules": [{k: v for k, v in JRULE.items() if k != "Priority"}],
                "x-after": None}, indent=1),
    '{"rules":[{"SecurityGroupId":"sg-\\u0031","Port\\u0052ange":"1/2","x-n":"a\\"b\\\\"}]}',
]
UNUSUAL_JSON = [
    '{"rules": [{"IpProtocol": "tcp", "IpProtocol": "udp"}]}',
    json.dumps({"rules": [JRULE, {**JRULE, "Priority": "5", "PortRange": 22}]}, indent=2),
    json.dumps({"rules": [{**JRULE, "Priority": -0.0}, {**JRULE, "Priority": 1e2}]}),
    '{"rules": [{"Priority": -0}, {"Priority": 007}]}',
    '{"rules": [{"Priority": 0}, {"Priority": 1}, {"Priority": true}, '
    '{"Priority": 99999999999999999999}, {"Priority": 100000000000000000000}]}',
    '{"rules": [{"Priority": 1}, {"Priority": 1' + "0" * 5000 + '}]}',
    json.dumps({"rules": [{**JRULE, "Bogus": 1, "x-": "a", "x-list": [1], "Policy": None}]}),
    json.dumps({"rules": [JRULE, 5, [1], None]}),
    json.dumps({"rules": [JRULE], "defaults": {"Policy": "drop"}}),
    json.dumps({"defaults": {"Policy": 1}, "rules": [JRULE]}),
    json.dumps({"unknown": 1, "rules": [JRULE]}),
    '{"rules": [], "rules": []}', '{"rules": []}', '{"rules": null}', "[]", "{}", "", "5",
    json.dumps(JRULE), '{"rules": [{"a": NaN}]}', '{"rules": [{"a": 1},]}', '{"rules": [',
    '{"rules": [{"SecurityGroupId": "sg-1"}]} x', '[{"PortRange": "1/2", "x-\\u00e9": "é"}]',
    json.dumps({"rules": [JRULE, JRULE]}, indent=2).replace("\n", "\r\n"),
    '[{"PortRange":"1/2","x-a":"\\ud83d\\ude00 é"},\n{"DestCidrIp"  :\t"1.2.3.4"}]',
]


@pytest.mark.parametrize("text", COMMON_JSON + UNUSUAL_JSON)
def test_json_fast_reader_matches_the_exact_reader(text: str) -> None:
    _same_json(text)


@pytest.mark.parametrize("text", COMMON_JSON)
def test_json_fast_reader_takes_the_common_files(text: str) -> None:
    assert json_source.read_rules("rules.json", text) is not None


FIELDS = ["SecurityGroupId", "IpProtocol", "PortRange", "SourcePortRange", "DestCidrIp",
          "Policy", "Priority", "x-note", "x-", "rules", "defaults", "Prioriti", "<<"]
YAML_SCALARS = st.one_of(
    st.sampled_from(["tcp", "TCP", "22:22", "no", "010", "-1/-1", "'443/443'", "\"1/2\"",
                     "10.0.0.1/8", "~", "", "2024-01-01", "1_0", "[1, 2]", "{a: b}", "!", "é",
                     "!!str x", "&a x", "*a", "5", "-3", "1.5"]),
    st.integers(-5, 200).map(str),
)


@st.composite
def _yaml_documents(draw: st.DrawFn) -> str:
    rule = st.lists(st.tuples(st.sampled_from(FIELDS), YAML_SCALARS), max_size=7).map(
        lambda pairs: "".join(f"    {k}: {v}\n" for k, v in pairs))
    rules = draw(st.lists(rule, max_size=4))
    body = "".join(f"  -\n{r}" if r else "  - {}\n" for r in rules)
    parts = {"rules": "rules:\n" + body if rules else "rules: []\n",
             "defaults": "defaults:\n" + draw(rule).replace("    ", "  ") if draw(st.booleans())
             else "",
             "x-top": draw(st.sampled_from(["", "x-top: 1\n", "x-top: [a]\n", "extra: 2\n"]))}
    order = draw(st.permutations(list(parts)))
    return "".join(parts[k] for k in order)


@settings(max_examples=300, deadline=None)
@given(_yaml_documents(), st.booleans())
def test_yaml_readers_agree_on_generated_documents(text: str, use_libyaml: bool) -> None:
    if use_libyaml and not HAVE_LIBYAML:
        use_libyaml = False
    _same_yaml(text, use_libyaml)


JSON_VALUES = st.one_of(
    st.sampled_from(["tcp", "443/443", "10.0.0.0/8", "sg-1", "", "é\"\\", "a\nb"]),
    st.integers(-3, 200), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
    st.none(), st.lists(st.integers(), max_size=2),
)


@st.composite
def _json_documents(draw: st.DrawFn) -> str:
    rule = st.lists(st.tuples(st.sampled_from(FIELDS), JSON_VALUES), max_size=7)
    rules = draw(st.lists(rule, max_size=4))

    def obj(pairs: list[tuple[str, Any]]) -> str:
        return "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in pairs) + "}"

    body = "[" + ",\n  ".join(obj(r) for r in rules) + "]"
    if draw(st.booleans()):
        return body
    parts = [f'"rules": {body}']
    if draw(st.booleans()):
        parts.append(f'"defaults": {obj(draw(rule))}')
    if draw(st.booleans()):
        parts.append('"x-top": [1, {"a": null}]')
    return "{\n" + ",\n".join(draw(st.permutations(parts))) + "\n}"


@settings(max_examples=300, deadline=None)
@given(_json_documents())
def test_json_readers_agree_on_generated_documents(text: str) -> None:
    _same_json(text)


@pytest.mark.skipif(not HAVE_LIBYAML, reason="PyYAML built without libyaml")
def test_an_empty_tagged_value_reads_the_same_on_both_loaders() -> None:
    # libyaml reads `Key: !` as an empty string, the Python parser as null; both mean no value.
    text = "rules:\n  - SecurityGroupId: !\n    Priority: !\n"
    expected = [("EGL005", 2, 22), ("EGL005", 3, 15)]
    for use_libyaml in (True, False):
        loaded = load_text("rules.yaml", text, use_libyaml=use_libyaml)
        assert [(p.code, p.problem.span.line, p.problem.span.column)
                for p in loaded.problems] == expected
        assert all("has no value" in p.problem.message for p in loaded.problems)
