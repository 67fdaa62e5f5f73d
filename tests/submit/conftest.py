"""Fixtures for the submit tests: a running emulator, test credentials, fast clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ens_emulator import (
    TEST_ACCESS_KEY_ID,
    TEST_ACCESS_KEY_SECRET,
    EnsEmulator,
    running_emulator,
)
from tests.submit.plans import GROUP_A, GROUP_B, ClientFactory

_PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK sends through HTTP(S)_PROXY when set; test traffic must stay on 127.0.0.1.
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DEBUG", raising=False)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", TEST_ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", TEST_ACCESS_KEY_SECRET)
    monkeypatch.delenv("ALIBABA_CLOUD_SECURITY_TOKEN", raising=False)


@pytest.fixture
def emulator() -> Iterator[EnsEmulator]:
    with running_emulator(groups=[GROUP_A, GROUP_B]) as emu:
        yield emu


@pytest.fixture
def sleeps() -> list[float]:
    """The waits a client asked for; nothing actually sleeps."""
    return []


@pytest.fixture
def make_client(emulator: EnsEmulator, credentials: None, sleeps: list[float]) -> ClientFactory:
    """Build a real SDK client for the emulator, with short timeouts and no real sleeping."""
    from egresslint.submit import ClientSettings, RetryPolicy, build_client

    def make(
        *,
        read_timeout: float = 2.0,
        max_attempts: int = 4,
        max_total: float = 30.0,
        **build_options: Any,
    ) -> Any:
        settings = ClientSettings(
            endpoint=emulator.url,
            connect_timeout=1.0,
            read_timeout=read_timeout,
            retry=RetryPolicy(
                max_attempts=max_attempts, base_delay=0.2, max_delay=1.0, max_total=max_total
            ),
        )
        build_options.setdefault("sleep", sleeps.append)
        build_options.setdefault("rand", lambda: 0.5)
        return build_client(settings, **build_options)

    return make
