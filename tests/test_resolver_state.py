"""The commune resolver's indexes stored beside the reference cache (issue 12).

Each process used to rebuild them from the layers (0.25–0.4 s); they are now built
once, stored (``resolver-state.marshal``) and loaded (about 0.1 s). A stored state
is used only if it was built by this code from these reference data, and is whole:
else the resolver builds its indexes again, and stores them again where it can.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pacte_analysis.reference import _layers, _resolver
from pacte_analysis.reference._resolver import CommuneResolver

CASES: list[dict[str, Any]] = [
    {"name": "Saint-Denis", "departement": "974"},
    {"name": "Saint-Denis"},
    {"code": "35238"},
    {"code": 1001},
    {"name": "Paris 11e"},
    {"name": "Lomme"},
    {"name": "Boulogne", "postal_code": "92100"},
    {"postal_code": "75011"},
    {"name": "Aulnoye"},
    {"name": "Saint Malo 35"},
]


@pytest.fixture
def folder(reference_ready: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of its own for the stored state, beside a copy of the cache's manifest
    (the layers are still read from the real cache)."""
    real = _layers.cache_folder(2020)
    shutil.copy(real / "manifest.json", tmp_path / "manifest.json")
    monkeypatch.setattr(_layers, "cache_folder", lambda vintage: tmp_path)
    return tmp_path


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the builds from the layers."""
    calls: list[int] = []
    real = CommuneResolver._build

    def counted(self: CommuneResolver, vintage: int) -> None:
        calls.append(vintage)
        real(self, vintage)

    monkeypatch.setattr(CommuneResolver, "_build", counted)
    return calls


def test_a_stored_state_gives_the_resolver_built_from_the_layers(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = _builds(monkeypatch)
    built = CommuneResolver(2020)
    assert builds == [2020] and (folder / "resolver-state.marshal").is_file()
    loaded = CommuneResolver(2020)
    assert builds == [2020]  # loaded, not built
    assert loaded._state() == built._state()
    assert set(built._state()) == _resolver._STATE_NAMES
    for name, factory in _resolver._STATE_DEFAULTS.items():
        index = getattr(loaded, name)
        assert isinstance(index, defaultdict) and index.default_factory is factory, name
    for case in CASES:
        assert loaded.resolve(**case) == built.resolve(**case), case
    assert loaded.resolve(name="Saint-Denis", departement="974").code == "97411"


@pytest.mark.parametrize("damage", ["other data", "payload", "truncated", "garbage", "empty"])
def test_a_state_that_does_not_fit_is_built_again(
    folder: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    builds = _builds(monkeypatch)
    expected = CommuneResolver(2020)._state()
    state = folder / "resolver-state.marshal"
    data = state.read_bytes()
    if damage == "other data":  # the reference cache was rebuilt since
        manifest = folder / "manifest.json"
        manifest.write_text(manifest.read_text(encoding="utf-8") + " ", encoding="utf-8")
    elif damage == "payload":  # still a readable payload, with one name changed
        assert b"Rennes" in data
        state.write_bytes(data.replace(b"Rennes", b"Rennez", 1))
    elif damage == "truncated":
        state.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        state.write_bytes(b"\x00" * 300)
    else:
        state.write_bytes(b"")
    again = CommuneResolver(2020)
    assert builds == [2020, 2020]  # built again
    assert again._state() == expected
    assert _resolver._load_state(2020) == expected  # and stored again, whole


def test_a_state_from_other_code_is_not_used(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CommuneResolver(2020)
    assert _resolver._load_state(2020) is not None
    monkeypatch.setattr(_resolver, "_STATE_VERSION", _resolver._STATE_VERSION + 1)
    assert _resolver._load_state(2020) is None


def test_a_folder_that_cannot_be_written_leaves_the_resolver_whole(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError("lecture seule")

    monkeypatch.setattr(_resolver.tempfile, "NamedTemporaryFile", refuse)
    resolver = CommuneResolver(2020)
    assert not (folder / "resolver-state.marshal").exists()
    assert list(folder.iterdir()) == [folder / "manifest.json"]  # no file left behind
    assert resolver.resolve(code="35238").name == "Rennes"
