"""Fixtures of the ingest tests.

Tests that resolve real communes use ``commune_resolver``: it skips, with a clear
message, when the reference cache (``data/raw/reference``) has not been built
(``make test`` builds it first, so in CI they run). The parsing tests use a
small test double, ``FakeResolver``, that knows a handful of communes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@dataclass(frozen=True)
class FakeResolution:
    code: str | None
    name: str | None = None
    departement_code: str | None = None
    arrondissement_code: str | None = None
    reason: str | None = None
    message: str = ""
    candidates: tuple[Any, ...] = ()

    def __bool__(self) -> bool:
        return self.code is not None


class FakeResolver:
    """Resolves a few communes by name or code; counts its calls."""

    KNOWN: ClassVar[dict[str, tuple[str, str, str]]] = {
        "rennes": ("35238", "Rennes", "35"),
        "le havre": ("76351", "Le Havre", "76"),
        "lille": ("59350", "Lille", "59"),
        "brunoy": ("91114", "Brunoy", "91"),
    }

    def __init__(self) -> None:
        self.calls = 0

    def resolve(
        self, name: Any = None, code: Any = None, postal_code: Any = None, departement: Any = None
    ) -> FakeResolution:
        self.calls += 1
        if code:
            for known in self.KNOWN.values():
                if known[0] == str(code):
                    return FakeResolution(*known)
            return FakeResolution(
                None, reason="UNKNOWN_COMMUNE", message=f"Code « {code} » inconnu."
            )
        if not name:
            return FakeResolution(
                None, reason="MISSING_COMMUNE", message="Aucune commune indiquée."
            )
        known = self.KNOWN.get(str(name).strip().lower())
        if known:
            return FakeResolution(*known)
        return FakeResolution(None, reason="UNKNOWN_COMMUNE", message=f"« {name} » introuvable.")


NO_MAYORS = pd.DataFrame({"commune_code": [], "last_name": [], "first_name": []}, dtype=object)


@pytest.fixture
def fake_resolver() -> FakeResolver:
    return FakeResolver()


@pytest.fixture(scope="session")
def commune_resolver() -> Any:
    """The real resolver; skip when the COG 2020 reference cache is absent."""
    try:
        from pacte_analysis.reference import CommuneResolver

        return CommuneResolver()
    except Exception as exc:
        pytest.skip(
            "référentiel COG 2020 absent (data/raw/reference) : lancez « pacte reference build » "
            f"ou « make test » pour exécuter ce test ({exc})"
        )


@pytest.fixture(scope="session")
def rne_mayors(commune_resolver: Any) -> pd.DataFrame:
    from pacte_analysis.reference import mayors

    return mayors()


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
