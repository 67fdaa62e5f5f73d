from __future__ import annotations

from pathlib import Path

import pytest

from tests.output.helpers import repository


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return repository(tmp_path, monkeypatch)
