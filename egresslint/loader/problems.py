"""Codes of the problems the loader reports; their documentation lives in checks/loading.py."""

from __future__ import annotations

from dataclasses import dataclass

from egresslint.finding import Problem

SYNTAX_ERROR = "EGL001"
DUPLICATE_KEY = "EGL002"
YAML_COERCION = "EGL003"
UNKNOWN_FIELD = "EGL004"
WRONG_TYPE = "EGL005"
INVALID_SHAPE = "EGL006"
NOT_UTF8 = "EGL007"
UNSAFE_TAG = "EGL008"
TOO_COMPLEX = "EGL009"
NO_RULES = "EGL010"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    code: str
    problem: Problem
    #: Index of the rule in its file, or None for problems about the whole file.
    rule_index: int | None = None
