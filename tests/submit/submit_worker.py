"""Runs a submit in its own process, so a test can SIGKILL it halfway and resume.

Usage: python submit_worker.py SPEC.json, where the spec names the endpoint URL, the journal
path and the rules. Credentials come from the environment, as for the real command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from egresslint.submit import (
        ClientSettings,
        Journal,
        PlannedRule,
        RetryPolicy,
        build_client,
        submit_rules,
    )

    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    rules = [
        PlannedRule(r["path"], r["line"], r["group"], r["params"], tuple(r["blocking"]))
        for r in spec["rules"]
    ]
    settings = ClientSettings(
        endpoint=spec["url"], read_timeout=5.0, retry=RetryPolicy(base_delay=0.01)
    )
    client = build_client(settings)
    with Journal(Path(spec["journal"]), client.endpoint) as journal:
        report = submit_rules(rules, client, journal=journal)
    for line in report.lines():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
