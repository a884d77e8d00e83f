"""The name indexes stored with the reference cache (issue 12).

The commune resolver and the mayor matching load the names' keys that the build
computed, instead of normalising ~70,000 names in every process; the stored keys are
the code's own, checksum-covered, and a stale index is recomputed, not trusted.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from pacte_analysis import _text
from pacte_analysis.ingest import _engine
from pacte_analysis.reference import _build, _layers, _names, _resolver


@pytest.mark.parametrize("vintage", [2020, 2026])
def test_stored_keys_are_the_codes_keys(reference_ready: None, vintage: int) -> None:
    _build.build_reference(vintage, progress=False)
    com, former = _layers.resolver_index(vintage)
    assert com["key"].tolist() == [_names.name_key(n) for n in com["name"]]
    assert former["key"].tolist() == [_names.name_key(n) for n in former["name"]]
    assert com["code"].tolist() == _layers.communes(vintage, "web")["code"].tolist()
    mayors = _layers.mayor_index(vintage)
    table = _layers.mayors(vintage)
    assert mayors["commune_code"].tolist() == table["commune_code"].tolist()
    for col in ("last", "first"):
        names = table[f"{col}_name"].fillna("").astype(str)
        assert mayors[f"{col}_key"].tolist() == [_text.norm(n) for n in names]


def test_indexes_are_in_the_manifest_with_their_checksum(reference_ready: None) -> None:
    manifest = json.loads((_build.cache_path() / "manifest.json").read_text(encoding="utf-8"))
    for name in ("index_communes", "index_former_communes", "index_mayors"):
        info = manifest["files"][f"{name}.parquet"]
        assert info["sha256"] == _build.sha256_of(_build.cache_path() / f"{name}.parquet")


def test_a_corrupt_index_is_detected(reference_ready: None, tmp_path: Path) -> None:
    copy = tmp_path / "cog2020"
    copy.mkdir()
    for file in _build.cache_path().iterdir():
        os.symlink(file, copy / file.name)  # the layers are only read
    (copy / "index_communes.parquet").unlink()
    assert "manquant : index_communes" in (_build.check_cache(copy, verify_checksums=False) or "")
    data = bytearray((_build.cache_path() / "index_communes.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "index_communes.parquet").write_bytes(bytes(data))
    assert "corrompu : index_communes" in (_build.check_cache(copy, verify_checksums=True) or "")


def test_resolver_and_mayor_index_load_the_keys_instead_of_computing_them(
    reference_ready: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"name_key": 0, "norm": 0}

    def counting(name: str, real):  # type: ignore[no-untyped-def]
        def wrapper(text: str) -> str:
            calls[name] += 1
            return str(real(text))

        return wrapper

    monkeypatch.setattr(_resolver, "name_key", counting("name_key", _resolver.name_key))
    monkeypatch.setattr(_build, "name_key", counting("name_key", _build.name_key))
    monkeypatch.setattr(_engine, "norm", counting("norm", _engine.norm))
    monkeypatch.setattr(_engine, "_MAYOR_INDEX_CACHE", [])
    resolver = _resolver.CommuneResolver(2020)
    index = _engine._cached_mayor_index(None, 2020)
    # a few hundred at most (départements, a sample checked), not one per commune
    assert calls["name_key"] < 500 and calls["norm"] == 0, calls
    assert resolver.resolve(name="Havre (Le)").code == "76351"
    assert resolver.resolve(name="Hellemmes").code == "59350"  # a former commune's key
    assert index is not None and index.knows("35238")


def test_a_stale_index_is_recomputed_with_a_warning() -> None:
    """Keys from another normalisation (code changed, cache not rebuilt) are not trusted."""
    names = [f"Saint-Étienne-{i}" for i in range(1200)]
    frame = pd.DataFrame({"name": names, "key": [_names.name_key(n) for n in names]})
    assert _layers._current_keys(frame, {"name": "key"}, _build.commune_keys) is frame
    stale = frame.assign(key=frame["key"].str.replace("saint", "st"))
    with pytest.warns(UserWarning, match="pacte reference build --force"):
        fixed = _layers._current_keys(stale, {"name": "key"}, _build.commune_keys)
    assert fixed["key"].tolist() == frame["key"].tolist()
