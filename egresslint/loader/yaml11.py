"""Plain YAML scalars that YAML 1.1 (PyYAML's dialect) reads as something other than text.

A rule author who writes `PortRange: 22:22` or `Policy: no` means text; PyYAML reads the
number 1342 and the boolean false. These helpers say, in words, what the parser made of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TAG_PREFIX = "tag:yaml.org,2002:"
STR = TAG_PREFIX + "str"
INT = TAG_PREFIX + "int"
FLOAT = TAG_PREFIX + "float"
BOOL = TAG_PREFIX + "bool"
NULL = TAG_PREFIX + "null"
TIMESTAMP = TAG_PREFIX + "timestamp"
MAP = TAG_PREFIX + "map"
SEQ = TAG_PREFIX + "seq"
MERGE = TAG_PREFIX + "merge"

#: Tags a rule file may carry; anything else (`!!python/...`, custom `!tags`) is refused.
STANDARD_TAGS = frozenset(
    {STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, MAP, SEQ, MERGE, TAG_PREFIX + "binary",
     TAG_PREFIX + "omap", TAG_PREFIX + "pairs", TAG_PREFIX + "set", TAG_PREFIX + "value"}
)

DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_OCTAL = re.compile(r"[-+]?0[0-7_]+\Z")


#: An integer written with more digits than this is far outside any valid value, and is not
#: converted: Python refuses strings of over 4,300 digits, and the time it takes grows with
#: the square of the length.
MAX_INTEGER_DIGITS = 20


def is_plain_decimal(text: str) -> bool:
    return DECIMAL.match(text) is not None


def _describe_integer(text: str) -> tuple[str, bool]:
    body = text.replace("_", "")
    digits = body.lstrip("+-")
    value: Callable[[], int]
    if ":" in text:
        base, value = " (base 60)", lambda: int(_sexagesimal(text))
    elif digits.startswith(("0x", "0X")):
        base, value = " (hexadecimal)", lambda: int(body, 16)
    elif digits.startswith(("0b", "0B")):
        base, value = " (binary)", lambda: int(body.replace("0b", "").replace("0B", ""), 2)
    elif _OCTAL.match(text):
        base, value = " (octal)", lambda: int(body, 8)
    else:
        base, value = "", lambda: int(body)
    surprise = bool(base) or "_" in text or text.startswith("+")
    if len(digits) > MAX_INTEGER_DIGITS:
        # Not converted (see MAX_INTEGER_DIGITS): that it is a number is what matters.
        return f"a number {len(digits)} characters long{base}", surprise
    return f"the number {value() if surprise else text}{base}", surprise


def _sexagesimal(text: str) -> float:
    sign = -1 if text.startswith("-") else 1
    total = 0.0
    for part in text.lstrip("+-").replace("_", "").split(":"):
        total = total * 60 + float(part)
    return sign * total


def describe_reading(tag: str, text: str) -> tuple[str, bool]:
    """What YAML 1.1 made of a plain scalar, and whether that is a surprise to a reader.

    A surprise (sexagesimal, octal, `yes`/`no`/`on`/`off`, dates, underscores) is reported as a
    coercion; an honest number or boolean in the wrong place is just the wrong type.
    """
    if tag == BOOL:
        value = text.lower() in ("yes", "true", "on")
        return f"the boolean {str(value).lower()}", text.lower() not in ("true", "false")
    if tag == NULL:
        return "null (no value)", False
    if tag == INT:
        return _describe_integer(text)
    if tag == FLOAT:
        lowered = text.lower()
        if lowered in (".inf", "+.inf", "-.inf", ".nan"):
            return f"the special number {text}", True
        if ":" in text:
            return f"the number {_sexagesimal(text)} (base 60)", True
        return f"the number {text}", "_" in text
    if tag == TIMESTAMP:
        return "a date", True
    return "a non-text value", False
