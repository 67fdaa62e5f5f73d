"""Lines of a file, as the loaders number them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egresslint.location import line_starts, source_lines

TEXTS = st.lists(st.sampled_from(["a", "bc", " ", "\t", "\n", "\n", "\n", "\r", "\r\n",
                                  "\x85", "\u2028", "\u2029", "\x0c", "é"]),
                 max_size=60).map("".join)


@pytest.mark.parametrize(("text", "json", "lines"), [
    ("", False, []),
    ("a", False, ["a"]),
    ("a\n", False, ["a"]),
    ("a\n\n", False, ["a", ""]),
    ("a\r\nb\rc\x85d\u2028e\u2029f\x0cg\n", False, ["a", "b", "c", "d", "e", "f\x0cg"]),
    ("a\r\nb\rc\x85d\u2028e\u2029f\x0cg\n", True, ["a", "b\rc\x85d\u2028e\u2029f\x0cg"]),
])
def test_source_lines_break_where_the_format_does(text: str, json: bool,
                                                  lines: list[str]) -> None:
    assert source_lines(text, json=json) == lines


#: The line break, and for JSON a CR before it (or at the very end), which is whitespace.
_JSON_BREAK = re.compile("\r?\n?\\Z")
_YAML_BREAK = re.compile("(?:\r\n|[\r\n\x85\u2028\u2029])\\Z")


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.booleans())
def test_source_lines_are_the_lines_line_starts_counts(text: str, json: bool) -> None:
    starts = line_starts(text, json=json)
    expected = []
    for number, start in enumerate(starts):
        if start == len(text):
            break  # after a final break (or in an empty text) no line starts
        end = starts[number + 1] if number + 1 < len(starts) else len(text)
        expected.append((_JSON_BREAK if json else _YAML_BREAK).sub("", text[start:end], count=1))
    assert source_lines(text, json=json) == expected
