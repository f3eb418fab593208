"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so CI is reproducible; set
# HYPOTHESIS_PROFILE=explore to draw new random examples (and keep any failure as a test).
settings.register_profile("reproducible", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reproducible"))

# tests/conftest.py -> repo root is parents[1]; the data sit beside the repo
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data folder ``../shared/data`` (relative to the repo root), or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (see ../shared/data/README.md)")
    return SHARED_DATA
