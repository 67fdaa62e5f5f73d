"""Problems found while reading a file. The loader reports them; these entries document them
and give them a severity, so they are selected, ignored and explained like any check."""

from __future__ import annotations

from egresslint.checks.base import Check, Scope
from egresslint.finding import Severity
from egresslint.loader import problems as p

SYNTAX_ERROR = Check(
    code=p.SYNTAX_ERROR, name="syntax-error", severity=Severity.ERROR, scope=Scope.FILE,
    summary="The file is not valid YAML or JSON, or cannot be read.",
    rationale="Nothing in a file that does not parse can be checked, so the gate must fail "
    "rather than pass an unread file.",
    fix="Correct the syntax at the position shown; the message names what the parser expected.",
    bad_example="rules:\n  - IpProtocol: tcp\n    PortRange: \"443/443\n",
    good_example="rules:\n  - IpProtocol: tcp\n    PortRange: \"443/443\"\n",
    tags=("loader",),
)
DUPLICATE_KEY = Check(
    code=p.DUPLICATE_KEY, name="duplicate-key", severity=Severity.ERROR, scope=Scope.FILE,
    summary="A key appears twice in one mapping.",
    rationale="YAML parsers keep one of the two values without a word, so the rule a reviewer "
    "reads is not the rule that would be sent.",
    fix="Delete one of the two keys; egresslint keeps the first and names both positions.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nDestCidrIp: 0.0.0.0/0\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    tags=("loader",),
)
YAML_COERCION = Check(
    code=p.YAML_COERCION, name="yaml-coercion", severity=Severity.ERROR, scope=Scope.FILE,
    summary="An unquoted value that YAML 1.1 reads as something other than what is written.",
    rationale="PyYAML follows YAML 1.1: `22:22` is the base-60 number 1342, `no` is false, "
    "`010` is 8. A tool that quietly used those readings would check and send a different rule "
    "from the one written.",
    fix="Quote text values (`PortRange: \"22/22\"`); write integers in plain decimal.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: 22:22\n"
    "DestCidrIp: 10.0.0.0/8\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"22/22\"\n"
    "DestCidrIp: 10.0.0.0/8\n",
    references=("https://yaml.org/type/int.html", "https://yaml.org/type/bool.html"),
    tags=("loader",),
)
UNKNOWN_FIELD = Check(
    code=p.UNKNOWN_FIELD, name="unknown-field", severity=Severity.ERROR, scope=Scope.FILE,
    summary="A key that is neither an API parameter nor an `x-` annotation.",
    rationale="A misspelt key (`Prioriti`) means the rule silently takes the default instead of "
    "what its author meant.",
    fix="Use the API's parameter name (egresslint suggests the closest), or prefix a note with "
    "`x-` (`x-ticket: SEC-12`) to keep it as an annotation that is never sent.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPrioriti: 5\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPriority: 5\nx-ticket: SEC-12\n",
    tags=("loader",),
)
WRONG_TYPE = Check(
    code=p.WRONG_TYPE, name="wrong-type", severity=Severity.ERROR, scope=Scope.FILE,
    summary="A value of the wrong kind: a number where text belongs, a list where a value "
    "belongs, text where an integer belongs.",
    rationale="The API takes text for every parameter but Priority; guessing a conversion could "
    "send something the author did not write.",
    fix="Write the value in the form the message shows.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: 443\n"
    "DestCidrIp: 10.0.0.0/8\nPriority: \"10\"\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
    "DestCidrIp: 10.0.0.0/8\nPriority: 10\n",
    tags=("loader",),
)
INVALID_SHAPE = Check(
    code=p.INVALID_SHAPE, name="invalid-shape", severity=Severity.ERROR, scope=Scope.FILE,
    summary="The document is not a rule file: a mapping with `rules:`, a list of rules, or a "
    "single rule.",
    rationale="A file that does not have a rule file's shape would otherwise be read as having "
    "no rules, and pass.",
    fix="Put the rules in a list under `rules:`, each rule a mapping of fields.",
    bad_example="rules:\n  - tcp 443 to 10.0.0.0/8\n",
    good_example="rules:\n  - SecurityGroupId: sg-0a1b2c3d\n    IpProtocol: tcp\n"
    "    PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n",
    tags=("loader",),
)
NOT_UTF8 = Check(
    code=p.NOT_UTF8, name="not-utf8", severity=Severity.ERROR, scope=Scope.FILE,
    summary="The file is not UTF-8 text.",
    rationale="Reading it in another encoding would be a guess; a guess can change a value.",
    fix="Save the file as UTF-8.",
    bad_example="SecurityGroupId: sg-0a1b2c3d\nx-owner: Zoë\n",
    bad_example_encoding="latin-1",
    good_example="SecurityGroupId: sg-0a1b2c3d\nx-owner: Zoë\n",
    tags=("loader",),
)
UNSAFE_TAG = Check(
    code=p.UNSAFE_TAG, name="unsafe-tag", severity=Severity.ERROR, scope=Scope.FILE,
    summary="A YAML tag other than the standard ones (`!!python/object/apply`, `!custom`).",
    rationale="Such tags ask a loader to construct objects or run code. egresslint never "
    "constructs them, and a rule file has no use for them.",
    fix="Remove the tag and write a plain value.",
    bad_example="SecurityGroupId: !!python/object/apply:os.system [\"id\"]\n",
    good_example="SecurityGroupId: sg-0a1b2c3d\n",
    tags=("loader", "security"),
)
TOO_COMPLEX = Check(
    code=p.TOO_COMPLEX, name="too-complex", severity=Severity.ERROR, scope=Scope.FILE,
    summary="The file exceeds a bound: nesting deeper than 1000 levels, more than 256 MiB, or "
    "merge keys nested more than 16 deep.",
    rationale="Bounds keep a hostile file from exhausting time or memory on a reviewer's laptop "
    "or a CI runner. Aliases are never expanded beyond the rule file's own shape, so an alias "
    "bomb costs no more than its text.",
    fix="Flatten the file; a rule file needs three levels of nesting.",
    bad_example="rules: " + "[" * 1001 + "]" * 1001 + "\n",
    good_example="rules: []\n",
    tags=("loader", "security"),
)
NO_RULES = Check(
    code=p.NO_RULES, name="no-rules", severity=Severity.WARNING, scope=Scope.FILE,
    summary="The file is empty or its list of rules is empty.",
    rationale="An empty rule file is usually a mistake (the wrong file, a bad merge); it is "
    "worth a look but not a failed gate.",
    fix="Add rules, or delete the file.",
    bad_example="rules: []\n",
    good_example="rules:\n  - SecurityGroupId: sg-0a1b2c3d\n    IpProtocol: tcp\n"
    "    PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n",
    tags=("loader",),
)

CHECKS = (SYNTAX_ERROR, DUPLICATE_KEY, YAML_COERCION, UNKNOWN_FIELD, WRONG_TYPE, INVALID_SHAPE,
          NOT_UTF8, UNSAFE_TAG, TOO_COMPLEX, NO_RULES)
