#!/usr/bin/env python3
"""Time the real `egresslint` command line on generated rule sets, beside the parse floor.

Each scenario runs the installed console script as a subprocess several times (after one
discarded warm-up run) and records the median wall time, CPU time (user + system) and peak
resident memory of the child, from `os.wait4`. In the same session it measures the parse
floor of the same file in a fresh interpreter: PyYAML's C `compose` with the garbage collector
paused for YAML, `json.load` for JSON. Ratios are taken against that floor, so they hold on a
slower or busier machine too.

Data sets come from benchmarks/generate.py (deterministic for a given seed) and are cached in
`--data` (regenerated when generate.py changes).

    python benchmarks/run.py --all > benchmarks/results.md   # every scenario, 5 runs each
    python benchmarks/run.py -s precommit -s 100k-yaml --runs 9
    python benchmarks/run.py --smoke                          # precommit only, one run
    python benchmarks/run.py --list

Each scenario runs twice: with every check the default policy enables ("all checks"), and
with only the loader and field checks (`--select EGL0,EGL1`, "fields"), which isolates the
load and field-check path from the group analysis.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
DEFAULT_DATA = Path(tempfile.gettempdir()) / "egl-bench"
FIELD_CHECKS = "EGL0,EGL1"  # loader problems and field checks: no group analysis


@dataclass(frozen=True)
class Scenario:
    name: str
    preset: str
    fmt: str  # yaml or json
    what: str

    @property
    def file_name(self) -> str:
        return f"{self.preset}.{self.fmt}"


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("precommit", "precommit", "yaml", "20 rules in 2 groups, a pre-commit run"),
    Scenario("10k-yaml", "realistic-10k", "yaml", "10,000 rules in 100 groups"),
    Scenario("100k-yaml", "realistic-100k", "yaml", "100,000 rules in 1,000 groups"),
    Scenario("10k-json", "realistic-10k", "json", "the 10,000 rules as JSON"),
    Scenario("100k-json", "realistic-100k", "json", "the 100,000 rules as JSON"),
    Scenario("adversarial", "adversarial", "yaml", "one group of 200 mutually overlapping rules"),
)
BY_NAME = {s.name: s for s in SCENARIOS}
SMOKE = ("precommit",)


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mib: float
    exit_code: int


@dataclass
class Measurement:
    """Medians over the runs of one command."""

    wall: float
    cpu: float
    rss_mib: float
    runs: int
    exit_codes: list[int] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Measurement:
        return cls(
            wall=statistics.median(s.wall for s in samples),
            cpu=statistics.median(s.cpu for s in samples),
            rss_mib=statistics.median(s.rss_mib for s in samples),
            runs=len(samples),
            exit_codes=sorted({s.exit_code for s in samples}),
            walls=[round(s.wall, 4) for s in samples],
        )


@dataclass
class Result:
    scenario: str
    what: str
    file: str
    size_mib: float
    floor_kind: str
    floor: float  # seconds, median
    all_checks: Measurement
    fields_only: Measurement
    #: Peak of the resident memory of the command and its worker together (MiB), from one
    #: sampled run of all checks; None where /proc cannot tell.
    all_checks_memory_mib: float | None = None

    @property
    def ratio(self) -> float:
        return self.all_checks.wall / self.floor if self.floor else float("nan")

    @property
    def fields_ratio(self) -> float:
        return self.fields_only.wall / self.floor if self.floor else float("nan")


# -- data ----------------------------------------------------------------------------------


def _generator_stamp() -> str:
    return hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]


def ensure_data(scenario: Scenario, data_dir: Path) -> Path:
    """The scenario's file, generated unless an up-to-date copy is cached."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / scenario.file_name
    stamp = data_dir / f"{scenario.file_name}.stamp"
    wanted = _generator_stamp()
    if path.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return path
    subprocess.run([sys.executable, str(GENERATOR), "--preset", scenario.preset,
                    "--format", scenario.fmt, "--out", str(path), "--quiet"], check=True)
    stamp.write_text(wanted + "\n")
    return path


# -- measuring -------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # An installed package has compiled bytecode; let the warm-up run write it, as the first
    # run after an install would, so later runs measure what users see.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("GITHUB_ACTIONS", None)  # there `lint` would print annotations instead of text
    env["NO_COLOR"] = "1"
    return env


def run_once(argv: Sequence[str], env: dict[str, str]) -> Sample:
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def sampled_memory(argv: Sequence[str], env: dict[str, str]) -> float | None:
    """Peak of the summed resident memory of the command and the processes it starts (MiB),
    read from /proc every 5 ms during one run: `ru_maxrss` gives the largest process only,
    and a large lint has a worker beside it. Pages the two share count twice, so this errs
    high. None where there is no /proc."""
    if not Path("/proc/self/status").exists():
        return None
    proc = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_rss_kib(pid) for pid in (proc.pid, *_children(proc.pid))))
        time.sleep(0.005)
    return peak / 1024


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def measure(argv: Sequence[str], runs: int, env: dict[str, str]) -> Measurement:
    run_once(argv, env)  # warm-up: bytecode, page cache
    return Measurement.of([run_once(argv, env) for _ in range(runs)])


_FLOOR_SCRIPT = r"""
import gc, json, sys, time
path, kind = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as handle:
    text = handle.read()
if kind == "yaml":
    import yaml
    gc.disable()
    start = time.perf_counter()
    loader = yaml.CSafeLoader(text)
    loader.get_single_node()
    seconds = time.perf_counter() - start
    loader.dispose()
else:
    start = time.perf_counter()
    json.loads(text)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds}))
"""


def parse_floor(path: Path, fmt: str, runs: int) -> float:
    """Median seconds of the C YAML compose (GC paused) or json.loads of the file, each in a
    fresh interpreter."""
    times = []
    for _ in range(max(runs, 1)):
        out = subprocess.run([sys.executable, "-c", _FLOOR_SCRIPT, str(path), fmt], check=True,
                             capture_output=True, text=True).stdout
        times.append(float(json.loads(out)["seconds"]))
    return statistics.median(times)


def console_script() -> str:
    beside = Path(sys.executable).parent / "egresslint"
    if beside.exists():
        return str(beside)
    found = shutil.which("egresslint")
    if found is None:
        raise SystemExit("run.py: the `egresslint` console script is not installed")
    return found


def run_scenario(scenario: Scenario, data_dir: Path, runs: int, cli: str) -> Result:
    path = ensure_data(scenario, data_dir)
    env = _child_env()
    all_checks = measure([cli, "lint", "--no-config", str(path)], runs, env)
    fields_only = measure([cli, "lint", "--no-config", "--select", FIELD_CHECKS, str(path)],
                          runs, env)
    floor = parse_floor(path, scenario.fmt, runs)
    memory = sampled_memory([cli, "lint", "--no-config", str(path)], env)
    return Result(
        scenario=scenario.name, what=scenario.what, file=path.name,
        size_mib=path.stat().st_size / (1024 * 1024),
        floor_kind="C yaml compose, GC paused" if scenario.fmt == "yaml" else "json.loads",
        floor=floor, all_checks=all_checks, fields_only=fields_only,
        all_checks_memory_mib=memory,
    )


# -- reporting ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    info.update(_versions())
    return info


def _versions() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, Any] = {}
    for name in ("egresslint", "PyYAML", "typer", "click", "netaddr", "jsonschema"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    try:
        import yaml

        found["libyaml"] = bool(getattr(yaml, "__with_libyaml__", False))
    except ImportError:
        found["libyaml"] = None
    return found


def _ms(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _times(ratio: float, floor: float) -> str:
    # Against a floor of a few milliseconds the ratio measures interpreter start-up, not work.
    return f"{ratio:.2f}" if floor >= 0.01 else "–"


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} MiB"


def _exit(m: Measurement) -> str:
    return "/".join(str(c) for c in m.exit_codes)


def markdown(results: Sequence[Result], info: dict[str, Any], runs: int) -> str:
    lines = [
        "| scenario | file | size | parse floor | fields: wall | fields: × floor | "
        "all checks: wall | all checks: CPU | all checks: × floor | all checks: peak RSS | "
        "all checks: peak memory, all processes | exit |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for res in results:
        lines.append(
            f"| {res.scenario} | {res.file} | {res.size_mib:.1f} MiB | {_ms(res.floor)} "
            f"({'compose' if res.floor_kind.startswith('C') else 'json.loads'}) "
            f"| {_ms(res.fields_only.wall)} | {_times(res.fields_ratio, res.floor)} "
            f"| {_ms(res.all_checks.wall)} | {_ms(res.all_checks.cpu)} "
            f"| {_times(res.ratio, res.floor)} "
            f"| {res.all_checks.rss_mib:.0f} MiB | {_mib(res.all_checks_memory_mib)} "
            f"| {_exit(res.all_checks)} |")
    lines += ["", *_targets(results), "", _machine_line(info, runs)]
    return "\n".join(lines) + "\n"


def _targets(results: Sequence[Result]) -> list[str]:
    by = {r.scenario: r for r in results}
    out = ["| target | limit | fields only | all checks |", "|---|---|--:|--:|"]

    def row(name: str, limit: str, fields: str, every: str) -> None:
        out.append(f"| {name} | {limit} | {fields} | {every} |")

    if "precommit" in by:
        r = by["precommit"]
        row("pre-commit wall", "≤ 200 ms", _ms(r.fields_only.wall), _ms(r.all_checks.wall))
        row("pre-commit peak RSS", "≤ 60 MiB", f"{r.fields_only.rss_mib:.0f} MiB",
            f"{r.all_checks.rss_mib:.0f} MiB")
    if "100k-yaml" in by:
        r = by["100k-yaml"]
        row("100k YAML / compose floor", "≤ 2.5×", f"{r.fields_ratio:.2f}×", f"{r.ratio:.2f}×")
        row("100k YAML peak RSS", "≤ 800 MiB", f"{r.fields_only.rss_mib:.0f} MiB",
            f"{r.all_checks.rss_mib:.0f} MiB")
        row("100k YAML peak memory, all processes", "≤ 800 MiB", "–",
            _mib(r.all_checks_memory_mib))
    if "100k-json" in by:
        r = by["100k-json"]
        row("100k JSON wall", "≤ 2 s", _ms(r.fields_only.wall), _ms(r.all_checks.wall))
    for fmt in ("yaml", "json"):
        small, large = by.get(f"10k-{fmt}"), by.get(f"100k-{fmt}")
        if small and large:
            row(f"growth 10k → 100k ({fmt.upper()})", "≤ 11×",
                f"{large.fields_only.wall / small.fields_only.wall:.1f}×",
                f"{large.all_checks.wall / small.all_checks.wall:.1f}×")
    if "adversarial" in by:
        r = by["adversarial"]
        row("adversarial group, whole process", "analysis ≤ 1 s", _ms(r.fields_only.wall),
            _ms(r.all_checks.wall))
    return out


def _machine_line(info: dict[str, Any], runs: int) -> str:
    return (f"Machine: {info['nproc']} CPUs, {info['cpu']}; Python {info['python']}; "
            f"PyYAML {info['PyYAML']} (libyaml: {info['libyaml']}); typer {info['typer']}; "
            f"click {info['click'] or '(vendored by typer)'}; netaddr {info['netaddr']}. "
            f"Median of {runs} run(s) after a warm-up run.")


# -- command line -----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-s", "--scenario", action="append", choices=sorted(BY_NAME),
                   help="a scenario to run (repeatable)")
    p.add_argument("--all", action="store_true", help="run every scenario")
    p.add_argument("--smoke", action="store_true",
                   help="precommit only, one run: a quick check that the runner works")
    p.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA,
                   help=f"folder for generated rule sets (default {DEFAULT_DATA})")
    p.add_argument("--out", type=Path, help="also write results.md and results.json here")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.list:
        for s in SCENARIOS:
            print(f"{s.name:<12} {s.file_name:<22} {s.what}")
        return 0
    if args.smoke:
        names, runs = list(SMOKE), 1
    elif args.all:
        names, runs = [s.name for s in SCENARIOS], args.runs
    elif args.scenario:
        names, runs = args.scenario, args.runs
    else:
        parser().error("name scenarios with -s, or use --all or --smoke")
    if runs < 1:
        parser().error("--runs must be at least 1")
    cli = console_script()
    info = machine()
    results = []
    for name in names:
        print(f"run.py: {name} ...", file=sys.stderr, flush=True)
        results.append(run_scenario(BY_NAME[name], args.data, runs, cli))
    table = markdown(results, info, runs)
    sys.stdout.write(table)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "results.md").write_text(table, encoding="utf-8")
        payload = {
            "machine": info, "runs": runs, "field_checks": FIELD_CHECKS,
            "results": [{**asdict(r), "ratio": r.ratio, "fields_ratio": r.fields_ratio}
                        for r in results],
        }
        (args.out / "results.json").write_text(json.dumps(payload, indent=2) + "\n",
                                               encoding="utf-8")
    failed = [r.scenario for r in results
              for m in (r.all_checks, r.fields_only) if any(c not in (0, 1) for c in m.exit_codes)]
    if failed:
        print(f"run.py: the command line failed (exit 2 or 3) in: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
