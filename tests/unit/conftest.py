from pathlib import Path

import pytest

from support.app import AppHarness, build_app


@pytest.fixture
def app(tmp_path: Path) -> AppHarness:
    """The application with in-memory storage, fake backends and the in-memory fake of the work port."""
    return build_app(tmp_path, fake_work=True)
