"""Problems with suppressions themselves. The suppression pass (egresslint/suppression.py and
egresslint/waivers.py) reports them; these entries document them and give them a severity.

A suppression is an exception to the policy, so a careless one must be as visible as the
finding it hides: it needs a reason a reviewer can judge, it stops working when it expires,
and one that no longer hides anything is reported so it does not linger.
"""

from __future__ import annotations

from egresslint.checks.base import Check, Scope
from egresslint.finding import Severity

MISSING_REASON = "EGL401"
EXPIRED = "EGL402"
UNUSED = "EGL403"
MALFORMED = "EGL404"

_RULE = ("SecurityGroupId: sg-0a1b2c3d\nIpProtocol: tcp\nPortRange: \"443/443\"\n"
         "DestCidrIp: 10.0.0.0/8\n")
_REASON = 'reason="placeholder until the vendor ranges are agreed (NET-88)"'
_FORMAT = ('`# egresslint: ignore[CODE,...] reason="..." expires=YYYY-MM-DD`, on the line a '
           "finding or its rule starts on, or alone on the line above it")

SUPPRESSION_WITHOUT_REASON = Check(
    code=MISSING_REASON, name="suppression-without-reason", severity=Severity.ERROR,
    scope=Scope.FILE,
    summary="An inline suppression gives no `reason=`; it suppresses nothing.",
    rationale="A suppression is an exception to the policy that a reviewer has to accept or "
    "refuse. Without a reason there is nothing to judge, and nobody can tell later whether "
    "the exception still holds. Every finding it names is reported as if it were not there.",
    fix=f"Say why the finding is acceptable, and until when: {_FORMAT}.",
    bad_example="rules: []  # egresslint: ignore[no-rules]\n",
    good_example=f"rules: []  # egresslint: ignore[no-rules] {_REASON}\n",
    options={"require_expiry": False},
    option_docs={"require_expiry": "Also require `expires=`: a suppression without an expiry "
                 "date is reported and suppresses nothing."},
    tags=("suppression",),
)
EXPIRED_SUPPRESSION = Check(
    code=EXPIRED, name="expired-suppression", severity=Severity.WARNING, scope=Scope.FILE,
    summary="An inline suppression or a waiver is past its `expires` date; it no longer "
    "suppresses anything.",
    rationale="Exceptions are granted for a time: until a vendor publishes its ranges, until a "
    "migration ends. Once the date passes, the findings it hid are reported again, and this "
    "finding says why they came back.",
    fix="Fix the findings and delete the suppression, or agree a new date with the reviewer "
    "and update `expires=`.",
    bad_example=f"rules: []  # egresslint: ignore[no-rules] {_REASON} expires=2024-01-31\n",
    good_example=f"rules: []  # egresslint: ignore[no-rules] {_REASON} expires=2099-12-31\n",
    tags=("suppression",),
)
UNUSED_SUPPRESSION = Check(
    code=UNUSED, name="unused-suppression", severity=Severity.WARNING, scope=Scope.FILE,
    summary="An inline suppression names a check that reports nothing on the line it covers.",
    rationale="A suppression that hides nothing today will hide the next, unrelated finding on "
    "that line without anyone having judged it. It usually means the rule was fixed or moved.",
    fix="Delete the suppression, or the code it no longer needs; if the rule moved, move the "
    "comment with it.",
    bad_example=_RULE.replace("IpProtocol: tcp\n", "IpProtocol: tcp  # egresslint: "
                              f"ignore[invalid-protocol] {_REASON}\n"),
    good_example=_RULE,
    tags=("suppression",),
)
MALFORMED_SUPPRESSION = Check(
    code=MALFORMED, name="malformed-suppression", severity=Severity.ERROR, scope=Scope.FILE,
    summary="An `# egresslint:` comment that cannot be read: not `ignore[...]`, an unknown "
    "check, an unknown key, or a date that is not YYYY-MM-DD.",
    rationale="A suppression that egresslint cannot read suppresses nothing; its author "
    "believes otherwise. Reporting it keeps the two in agreement.",
    fix=f"Write {_FORMAT}; codes and names are listed by `egresslint checks`.",
    bad_example="rules: []  # egresslint: ignore no-rules, it is a placeholder\n",
    good_example=f"rules: []  # egresslint: ignore[no-rules] {_REASON}\n",
    tags=("suppression",),
)

CHECKS = (SUPPRESSION_WITHOUT_REASON, EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION,
          MALFORMED_SUPPRESSION)
