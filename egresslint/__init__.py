"""egresslint: a policy linter and compliance gate for ENS security-group egress rules."""

from __future__ import annotations

__version__ = "0.1.0"
