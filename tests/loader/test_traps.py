"""Every way a rule file can be misread is a finding with a position, on both YAML loaders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from egresslint.loader import LoadedFile, load_bytes, load_path, load_text
from egresslint.loader.yaml_source import HAVE_LIBYAML, MAX_DEPTH

LOADERS = [
    pytest.param(True, id="libyaml", marks=pytest.mark.skipif(not HAVE_LIBYAML,
                                                               reason="PyYAML built without libyaml")),
    pytest.param(False, id="pure-python"),
]

RULE = ('SecurityGroupId: sg-1a2b\nIpProtocol: tcp\nPortRange: "443/443"\n'
        "DestCidrIp: 10.0.0.0/8\n")


def problems(loaded: LoadedFile) -> list[tuple[int, int, str, str]]:
    return sorted((p.problem.span.line, p.problem.span.column, p.code, p.problem.message)
                  for p in loaded.problems)


@pytest.fixture(params=LOADERS)
def load(request: pytest.FixtureRequest) -> object:
    use_libyaml: bool = request.param

    def run(text: str, path: str = "rules.yaml") -> LoadedFile:
        return load_text(path, text, use_libyaml=use_libyaml)

    return run


def test_libyaml_is_used_when_present() -> None:
    assert bool(yaml.__with_libyaml__) == HAVE_LIBYAML


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("PortRange: 22:22\n", (1, 12, "EGL003",
                     'YAML 1.1 reads PortRange: 22:22 as the number 1342 (base 60), not what is '
                     'written; write "22/22"'), id="sexagesimal-port-range"),
        pytest.param("Policy: no\n", (1, 9, "EGL003",
                     'YAML 1.1 reads Policy: no as the boolean false, not what is written; '
                     'write "accept" or "drop"'), id="no-is-false"),
        pytest.param("Policy: On\n", (1, 9, "EGL003",
                     'YAML 1.1 reads Policy: On as the boolean true, not what is written; '
                     'write "accept" or "drop"'), id="on-is-true"),
        pytest.param("SourcePortRange: 1:30\n", (1, 18, "EGL003",
                     'YAML 1.1 reads SourcePortRange: 1:30 as the number 90 (base 60), not what '
                     'is written; write "1/30"'), id="sexagesimal-source-ports"),
        pytest.param("IpProtocol: off\n", (1, 13, "EGL003",
                     'YAML 1.1 reads IpProtocol: off as the boolean false, not what is written; '
                     'quote it: "off"'), id="off-is-false"),
        pytest.param("Priority: 010\n", (1, 11, "EGL003",
                     "YAML 1.1 reads Priority: 010 as the number 8 (octal), not what is written"),
                     id="octal-priority"),
        pytest.param("Priority: 0x1F\n", (1, 11, "EGL003",
                     "YAML 1.1 reads Priority: 0x1F as the number 31 (hexadecimal), not what is "
                     "written"), id="hex-priority"),
        pytest.param("Priority: 1_0\n", (1, 11, "EGL003",
                     "YAML 1.1 reads Priority: 1_0 as the number 10, not what is written"),
                     id="underscore-priority"),
        pytest.param("SecurityGroupId: 2024-01-01\n", (1, 18, "EGL003",
                     'YAML 1.1 reads SecurityGroupId: 2024-01-01 as a date, not what is written; '
                     'quote it: "2024-01-01"'), id="date"),
    ],
)
def test_yaml11_coercions_are_reported_as_written(load, text: str, expected: tuple) -> None:  # type: ignore[no-untyped-def]
    loaded = load(text)
    assert problems(loaded) == [expected]
    name = text.split(":", 1)[0]
    field = loaded.rules[0].fields[name]
    # Nothing the user wrote is lost: the value as written is kept, and marked unusable.
    assert field.text == text.split(": ", 1)[1].strip()
    assert field.usable is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("PortRange: 22\n", (1, 12, "EGL005",
                     'PortRange must be text like "443/443", not the number 22; write "22/22"'),
                     id="number-port-range"),
        pytest.param('Priority: "10"\n', (1, 11, "EGL005",
                     'Priority must be an integer from 1 to 100, not the text "10"; write 10 '
                     "without quotes"), id="quoted-priority"),
        pytest.param("Priority: 1.5\n", (1, 11, "EGL005",
                     "Priority must be an integer from 1 to 100, not the number 1.5"),
                     id="float-priority"),
        pytest.param("Priority: true\n", (1, 11, "EGL005",
                     "Priority must be an integer from 1 to 100, not the boolean true"),
                     id="bool-priority"),
        pytest.param("Policy: false\n", (1, 9, "EGL005",
                     'Policy must be text like "accept", not the boolean false; write "accept"'),
                     id="bool-policy"),
        pytest.param("DestCidrIp: [10.0.0.0/8]\n", (1, 13, "EGL005",
                     'DestCidrIp must be text like "10.0.0.0/8", not a list'),
                     id="list-destination"),
        pytest.param("IpProtocol:\n", (1, 12, "EGL005",
                     'IpProtocol has no value; write text like "tcp"'), id="empty-value"),
        pytest.param("x-owner: [a, b]\n", (1, 10, "EGL005",
                     "annotation `x-owner` must be text, not a list"), id="list-annotation"),
    ],
)
def test_wrong_types(load, text: str, expected: tuple) -> None:  # type: ignore[no-untyped-def]
    assert problems(load(text)) == [expected]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param("Prioriti", "unknown field `Prioriti` in a rule; did you mean `Priority`?",
                     id="misspelt"),
        pytest.param("dest_cidr_ip", "unknown field `dest_cidr_ip` in a rule; did you mean "
                     "`DestCidrIp`?", id="snake-case"),
        pytest.param("ipprotocol", "unknown field `ipprotocol` in a rule; did you mean "
                     "`IpProtocol`?", id="lower-case"),
        pytest.param("Description", "unknown field `Description` in a rule; fields are "
                     "SecurityGroupId, IpProtocol, PortRange, SourcePortRange, DestCidrIp, "
                     "Policy, Priority, and annotations start with `x-`", id="no-suggestion"),
        pytest.param("x-", "annotation name `x-` must be `x-` followed by letters, digits, `-`, "
                     "`_` or `.`", id="bare-annotation-prefix"),
    ],
)
def test_unknown_fields_suggest_the_intended_one(load, key: str, message: str) -> None:  # type: ignore[no-untyped-def]
    assert problems(load(RULE + f"{key}: 5\n")) == [(5, 1, "EGL004", message)]


def test_annotations_are_kept_and_not_fields(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load(RULE + "x-ticket: SEC-12\nx-description: outbound HTTPS to the API tier\n")
    assert problems(loaded) == []
    rule = loaded.rules[0]
    assert set(rule.annotations) == {"x-ticket", "x-description"}
    assert "x-ticket" not in rule.fields
    assert "x-ticket" not in rule.api_parameters()


def test_unknown_top_level_key(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("rules: []\nrule: []\n")
    assert problems(loaded) == [
        (1, 8, "EGL010", "the list of rules is empty"),
        (2, 1, "EGL004", "unknown top-level key `rule`; a rule file has `rules:` and optional "
         "`defaults:`; did you mean `rules`?"),
    ]


def test_duplicate_keys_name_both_positions(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load(RULE + "DestCidrIp: 0.0.0.0/0\n")
    assert problems(loaded) == [(5, 1, "EGL002", "`DestCidrIp` is set twice; the first value "
                                 "(line 4) is kept and this one ignored: delete one")]
    related = loaded.problems[0].problem.related
    assert [(r.line, r.column, r.message) for r in related] == [(4, 1, "first `DestCidrIp`")]
    assert loaded.rules[0].fields["DestCidrIp"].text == "10.0.0.0/8"


def test_duplicate_top_level_keys(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("rules: []\nrules: []\n")
    assert (2, 1, "EGL002", "`rules` is set twice; the first value (line 1) is kept and this "
            "one ignored: delete one") in problems(loaded)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("hello\n", [(1, 1, "EGL006", "the document is a scalar; a rule file is a "
                     "mapping with `rules:`, a list of rules, or a single rule")], id="scalar"),
        pytest.param("- a\n- b\n", [(1, 3, "EGL006", "a rule must be a mapping of fields, not a "
                     "scalar"), (2, 3, "EGL006", "a rule must be a mapping of fields, not a "
                     "scalar")], id="list-of-scalars"),
        pytest.param("defaults:\n  Policy: drop\n", [(1, 1, "EGL006", "the file has "
                     "`defaults:` but no `rules:` list")], id="defaults-without-rules"),
        pytest.param("rules:\n  IpProtocol: tcp\n", [(2, 3, "EGL005", "`rules` must be a list "
                     "of rules, not a mapping")], id="rules-not-a-list"),
        pytest.param("defaults: [1]\nrules: []\n", [(1, 11, "EGL005", "`defaults` must be a "
                     "mapping of rule fields, not a list"), (2, 8, "EGL010",
                     "the list of rules is empty")], id="defaults-not-a-mapping"),
        pytest.param("", [(1, 1, "EGL010", "the file has no rules")], id="empty-file"),
        pytest.param("# only a comment\n", [(1, 1, "EGL010", "the file has no rules")],
                     id="comment-only"),
        pytest.param("rules:\n", [(1, 7, "EGL010", "`rules:` is empty")], id="rules-null"),
    ],
)
def test_shapes(load, text: str, expected: list) -> None:  # type: ignore[no-untyped-def]
    assert problems(load(text)) == expected


def test_three_shapes_give_the_same_rule(load) -> None:  # type: ignore[no-untyped-def]
    single = load(RULE).rules
    bare = load("- " + RULE.replace("\n", "\n  ").rstrip() + "\n").rules
    document = load("rules:\n  - " + RULE.replace("\n", "\n    ").rstrip() + "\n").rules
    for rules in (single, bare, document):
        assert len(rules) == 1
        assert rules[0].api_parameters() == {
            "SecurityGroupId": "sg-1a2b", "IpProtocol": "tcp", "PortRange": "443/443",
            "DestCidrIp": "10.0.0.0/8", "Policy": "accept", "Priority": 1}


def test_defaults_apply_unless_the_rule_sets_the_field(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load(
        "defaults:\n  SecurityGroupId: sg-1a2b\n  Priority: 10\n"
        "rules:\n"
        "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n"
        "  - IpProtocol: udp\n    PortRange: \"53/53\"\n    DestCidrIp: 10.0.0.2\n"
        "    Priority: 5\n"
    )
    assert problems(loaded) == []
    first, second = loaded.rules
    assert first.fields["Priority"].value == 10
    assert first.fields["Priority"].from_defaults
    assert (first.fields["Priority"].span.line, first.fields["Priority"].span.column) == (3, 13)
    assert second.fields["Priority"].value == 5
    assert not second.fields["Priority"].from_defaults
    assert second.security_group_id == "sg-1a2b"


def test_positions_of_values_and_rule_spans(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load('rules:\n  - SecurityGroupId: sg-1a2b\n    IpProtocol: tcp\n'
                  '    PortRange: "443/443"  # HTTPS\n    DestCidrIp: 10.0.0.0/8\n'
                  '  - {SecurityGroupId: sg-1a2b, IpProtocol: udp, PortRange: "53/53", '
                  "DestCidrIp: 10.0.0.2}\n")
    first, second = loaded.rules
    assert first.span == (2, 5, 5, 27)
    assert first.fields["PortRange"].span == (4, 16, 4, 25)  # quotes included
    assert first.fields["PortRange"].text == "443/443"
    flow = '  - {SecurityGroupId: sg-1a2b, IpProtocol: udp, PortRange: "53/53", DestCidrIp: 10.0.0.2}'
    assert second.span == (6, 5, 6, len(flow) + 1)
    start = flow.index('"53/53"') + 1
    assert second.fields["PortRange"].span == (6, start, 6, start + len('"53/53"'))


def test_merge_keys_are_followed_and_explicit_keys_win(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("rules:\n  - &r\n    SecurityGroupId: sg-1\n    IpProtocol: tcp\n"
                  '    PortRange: "1/2"\n    DestCidrIp: 10.0.0.0/8\n'
                  '  - <<: *r\n    PortRange: "3/4"\n')
    assert problems(loaded) == []
    merged = loaded.rules[1]
    assert merged.fields["PortRange"].text == "3/4"
    assert merged.fields["IpProtocol"].span[:2] == (4, 17)  # where it is written: the anchor


def test_object_tags_are_refused_and_never_run(load, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "ran"
    loaded = load(RULE + f'x-owner: !!python/object/apply:os.system ["touch {marker}"]\n')
    assert problems(loaded) == [(5, 10, "EGL008", "tag `!!python/object/apply:os.system` is not "
                                 "allowed in a rule file; it was not run. Remove it and write a "
                                 "plain value")]
    assert not marker.exists()


def test_custom_tags_anywhere_are_reported_once(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("rules:\n  - !rule\n    IpProtocol: !proto tcp\nx-a: !!set {a}\n")
    assert [(line, col, code) for line, col, code, _ in problems(loaded)] == [
        (2, 5, "EGL008"), (3, 17, "EGL008")]
    assert loaded.rules[0].fields["IpProtocol"].usable is False


def test_alias_bomb_costs_no_more_than_its_text(load) -> None:  # type: ignore[no-untyped-def]
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 10):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ",".join(f"*{prev}" for _ in range(9)) + "]")
    lines.append("rules: *j")
    # Fully expanded this is 9**10 (3.4 billion) strings; composed it is a few hundred nodes.
    loaded = load("\n".join(lines) + "\n")
    codes = [code for _, _, code, _ in problems(loaded)]
    assert codes.count("EGL006") == 9  # the nine items of `rules` are lists, not rules
    assert codes.count("EGL004") == 10  # a..j are unknown top-level keys
    assert loaded.rules == []


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_nesting_is_bounded_identically(load, opener: str) -> None:  # type: ignore[no-untyped-def]
    closer = "]" if opener == "[" else "}"
    too_deep = load("rules: " + opener * (MAX_DEPTH + 1) + closer * (MAX_DEPTH + 1) + "\n")
    assert [(code, msg) for _, _, code, msg in problems(too_deep)] == [
        ("EGL009", "nesting deeper than 1000 levels; a rule file needs three")]
    fine = load("rules: " + opener * (MAX_DEPTH - 2) + closer * (MAX_DEPTH - 2) + "\n")
    assert all(code != "EGL009" for _, _, code, _ in problems(fine))


def test_multiple_documents(load) -> None:  # type: ignore[no-untyped-def]
    assert problems(load(RULE + "---\n" + RULE)) == [
        (5, 1, "EGL001", "more than one YAML document (`---`); put all rules in one document "
         "under `rules:`")]


def test_syntax_error_position_is_the_same_on_both_loaders(load) -> None:  # type: ignore[no-untyped-def]
    found = problems(load('rules:\n  - IpProtocol: tcp\n    PortRange: "443/443\n'))
    assert [(line, col, code) for line, col, code, _ in found] == [(4, 1, "EGL001")]
    assert "quoted scalar" in found[0][3]


def test_control_characters(load) -> None:  # type: ignore[no-untyped-def]
    assert problems(load('x-a: 1\nx-b: "\x07"\n')) == [
        (2, 7, "EGL001", "character U+0007 is not allowed in YAML; remove it, or write it as an "
         "escape inside double quotes")]


def test_non_utf8_files() -> None:
    latin1 = load_bytes("rules.yaml", "x-owner: Zoë\n".encode("latin-1"))
    assert problems(latin1) == [(1, 12, "EGL007", "the file is not UTF-8: byte 0xeb cannot be "
                                 "decoded; save it as UTF-8")]
    utf16 = load_bytes("rules.yaml", "x-owner: Zoë\n".encode("utf-16"))
    assert problems(utf16)[0][:3] == (1, 1, "EGL007")
    assert "it looks like UTF-16" in problems(utf16)[0][3]


def test_utf8_bom_is_accepted() -> None:
    loaded = load_bytes("rules.yaml", b"\xef\xbb\xbf" + RULE.encode())
    assert problems(loaded) == []
    assert loaded.rules[0].fields["IpProtocol"].span[:2] == (2, 13)


def test_unreadable_path_is_a_finding(tmp_path: Path) -> None:
    loaded = load_path(str(tmp_path))  # a directory cannot be read as a file
    assert [(p.code, p.problem.message.split(":")[0]) for p in loaded.problems] == [
        ("EGL001", "cannot read the file")]


def test_non_ascii_positions_count_characters(load) -> None:  # type: ignore[no-untyped-def]
    loaded = load("x-owner: Zoë Ünal\nIpProtocol: tcp\nx-n: ééé\nPriority: 0x10\n")
    assert problems(loaded)[0][:3] == (4, 11, "EGL003")
    assert loaded.rules[0].annotations["x-n"].span == (3, 6, 3, 9)


def test_an_integer_of_thousands_of_digits_is_reported_not_converted(load: object) -> None:
    # Python refuses to convert integers of over 4,300 digits; such a priority is a finding.
    digits = "1" + "0" * 5000
    loaded = load(RULE + f"Priority: {digits}\n")  # type: ignore[operator]
    assert problems(loaded) == [
        (5, 11, "EGL005", "Priority has 5001 digits: write an integer from 1 to 100")]
    (rule,) = loaded.rules
    assert not rule.fields["Priority"].usable
    assert rule.fields["Priority"].text == digits


@pytest.mark.parametrize(("written", "value"), [("99999999999999999999", 10**20 - 1),
                                                ("0", 0), ("100", 100)])
def test_integers_up_to_twenty_digits_are_read(load: object, written: str, value: int) -> None:
    loaded = load(RULE + f"Priority: {written}\n")  # type: ignore[operator]
    assert problems(loaded) == []
    assert loaded.rules[0].fields["Priority"].value == value


def test_a_json_integer_of_thousands_of_digits_is_reported_not_converted() -> None:
    text = ('{"rules": [{"SecurityGroupId": "sg-1a2b", "IpProtocol": "tcp", '
            '"PortRange": "443/443", "DestCidrIp": "10.0.0.0/8", "Priority": 1'
            + "0" * 5000 + "}]}")
    loaded = load_text("rules.json", text)
    column = text.index('"Priority": ') + len('"Priority": ') + 1
    assert problems(loaded) == [
        (1, column, "EGL005", "Priority has 5001 digits: write an integer from 1 to 100")]


@pytest.mark.parametrize(("written", "reading"), [
    ("0x1" + "0" * 5000, "a number 5003 characters long (hexadecimal)"),
    ("9" * 400 + ":22", "a number 403 characters long (base 60)"),
    ("0x1F", "the number 31 (hexadecimal)"),
    ("1:30", "the number 90 (base 60)"),
])
def test_long_yaml_integers_are_described_not_converted(load: object, written: str,
                                                        reading: str) -> None:
    loaded = load(RULE.replace('"443/443"', written))  # type: ignore[operator]
    ((line, column, code, message),) = problems(loaded)
    assert (line, column, code) == (3, 12, "EGL003")
    assert message.startswith(f"YAML 1.1 reads PortRange: {written} as {reading}, ")
