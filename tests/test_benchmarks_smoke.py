"""The benchmark runner works end to end (a smoke run: timing is measured in benchmarks, never
asserted in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not (Path(sys.executable).parent / "egresslint").exists(),
                    reason="needs the installed console script")
def test_runner_smoke(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke",
         "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "| precommit |" in done.stdout
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    (only,) = results["results"]
    assert only["scenario"] == "precommit"
    # The generated file has mistakes, so the gate fails (1), and never with 2 or 3.
    assert only["all_checks"]["exit_codes"] == [1]
    assert only["fields_only"]["exit_codes"] == [1]
    if Path("/proc/self/status").exists():
        assert only["all_checks_memory_mib"] > 5
    assert only["all_checks"]["wall"] > 0 and only["floor"] > 0
    assert (tmp_path / "out" / "results.md").read_text().startswith("| scenario |")
