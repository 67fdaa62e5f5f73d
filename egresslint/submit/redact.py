"""Keep credentials out of every text the submit stage shows, logs or writes."""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable

MASK = "***"
SECRET_ENVIRONMENT_VARIABLES = ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN")
# Too short to be a real secret, and masking it would mangle ordinary words.
_MIN_SECRET_LENGTH = 6
# Derived from the secret and not itself secret, but there is no reason to show it.
_SIGNATURE_RE = re.compile(r"(Signature=)[0-9a-fA-F]{16,}")
_TOKEN_HEADER_RE = re.compile(
    r"(x-acs-security-token['\"]?\s*[:=]\s*\[?\s*['\"]?)[^'\"\s,}\]]+", re.IGNORECASE
)


class Redactor:
    """Replaces every known secret value in a text with a mask."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *values: str | None) -> None:
        with self._lock:
            for value in values:
                if value and len(value) >= _MIN_SECRET_LENGTH:
                    self._secrets.add(value)

    def add_from_environment(self) -> None:
        self.add(*(os.environ.get(name) for name in SECRET_ENVIRONMENT_VARIABLES))

    def __call__(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        text = _SIGNATURE_RE.sub(rf"\g<1>{MASK}", text)
        return _TOKEN_HEADER_RE.sub(rf"\g<1>{MASK}", text)


#: Secrets seen by any client of this process; used for the SDK's own log records too.
KNOWN_SECRETS = Redactor()


class RedactingFilter(logging.Filter):
    """Scrubs log records of a logger we do not control (the SDK's debug log)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = self._redactor(text)
        if clean != text:
            record.msg, record.args = clean, None
        return True


_filter_lock = threading.Lock()


def guard_sdk_logging() -> None:
    """Scrub the SDK's request log: with DEBUG=sdk it prints every request header."""
    logger = logging.getLogger("darabonba-core")
    with _filter_lock:
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter(KNOWN_SECRETS))


def one_line(text: str) -> str:
    """Collapse a possibly multi-line message into one line."""
    return " ".join(text.split())
