"""Paths used by the package.

The layout follows cookiecutter-data-science: ``data/raw`` holds inputs that are
never modified (groups' trackers, and the reference cache written by
``pacte reference build`` in its own folder), ``data/processed`` holds everything
that can be regenerated.

When the package runs from a clone of the repository, ``data/`` is the
repository's folder. Installed elsewhere, it is ``~/.cache/pacte_analysis``.
The environment variable ``PACTE_DATA_DIR`` overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEMO_MARKER", "data_dir", "processed_dir", "raw_dir", "reference_dir"]

#: File written beside tables made from the fictitious demo data: maps and charts
#: drawn from such a folder carry the « Données fictives – démonstration » mark.
DEMO_MARKER = "DONNEES-FICTIVES.txt"

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent


def data_dir() -> Path:
    """Return the root data folder (``PACTE_DATA_DIR`` or ``<repo>/data``)."""
    env = os.environ.get("PACTE_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    if (_REPO_DIR / "pyproject.toml").is_file() and (_REPO_DIR / "data").is_dir():
        return _REPO_DIR / "data"
    return Path.home() / ".cache" / "pacte_analysis"


def raw_dir() -> Path:
    """Return the folder of immutable inputs (``data/raw``)."""
    return data_dir() / "raw"


def processed_dir() -> Path:
    """Return the folder of regenerated outputs (``data/processed``)."""
    return data_dir() / "processed"


def reference_dir() -> Path:
    """Return the reference-data cache folder (``data/raw/reference``)."""
    return raw_dir() / "reference"
