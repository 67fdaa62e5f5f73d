"""Field checks EGL101-EGL108: each must fire on its bad values and stay quiet on good ones."""

from __future__ import annotations

import pytest

from tests.conftest import LintText, brief


def rule(**fields: str) -> str:
    """A one-rule file; fields given override a valid base rule, `None`-like '-' removes one."""
    base = {"SecurityGroupId": "sg-1a2b", "IpProtocol": "tcp", "PortRange": '"443/443"',
            "DestCidrIp": "10.0.0.0/8"}
    base.update(fields)
    return "".join(f"{k}: {v}\n" for k, v in base.items() if v != "-")


_HUGE = "1" + "0" * 5000

# Each value lands on line 2, 3 or 4 of the file at column len("Key: ") + 1.
FIRES = [
    pytest.param(rule(IpProtocol="TCP"), (2, 13, "EGL101",
                 '`TCP` is not a protocol (IpProtocol is case-sensitive): write "tcp"'), id="101-upper"),
    pytest.param(rule(IpProtocol='" tcp"'), (2, 13, "EGL101",
                 '` tcp` is not a protocol (it has spaces): write "tcp"'), id="101-space"),
    pytest.param(rule(IpProtocol="any", PortRange='"-1/-1"'), (2, 13, "EGL101",
                 '`any` is not a protocol: for every protocol write "all"'), id="101-any"),
    pytest.param(rule(IpProtocol="sctp"), (2, 13, "EGL101",
                 "`sctp` is not a protocol: write one of tcp, udp, icmp, gre, all"), id="101-other"),
    pytest.param(rule(PortRange='"200/1"'), (3, 12, "EGL102",
                 'PortRange `200/1` starts after it ends: write "1/200"'), id="102-reversed"),
    pytest.param(rule(PortRange='"0/80"'), (3, 12, "EGL102",
                 "PortRange port 0 in `0/80` is outside 1..65535"), id="102-zero"),
    pytest.param(rule(PortRange='"1/65536"'), (3, 12, "EGL102",
                 "PortRange port 65536 in `1/65536` is outside 1..65535"), id="102-too-high"),
    pytest.param(rule(PortRange='"22"'), (3, 12, "EGL102",
                 'PortRange `22` is a single port: write "22/22"'), id="102-single"),
    # Digits `int` must not be asked to read: a superscript, thousands of them.
    pytest.param(rule(PortRange='"\u00b2"'), (3, 12, "EGL102",
                 'PortRange `\u00b2` is not a port range: write start/end, such as "443/443"'),
                 id="102-superscript"),
    pytest.param(rule(PortRange=f'"1/{_HUGE}"'), (3, 12, "EGL102",
                 f'PortRange `1/{_HUGE}` is not a port range: write start/end, such as '
                 '"443/443"'), id="102-huge"),
    pytest.param(rule(PortRange='"80-443"'), (3, 12, "EGL102",
                 'PortRange `80-443` is not of the form start/end: write "80/443"'), id="102-dash"),
    pytest.param(rule(PortRange='"22 / 22"'), (3, 12, "EGL102",
                 'PortRange `22 / 22` is not of the form start/end: write "22/22"'), id="102-spaces"),
    pytest.param(rule(PortRange='"-1/-1"'), (3, 12, "EGL102",
                 'PortRange `-1/-1` is only for icmp, gre and all; for tcp write a range such as '
                 '"1/65535" (every port) or "443/443"'), id="102-all-ports-tcp"),
    pytest.param(rule(IpProtocol="icmp", PortRange='"8/8"'), (3, 12, "EGL102",
                 'PortRange `8/8` is not valid for icmp, which has no ports: write "-1/-1"'),
                 id="102-icmp-port"),
    pytest.param(rule(SourcePortRange='"https"'), (5, 18, "EGL102",
                 'SourcePortRange `https` is not a port range: write start/end, such as '
                 '"443/443"'), id="102-source-port"),
    pytest.param(rule(DestCidrIp='"10.1"'), (4, 13, "EGL103",
                 'DestCidrIp `10.1` is not a full dotted-quad address; write all four parts, such as '
                 '"10.0.0.0/8"'), id="103-short"),
    pytest.param(rule(DestCidrIp="010.0.0.1"), (4, 13, "EGL103",
                 'DestCidrIp `010.0.0.1` has leading zeros, which some parsers read as octal: write '
                 '"10.0.0.1"'), id="103-octal"),
    pytest.param(rule(DestCidrIp='"10.0.0.0/8 "'), (4, 13, "EGL103",
                 'DestCidrIp `10.0.0.0/8 ` has spaces around it: write "10.0.0.0/8"'), id="103-space"),
    pytest.param(rule(DestCidrIp='"2001:db8::/32"'), (4, 13, "EGL103",
                 "DestCidrIp IPv6 destinations are not accepted here: this API takes IPv4 only"), id="103-ipv6"),
    pytest.param(rule(DestCidrIp=f"10.0.0.0/{_HUGE}"), (4, 13, "EGL103",
                 f"DestCidrIp `10.0.0.0/{_HUGE}` is not a full dotted-quad address; write all four "
                 'parts, such as "10.0.0.0/8"'), id="103-huge-prefix"),
    pytest.param(rule(DestCidrIp="10.0.0.0/33"), (4, 13, "EGL103",
                 "DestCidrIp `10.0.0.0/33` has prefix /33; an IPv4 prefix is 0..32"), id="103-prefix"),
    pytest.param(rule(DestCidrIp="300.0.0.0/8"), (4, 13, "EGL103",
                 "DestCidrIp `300.0.0.0/8` has an octet above 255"), id="103-octet"),
    pytest.param(rule(DestCidrIp="example.com"), (4, 13, "EGL103",
                 'DestCidrIp `example.com` is not an IPv4 address or CIDR block; write one such as '
                 '"10.0.0.0/8"'), id="103-hostname"),
    pytest.param(rule(DestCidrIp="10.0.0.1/8"), (4, 13, "EGL104",
                 "DestCidrIp `10.0.0.1/8` has host bits set: did you mean 10.0.0.0/8 or 10.0.0.1/32?"),
                 id="104-host-bits"),
    pytest.param(rule(Policy="Accept"), (5, 9, "EGL105",
                 'Policy `Accept` must be lower case: write "accept"'), id="105-case"),
    pytest.param(rule(Policy="deny"), (5, 9, "EGL105",
                 'Policy `deny` is not a policy: write "drop"'), id="105-synonym"),
    pytest.param(rule(Policy="maybe"), (5, 9, "EGL105",
                 'Policy `maybe` is not a policy: write "accept" or "drop"'), id="105-other"),
    pytest.param(rule(Priority="0"), (5, 11, "EGL106",
                 "Priority 0 is outside 1..100 (1 is the highest); the nearest valid value is 1"),
                 id="106-zero"),
    pytest.param(rule(Priority="101"), (5, 11, "EGL106",
                 "Priority 101 is outside 1..100 (1 is the highest); the nearest valid value is "
                 "100"), id="106-high"),
    pytest.param(rule(SecurityGroupId='"sg-bp67acfmxazb4p****"'), (1, 18, "EGL107",
                 "SecurityGroupId `sg-bp67acfmxazb4p****` is masked (`*`), as in documentation "
                 "examples: write the real id"), id="107-masked"),
    pytest.param(rule(SecurityGroupId="SG-1A2B"), (1, 18, "EGL107",
                 'SecurityGroupId `SG-1A2B` must be lower case without spaces: write "sg-1a2b"'),
                 id="107-case"),
    pytest.param(rule(SecurityGroupId="group-1"), (1, 18, "EGL107",
                 'SecurityGroupId `group-1` is not a security group id: ids look like '
                 '"sg-5tsq3x7kkt2o9f6b"'), id="107-other"),
    pytest.param(rule(PortRange="-"), (1, 1, "EGL108",
                 'the rule has no PortRange, which the API requires: add PortRange (such as '
                 '"443/443", or "-1/-1" for icmp, gre and all)'), id="108-port-range"),
    pytest.param(rule(SecurityGroupId="-"), (1, 1, "EGL108",
                 'the rule has no SecurityGroupId, which the API requires: add SecurityGroupId '
                 '(the group the rule belongs to, such as "sg-5tsq3x7kkt2o9f6b"; set it on the '
                 'rule or once under `defaults:`)'), id="108-group"),
]


@pytest.mark.parametrize(("text", "expected"), FIRES)
def test_must_fire(lint_text: LintText, text: str, expected: tuple[int, int, str, str]) -> None:
    assert brief(lint_text(text), expected[2]) == [expected]


NOT_FIRES = [
    pytest.param(rule(), id="plain-tcp"),
    pytest.param(rule(IpProtocol="udp", PortRange='"53/53"'), id="udp"),
    pytest.param(rule(IpProtocol="icmp", PortRange='"-1/-1"'), id="icmp"),
    pytest.param(rule(IpProtocol="gre", PortRange='"-1/-1"'), id="gre"),
    pytest.param(rule(IpProtocol="all", PortRange='"-1/-1"', SourcePortRange='"-1/-1"'), id="all"),
    pytest.param(rule(PortRange='"1/65535"'), id="every-port"),
    pytest.param(rule(PortRange='"1/1"', SourcePortRange='"1024/65535"'), id="edges"),
    pytest.param(rule(DestCidrIp="203.0.113.7"), id="single-address"),
    pytest.param(rule(DestCidrIp="0.0.0.0/0"), id="anywhere"),
    pytest.param(rule(DestCidrIp="10.0.0.1/32"), id="host"),
    pytest.param(rule(Policy="drop", Priority="1"), id="drop-priority-1"),
    pytest.param(rule(Policy="accept", Priority="100"), id="accept-priority-100"),
    pytest.param(rule(SecurityGroupId="sg-5tsq3x7kkt2o9f6b"), id="real-id"),
    pytest.param("defaults:\n  SecurityGroupId: sg-1a2b\nrules:\n  - IpProtocol: tcp\n"
                 '    PortRange: "443/443"\n    DestCidrIp: 10.0.0.0/8\n', id="group-from-defaults"),
]


@pytest.mark.parametrize("text", NOT_FIRES)
def test_must_not_fire(lint_text: LintText, text: str) -> None:
    assert brief(lint_text(text, select=("EGL1",))) == []


def test_port_check_is_generic_when_the_protocol_is_invalid(lint_text: LintText) -> None:
    findings = lint_text(rule(IpProtocol="TCP", PortRange='"200/1"'), select=("EGL1",))
    assert [f.code for f in findings] == ["EGL101", "EGL102"]


def test_values_the_loader_reported_are_not_reported_again(lint_text: LintText) -> None:
    findings = lint_text(rule(PortRange="22:22", Policy="no"))
    assert [f.code for f in findings] == ["EGL003", "EGL003"]


def test_inherited_value_says_so(lint_text: LintText) -> None:
    text = ("defaults:\n  SecurityGroupId: sg-1a2b\n  Policy: Accept\nrules:\n"
            "  - IpProtocol: tcp\n    PortRange: \"443/443\"\n    DestCidrIp: 10.0.0.0/8\n")
    assert brief(lint_text(text), "EGL105") == [
        (3, 11, "EGL105", 'Policy `Accept` must be lower case: write "accept" (inherited from '
         "`defaults`)")]


def test_safe_and_unsafe_fixes_are_offered(lint_text: LintText) -> None:
    findings = {f.code: f for f in lint_text(rule(IpProtocol="TCP", DestCidrIp="10.0.0.1/8"))}
    protocol_fix = findings["EGL101"].edits[0]
    assert (protocol_fix.replacement, protocol_fix.safe) == ("tcp", True)
    host_fix = findings["EGL104"].edits[0]
    assert (host_fix.replacement, host_fix.safe) == ("10.0.0.0/8", False)
