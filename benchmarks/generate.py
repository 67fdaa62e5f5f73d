#!/usr/bin/env python3
"""Generate realistic and adversarial egress rule files for benchmarking egresslint.

Stdlib only; the output is a pure function of the options (including ``--seed``), so two runs
with the same command line write byte-identical files.

Presets (explicit options override the preset's values)::

    precommit       one file, 20 rules in 2 groups, comments and annotations, `defaults:`,
                    two realistic mistakes and a couple of lint findings (duplicate, shadowed)
    realistic-10k   10,000 rules in 100 groups
    realistic-100k  100,000 rules in 1,000 groups (about 16 MB of YAML, 21 MB of JSON)
    adversarial     one group of 200 rules that all overlap each other pairwise, at mixed
                    priorities and policies, with crossing destination-port and source-port
                    ranges and nested destination CIDRs, the smallest boxes at the highest
                    priorities: a bad case for naive box subtraction

Examples::

    python benchmarks/generate.py --preset precommit --out /tmp/egl-bench/precommit.yaml
    python benchmarks/generate.py --preset realistic-100k --out /tmp/egl-bench/r100k.yaml
    python benchmarks/generate.py --preset adversarial --format json --out adv.json
    python benchmarks/generate.py --groups 50 --rules-per-group 80 --overlap 0.3 \\
        --cidr-sizes 16:1,24:4,32:4 --protocol-mix tcp=80,udp=15,all=5 --out custom.yaml
    python benchmarks/generate.py --check          # self-test (needs PyYAML)

Overlap (``--overlap D``): in each group about ``D`` of the rules (not counting the final
deny-all) are derived from an earlier rule of the same group by one of these patterns
(``--patterns`` sets their weights):

    nested      same service, destination a subnet or supernet of the other rule's
    ports       same protocol, destination port range partially overlapping
    exception   accept a narrow exception, then drop the broader block at a lower priority
                (two rules; occasionally at the same priority, which makes the exception dead)
    duplicate   exact copy of another rule's API fields (sometimes `a.b.c.d` vs `a.b.c.d/32`)
    shadowed    fully covered by a higher-priority rule: same policy (redundant) or opposite
                policy (shadowed)
    conflict    overlapping rule at the same priority with the opposite policy
    all         protocol `all` over (part of) the other rule's destination
    source      same rule with a SourcePortRange added, removed or changed

The other ("base") rules of a group are pairwise disjoint, apart from the deny-all rule that
closes ``--deny-all`` of the groups (all, -1/-1, 0.0.0.0/0, drop, Priority 100). Only the
precommit preset (or ``--mistakes N``) writes invalid values; every other file is valid.
``--manifest PATH`` writes a JSON list of the derived rules (pattern, related rule) and the
injected mistakes, by rule index in the file.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeAlias

Scalar: TypeAlias = "str | int"

PROTOCOLS: Final = ("tcp", "udp", "icmp", "gre", "all")
PORT_PROTOCOLS: Final = frozenset({"tcp", "udp"})
API_FIELDS: Final = (
    "SecurityGroupId", "IpProtocol", "PortRange", "SourcePortRange", "DestCidrIp", "Policy",
    "Priority",
)
REQUIRED_FIELDS: Final = ("SecurityGroupId", "IpProtocol", "PortRange", "DestCidrIp")
IMPLICIT_DEFAULTS: Final[Mapping[str, Scalar]] = {"Policy": "accept", "Priority": 1}
MASKS: Final = tuple((0xFFFFFFFF << (32 - p)) & 0xFFFFFFFF for p in range(33))

# --------------------------------------------------------------------------------------------
# Catalogue: services, destinations, words for comments
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Service:
    proto: str
    lo: int  # -1 for protocols without ports
    hi: int
    weight: float
    label: str
    internet: bool = False  # commonly opened to 0.0.0.0/0

    @property
    def key(self) -> str:
        return f"{self.proto}:{self.lo}-{self.hi}" if self.proto in PORT_PROTOCOLS else self.proto


def _svc(proto: str, lo: int, hi: int, weight: float, label: str, internet: bool = False
         ) -> Service:
    return Service(proto, lo, hi, weight, label, internet)


# Port ranges within one protocol are pairwise disjoint (checked by --check): base rules use
# the range as a key when keeping themselves disjoint.
SERVICES: Final[Mapping[str, tuple[Service, ...]]] = {
    "tcp": (
        _svc("tcp", 443, 443, 30, "HTTPS", internet=True),
        _svc("tcp", 80, 80, 8, "HTTP", internet=True),
        _svc("tcp", 22, 22, 4, "SSH"),
        _svc("tcp", 25, 25, 1, "SMTP"),
        _svc("tcp", 587, 587, 1, "SMTP submission"),
        _svc("tcp", 389, 389, 1, "LDAP"),
        _svc("tcp", 636, 636, 1, "LDAPS"),
        _svc("tcp", 1433, 1433, 1, "SQL Server"),
        _svc("tcp", 2379, 2380, 2, "etcd"),
        _svc("tcp", 3000, 3000, 1, "Grafana"),
        _svc("tcp", 3306, 3306, 6, "MySQL"),
        _svc("tcp", 4317, 4318, 1, "OTLP collector"),
        _svc("tcp", 5432, 5432, 7, "PostgreSQL"),
        _svc("tcp", 5672, 5672, 2, "AMQP"),
        _svc("tcp", 6379, 6379, 6, "Redis"),
        _svc("tcp", 6443, 6443, 2, "Kubernetes API"),
        _svc("tcp", 8080, 8090, 5, "app HTTP 8080-8090"),
        _svc("tcp", 8443, 8443, 2, "HTTPS (alt)"),
        _svc("tcp", 9090, 9090, 2, "Prometheus"),
        _svc("tcp", 9092, 9092, 3, "Kafka"),
        _svc("tcp", 9100, 9100, 2, "node_exporter"),
        _svc("tcp", 9200, 9200, 3, "Elasticsearch"),
        _svc("tcp", 9300, 9300, 1, "Elasticsearch transport"),
        _svc("tcp", 10250, 10250, 2, "kubelet"),
        _svc("tcp", 11211, 11211, 1, "Memcached"),
        _svc("tcp", 27017, 27017, 2, "MongoDB"),
        _svc("tcp", 30000, 32767, 3, "Kubernetes NodePort range"),
    ),
    "udp": (
        _svc("udp", 53, 53, 35, "DNS", internet=True),
        _svc("udp", 123, 123, 25, "NTP", internet=True),
        _svc("udp", 161, 161, 4, "SNMP"),
        _svc("udp", 443, 443, 3, "QUIC", internet=True),
        _svc("udp", 500, 500, 3, "IKE"),
        _svc("udp", 514, 514, 6, "syslog"),
        _svc("udp", 1812, 1813, 1, "RADIUS"),
        _svc("udp", 4500, 4500, 3, "IPsec NAT-T"),
        _svc("udp", 4789, 4789, 4, "VXLAN"),
        _svc("udp", 8125, 8125, 2, "StatsD"),
        _svc("udp", 8472, 8472, 3, "flannel VXLAN"),
        _svc("udp", 30000, 32767, 2, "NodePort range (udp)"),
        _svc("udp", 51820, 51820, 2, "WireGuard"),
    ),
    "icmp": (_svc("icmp", -1, -1, 1, "ICMP", internet=True),),
    "gre": (_svc("gre", -1, -1, 1, "GRE tunnel"),),
    "all": (_svc("all", -1, -1, 1, "all traffic"),),
}

#: Opened to the whole internet at the top of many groups.
INTERNET_SERVICES: Final = (
    (SERVICES["tcp"][0], 6.0), (SERVICES["udp"][1], 4.0), (SERVICES["udp"][0], 3.0),
    (SERVICES["tcp"][1], 2.0), (SERVICES["icmp"][0], 1.0),
)

SOURCE_RANGES: Final = ((1024, 65535, 5.0), (32768, 60999, 4.0), (49152, 65535, 3.0),
                        (1024, 5000, 1.0))


def _net(text: str) -> tuple[int, int]:
    n = ipaddress.IPv4Network(text)
    return int(n.network_address), n.prefixlen


SHARED_VPC: Final = _net("10.0.0.0/16")
PRIVATE_POOLS: Final = (_net("10.0.0.0/8"), _net("172.16.0.0/12"), _net("192.168.0.0/16"))
#: Documentation ranges stand in for public partner / vendor addresses.
PUBLIC_POOLS: Final = (_net("203.0.113.0/24"), _net("198.51.100.0/24"), _net("192.0.2.0/24"))
GROUPS_PER_VPC: Final = 10

ROLES: Final = ("web", "api", "payments", "auth", "search", "batch", "etl", "k8s-nodes",
                "bastion", "monitoring", "logging", "cache", "db-proxy", "cdn-edge",
                "media-transcode", "iot-gateway", "vpn-gw", "ci-runners")
ENVS: Final = ("prod", "prod", "staging", "dev", "edge-hz", "edge-sh", "edge-bj", "edge-cd")
TICKET_PREFIXES: Final = ("SEC", "NET", "CHG", "INC", "OPS")
OFFICES: Final = ("Hangzhou office", "Shanghai IDC", "Zürich office", "São Paulo POP",
                  "Singapore DR site", "Frankfurt colo")
RULE_COMMENTS: Final = (
    "TODO: tighten to the specific hosts once the migration is done",
    "requested by the data team",
    "do not remove: used by the nightly backup job",
    "temporary, remove after the cutover",
    "keep in sync with the staging group",
    "reviewed by netsec",
    "needed for the health checks from the edge nodes",
)
INLINE_COMMENTS: Final = ("break-glass", "was 10 before the incident", "vendor asked for this",
                          "do not lower", "see runbook")

PRIORITY_TIERS: Final = (1, 10, 50, 100)
PRIORITY_TIER_WEIGHTS: Final = (15.0, 40.0, 30.0, 15.0)
PRIORITY_OTHER: Final = (2, 5, 20, 30, 40, 60, 70, 80, 90, 99)

PATTERNS: Final = ("nested", "ports", "exception", "duplicate", "shadowed", "conflict", "all",
                   "source")
MISTAKES: Final = ("host-bits", "port-dash", "single-port", "ports-minus-one", "all-with-ports",
                   "reversed-ports", "priority-zero", "policy-allow")

# --------------------------------------------------------------------------------------------
# Configuration and presets
# --------------------------------------------------------------------------------------------

DEFAULT_CIDR_SIZES: Final = "16:4,20:4,22:4,24:30,26:6,27:4,28:7,29:3,32:38"
DEFAULT_PROTOCOL_MIX: Final = "tcp=72,udp=18,icmp=5,gre=1,all=4"
DEFAULT_PATTERNS: Final = ("nested=25,ports=14,exception=18,duplicate=8,shadowed=14,conflict=6,"
                           "all=6,source=9")

GLOBAL_DEFAULTS: Final[Mapping[str, Any]] = {
    "mode": "realistic",
    "groups": 10,
    "rules_per_group": 20,
    "rules": None,
    "overlap": 0.2,
    "cidr_sizes": DEFAULT_CIDR_SIZES,
    "protocol_mix": DEFAULT_PROTOCOL_MIX,
    "patterns": DEFAULT_PATTERNS,
    "source_ports": 0.05,
    "deny_all": 0.6,
    "internet": 0.5,
    "size_jitter": 0.5,
    "mistakes": 0,
    "with_comments": False,
    "hoist_defaults": False,
    "seed": 1,
}

PRESETS: Final[Mapping[str, Mapping[str, Any]]] = {
    "precommit": {
        "groups": 2, "rules": 20, "rules_per_group": None, "overlap": 0.12,
        "patterns": "duplicate=1,shadowed=1", "source_ports": 0.1, "deny_all": 1.0,
        "mistakes": 2, "with_comments": True, "hoist_defaults": True, "size_jitter": 0.3,
    },
    "realistic-10k": {"groups": 100, "rules": 10_000, "rules_per_group": None},
    "realistic-100k": {"groups": 1_000, "rules": 100_000, "rules_per_group": None},
    "adversarial": {
        "mode": "adversarial", "groups": 1, "rules": 200, "rules_per_group": None,
        "overlap": 1.0, "source_ports": 0.9, "protocol_mix": "tcp=95,all=5",
        "cidr_sizes": ",".join(f"{p}:1" for p in range(8, 33)),
    },
}


@dataclass
class Config:
    mode: str
    groups: int
    rules_per_group: int | None
    rules: int | None
    overlap: float
    cidr_sizes: dict[int, float]
    protocol_mix: dict[str, float]
    patterns: dict[str, float]
    source_ports: float
    deny_all: float
    internet: float
    size_jitter: float
    mistakes: int
    with_comments: bool
    hoist_defaults: bool
    seed: int
    preset: str | None = None

    def total_rules(self) -> int:
        if self.rules is not None:
            return self.rules
        assert self.rules_per_group is not None
        return self.groups * self.rules_per_group


def parse_weights(text: str, names: Sequence[str], what: str) -> dict[str, float]:
    """`a=3,b=1` (or `a:3`) -> {"a": 3.0, "b": 1.0}; names not given get weight 0."""
    weights = dict.fromkeys(names, 0.0)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.replace(":", "=").partition("=")
        name = name.strip()
        if name not in weights:
            raise ValueError(f"{what}: unknown name {name!r} (expected one of {', '.join(names)})")
        try:
            weights[name] = float(value) if sep else 1.0
        except ValueError:
            raise ValueError(f"{what}: {value!r} is not a number") from None
        if weights[name] < 0 or not math.isfinite(weights[name]):
            raise ValueError(f"{what}: weight of {name} must be a finite number >= 0")
    if sum(weights.values()) <= 0:
        raise ValueError(f"{what}: at least one weight must be positive")
    return weights


def parse_cidr_sizes(text: str) -> dict[int, float]:
    """`24` | `16-32` (uniform) | `16:1,24:5,32:3` -> {prefix length: weight}."""
    sizes: dict[int, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        spec, sep, value = part.partition(":")
        try:
            if "-" in spec:
                first, last = (int(x) for x in spec.split("-", 1))
                prefixes = list(range(first, last + 1))
            else:
                prefixes = [int(spec)]
            weight = float(value) if sep else 1.0
        except ValueError:
            raise ValueError(f"--cidr-sizes: cannot read {part!r}") from None
        for p in prefixes:
            if not 0 <= p <= 32:
                raise ValueError(f"--cidr-sizes: prefix length {p} is outside 0..32")
            if weight < 0 or not math.isfinite(weight):
                raise ValueError("--cidr-sizes: weights must be finite numbers >= 0")
            sizes[p] = sizes.get(p, 0.0) + weight
    if not sizes or sum(sizes.values()) <= 0:
        raise ValueError("--cidr-sizes: at least one prefix length needs a positive weight")
    return dict(sorted(sizes.items()))


def _fraction(value: Any, name: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return number


def build_config(values: Mapping[str, Any]) -> Config:
    cfg = Config(
        mode=str(values["mode"]),
        groups=int(values["groups"]),
        rules_per_group=None if values["rules_per_group"] is None
        else int(values["rules_per_group"]),
        rules=None if values["rules"] is None else int(values["rules"]),
        overlap=_fraction(values["overlap"], "--overlap"),
        cidr_sizes=parse_cidr_sizes(str(values["cidr_sizes"])),
        protocol_mix=parse_weights(str(values["protocol_mix"]), PROTOCOLS, "--protocol-mix"),
        patterns=parse_weights(str(values["patterns"]), PATTERNS, "--patterns"),
        source_ports=_fraction(values["source_ports"], "--source-ports"),
        deny_all=_fraction(values["deny_all"], "--deny-all"),
        internet=_fraction(values["internet"], "--internet"),
        size_jitter=_fraction(values["size_jitter"], "--size-jitter"),
        mistakes=int(values["mistakes"]),
        with_comments=bool(values["with_comments"]),
        hoist_defaults=bool(values["hoist_defaults"]),
        seed=int(values["seed"]),
        preset=values.get("preset"),
    )
    if cfg.mode not in ("realistic", "adversarial"):
        raise ValueError(f"--mode must be realistic or adversarial, not {cfg.mode!r}")
    if cfg.groups < 1:
        raise ValueError("--groups must be at least 1")
    if cfg.rules is None and cfg.rules_per_group is None:
        raise ValueError("give --rules or --rules-per-group")
    if cfg.rules is not None and cfg.rules < cfg.groups:
        raise ValueError("--rules must be at least --groups (every group has a rule)")
    if cfg.rules_per_group is not None and cfg.rules_per_group < 1:
        raise ValueError("--rules-per-group must be at least 1")
    if cfg.mistakes < 0:
        raise ValueError("--mistakes must be >= 0")
    if cfg.mode == "realistic" and min(cfg.cidr_sizes) < 8:
        raise ValueError("--cidr-sizes: realistic rule sets use prefix lengths 8..32")
    if cfg.mode == "adversarial":
        mix = cfg.protocol_mix
        if mix["tcp"] + mix["udp"] <= 0:
            raise ValueError("--protocol-mix: adversarial mode needs tcp or udp")
    return cfg


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@dataclass
class Rule:
    rid: int
    sg: str
    proto: str
    lo: int  # destination port range; -1/-1 for icmp, gre, all
    hi: int
    net: int  # destination block as integer network + prefix length
    plen: int
    policy: str
    priority: int
    slo: int = 0  # source port range; 0/0 = no SourcePortRange
    shi: int = 0
    bare: bool = True  # write a /32 as a plain address
    pattern: str = "base"
    related: int | None = None
    description: str | None = None
    ticket: str | None = None
    comments: list[str] = field(default_factory=list)
    inline: str | None = None
    overrides: dict[str, Scalar] = field(default_factory=dict)
    mistake: str | None = None

    def api_fields(self) -> dict[str, Scalar]:
        fields: dict[str, Scalar] = {
            "SecurityGroupId": self.sg,
            "IpProtocol": self.proto,
            "PortRange": f"{self.lo}/{self.hi}",
        }
        if self.slo:
            fields["SourcePortRange"] = f"{self.slo}/{self.shi}"
        fields["DestCidrIp"] = cidr_text(self.net, self.plen, self.bare)
        fields["Policy"] = self.policy
        fields["Priority"] = self.priority
        if self.overrides:
            fields.update(self.overrides)
        return fields

    def annotations(self) -> dict[str, str]:
        notes: dict[str, str] = {}
        if self.description is not None:
            notes["x-description"] = self.description
        if self.ticket is not None:
            notes["x-ticket"] = self.ticket
        return notes


@dataclass
class Group:
    sg: str
    title: str
    rules: list[Rule]


def ip_text(n: int) -> str:
    return f"{n >> 24}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def cidr_text(net: int, plen: int, bare: bool = False) -> str:
    return ip_text(net) if plen == 32 and bare else f"{ip_text(net)}/{plen}"


def pool_floor(net: int, plen: int) -> int:
    """Shortest prefix a supernet of net/plen may have and stay in the same address pool."""
    for pnet, pplen in PRIVATE_POOLS + PUBLIC_POOLS:
        if plen >= pplen and net & MASKS[pplen] == pnet:
            return pplen
    return plen


class OverlapIndex:
    """Destination blocks per service key, answering "does this block overlap one of them?"
    in O(prefix length) set look-ups. Two CIDR blocks overlap iff one contains the other."""

    def __init__(self) -> None:
        self.exact: dict[str, set[int]] = {}
        self.covered: dict[str, set[int]] = {}

    def add(self, key: str, net: int, plen: int) -> None:
        exact = self.exact.get(key)
        if exact is None:
            exact = self.exact[key] = set()
            self.covered[key] = set()
        exact.add(plen << 32 | net)
        covered = self.covered[key]
        for q in range(plen + 1):
            covered.add(q << 32 | (net & MASKS[q]))

    def overlaps(self, key: str, net: int, plen: int) -> bool:
        exact = self.exact.get(key)
        if exact is None:
            return False
        if plen << 32 | net in self.covered[key]:
            return True  # equal to, or a supernet of, a stored block
        return any(q << 32 | (net & MASKS[q]) in exact for q in range(plen))


# --------------------------------------------------------------------------------------------
# Realistic generator
# --------------------------------------------------------------------------------------------


class _GroupState:
    def __init__(self, sg: str, index: int, env: str, role: str, has_deny: bool,
                 preferred: dict[str, tuple[list[Service], list[float]]]) -> None:
        self.sg = sg
        self.index = index
        self.env = env
        self.role = role
        self.has_deny = has_deny
        self.preferred = preferred
        self.rules: list[Rule] = []
        self.neighbourhood: list[tuple[int, int, str]] = []
        self.overlaps = OverlapIndex()
        vpc = 1 + (index // GROUPS_PER_VPC) % 254
        self.vpc = (0x0A000000 | vpc << 16, 16)


class Generator:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        # Names, descriptions and comments draw from their own stream, so that the rules are
        # the same with and without --with-comments.
        self.text = random.Random(cfg.seed * 1_000_003 + 1)
        self.next_rid = 0
        self.fallbacks = 0  # base rules that took the odd-port fallback
        self.sg_ids: set[str] = set()
        self.protocols = [p for p in PROTOCOLS if cfg.protocol_mix[p] > 0]
        self.protocol_cw = _cumulative(cfg.protocol_mix[p] for p in self.protocols)
        self.prefixes = list(cfg.cidr_sizes)
        self.prefix_cw = _cumulative(cfg.cidr_sizes.values())
        self.patterns = [p for p in PATTERNS if cfg.patterns[p] > 0]
        total = sum(cfg.patterns.values())
        self.pattern_share = [cfg.patterns[p] / total for p in self.patterns]
        self.pattern_counts = [0] * len(self.patterns)
        self.service_cw = {proto: _cumulative(s.weight for s in SERVICES[proto])
                           for proto in PROTOCOLS}
        self._catalog_keys: dict[tuple[str, int, int], list[str]] = {}

    # -- small helpers ----------------------------------------------------------------------

    def next_pattern(self) -> str:
        """The pattern furthest behind its share so far (with a little jitter), so that even a
        handful of derived rules follows the weights: 1:1 gives one of each, not two of one."""
        n = sum(self.pattern_counts) + 1
        rng = self.rng
        best = max(range(len(self.patterns)), key=lambda i: self.pattern_share[i] * n
                   - self.pattern_counts[i] + 0.5 * rng.random())
        self.pattern_counts[best] += 1
        return self.patterns[best]

    def rid(self) -> int:
        self.next_rid += 1
        return self.next_rid - 1

    def sg_id(self) -> str:
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
        while True:
            sg = "sg-" + "".join(self.rng.choices(alphabet, k=20))
            if sg not in self.sg_ids:
                self.sg_ids.add(sg)
                return sg

    def ticket(self) -> str:
        return f"{self.text.choice(TICKET_PREFIXES)}-{self.text.randint(100, 9999)}"

    def prefix(self, minimum: int = 0) -> int:
        p = self.rng.choices(self.prefixes, cum_weights=self.prefix_cw)[0]
        return max(p, minimum)

    def priority(self, low: int = 1, high: int = 100) -> int:
        """A priority in low..high (1 is the highest), mostly on the usual tiers."""
        rng = self.rng
        for _ in range(8):
            if rng.random() < 0.08:
                p = rng.choice(PRIORITY_OTHER)
            else:
                p = rng.choices(PRIORITY_TIERS, weights=PRIORITY_TIER_WEIGHTS)[0]
            if low <= p <= high:
                return p
        return rng.randint(low, high)

    def catalog_keys(self, proto: str, lo: int, hi: int) -> list[str]:
        """Keys of the catalogue services a rule with this protocol and port range overlaps."""
        cache_key = (proto, lo, hi)
        keys = self._catalog_keys.get(cache_key)
        if keys is None:
            if proto == "all":
                keys = ["all"]
            elif proto not in PORT_PROTOCOLS:
                keys = [proto]
            else:
                keys = [s.key for s in SERVICES[proto] if s.lo <= hi and lo <= s.hi]
                keys.append(f"{proto}:{lo}-{hi}")
            self._catalog_keys[cache_key] = keys
        return keys

    def remember(self, g: _GroupState, r: Rule) -> None:
        g.rules.append(r)
        idx = g.overlaps
        idx.add("*", r.net, r.plen)
        for key in self.catalog_keys(r.proto, r.lo, r.hi):
            idx.add(key, r.net, r.plen)

    def collides(self, g: _GroupState, svc: Service, net: int, plen: int) -> bool:
        idx = g.overlaps
        if svc.proto == "all":
            return idx.overlaps("*", net, plen)
        return idx.overlaps(svc.key, net, plen) or idx.overlaps("all", net, plen)

    def source_range(self, proto: str, lo: int) -> tuple[int, int]:
        rng = self.rng
        if proto == "udp" and lo == 123 and rng.random() < 0.7:
            return 123, 123  # ntpd talks from port 123
        slo, shi, _ = rng.choices(SOURCE_RANGES, weights=[w for *_, w in SOURCE_RANGES])[0]
        return slo, shi

    def new_rule(self, g: _GroupState, proto: str, lo: int, hi: int, net: int, plen: int,
                 policy: str, priority: int, pattern: str = "base", related: Rule | None = None
                 ) -> Rule:
        rng = self.rng
        r = Rule(self.rid(), g.sg, proto, lo, hi, net, plen, policy, priority, pattern=pattern,
                 related=None if related is None else related.rid,
                 bare=rng.random() < 0.7)
        if proto in PORT_PROTOCOLS and rng.random() < self.cfg.source_ports:
            r.slo, r.shi = self.source_range(proto, lo)
        return r

    # -- destinations -----------------------------------------------------------------------

    def random_block(self, pool: tuple[int, int], plen: int) -> tuple[int, int]:
        pnet, pplen = pool
        addr = pnet | self.rng.getrandbits(32 - pplen) if pplen < 32 else pnet
        return addr & MASKS[plen], plen

    def private_dest(self, g: _GroupState) -> tuple[int, int, str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.5:
            pool, label = g.vpc, f"{g.env} VPC"
        elif roll < 0.65:
            pool, label = SHARED_VPC, "shared-services VPC"
        elif roll < 0.8:
            pool, label = PRIVATE_POOLS[0], "peered VPC"
        elif roll < 0.9:
            pool, label = PRIVATE_POOLS[1], self.text.choice(OFFICES)
        else:
            pool, label = PRIVATE_POOLS[2], "IDC via VPN"
        net, plen = self.random_block(pool, self.prefix(8))
        return net, plen, label

    def public_dest(self, svc: Service) -> tuple[int, int, str]:
        rng = self.rng
        if svc.internet and rng.random() < 0.3:
            return 0, 0, "the internet"
        pool = rng.choice(PUBLIC_POOLS)
        net, plen = self.random_block(pool, self.prefix(24))
        label = self.text.choice(("partner API", "payment gateway", "vendor SFTP", "SaaS endpoint",
                            "CDN origin", "license server"))
        return net, plen, label

    def pick_service(self, g: _GroupState) -> Service:
        rng = self.rng
        proto = rng.choices(self.protocols, cum_weights=self.protocol_cw)[0]
        preferred = g.preferred.get(proto)
        if preferred is not None and rng.random() < 0.85:
            services, cw = preferred
            return rng.choices(services, cum_weights=cw)[0]
        return rng.choices(SERVICES[proto], cum_weights=self.service_cw[proto])[0]

    def pick_dest(self, g: _GroupState, svc: Service) -> tuple[int, int, str]:
        rng = self.rng
        if g.neighbourhood and rng.random() < 0.5:
            return rng.choice(g.neighbourhood)
        dest = self.public_dest(svc) if rng.random() < 0.07 else self.private_dest(g)
        if dest[1] > 0 and len(g.neighbourhood) < 40:
            g.neighbourhood.append(dest)
        return dest

    # -- base rules -------------------------------------------------------------------------

    def describe(self, r: Rule, text: str) -> None:
        rng = self.text
        if rng.random() < 0.75:
            r.description = text
        if rng.random() < 0.3:
            r.ticket = self.ticket()
        if rng.random() < 0.08:
            r.comments.append(rng.choice(RULE_COMMENTS))
        if rng.random() < 0.04:
            r.inline = rng.choice(INLINE_COMMENTS)

    def base_rule(self, g: _GroupState) -> Rule:
        rng = self.rng
        svc: Service | None = None
        net = plen = 0
        label = ""
        for _ in range(24):
            cand = self.pick_service(g)
            net, plen, label = self.pick_dest(g, cand)
            if not self.collides(g, cand, net, plen):
                svc = cand
                break
        if svc is None:
            self.fallbacks += 1
            svc, net, plen, label = self.fallback_base(g)
        policy = "accept"
        if not g.has_deny and rng.random() < 0.08:
            policy = "drop"
        priority = self.priority(high=90 if g.has_deny else 100)
        r = self.new_rule(g, svc.proto, svc.lo, svc.hi, net, plen, policy, priority)
        if self.cfg.with_comments:
            verb = "block" if policy == "drop" else ""
            text = f"{svc.label} to {label}"
            self.describe(r, f"{verb} {text}".strip() if verb else text)
        return r

    def fallback_base(self, g: _GroupState) -> tuple[Service, int, int, str]:
        """A base rule that surely misses every other: an odd port to a single host."""
        rng = self.rng
        ported = [p for p in ("tcp", "udp") if self.cfg.protocol_mix[p] > 0]
        for attempt in range(200):
            if ported:
                port = rng.randint(12000, 29999)
                svc = _svc(rng.choice(ported), port, port, 1, f"app port {port}")
            else:
                svc = rng.choices(SERVICES[rng.choices(self.protocols,
                                                       cum_weights=self.protocol_cw)[0]])[0]
            pool = (PRIVATE_POOLS + PUBLIC_POOLS)[attempt % 6]
            net, plen = self.random_block(pool, 32)
            if not self.collides(g, svc, net, plen):
                return svc, net, plen, "host"
        return svc, net, plen, "host"  # everything overlaps: give up on disjointness

    def internet_rules(self, g: _GroupState, limit: int) -> list[Rule]:
        rng = self.rng
        choices = [(s, w) for s, w in INTERNET_SERVICES if self.cfg.protocol_mix[s.proto] > 0]
        if not choices or limit <= 0 or rng.random() >= self.cfg.internet:
            return []
        count = min(limit, rng.choice((1, 1, 2, 2, 3)), len(choices))
        picked: list[Service] = []
        while len(picked) < count:
            svc = rng.choices([s for s, _ in choices], weights=[w for _, w in choices])[0]
            if svc not in picked:
                picked.append(svc)
        rules = []
        for svc in picked:
            r = self.new_rule(g, svc.proto, svc.lo, svc.hi, 0, 0, "accept",
                              self.priority(high=90 if g.has_deny else 100), pattern="internet")
            if self.cfg.with_comments:
                self.describe(r, f"{svc.label} to the internet")
            rules.append(r)
        return rules

    def deny_all(self, g: _GroupState) -> Rule:
        r = Rule(self.rid(), g.sg, "all", -1, -1, 0, 0, "drop", 100, pattern="deny-all")
        if self.cfg.with_comments:
            r.description = "default deny - keep this rule last"
            r.comments.append("Priority 100 is evaluated last; everything above wins over it.")
        return r

    # -- derived (overlapping) rules --------------------------------------------------------

    def subnet(self, net: int, plen: int, g: _GroupState, max_extra: int = 8) -> tuple[int, int]:
        if plen == 0:  # anything is inside 0.0.0.0/0
            dnet, dplen, _ = self.private_dest(g)
            return dnet, dplen
        if plen >= 32:
            return net, 32
        rng = self.rng
        new = 32 if rng.random() < 0.3 else rng.randint(plen + 1, min(32, plen + max_extra))
        return net | (rng.getrandbits(new - plen) << (32 - new)), new

    def supernet(self, net: int, plen: int) -> tuple[int, int]:
        floor = pool_floor(net, plen)
        if plen <= floor:
            return net, plen
        new = self.rng.randint(max(floor, plen - 8), plen - 1)
        return net & MASKS[new], new

    def nested_dest(self, r: Rule, g: _GroupState) -> tuple[int, int]:
        if r.plen == 32 or (r.plen > pool_floor(r.net, r.plen) and self.rng.random() < 0.3):
            sup = self.supernet(r.net, r.plen)
            if sup[1] != r.plen:
                return sup
        return self.subnet(r.net, r.plen, g)

    def inner_dest(self, r: Rule, g: _GroupState) -> tuple[int, int]:
        """Same block (40%) or a subnet of it."""
        if self.rng.random() < 0.4:
            return r.net, r.plen
        return self.subnet(r.net, r.plen, g)

    def sub_ports(self, lo: int, hi: int) -> tuple[int, int]:
        if lo == hi or lo < 0:
            return lo, hi
        rng = self.rng
        if rng.random() < 0.5:
            p = rng.randint(lo, hi)
            return p, p
        a, b = sorted((rng.randint(lo, hi), rng.randint(lo, hi)))
        return a, b

    def crossing_ports(self, lo: int, hi: int) -> tuple[int, int]:
        """A range that overlaps lo..hi without containing it or being inside it (when
        lo..hi is a single port: a range around it)."""
        rng = self.rng
        width = max(10, (hi - lo) // 2)
        if lo == hi:
            return max(1, lo - rng.randint(1, width)), min(65535, hi + rng.randint(1, width))
        left_ok, right_ok = lo > 1, hi < 65535
        if left_ok and (not right_ok or rng.random() < 0.5):
            return max(1, lo - rng.randint(1, width)), rng.randint(lo, hi - 1)
        if right_ok:
            return rng.randint(lo + 1, hi), min(65535, hi + rng.randint(1, width))
        return lo, hi

    def derived(self, g: _GroupState, pattern: str) -> list[Rule]:
        rng = self.rng
        r = rng.choice(g.rules)
        ported = r.proto in PORT_PROTOCOLS
        if pattern in ("ports", "source") and not ported:
            pattern = "nested"
        opposite = "drop" if r.policy == "accept" else "accept"
        out: list[Rule] = []
        note = ""
        if pattern == "nested":
            net, plen = self.nested_dest(r, g)
            policy = r.policy if rng.random() < 0.6 else opposite
            out.append(self.new_rule(g, r.proto, r.lo, r.hi, net, plen, policy,
                                     self.priority(), pattern, r))
            note = f"{'narrower' if plen > r.plen else 'wider'} copy of an existing rule"
        elif pattern == "ports":
            lo, hi = self.crossing_ports(r.lo, r.hi)
            net, plen = (r.net, r.plen) if rng.random() < 0.5 else self.nested_dest(r, g)
            policy = r.policy if rng.random() < 0.6 else opposite
            out.append(self.new_rule(g, r.proto, lo, hi, net, plen, policy, self.priority(),
                                     pattern, r))
            note = f"ports {lo}-{hi} for the new release"
        elif pattern == "exception":
            out.extend(self.exception_then_deny(g, r))
        elif pattern == "duplicate":
            dup = Rule(self.rid(), g.sg, r.proto, r.lo, r.hi, r.net, r.plen, r.policy,
                       r.priority, r.slo, r.shi, bare=r.bare, pattern=pattern, related=r.rid)
            if r.plen == 32 and rng.random() < 0.25:
                dup.bare = not r.bare  # a.b.c.d vs a.b.c.d/32: same rule, different text
            out.append(dup)
            note = self.text.choice(("copied from the staging group during the migration",
                               "re-added after the rollback", "same as above, for the new hosts"))
        elif pattern == "shadowed":
            out.append(self.shadowed(g, r, opposite))
            note = self.text.choice(("temporary debug access", "old rule, kept for safety",
                               f"hotfix for {self.ticket()}"))
        elif pattern == "conflict":
            net, plen = self.inner_dest(r, g) if rng.random() < 0.7 else self.nested_dest(r, g)
            lo, hi = (r.lo, r.hi) if not ported or rng.random() < 0.5 else self.crossing_ports(
                r.lo, r.hi)
            out.append(self.new_rule(g, r.proto, lo, hi, net, plen, opposite, r.priority,
                                     pattern, r))
            note = f"{'block' if opposite == 'drop' else 'allow'} requested in {self.ticket()}"
        elif pattern == "all":
            # Not over all of 0.0.0.0/0: that is a second deny-all (or allow-all), not an overlap.
            net, plen = self.inner_dest(r, g) if r.plen > 0 else self.subnet(r.net, r.plen, g)
            policy = opposite if rng.random() < 0.7 else r.policy
            out.append(self.new_rule(g, "all", -1, -1, net, plen, policy, self.priority(),
                                     pattern, r))
            note = f"{'block' if policy == 'drop' else 'allow'} everything to this block"
        else:  # source
            new = self.new_rule(g, r.proto, r.lo, r.hi, r.net, r.plen, r.policy, r.priority,
                                pattern, r)
            new.bare = r.bare
            if r.slo == 0:
                new.slo, new.shi = self.source_range(r.proto, r.lo)
            elif rng.random() < 0.5:
                new.slo = new.shi = 0
            else:
                new.slo, new.shi = self.crossing_ports(r.slo, r.shi)
            out.append(new)
            note = "pin the source ports"
        if self.cfg.with_comments:
            for new in out:
                if note and new.description is None:
                    self.describe(new, note)
        return out

    def shadowed(self, g: _GroupState, r: Rule, opposite: str) -> Rule:
        """A rule inside `r` that never decides anything: `r` is evaluated first."""
        rng = self.rng
        net, plen = self.inner_dest(r, g)
        if r.proto == "all":
            svc = self.pick_service(g)
            proto, lo, hi = svc.proto, svc.lo, svc.hi
        else:
            proto, (lo, hi) = r.proto, self.sub_ports(r.lo, r.hi)
        policy = r.policy if rng.random() < 0.5 else opposite
        # Same policy: any priority >= r's. Opposite policy: strictly lower, or equal when r
        # drops (drop wins a tie).
        low = r.priority if (policy == r.policy or r.policy == "drop") else r.priority + 1
        if low > 100:
            policy, low = r.policy, r.priority
        new = self.new_rule(g, proto, lo, hi, net, plen, policy, self.priority(low=low),
                            "shadowed", r)
        if r.slo:  # stay inside r's source ports too
            new.slo, new.shi = self.sub_ports(r.slo, r.shi) if proto in PORT_PROTOCOLS else (0, 0)
        return new

    def exception_then_deny(self, g: _GroupState, r: Rule) -> list[Rule]:
        rng = self.rng
        if r.plen == 32:
            enet, eplen = r.net, 32
        else:
            enet, eplen = self.subnet(r.net, r.plen, g, max_extra=32)
        elo, ehi = self.sub_ports(r.lo, r.hi)
        eprio = self.priority(high=50)
        exception = self.new_rule(g, r.proto, elo, ehi, enet, eplen, "accept", eprio,
                                  "exception", r)
        dnet, dplen = (r.net, r.plen) if rng.random() < 0.6 else self.supernet(r.net, r.plen)
        roll = rng.random()
        if roll < 0.4 or r.proto not in PORT_PROTOCOLS or dplen == 0:
            dproto, dlo, dhi = r.proto, r.lo, r.hi
        elif roll < 0.8:
            dproto, dlo, dhi = r.proto, 1, 65535
        else:
            dproto, dlo, dhi = "all", -1, -1
        # A tenth of the time the deny lands on the exception's priority: drop wins the tie,
        # so the exception is dead (a classic finding).
        dprio = eprio if rng.random() < 0.1 else self.priority(low=min(100, eprio + 1))
        deny = self.new_rule(g, dproto, dlo, dhi, dnet, dplen, "drop", dprio, "exception-deny",
                             exception)
        deny.slo = deny.shi = 0
        if self.cfg.with_comments:
            host = cidr_text(enet, eplen, True)
            self.describe(exception, f"exception: allow {host} ({self.ticket()})")
            self.describe(deny, "deny the rest of the block")
        return [exception, deny]

    # -- groups -----------------------------------------------------------------------------

    def group_sizes(self) -> list[int]:
        cfg = self.cfg
        if cfg.rules is None:
            assert cfg.rules_per_group is not None
            return [cfg.rules_per_group] * cfg.groups
        j = cfg.size_jitter
        weights = [self.rng.uniform(1 - j, 1 + j) for _ in range(cfg.groups)]
        total = sum(weights)
        spare = cfg.rules - cfg.groups  # every group gets one rule first
        sizes = [1 + int(spare * w / total) for w in weights]
        order = sorted(range(cfg.groups), key=lambda i: -weights[i])
        for i in range(cfg.rules - sum(sizes)):
            sizes[order[i % cfg.groups]] += 1
        return sizes

    def preferred_services(self) -> dict[str, tuple[list[Service], list[float]]]:
        rng = self.rng
        out: dict[str, tuple[list[Service], list[float]]] = {}
        for proto, k in (("tcp", rng.randint(4, 10)), ("udp", rng.randint(2, 5))):
            services = list(SERVICES[proto])
            picked: list[Service] = []
            while len(picked) < k:
                svc = rng.choices(services, weights=[s.weight for s in services])[0]
                services.remove(svc)
                picked.append(svc)
            out[proto] = (picked, _cumulative(s.weight for s in picked))
        return out

    def group(self, index: int, size: int) -> Group:
        cfg, rng = self.cfg, self.rng
        env, role = self.text.choice(ENVS), self.text.choice(ROLES)
        has_deny = size >= 2 and rng.random() < cfg.deny_all
        g = _GroupState(self.sg_id(), index, env, role, has_deny, self.preferred_services())
        slots = size - int(has_deny)
        target = min(round(cfg.overlap * slots), slots - 1) if self.patterns else 0
        for r in self.internet_rules(g, slots - target):
            self.remember(g, r)
        made = 0
        while len(g.rules) < slots:
            left = slots - len(g.rules)
            if g.rules and made < target and rng.random() * left < target - made:
                pattern = self.next_pattern()
                new = self.derived(g, pattern)[:left]
                made += len(new)
                for r in new:
                    self.remember(g, r)
            else:
                self.remember(g, self.base_rule(g))
        rules = g.rules
        if rng.random() < 0.7:  # most teams keep a group roughly in priority order
            rules = sorted(rules, key=lambda r: r.priority)
        if has_deny:
            rules.append(self.deny_all(g))
        return Group(g.sg, f"{env}/{role}", rules)

    def generate(self) -> list[Group]:
        groups = [self.group(i, n) for i, n in enumerate(self.group_sizes())]
        if self.cfg.with_comments:
            self.commented_out(groups)
        return groups

    def commented_out(self, groups: list[Group]) -> None:
        """Now and then a rule someone disabled by commenting it out (YAML only)."""
        rng = self.text
        for group in groups:
            for r in group.rules:
                if rng.random() < 0.01 and r.pattern == "base":
                    fields = r.api_fields()
                    fields.pop("SourcePortRange", None)
                    fields.update(IpProtocol="tcp", PortRange="22/22", Priority=1)
                    r.comments.append(f"SSH disabled until {self.ticket()} is approved:")
                    r.comments.extend(yaml_rule_lines(fields, {}, "- ", "  "))


def _cumulative(weights: Any) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += float(w)
        out.append(total)
    return out


# --------------------------------------------------------------------------------------------
# Adversarial generator
# --------------------------------------------------------------------------------------------


def adversarial_groups(cfg: Config) -> list[Group]:
    """Rules that all overlap pairwise and fragment naive box subtraction.

    Every rule of a group contains one common point (destination address, destination port,
    source port), which is what "all overlap each other" takes (Helly). Around that point
    each range reaches out by its own log-uniform distance on each side, so the boxes cross
    one another instead of nesting. Priorities follow the boxes' sizes: the smallest boxes
    come first (priority 1), the largest last (100), two rules per priority with 200 rules.
    Subtracting the higher-priority boxes from every rule box by box (split each live piece
    into up to 6 around the subtrahend, no merging) then cuts many live pieces at every step:
    with the preset (seeds 1-3) that took ~2.3M piece-box subtractions with a peak of ~700
    live pieces, against ~73k and ~105 for the same boxes at shuffled priorities, and ~250k
    for boxes of random thin/wide shapes. Policies are random, so equal priorities with
    opposite policies (drop wins) occur too; the rules are written in shuffled order."""
    rng = random.Random(cfg.seed)
    gen = Generator(cfg)  # for ids only
    gen.rng = rng
    main = "tcp" if cfg.protocol_mix["tcp"] > 0 else "udp"
    share_all = cfg.protocol_mix["all"] / (cfg.protocol_mix["all"] + cfg.protocol_mix[main])
    prefixes, prefix_cw = list(cfg.cidr_sizes), _cumulative(cfg.cidr_sizes.values())
    sizes = [cfg.rules_per_group or 0] * cfg.groups
    if cfg.rules is not None:
        sizes = [cfg.rules // cfg.groups + (i < cfg.rules % cfg.groups) for i in range(cfg.groups)]

    def around(point: int) -> tuple[int, int]:
        """A port range holding `point`, reaching 2**u - 1 ports out on each side, u uniform."""
        left = int(2 ** rng.uniform(0, 16)) - 1
        right = int(2 ** rng.uniform(0, 16)) - 1
        return max(1, point - left), min(65535, point + right)

    groups = []
    for size in sizes:
        sg = gen.sg_id()
        point = 0x0A000000 | rng.getrandbits(24)
        dport, sport = rng.randint(20000, 45000), rng.randint(30000, 60000)
        boxes: list[tuple[float, Rule]] = []
        for _ in range(size):
            plen = rng.choices(prefixes, cum_weights=prefix_cw)[0]
            proto = "all" if rng.random() < share_all else main
            lo, hi = around(dport) if proto != "all" else (-1, -1)
            r = Rule(gen.rid(), sg, proto, lo, hi, point & MASKS[plen], plen,
                     rng.choice(("accept", "drop")), 1, pattern="adversarial",
                     bare=rng.random() < 0.5)
            if proto != "all" and rng.random() < cfg.source_ports:
                r.slo, r.shi = around(sport)
            dwidth = 65535 if proto == "all" else hi - lo + 1
            swidth = r.shi - r.slo + 1 if r.slo else 65535
            boxes.append((32 - plen + math.log2(dwidth) + math.log2(swidth), r))
        boxes.sort(key=lambda pair: pair[0])
        rules = []
        for rank, (_, r) in enumerate(boxes):
            r.priority = 1 + rank * 100 // size
            if cfg.with_comments:
                r.description = f"adversarial box {rank + 1} of {size} by size"
            rules.append(r)
        rng.shuffle(rules)
        groups.append(Group(sg, f"adversarial: {size} pairwise-overlapping rules "
                            f"around {ip_text(point)} port {dport} from port {sport}", rules))
    return groups


# --------------------------------------------------------------------------------------------
# Mistakes and defaults
# --------------------------------------------------------------------------------------------


def inject_mistakes(groups: list[Group], count: int, rng: random.Random) -> None:
    """Turn `count` base rules into realistic mistakes, each of a different kind if possible."""
    related = {r.related for g in groups for r in g.rules}
    # Leave alone the rules a derived rule was made from: an invalid rule would hide the
    # finding (duplicate, shadowed, ...) the derived rule is there to produce.
    candidates = [r for g in groups for r in g.rules
                  if r.pattern == "base" and r.rid not in related]
    kinds = list(MISTAKES)
    rng.shuffle(kinds)
    done = attempts = 0
    while done < count and candidates and attempts < 100:
        attempts += 1
        kind = kinds.pop()
        if not kinds:
            kinds = list(MISTAKES)
        for r in rng.sample(candidates, len(candidates)):
            if _apply_mistake(r, kind, rng):
                r.mistake = kind
                candidates.remove(r)
                done += 1
                break


def _apply_mistake(r: Rule, kind: str, rng: random.Random) -> bool:
    ported = r.proto in PORT_PROTOCOLS
    if kind == "host-bits" and 8 <= r.plen < 32:
        host = rng.randint(1, (1 << (32 - r.plen)) - 1)  # pasted a host with the subnet mask
        r.overrides["DestCidrIp"] = f"{ip_text(r.net | host)}/{r.plen}"
    elif kind == "port-dash" and ported and r.lo < r.hi:
        r.overrides["PortRange"] = f"{r.lo}-{r.hi}"
    elif kind == "single-port" and ported and r.lo == r.hi:
        r.overrides["PortRange"] = str(r.lo)
    elif kind == "ports-minus-one" and ported:
        r.overrides["PortRange"] = "-1/-1"  # meant "every port"
    elif kind == "all-with-ports" and r.proto == "all":
        r.overrides["PortRange"] = "1/65535"
    elif kind == "reversed-ports" and ported and r.lo < r.hi:
        r.overrides["PortRange"] = f"{r.hi}/{r.lo}"
    elif kind == "priority-zero":
        r.overrides["Priority"] = 0  # "0 is the highest", it is not
    elif kind == "policy-allow":
        r.overrides["Policy"] = "allow"
    else:
        return False
    return True


def hoist_defaults(groups: list[Group]) -> dict[str, Scalar]:
    """Fields whose most common value covers at least half the rules, for `defaults:`."""
    rules = [r.api_fields() for g in groups for r in g.rules]
    defaults: dict[str, Scalar] = {}
    names = ["Policy", "Priority"] + (["SecurityGroupId"] if len(groups) == 1 else [])
    for name in names:
        counts = Counter(f[name] for f in rules if name in f)
        if counts:
            value, n = counts.most_common(1)[0]
            if 2 * n >= len(rules):
                defaults[name] = value
    return defaults


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_CIDR_TEXT = re.compile(r"\d+\.\d+\.\d+\.\d+(/\d+)?\Z")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
_QUOTED_FIELDS = frozenset({"PortRange", "SourcePortRange"})


def yaml_scalar(name: str, value: Scalar) -> str:
    if isinstance(value, int):
        return str(value)
    if name in _QUOTED_FIELDS:
        return f'"{value}"'
    if (_PLAIN_SAFE.match(value) and value.lower() not in _YAML_WORDS) or (
            name == "DestCidrIp" and _CIDR_TEXT.match(value)):
        return value
    return json.dumps(value, ensure_ascii=False)


def yaml_rule_lines(fields: Mapping[str, Scalar], notes: Mapping[str, str], first: str,
                    rest: str) -> list[str]:
    lines = []
    prefix = first
    for name, value in fields.items():
        lines.append(f"{prefix}{name}: {yaml_scalar(name, value)}")
        prefix = rest
    for name, note in notes.items():
        lines.append(f"{prefix}{name}: {yaml_scalar(name, note)}")
    return lines


def visible_fields(r: Rule, defaults: Mapping[str, Scalar]) -> dict[str, Scalar]:
    fields = r.api_fields()
    for name, value in defaults.items():
        if fields.get(name) == value:
            del fields[name]
    return fields


def render_yaml(groups: Sequence[Group], defaults: Mapping[str, Scalar], header: str,
                with_comments: bool) -> str:
    out = [f"# {header}"]
    if with_comments:
        out.append("# Egress rules for the ENS edge security groups. Lower Priority wins; on a")
        out.append("# tie, drop wins. Keep each group's default deny last.")
    if defaults:
        out.append("defaults:")
        out.extend(f"  {k}: {yaml_scalar(k, v)}" for k, v in defaults.items())
    out.append("rules:")
    for g in groups:
        if with_comments:
            out.append("")
            out.append(f"  # ---- {g.sg} ({g.title}, {len(g.rules)} rules) ----")
        for r in g.rules:
            fields = visible_fields(r, defaults)
            if with_comments:
                out.extend(f"  # {c}" for c in r.comments)
                lines = yaml_rule_lines(fields, {}, "  - ", "    ")
                if r.inline is not None and "Priority" in fields:
                    lines[-1] += f"  # {r.inline}"  # Priority is the last API field
                out.extend(lines)
                notes = r.annotations()
                out.extend(f"    {k}: {yaml_scalar(k, v)}" for k, v in notes.items())
            else:
                out.extend(yaml_rule_lines(fields, {}, "  - ", "    "))
    out.append("")
    return "\n".join(out)


def render_json(groups: Sequence[Group], defaults: Mapping[str, Scalar],
                with_comments: bool) -> dict[str, Any]:
    rules: list[dict[str, Scalar]] = []
    for g in groups:
        for r in g.rules:
            fields = visible_fields(r, defaults)
            if with_comments:
                fields.update(r.annotations())
            rules.append(fields)
    doc: dict[str, Any] = {}
    if defaults:
        doc["defaults"] = dict(defaults)
    doc["rules"] = rules
    return doc


def manifest(groups: Sequence[Group], cfg: Config) -> dict[str, Any]:
    index: dict[int, int] = {}
    flat = [r for g in groups for r in g.rules]
    for i, r in enumerate(flat):
        index[r.rid] = i
    derived = [
        {"index": index[r.rid], "group": r.sg, "pattern": r.pattern,
         "related": None if r.related is None else index.get(r.related)}
        for r in flat if r.pattern not in ("base", "internet", "deny-all", "adversarial")
    ]
    mistakes = [{"index": index[r.rid], "group": r.sg, "kind": r.mistake}
                for r in flat if r.mistake is not None]
    return {
        "config": dict(vars(cfg)),
        "counts": dict(Counter(r.pattern for r in flat)),
        "rules": len(flat),
        "groups": len(groups),
        "with_source_port_range": sum(1 for r in flat if r.slo),
        "protocols": dict(Counter(r.proto for r in flat)),
        "derived": derived,
        "mistakes": mistakes,
    }


@dataclass
class Result:
    groups: list[Group]
    defaults: dict[str, Scalar]
    text: str
    seconds_generate: float
    seconds_render: float


def header(cfg: Config) -> str:
    what = f"preset {cfg.preset}" if cfg.preset else f"{cfg.mode} mode"
    return (f"Generated by benchmarks/generate.py ({what}, seed {cfg.seed}): "
            f"{cfg.total_rules()} rules in {cfg.groups} groups.")


def generate(cfg: Config, fmt: str) -> Result:
    start = time.perf_counter()
    adversarial = cfg.mode == "adversarial"
    groups = adversarial_groups(cfg) if adversarial else Generator(cfg).generate()
    if cfg.mistakes:
        inject_mistakes(groups, cfg.mistakes, random.Random(cfg.seed * 7919 + 17))
    defaults = hoist_defaults(groups) if cfg.hoist_defaults else {}
    middle = time.perf_counter()
    if fmt == "json":
        text = json.dumps(render_json(groups, defaults, cfg.with_comments), indent=2,
                          ensure_ascii=False) + "\n"
    else:
        text = render_yaml(groups, defaults, header(cfg), cfg.with_comments)
    return Result(groups, defaults, text, middle - start, time.perf_counter() - middle)


# --------------------------------------------------------------------------------------------
# Validation (used by --check; mirrors the rule file format, not egresslint's code)
# --------------------------------------------------------------------------------------------

_SG = re.compile(r"sg-[a-z0-9]+\Z")
_PORTS = re.compile(r"(-1/-1)\Z|([1-9][0-9]{0,4})/([1-9][0-9]{0,4})\Z")


def rule_errors(raw: Mapping[str, Any], defaults: Mapping[str, Any]) -> list[str]:
    rule = {**IMPLICIT_DEFAULTS, **defaults, **raw}
    errors = [f"missing {k}" for k in REQUIRED_FIELDS if k not in rule]
    errors += [f"unknown field {k}" for k in rule if k not in API_FIELDS and
               not str(k).startswith("x-")]
    if errors:
        return errors
    if not isinstance(rule["SecurityGroupId"], str) or not _SG.match(rule["SecurityGroupId"]):
        errors.append(f"bad SecurityGroupId {rule['SecurityGroupId']!r}")
    proto = rule["IpProtocol"]
    if proto not in PROTOCOLS:
        errors.append(f"bad IpProtocol {proto!r}")
    for name in ("PortRange", "SourcePortRange"):
        if name in rule:
            error = _port_error(rule[name], proto)
            if error:
                errors.append(f"{name}: {error}")
    try:
        if not isinstance(rule["DestCidrIp"], str):
            raise ValueError("not a string")
        ipaddress.IPv4Network(rule["DestCidrIp"], strict=True)
    except ValueError as exc:
        errors.append(f"bad DestCidrIp {rule['DestCidrIp']!r}: {exc}")
    if rule["Policy"] not in ("accept", "drop"):
        errors.append(f"bad Policy {rule['Policy']!r}")
    prio = rule["Priority"]
    if not isinstance(prio, int) or isinstance(prio, bool) or not 1 <= prio <= 100:
        errors.append(f"bad Priority {prio!r}")
    return errors


def _port_error(value: Any, proto: Any) -> str | None:
    match = _PORTS.match(value) if isinstance(value, str) else None
    if match is None:
        return f"{value!r} is not start/end"
    if proto not in PORT_PROTOCOLS:
        return None if match.group(1) else f"{value!r} must be -1/-1 for {proto}"
    if match.group(1):
        return f"-1/-1 is not valid for {proto}"
    lo, hi = int(match.group(2)), int(match.group(3))
    if not (1 <= lo <= hi <= 65535):
        return f"{value!r} is not 1 <= start <= end <= 65535"
    return None


def file_errors(doc: Any) -> list[str]:
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        return ["not a mapping with a rules list"]
    defaults = doc.get("defaults") or {}
    return [f"rule {i}: {e}" for i, raw in enumerate(doc["rules"])
            for e in (rule_errors(raw, defaults) if isinstance(raw, dict) else ["not a mapping"])]


def _box(rule: Mapping[str, Any]) -> tuple[str, int, int, int, int, int, int]:
    net = ipaddress.IPv4Network(rule["DestCidrIp"])
    proto = rule["IpProtocol"]
    lo, hi = (int(x) for x in str(rule["PortRange"]).split("/"))
    if lo < 0:
        lo, hi = 1, 65535
    slo, shi = (int(x) for x in str(rule.get("SourcePortRange", "1/65535")).split("/"))
    return (proto, int(net.network_address), int(net.broadcast_address), lo, hi, slo, shi)


def boxes_overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    pa, fa, la, loa, hia, sla, sha = _box(a)
    pb, fb, lb, lob, hib, slb, shb = _box(b)
    if pa != pb and "all" not in (pa, pb):
        return False
    both_ported = pa in PORT_PROTOCOLS and pb in PORT_PROTOCOLS
    return (fa <= lb and fb <= la and (not both_ported or (
        loa <= hib and lob <= hia and sla <= shb and slb <= sha)))


def self_check() -> int:
    import yaml  # only the self-check needs PyYAML

    failures: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            failures.append(message)

    for services in SERVICES.values():
        for i, a in enumerate(services):
            for b in services[i + 1:]:
                expect(a.hi < b.lo or b.hi < a.lo, f"catalogue overlap: {a.key} and {b.key}")

    cases: list[tuple[str, dict[str, Any]]] = [
        ("precommit", {}),
        ("realistic-10k", {"rules": 3000, "groups": 30, "with_comments": True}),
        ("realistic-10k", {"rules": 3000, "groups": 30, "overlap": 0.6}),
        ("realistic-10k", {"rules_per_group": 40, "rules": None, "groups": 5,
                           "protocol_mix": "icmp=1,all=1", "overlap": 0.3, "internet": 0.0}),
        ("adversarial", {}),
        ("adversarial", {"with_comments": True, "rules": 60, "groups": 3}),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n, (preset, extra) in enumerate(cases):
            values = {**GLOBAL_DEFAULTS, **PRESETS[preset], **extra, "preset": preset}
            cfg = build_config(values)
            docs = {}
            for fmt in ("yaml", "json"):
                result = generate(cfg, fmt)
                again = generate(cfg, fmt)
                expect(result.text == again.text, f"{preset}/{n} {fmt}: not deterministic")
                path = Path(tmp) / f"{n}-{preset}.{fmt}"
                path.write_text(result.text, encoding="utf-8")
                try:
                    with path.open(encoding="utf-8") as fh:
                        docs[fmt] = yaml.safe_load(fh) if fmt == "yaml" else json.load(fh)
                except (yaml.YAMLError, ValueError) as exc:
                    expect(False, f"{preset}/{n} {fmt}: does not parse: {exc}")
                    continue
                errors = file_errors(docs[fmt])
                expect(len(errors) == cfg.mistakes,
                       f"{preset}/{n} {fmt}: {len(errors)} invalid values, expected "
                       f"{cfg.mistakes}: {errors[:5]}")
                count = sum(len(g.rules) for g in result.groups)
                expect(count == cfg.total_rules(),
                       f"{preset}/{n}: {count} rules, expected {cfg.total_rules()}")
                expect(len(docs[fmt]["rules"]) == count, f"{preset}/{n} {fmt}: rule count")
            if len(docs) < 2:
                continue
            expect(docs["yaml"] == docs["json"], f"{preset}/{n}: YAML and JSON differ")
            rules = docs["json"]["rules"]
            defaults = docs["json"].get("defaults", {})
            full = [{**IMPLICIT_DEFAULTS, **defaults, **r} for r in rules]
            if cfg.mode == "adversarial":
                by_group: dict[str, list[dict[str, Any]]] = {}
                for r in full:
                    by_group.setdefault(r["SecurityGroupId"], []).append(r)
                for group_rules in by_group.values():
                    bad = sum(1 for i, a in enumerate(group_rules) for b in group_rules[i + 1:]
                              if not boxes_overlap(a, b))
                    expect(bad == 0, f"{preset}/{n}: {bad} adversarial pairs do not overlap")
            elif cfg.mistakes == 0:
                pattern_of = [r.pattern for g in result.groups for r in g.rules]
                overlapping_base = 0
                groups_seen: dict[str, list[int]] = {}
                for i, r in enumerate(full):
                    groups_seen.setdefault(r["SecurityGroupId"], []).append(i)
                for members in groups_seen.values():
                    base = [i for i in members if pattern_of[i] in ("base", "internet")]
                    overlapping_base += sum(1 for k, i in enumerate(base) for j in base[k + 1:]
                                            if boxes_overlap(full[i], full[j]))
                expect(overlapping_base == 0,
                       f"{preset}/{n}: {overlapping_base} pairs of base rules overlap")
                if cfg.overlap > 0:
                    expect("duplicate" in pattern_of, f"{preset}/{n}: no duplicates")
    plain_cfg = build_config({**GLOBAL_DEFAULTS, **PRESETS["realistic-10k"], "rules": 2000,
                              "groups": 20})
    commented_cfg = build_config({**GLOBAL_DEFAULTS, **PRESETS["realistic-10k"], "rules": 2000,
                                  "groups": 20, "with_comments": True})
    plain = json.loads(generate(plain_cfg, "json").text)["rules"]
    commented = [{k: v for k, v in r.items() if not k.startswith("x-")}
                 for r in json.loads(generate(commented_cfg, "json").text)["rules"]]
    expect(plain == commented, "--with-comments changes the rules, not only the comments")
    if failures:
        for message in failures:
            print(f"FAIL {message}", file=sys.stderr)
        return 1
    print(f"check OK ({len(cases)} configurations, YAML and JSON)", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="generate.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", choices=sorted(PRESETS), help="start from a preset")
    p.add_argument("--mode", choices=("realistic", "adversarial"),
                   help="generator (default: realistic; the adversarial preset sets it)")
    p.add_argument("--groups", type=int, metavar="N", help="security groups (default 10)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--rules-per-group", type=int, metavar="N",
                      help="rules in every group (default 20)")
    size.add_argument("--rules", type=int, metavar="N",
                      help="rules in total, spread unevenly over the groups (--size-jitter)")
    p.add_argument("--overlap", type=float, metavar="DENSITY",
                   help="0..1: share of each group's rules that overlap an earlier rule "
                   "(default 0.2)")
    p.add_argument("--patterns", metavar="WEIGHTS",
                   help=f"overlap pattern weights (default {DEFAULT_PATTERNS})")
    p.add_argument("--cidr-sizes", metavar="DIST",
                   help=f"prefix lengths: '24', '16-32' or 'P:W,...' "
                   f"(default {DEFAULT_CIDR_SIZES})")
    p.add_argument("--protocol-mix", metavar="WEIGHTS",
                   help=f"protocol weights (default {DEFAULT_PROTOCOL_MIX})")
    p.add_argument("--source-ports", type=float, metavar="FRACTION",
                   help="share of tcp/udp rules with a SourcePortRange (default 0.05)")
    p.add_argument("--deny-all", type=float, metavar="FRACTION",
                   help="share of groups ending in a deny-all rule (default 0.6)")
    p.add_argument("--internet", type=float, metavar="FRACTION",
                   help="share of groups opening https/dns/ntp to 0.0.0.0/0 (default 0.5)")
    p.add_argument("--size-jitter", type=float, metavar="J",
                   help="with --rules: group sizes vary by +-J around the mean (default 0.5)")
    p.add_argument("--mistakes", type=int, metavar="N",
                   help="inject N invalid values (default 0; precommit: 2)")
    p.add_argument("--with-comments", action=argparse.BooleanOptionalAction, default=None,
                   help="YAML comments and x-description / x-ticket annotations")
    p.add_argument("--hoist-defaults", action=argparse.BooleanOptionalAction, default=None,
                   help="move the most common Policy / Priority into `defaults:`")
    p.add_argument("--format", choices=("yaml", "json"),
                   help="output format (default: from --out's suffix, else yaml)")
    p.add_argument("--out", metavar="PATH", default="-", help="output file (default stdout)")
    p.add_argument("--manifest", metavar="PATH",
                   help="also write a JSON manifest of derived rules and mistakes")
    p.add_argument("--seed", type=int, help="random seed (default 1)")
    p.add_argument("--check", action="store_true", help="run the self-check and exit")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    return p


_OPTION_KEYS: Final = ("mode", "groups", "rules_per_group", "rules", "overlap", "patterns",
                       "cidr_sizes", "protocol_mix", "source_ports", "deny_all", "internet",
                       "size_jitter", "mistakes", "with_comments", "hoist_defaults", "seed")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.check:
        return self_check()
    explicit = {k: getattr(args, k) for k in _OPTION_KEYS if getattr(args, k) is not None}
    preset = dict(PRESETS[args.preset]) if args.preset else {}
    if "rules" in explicit or "rules_per_group" in explicit:
        preset.pop("rules", None)
        preset.pop("rules_per_group", None)
        explicit.setdefault("rules", None)
        explicit.setdefault("rules_per_group", None)
    try:
        cfg = build_config({**GLOBAL_DEFAULTS, **preset, **explicit, "preset": args.preset})
    except ValueError as exc:
        print(f"generate.py: error: {exc}", file=sys.stderr)
        return 2
    out: str = args.out
    fmt: str = args.format or ("json" if out.endswith(".json") else "yaml")
    result = generate(cfg, fmt)
    start = time.perf_counter()
    if out == "-":
        sys.stdout.write(result.text)
    else:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.text, encoding="utf-8")
    if args.manifest:
        mpath = Path(args.manifest)
        mpath.parent.mkdir(parents=True, exist_ok=True)
        mpath.write_text(json.dumps(manifest(result.groups, cfg), indent=1) + "\n",
                         encoding="utf-8")
    written = time.perf_counter() - start
    if not args.quiet:
        flat = [r for g in result.groups for r in g.rules]
        counts = Counter(r.pattern for r in flat)
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        size_bytes = len(result.text.encode("utf-8"))
        print(f"{len(flat)} rules in {len(result.groups)} groups ({summary}; "
              f"{sum(1 for r in flat if r.mistake)} mistakes) -> {out} [{fmt}, "
              f"{size_bytes / 1e6:.2f} MB] generate {result.seconds_generate:.2f}s, "
              f"render {result.seconds_render:.2f}s, write {written:.2f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
