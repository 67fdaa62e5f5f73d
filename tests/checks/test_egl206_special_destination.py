"""EGL206 special-destination: destinations a rule cannot sensibly name, either policy."""

from __future__ import annotations

import pytest

from tests.analysis.rulefiles import one_rule
from tests.conftest import LintText, brief

TAIL = "; this rule cannot mean what it says"

FIRES = [
    pytest.param(one_rule("all", "-1/-1", "0.0.0.0", Policy="drop", Priority=100),
                 (4, 13, "EGL206", "0.0.0.0 is in 0.0.0.0/8 (\"this network\"): those addresses "
                  "are only ever a source, never a destination; to mean every destination "
                  "write 0.0.0.0/0" + TAIL), id="zero-host-as-deny-all"),
    pytest.param(one_rule(dest="0.0.0.0/8"), (4, 13, "EGL206",
                 "0.0.0.0/8 is in 0.0.0.0/8 (\"this network\"): those addresses are only ever "
                 "a source, never a destination; to mean every destination write 0.0.0.0/0"
                 + TAIL), id="this-network-block"),
    pytest.param(one_rule(dest="127.0.0.1"), (4, 13, "EGL206",
                 "127.0.0.1 is a loopback address: traffic to it never leaves the instance, so "
                 "no security group rule sees it" + TAIL), id="loopback"),
    pytest.param(one_rule("tcp", "80/80", "169.254.169.254", Policy="drop"), (4, 13, "EGL206",
                 "169.254.169.254 is a link-local address: it is not routed beyond the "
                 "instance's own link; such rules usually come from another cloud's metadata "
                 "address (169.254.169.254), while Alibaba Cloud's metadata service is "
                 "100.100.100.200" + TAIL), id="other-cloud-metadata"),
    pytest.param(one_rule("udp", "5353/5353", "224.0.0.251"), (4, 13, "EGL206",
                 "224.0.0.251 is a multicast address: Alibaba Cloud networks do not forward "
                 "multicast by default, so the rule matches traffic that goes nowhere" + TAIL),
                 id="multicast"),
    pytest.param(one_rule(dest="240.0.0.0/4"), (4, 13, "EGL206",
                 "240.0.0.0/4 is in the reserved block 240.0.0.0/4: those addresses are not "
                 "assigned and not routed" + TAIL), id="reserved"),
    pytest.param(one_rule("udp", "67/67", "255.255.255.255"), (4, 13, "EGL206",
                 "255.255.255.255 is the limited broadcast address: broadcasts to it are never "
                 "forwarded beyond the local segment" + TAIL), id="broadcast"),
]
QUIET = [
    pytest.param(one_rule(dest="0.0.0.0/0"), id="anywhere-is-not-special"),
    pytest.param(one_rule(dest="0.0.0.0/1"), id="contains-this-network-and-more"),
    pytest.param(one_rule(dest="100.100.100.200"), id="alibaba-metadata"),
    pytest.param(one_rule(dest="224.0.0.0/3"), id="wider-than-multicast"),
    pytest.param(one_rule(dest="127.0.0.1/8"), id="invalid-left-to-EGL104"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_fires(lint_text: LintText, text: str, expected: tuple[int, int, str, str]) -> None:
    assert brief(lint_text(text, select=("EGL206",))) == [expected]


@pytest.mark.parametrize("text", QUIET)
def test_quiet(lint_text: LintText, text: str) -> None:
    assert brief(lint_text(text, select=("EGL206",))) == []


def test_special_destinations_are_not_public(lint_text: LintText) -> None:
    findings = lint_text(one_rule("all", "-1/-1", "224.0.0.0/4"), select=("EGL2",))
    assert [f.code for f in findings] == ["EGL206"]
