"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/conftest.py -> repo root is parents[1]; the data sit beside the repo
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data folder ``../shared/data`` (relative to the repo root), or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (see ../shared/data/README.md)")
    return SHARED_DATA
