"""Measure catalogues ("editions") of the Pacte pour la Transition, as data.

An edition is one CSV file with the columns ``kind, id, title, theme, levels,
title_confirmed, source``. Each row is one of:

``edition``
    one row: ``id`` is the edition's name (``pacte-2020``), ``title`` its label.
``rule``
    ``id = min_measures`` and ``title`` = the number of measures a list must
    commit to (besides every principle) to count as a signatory. Defaults to 10.
    ``id = election`` and ``title`` = the year of the municipal elections the
    edition was taken to (default 2020); ``id = geography`` and ``title`` = the
    vintage of the reference geography its communes resolve against and its mayors
    come from (default: the election year; the vintages are 2020 and 2026).
``principle``
    ``id`` is a letter (``A``), ``title`` its wording.
``measure``
    ``id`` is the measure number, ``title`` its short title (empty when not
    confirmed), ``theme`` one of the review themes (may be empty), ``levels`` the
    number of ambition levels (default 3), ``title_confirmed`` ``true``/``false``.

The bundled ``pacte-2020`` edition follows ``docs/pacte-2020.md``: a measure
whose title is not confirmed by a public source has an empty title and is shown as
« Mesure N ». Users supply an official wording, or a local variant (the 34
measures of the Lille metropolis…), through their own CSV file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from pacte_analysis.errors import PacteError

__all__ = [
    "DEFAULT_EDITION",
    "Edition",
    "EditionError",
    "Measure",
    "Principle",
    "available_editions",
    "read_edition",
]

_BUNDLED_DIR = Path(__file__).resolve().parent
_COLUMNS = ("kind", "id", "title", "theme", "levels", "title_confirmed", "source")
_KINDS = ("edition", "rule", "principle", "measure")
_TRUE = {"true", "vrai", "oui", "1", "yes"}
_FALSE = {"false", "faux", "non", "0", "no", ""}
_MAX_CATALOGUE_BYTES = 1_000_000
DEFAULT_MIN_MEASURES = 10
DEFAULT_LEVELS = 3
#: The edition used when none is given.
DEFAULT_EDITION = "pacte-2020"
DEFAULT_ELECTION = 2020
#: Reference geographies an edition may resolve against (see ``pacte reference build``).
VINTAGES = (2020, 2026)


class EditionError(PacteError, ValueError):
    """A measure catalogue that cannot be used; the message (French) says where."""

    code = "INVALID_EDITION"


@dataclass(frozen=True)
class Principle:
    """One principle of an edition (``A``, ``B``, ``C`` for 2020)."""

    letter: str
    title: str


@dataclass(frozen=True)
class Measure:
    """One measure of an edition."""

    number: int
    title: str
    theme: str
    levels: int = DEFAULT_LEVELS
    title_confirmed: bool = False
    source: str = ""

    @property
    def label(self) -> str:
        """French label: the title when confirmed, else « Mesure N » (never invented)."""
        if self.title_confirmed and self.title:
            return f"{self.number}. {self.title}"
        if self.title:
            return f"Mesure {self.number} (sujet : {self.title[0].lower()}{self.title[1:]})"
        return f"Mesure {self.number}"

    @property
    def short_label(self) -> str:
        """« Mesure N » plus the confirmed title, for axis labels."""
        return self.label if self.title_confirmed else f"Mesure {self.number}"


@dataclass(frozen=True)
class Edition:
    """A catalogue of principles and measures with its signing rule.

    Attributes
    ----------
    name : str
        Identifier written in the ``edition`` column of the tables (``pacte-2020``).
    title : str
        Human-readable label.
    principles : tuple of Principle
    measures : tuple of Measure
        Sorted by number.
    min_measures : int
        Measures a list must commit to, besides every principle, to be a signatory.
    source : str
        Where the catalogue comes from (file path or ``bundled``).
    election : int
        Year of the municipal elections the edition was taken to (2020).
    vintage : int
        Reference geography its trackers resolve against, and whose mayors
        (RNE) tell who won: 2020 or 2026.
    """

    name: str
    title: str
    principles: tuple[Principle, ...]
    measures: tuple[Measure, ...]
    min_measures: int = DEFAULT_MIN_MEASURES
    source: str = ""
    election: int = DEFAULT_ELECTION
    vintage: int = DEFAULT_ELECTION
    _by_number: dict[int, Measure] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_number.update({m.number: m for m in self.measures})

    @property
    def measure_numbers(self) -> list[int]:
        """Numbers of the measures, sorted."""
        return [m.number for m in self.measures]

    @property
    def principle_letters(self) -> str:
        """Letters of the principles, concatenated (``"ABC"``)."""
        return "".join(p.letter for p in self.principles)

    @property
    def max_level(self) -> int:
        """Highest ambition level of any measure."""
        return max((m.levels for m in self.measures), default=DEFAULT_LEVELS)

    @property
    def themes(self) -> list[str]:
        """Distinct non-empty themes, in order of first appearance."""
        return list(dict.fromkeys(m.theme for m in self.measures if m.theme))

    def measure(self, number: int) -> Measure:
        """Return measure ``number``; raise ``KeyError`` if the edition has none."""
        return self._by_number[number]

    def has_measure(self, number: int) -> bool:
        """Whether ``number`` is a measure of this edition."""
        return number in self._by_number

    def is_signatory(self, principles: str, n_measures: int) -> bool:
        """Apply the signing rule: every principle and at least ``min_measures`` measures.

        Examples
        --------
        >>> ed = read_edition("pacte-2020")
        >>> ed.is_signatory("ABC", 10), ed.is_signatory("AB", 32), ed.is_signatory("CBA", 9)
        (True, False, False)
        """
        return set(self.principle_letters) <= set(principles) and n_measures >= self.min_measures

    def measures_frame(self) -> pd.DataFrame:
        """Return the measures as a DataFrame (one row per measure)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "measure": [m.number for m in self.measures],
                "title": [m.title for m in self.measures],
                "label": [m.label for m in self.measures],
                "theme": [m.theme for m in self.measures],
                "levels": [m.levels for m in self.measures],
                "title_confirmed": [m.title_confirmed for m in self.measures],
                "source": [m.source for m in self.measures],
            }
        )


def available_editions() -> list[str]:
    """Names of the editions bundled with the package.

    Examples
    --------
    >>> "pacte-2020" in available_editions()
    True
    """
    return sorted(p.stem for p in _BUNDLED_DIR.glob("*.csv"))


def read_edition(edition: str | Path | Edition = DEFAULT_EDITION) -> Edition:
    """Load a measure catalogue.

    Parameters
    ----------
    edition : str, path or Edition
        The name of a bundled edition (see :func:`available_editions`), or the path
        to a catalogue CSV with the columns ``kind, id, title, theme, levels,
        title_confirmed, source`` (UTF-8, comma-separated). An ``Edition`` is
        returned unchanged.

    Returns
    -------
    Edition

    Raises
    ------
    EditionError
        The file is missing or malformed; the French message names the line and
        the column.

    Examples
    --------
    >>> ed = read_edition("pacte-2020")
    >>> len(ed.measures), ed.principle_letters, ed.min_measures
    (32, 'ABC', 10)
    >>> ed.measure(13).label
    'Mesure 13'
    """
    if isinstance(edition, Edition):
        return edition
    text_name = str(edition)
    path = Path(text_name)
    if not path.suffix and not path.exists():
        bundled = _BUNDLED_DIR / f"{text_name}.csv"
        if not bundled.is_file():
            known = ", ".join(available_editions())
            raise EditionError(
                f"Édition inconnue « {text_name} ». Éditions fournies : {known} ; "
                "ou indiquez le chemin d'un fichier catalogue CSV."
            )
        return _parse_catalogue(bundled.read_text(encoding="utf-8"), bundled.name, "bundled")
    if not path.is_file():
        raise EditionError(f"Catalogue introuvable : {path}")
    if path.stat().st_size > _MAX_CATALOGUE_BYTES:
        raise EditionError(f"{path} : catalogue trop volumineux (plus de 1 Mo).")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EditionError(f"{path} : le catalogue doit être encodé en UTF-8.") from exc
    return _parse_catalogue(text, str(path), str(path))


def _parse_catalogue(text: str, where: str, source: str) -> Edition:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in _COLUMNS if c not in header]
    if missing:
        raise EditionError(
            f"{where} : colonnes manquantes dans l'en-tête : {', '.join(missing)} "
            f"(attendues : {', '.join(_COLUMNS)})."
        )
    name = ""
    title = ""
    min_measures = DEFAULT_MIN_MEASURES
    election = DEFAULT_ELECTION
    vintage: int | None = None
    principles: list[Principle] = []
    measures: dict[int, Measure] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        kind = row["kind"].lower()
        if not any(row.values()):
            continue
        if kind not in _KINDS:
            raise EditionError(
                f"{where}, ligne {line_no}, colonne kind : « {row['kind']} » inconnu "
                f"(attendu : {', '.join(_KINDS)})."
            )
        confirmed = _parse_bool(row["title_confirmed"], where, line_no)
        if kind == "edition":
            name, title = row["id"], row["title"] or row["id"]
        elif kind == "rule":
            if row["id"] == "min_measures":
                min_measures = _parse_int(row["title"], where, line_no, "title", minimum=0)
            elif row["id"] == "election":
                election = _parse_int(row["title"], where, line_no, "title", minimum=1900)
            elif row["id"] == "geography":
                vintage = _parse_int(row["title"], where, line_no, "title", minimum=1900)
                if vintage not in VINTAGES:
                    raise EditionError(
                        f"{where}, ligne {line_no}, colonne title : géographie {vintage} "
                        f"inconnue (millésimes disponibles : {', '.join(map(str, VINTAGES))})."
                    )
            else:
                raise EditionError(
                    f"{where}, ligne {line_no}, colonne id : règle « {row['id']} » inconnue "
                    "(règles reconnues : min_measures, election, geography)."
                )
        elif kind == "principle":
            letter = row["id"].upper()
            if len(letter) != 1 or not letter.isalpha():
                raise EditionError(
                    f"{where}, ligne {line_no}, colonne id : un principe est désigné par "
                    f"une lettre, pas « {row['id']} »."
                )
            if any(p.letter == letter for p in principles):
                raise EditionError(f"{where}, ligne {line_no} : principe {letter} en double.")
            principles.append(Principle(letter, row["title"]))
        else:
            number = _parse_int(row["id"], where, line_no, "id", minimum=1)
            if number in measures:
                raise EditionError(f"{where}, ligne {line_no} : mesure {number} en double.")
            levels = (
                _parse_int(row["levels"], where, line_no, "levels", minimum=1)
                if row["levels"]
                else DEFAULT_LEVELS
            )
            measures[number] = Measure(
                number=number,
                title=row["title"],
                theme=row["theme"],
                levels=levels,
                title_confirmed=confirmed and bool(row["title"]),
                source=row["source"],
            )
    if not name:
        name = Path(where).stem
    if not measures:
        raise EditionError(f"{where} : le catalogue ne contient aucune mesure.")
    if min_measures > len(measures):
        raise EditionError(
            f"{where} : la règle min_measures ({min_measures}) dépasse le nombre de "
            f"mesures ({len(measures)})."
        )
    if vintage is None:
        # the geography of the election: the latest vintage not after it
        vintage = max((v for v in VINTAGES if v <= election), default=VINTAGES[0])
    return Edition(
        name=name,
        title=title or name,
        principles=tuple(sorted(principles, key=lambda p: p.letter)),
        measures=tuple(measures[n] for n in sorted(measures)),
        min_measures=min_measures,
        source=source,
        election=election,
        vintage=vintage,
    )


def _parse_bool(value: str, where: str, line_no: int) -> bool:
    low = value.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise EditionError(
        f"{where}, ligne {line_no}, colonne title_confirmed : « {value} » n'est pas true/false."
    )


def _parse_int(value: str, where: str, line_no: int, column: str, *, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise EditionError(
            f"{where}, ligne {line_no}, colonne {column} : « {value} » n'est pas un "
            f"nombre entier ≥ {minimum}."
        )
    return number
