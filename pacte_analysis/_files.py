"""Writing output files safely (private helpers shared by tables, maps and charts).

- :func:`atomic_write` writes a file through a temporary file of the same folder
  and renames it into place: a reader, a crash or a full disk never leaves a
  half-written or empty file in place of a good one.
- :func:`make_dirs` creates folders with the user's umask (``0777 & ~umask``, as
  ``mkdir`` does), never the ``0700`` of :func:`tempfile.mkdtemp`.
- :func:`check_output_path` tells, before any work, why an output path cannot be
  written (an ancestor is a file, a folder is not writable), in French.
- :func:`describe_os_error` turns an :class:`OSError` into a French reason
  (« disque plein », « permission refusée »…).
- :func:`escape_mathtext` / :func:`escape_figure_text` make matplotlib draw a
  ``$`` as typed instead of parsing ``$…$`` as a formula (``$\\bad$`` raised).
- :func:`is_formula_like` / :func:`neutralise` defuse text that a spreadsheet
  would run as a formula: the one rule behind the CSV and the XLSX outputs.

Every failure is raised as :class:`OutputError` with a French message; its
``usage`` flag tells a path the user must change (exit code 2) from a failure of
the machine (full disk, I/O error: exit code 1).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = [
    "FORMULA_PREFIXES",
    "OutputError",
    "atomic_write",
    "check_output_path",
    "current_umask",
    "describe_os_error",
    "escape_figure_text",
    "escape_mathtext",
    "formula_like_mask",
    "fsync_dir",
    "is_formula_like",
    "make_dirs",
    "neutralise",
]

#: First characters that make a spreadsheet (Excel, LibreOffice, Google Sheets)
#: read a text cell as a formula or a command: ``= + - @``, tab, carriage return,
#: and their full-width forms ``＝ ＋ － ＠`` (U+FF1D, U+FF0B, U+FF0D, U+FF20).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

#: errno → French reason. Errors of the path itself are "usage" errors.
_REASONS: dict[int, tuple[str, bool]] = {
    errno.ENOSPC: ("disque plein", False),
    errno.EDQUOT: ("quota de disque dépassé", False),
    errno.EIO: ("erreur d'entrée-sortie du disque", False),
    errno.EACCES: ("permission refusée", True),
    errno.EPERM: ("opération non permise", True),
    errno.EROFS: ("système de fichiers en lecture seule", True),
    errno.ENOTDIR: ("un élément du chemin est un fichier, pas un dossier", True),
    errno.EISDIR: ("le chemin désigne un dossier, pas un fichier", True),
    errno.ENAMETOOLONG: ("nom de fichier trop long", True),
    errno.ENOENT: ("dossier introuvable", True),
    errno.EEXIST: ("un fichier du même nom existe déjà", True),
    errno.EXDEV: ("déplacement impossible entre deux systèmes de fichiers", False),
    errno.EBUSY: ("ressource occupée (point de montage ?)", False),
}


class OutputError(OSError):
    """An output that cannot be written (French message).

    Attributes
    ----------
    usage : bool
        True when the user must choose another path (exit code 2); False for a
        failure of the machine such as a full disk (exit code 1).
    """

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage

    def __str__(self) -> str:
        return str(self.args[0])


def current_umask() -> int:
    """Return the process's umask without changing it (Linux ``/proc``, else a quick swap)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def describe_os_error(exc: OSError) -> tuple[str, bool]:
    """French reason of ``exc`` and whether it is a usage error (the path must change).

    Examples
    --------
    >>> describe_os_error(OSError(28, "No space left on device"))
    ('disque plein', False)
    """
    if isinstance(exc, OutputError):
        return str(exc), exc.usage
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    name = errno.errorcode.get(exc.errno or 0, "inconnue")
    return f"erreur système {name}", False


def _error(action: str, path: Path | str, exc: OSError) -> OutputError:
    reason, usage = describe_os_error(exc)
    return OutputError(f"{action} « {path} » : {reason}.", usage=usage)


def check_output_path(path: str | Path, *, directory: bool = False) -> Path:
    """Check, before any work, that ``path`` can be written; return it.

    The first existing ancestor must be a folder the user can write into, and
    ``path`` itself, if it exists, must be a file (or a folder with
    ``directory=True``).

    Parameters
    ----------
    path : str or Path
        File (or, with ``directory=True``, folder) to be written.
    directory : bool, default False
        ``path`` is a folder.

    Raises
    ------
    OutputError
        With ``usage=True`` and a French message saying what is wrong.
    """
    path = Path(path)
    if path.exists():
        if directory and not path.is_dir():
            raise OutputError(f"« {path} » est un fichier : indiquez un dossier.", usage=True)
        if not directory and path.is_dir():
            raise OutputError(f"« {path} » est un dossier : indiquez un fichier.", usage=True)
        if directory and not os.access(path, os.W_OK | os.X_OK):
            raise OutputError(
                f"Écriture impossible dans le dossier « {path} » : permission refusée.",
                usage=True,
            )
        if not directory and not os.access(path.parent, os.W_OK | os.X_OK):
            raise OutputError(
                f"Écriture impossible dans le dossier « {path.parent} » : permission refusée.",
                usage=True,
            )
        return path
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        if ancestor.is_symlink():  # a dangling link
            raise OutputError(
                f"« {ancestor} » est un lien symbolique vers un dossier qui n'existe pas.",
                usage=True,
            )
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(
            f"Impossible de créer « {path} » : « {ancestor} » est un fichier, pas un dossier.",
            usage=True,
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(
            f"Impossible de créer « {path} » : pas le droit d'écrire dans « {ancestor} ».",
            usage=True,
        )
    return path


def make_dirs(path: str | Path) -> Path:
    """Create ``path`` and its missing parents with the user's umask; return it.

    Raises
    ------
    OutputError
        French message when a folder cannot be created.
    """
    path = Path(path)
    try:
        os.makedirs(path, mode=0o777, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(f"« {path} » existe et n'est pas un dossier.", usage=True) from exc
    except OSError as exc:
        raise _error("Impossible de créer le dossier", path, exc) from exc
    return path


def fsync_dir(path: str | Path) -> None:
    """Flush a folder's entries (renames) to disk, where the system allows it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(
    path: str | Path, mode: str = "wb", *, encoding: str | None = None, sync: bool = True
) -> Iterator[IO[Any]]:
    """Write ``path`` through a temporary file in the same folder, then rename it.

    If the block raises (a drawing error, a full disk), the temporary file is
    removed and an existing ``path`` is left as it was. The file gets the mode
    ``0666 & ~umask``, like a file opened with :func:`open`. Missing folders are
    created.

    Parameters
    ----------
    path : str or Path
        Final file.
    mode : {"wb", "w"}
        Binary or text.
    encoding : str, optional
        Text encoding (``mode="w"``), UTF-8 by default.
    sync : bool, default True
        ``fsync`` the file before the rename (survives a power cut).

    Raises
    ------
    OutputError
        French message for any :class:`OSError` (``usage`` set for path errors).

    Examples
    --------
    >>> with atomic_write("carte.svg", "w") as fh:  # doctest: +SKIP
    ...     fh.write("<svg/>")
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode {mode!r}: 'wb' or 'w'")
    target = Path(path)
    make_dirs(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _error("Écriture impossible dans le dossier", target.parent, exc) from exc
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        if mode == "w":
            fh: IO[Any] = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline="")
        else:
            fh = os.fdopen(fd, "wb")
        with fh:
            yield fh
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise _error("Impossible d'écrire", target, exc) from exc
        raise


def is_formula_like(value: object) -> bool:
    """Whether ``value`` is text that a spreadsheet could run as a formula.

    Examples
    --------
    >>> [is_formula_like(v) for v in ("=1+1", "＋33", "Rennes", -1, "")]
    [True, True, False, False, False]
    """
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: Any) -> Any:
    """Defuse a text cell for CSV: prefix an apostrophe when :func:`is_formula_like`.

    In XLSX the text is kept as it is and written as a string with the
    « quote prefix » cell style instead (see ``pacte_analysis.ingest._workbook``):
    both follow :func:`is_formula_like`.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-"), neutralise("Rennes"), neutralise(-1)
    ('\\'=HYPERLINK("http://x")', "'-", 'Rennes', -1)
    """
    return "'" + value if is_formula_like(value) else value


def formula_like_mask(values: Any) -> Any:
    """Boolean array: which items of a pandas Series of text are formula-like (missing: False)."""
    import pandas as pd

    text = pd.Series(values, copy=False).astype("string")
    return text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)


def neutralised_frame(frame: Any) -> Any:
    """A copy of a DataFrame whose formula-like text cells carry an apostrophe (for CSV).

    Examples
    --------
    >>> import pandas as pd
    >>> neutralised_frame(pd.DataFrame({"a": ["=1+1", "Rennes"], "n": [1, 2]}))["a"].tolist()
    ["'=1+1", 'Rennes']
    >>> neutralised_frame(pd.DataFrame({"mixed": [-56, "-x", 3.5]}))["mixed"].tolist()
    [-56, "'-x", 3.5]
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column].dtype) or out[column].dtype == object:
            mask = formula_like_mask(out[column])
            if out[column].dtype == object:  # numbers mixed with text: -56 is a number
                mask &= out[column].map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
            if mask.any():
                out[column] = out[column].astype(object)
                out.loc[mask, column] = "'" + out.loc[mask, column].astype(str)
    return out


def escape_mathtext(text: str) -> str:
    r"""Escape ``$`` so that matplotlib draws ``text`` as typed, never as mathtext.

    matplotlib parses a text with an even number of unescaped ``$`` as a formula
    (a traceback on ``$\bad$``, odd output on ``5 $ et 6 $``); ``\$`` is drawn as
    ``$``. That is the only markup of plain (non-TeX) text: ``\n`` breaks lines as
    expected. ``rcParams["text.parse_math"] = False`` is not enough: wrapped text
    (``wrap=True``) is still measured as mathtext.

    Examples
    --------
    >>> escape_mathtext("Prix : 5 $ et 6 $")
    'Prix : 5 \\$ et 6 \\$'
    """
    return text.replace("$", r"\$")


def escape_figure_text(fig: Any) -> Any:
    """Escape ``$`` in every text of a matplotlib figure (once per text); return ``fig``.

    Called on each figure the package builds (charts, print maps), so titles,
    sources, measure titles of a custom catalogue and legend entries are drawn as
    typed, on screen, in notebooks and in every saved format.
    """
    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        if getattr(artist, "_pacte_escaped", False):
            continue
        text = artist.get_text()
        if "$" in text and artist.get_parse_math() and not artist.get_usetex():
            artist.set_text(escape_mathtext(text))
        artist._pacte_escaped = True
    return fig
