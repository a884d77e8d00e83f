"""Tidy exports of the summaries for Datawrapper, Flourish or a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pacte_analysis._files import atomic_write, make_dirs, neutralised_frame
from pacte_analysis.analysis import column_label
from pacte_analysis.errors import InvalidArgumentError, PacteTypeError

__all__ = ["export_csv"]


def export_csv(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    decimals: int = 1,
    labels: dict[str, str] | None = None,
) -> Path:
    """Write a summary as a tidy CSV for Datawrapper, Flourish or a spreadsheet.

    Column names become their French labels (with the unit: « Part des communes
    avec une liste signataire (%) »), numbers are rounded to ``decimals``, codes
    stay text (leading zeros kept), missing values are empty cells. UTF-8, comma,
    point as decimal separator (what Datawrapper and Flourish read). A text that a
    spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``: a list name
    typed by a stranger) gets an apostrophe.

    Parameters
    ----------
    frame : DataFrame
        A table of :mod:`pacte_analysis` (e.g. :func:`territory_summary`); a
        geometry column is left out.
    path : str or Path
        The CSV to write.
    decimals : int, default 1
    labels : dict, optional
        Column name → French label, over the package's labels (which give a
        column the meaning it has in the summary that made ``frame``).

    Raises
    ------
    InvalidArgumentError
        ``path`` does not end with ``.csv``.

    Returns
    -------
    Path

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> t = pd.DataFrame({"code": ["01"], "name": ["Ain"], "share_communes_signatory": [2.345]})
    >>> p = export_csv(t, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> print(p.read_text(encoding="utf-8").strip())
    Code,Nom,Part des communes avec une liste signataire (%)
    01,Ain,2.3
    """
    if not isinstance(frame, pd.DataFrame):
        raise PacteTypeError(f"export_csv : une table est attendue, pas {type(frame).__name__}.")
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise InvalidArgumentError(
            f"export_csv écrit un fichier CSV : donnez un chemin en .csv (reçu : {path.name})."
        )
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    if any(name is not None for name in out.index.names):  # a named index is a column
        out = out.reset_index()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_float_dtype(series.dtype):
            out[column] = series.round(decimals)
        elif pd.api.types.is_bool_dtype(series.dtype):
            out[column] = series.map({True: "oui", False: "non"})
    names = {c: (labels or {}).get(str(c)) or column_label(str(c), frame) for c in out.columns}
    out = out.rename(columns=names)
    make_dirs(path.parent)
    with atomic_write(path, "w", encoding="utf-8") as fh:  # never a truncated file
        neutralised_frame(out).to_csv(fh, index=False, lineterminator="\n")
    return path
