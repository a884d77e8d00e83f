"""Shared fixtures: the reference cache is built once (idempotent) for the session."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def reference_ready() -> None:
    """Make sure the COG 2020 cache exists (``make test`` builds it beforehand)."""
    from pacte_analysis.reference import build_reference

    build_reference(progress=False)


@pytest.fixture(scope="session")
def resolver(reference_ready: None):  # type: ignore[no-untyped-def]
    from pacte_analysis.reference import CommuneResolver

    return CommuneResolver()
