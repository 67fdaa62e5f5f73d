from __future__ import annotations

from egresslint.cli import run

run()
