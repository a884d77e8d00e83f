"""Parse the values groups write in their trackers.

Every parser returns a value, or raises :class:`InvalidValue` carrying a French
explanation; the caller turns it into an ``INVALID_VALUE`` reject for that cell
and keeps the rest of the row.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any

from pacte_analysis._text import cell_text, norm

__all__ = [
    "InvalidValue",
    "PendingValue",
    "declared_in_signature",
    "numeric_value",
    "parse_bool",
    "parse_date",
    "parse_declared_count",
    "parse_level",
    "parse_mark",
    "parse_measure_ref",
    "parse_principles",
    "parse_signed",
]


class InvalidValue(ValueError):
    """A cell whose value is not understood; ``args[0]`` is a French explanation."""


class PendingValue(InvalidValue):
    """A cell that says the commitment is pending (« en attente »): not a commitment."""


_PENDING_MARK = re.compile(
    r"\b(?:en\s+attente|[àa]\s+confirmer|en\s+discussion|[àa]\s+l['’ ]?[ée]tude|pas\s+encore|"
    r"[àa]\s+venir|[àa]\s+valider|en\s+r[ée]flexion)\b",
    re.IGNORECASE,
)


_MARK_SYMBOLS = {"✓", "✔", "☑", "✅", "🗸", "☒"}
_NEGATIVE_SYMBOLS = {"-", "–", "—", "/"}
_MARKS = {
    "x",
    "xx",
    "oui",
    "o",
    "yes",
    "y",
    "ok",
    "vrai",
    "true",
    "1",
    "engage",
    "engagee",
    "engages",
    "engagees",
    "signe",
    "signee",
    "signees",
    "signes",
    "retenu",
    "retenue",
    "adopte",
    "adoptee",
    "choisi",
    "choisie",
    "v",
}
_NEGATIVES = {
    "non",
    "n",
    "no",
    "0",
    "faux",
    "false",
    "pas engage",
    "pas engagee",
    "non engage",
    "non engagee",
    "non signe",
    "non signee",
    "aucun",
    "aucune",
    "non retenu",
    "non retenue",
}
_LEVEL = re.compile(
    r"^(?:(?:x|oui|o|engage|engagee)\s)?(?:n|nv|niv|niveau|level|lvl)\s?([0-9])(?:\s?sur\s?[0-9])?$"
)
_LEVEL_MAX = re.compile(
    r"^(?:(?:niveau|niv|nv|level)\s)?(?:max|maxi|maximum|maximal|maximale|le plus eleve|le plus haut|"
    r"le plus ambitieux|superieur)$"
)
_LEVEL_MIN = re.compile(r"^(?:niveau|niv|nv)\s(?:min|mini|minimum|minimal|de base)$")
_LEVEL_MID = re.compile(r"^(?:niveau|niv|nv)\s(?:intermediaire|moyen|median)$")
_LEVEL_ORDINAL = re.compile(
    r"^(1|1er|1ere|premier|premiere|2|2e|2eme|2nd|2nde|deuxieme|second|seconde|3|3e|3eme|troisieme)"
    r"\sniveau$"
)
#: Ordinal words of levels (« 2e », « deuxième »…) → the level.
ORDINALS = {
    "1": 1,
    "1er": 1,
    "1ere": 1,
    "premier": 1,
    "premiere": 1,
    "2": 2,
    "2e": 2,
    "2eme": 2,
    "2nd": 2,
    "2nde": 2,
    "deuxieme": 2,
    "second": 2,
    "seconde": 2,
    "3": 3,
    "3e": 3,
    "3eme": 3,
    "troisieme": 3,
}
#: Shown in messages: the forms a commitment cell may take.
ACCEPTED_FORMS = (
    "X, oui, ✓, 1 (engagé) ; non, 0, vide (pas engagé) ; niveaux N1 à N{max}, « Niveau 2 », "
    "« 2e niveau », « niveau max »"
)


def level_word(key: str, max_level: int) -> int | None:
    """The level a normalised phrase names (``niveau max``, ``2e niveau``…), or ``None``.

    Examples
    --------
    >>> level_word("niveau max", 3), level_word("2eme niveau", 3), level_word("1er niveau", 3)
    (3, 2, 1)
    """
    if _LEVEL_MAX.match(key):
        return max_level
    if _LEVEL_MIN.match(key):
        return 1
    if _LEVEL_MID.match(key):
        return 2 if max_level == 3 else None
    match = _LEVEL_ORDINAL.match(key)
    if match:
        return ORDINALS[match.group(1)]
    return None


_TRUE_WORDS = {
    "oui",
    "o",
    "x",
    "yes",
    "y",
    "vrai",
    "true",
    "1",
    "elu",
    "elue",
    "elus",
    "elues",
    "elu e",
    "gagne",
    "gagnee",
    "gagnante",
    "gagnant",
    "majorite",
    "majoritaire",
    "en majorite",
    "liste elue",
    "victoire",
}
_FALSE_WORDS = {
    "non",
    "n",
    "no",
    "faux",
    "false",
    "0",
    "non elu",
    "non elue",
    "non elu e",
    "battu",
    "battue",
    "perdu",
    "perdue",
    "perdante",
    "perdant",
    "minorite",
    "minoritaire",
    "opposition",
    "en minorite",
    "defaite",
    "pas elu",
    "pas elue",
}
_MEASURE_REF = re.compile(
    r"^(?:(?:mesures?|mes|m|n|no|num|numero|measure)\s?)*0*([0-9]{1,3})(?:\s[^0-9]*)?$"
)
_PRINCIPLE_REF = re.compile(r"^(?:principes?\s)?([a-z])(?:\s.*)?$")
_RANGE = re.compile(
    r"(?<![0-9])0*([0-9]{1,3})\s*(?:-|–|—|à|a|au|jusqu a)\s*0*([0-9]{1,3})(?![0-9])"
)
_NUMBER = re.compile(r"(?<![0-9a-z])(?:m|n|#)?0*([0-9]{1,3})(?![0-9])")
_FILLER = re.compile(
    r"\b(?:mesures?|mes|m|n|no|num|numero|numeros|et|and|principes?|les|des|de|la|le)\b|[,;/+&#°.()\[\]:|\s]"
)
_ALL_WORDS = {"toutes", "tout", "tous", "toutes les mesures", "les 32", "all"}
_NONE_WORDS = {"aucune", "aucun", "non", "none", "0", "neant"}
_FRENCH_MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_DATE_NUMERIC = re.compile(
    r"^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2}|[0-9]{4})"
    r"(?:\s*(?:-|à|a|,)?\s*[0-9]{1,2}[:h][0-9]{2}(?::[0-9]{2})?)?$"
)
_DATE_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ t].*)?$")
_DATE_WORDS = re.compile(r"^(?:le\s)?([0-9]{1,2})(?:er)?\s([a-z]+)\s([0-9]{4})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def numeric_value(value: Any) -> float | None:
    """The number a cell holds (``2``, ``2.0``, ``"2"``), or ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if text and len(text) < 12:
            try:
                return float(text)
            except ValueError:
                return None
    return None


def parse_mark(
    value: Any, *, numeric_levels: bool = False, max_level: int = 3
) -> tuple[bool, int | None]:
    """Read a commitment cell: mark, negative or ambition level.

    Parameters
    ----------
    value : Any
        The raw cell value.
    numeric_levels : bool, default False
        The column holds levels as bare numbers (``1``, ``2``, ``3``): ``1`` is
        then level 1 rather than a plain mark.
    max_level : int, default 3
        Highest level the measure has.

    Returns
    -------
    (committed, level) : tuple of bool and int or None

    Raises
    ------
    InvalidValue
        The value is not a mark, a negative nor a level.

    Examples
    --------
    >>> parse_mark("X"), parse_mark("non"), parse_mark("Niveau 2"), parse_mark(None)
    ((True, None), (False, None), (True, 2), (False, None))
    >>> parse_mark(2, numeric_levels=True)
    (True, 2)
    """
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number):
            return False, None
        return _parse_number(number, numeric_levels, max_level, cell_text(value))
    return _parse_mark_text(cell_text(value), numeric_levels, max_level)


@lru_cache(maxsize=4096)
def _parse_mark_text(text: str, numeric_levels: bool, max_level: int) -> tuple[bool, int | None]:
    if not text:
        return False, None
    if text in _MARK_SYMBOLS:
        return True, None
    if text in _NEGATIVE_SYMBOLS:
        return False, None
    stars = text.replace(" ", "")
    if stars and set(stars) <= {"★", "*"} and len(stars) <= max_level:
        return True, len(stars)  # ★★ = level 2
    doubtful = "?" in text or (text.startswith("(") and text.endswith(")"))
    if doubtful and _PENDING_MARK.search(text) is None:
        raise InvalidValue(
            f"« {text} » : marque douteuse, ni comptée ni écartée ; écrivez X (engagée) ou "
            "laissez vide, ou « en attente »."
        )
    if _PENDING_MARK.search(text):
        raise PendingValue(f"« {text} » : mesure en attente, pas comptée comme engagement.")
    key = norm(text)
    if not key:
        raise InvalidValue(
            f"« {text} » n'est ni une marque, ni « non », ni un niveau ; formes acceptées : "
            + ACCEPTED_FORMS.format(max=max_level)
            + "."
        )
    of_max = re.fullmatch(r"([0-9])\s?(?:/|sur)\s?([0-9])", text.strip())
    if of_max and int(of_max.group(2)) == max_level:
        return True, _check_level(int(of_max.group(1)), max_level, text)  # « 2/3 »
    number = numeric_value(text)
    if number is not None:
        return _parse_number(number, numeric_levels, max_level, text)
    if key in _MARKS:
        return True, None
    if key in _NEGATIVES:
        return False, None
    match = _LEVEL.match(key)
    if match:
        return True, _check_level(int(match.group(1)), max_level, text)
    named = level_word(key, max_level)
    if named is not None:
        return True, _check_level(named, max_level, text)
    raise InvalidValue(
        f"« {text} » n'est ni une marque, ni « non », ni un niveau ; formes acceptées : "
        + ACCEPTED_FORMS.format(max=max_level)
        + "."
    )


def _parse_number(
    number: float, numeric_levels: bool, max_level: int, text: str
) -> tuple[bool, int | None]:
    if number == 0:
        return False, None
    if not number.is_integer():
        raise InvalidValue(f"« {text} » : nombre non entier.")
    if numeric_levels:
        return True, _check_level(int(number), max_level, text)
    if number == 1:
        return True, None
    raise InvalidValue(
        f"« {text} » : seul 1 (engagé) ou 0 (non) est attendu ici ; un niveau s'écrit N1 à N{max_level}."
    )


def _check_level(level: int, max_level: int, text: str) -> int:
    if not 1 <= level <= max_level:
        raise InvalidValue(f"« {text} » : niveau hors de l'échelle 1 à {max_level}.")
    return level


def parse_level(value: Any, *, max_level: int = 3) -> int | None:
    """Read a cell of a level column (``2``, ``N2``, ``Niveau 2``); empty → ``None``.

    Examples
    --------
    >>> parse_level("niv. 3"), parse_level(2.0), parse_level("")
    (3, 2, None)
    """
    text = cell_text(value)
    if not text or text in _NEGATIVE_SYMBOLS:
        return None
    committed, level = parse_mark(value, numeric_levels=True, max_level=max_level)
    if not committed:
        return None
    if level is None:
        raise InvalidValue(f"« {text} » n'est pas un niveau (1 à {max_level}).")
    return level


def parse_bool(value: Any) -> bool | None:
    """Read a yes/no cell such as « Élue ? »; empty → ``None``.

    Examples
    --------
    >>> parse_bool("Oui"), parse_bool("élue"), parse_bool("non"), parse_bool(None)
    (True, True, False, None)
    """
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if not text or text in {"?", "-", "nc", "NC"}:
        return None
    if text in _MARK_SYMBOLS:
        return True
    key = norm(text)
    if key in _TRUE_WORDS:
        return True
    if key in _FALSE_WORDS:
        return False
    # « élue au 2nd tour », « battue au 1er tour », « oui (majorité) »
    if _FALSE_PREFIX.match(key):
        return False
    if _TRUE_PREFIX.match(key):
        return True
    raise InvalidValue(
        f"« {text} » : répondre oui ou non (ou « élue », « battue », « majorité », « minorité »)."
    )


_FALSE_PREFIX = re.compile(
    r"^(?:non|pas|battue?s?|perdu|perdante?|minorit|opposition|defaite|eliminee?|ne se (?:re)?presente)"
)
_TRUE_PREFIX = re.compile(r"^(?:oui|elue?s?|e lue|gagn|majorit|victoire|liste elue|reelue?)\b")


_PRINCIPLE_ITEM = re.compile(
    r"(?:^|[,;\n]\s*)(?:princ(?:ipe)?s?\.?\s*)?([A-Za-z])\s*(?:-|–|—|\.|\)|:)\s*(?=[^\W\d_]{2})"
)


_SIGNED_TRUE = {
    "signe",
    "signee",
    "signes",
    "signees",
    "a signe",
    "signataire",
    "pacte signe",
    "engage",
    "engagee",
    "signature",
    "signe le pacte",
    "oui signe",
}
_SIGNED_FALSE = {
    "non signe",
    "non signee",
    "pas signe",
    "pas signee",
    "refus",
    "refuse",
    "a refuse",
    "refusee",
    "non signataire",
    "ne signe pas",
    "pas de signature",
    "n a pas signe",
    "n a pas signee",
    "na pas signe",
    "na pas signee",
    "n a pas voulu signer",
}
_SIGNED_UNKNOWN = {
    "?",
    "nc",
    "ne sait pas",
    "inconnu",
    "pas de reponse",
    "sans reponse",
    "en attente",
    "a relancer",
    "en cours",
    "attente",
    # the steps of a campaign, before any answer: they say nothing of a signature
    "en discussion",
    "en cours de discussion",
    "en negociation",
    "en reflexion",
    "contacte",
    "contactee",
    "contactes",
    "a contacter",
    "relance",
    "relancee",
    "relances",
    "rencontre",
    "rencontree",
    "rencontres",
    "a rencontrer",
    "rdv pris",
    "rendez vous pris",
}
#: « signé le 12/02/2020 », « a signé le 4 mars 2020 », « signée en février 2020 »:
#: signed, on the date that follows.
_SIGNED_ON = re.compile(r"^(?:a\s+)?sign[ée]e?s?\s+(?:le|en|au|du)\s+(.+)$", re.IGNORECASE)


_WITH_COUNT = re.compile(r"^(.*?)[\s,(;:–-]+(\d{1,3})\s?mesures?\b.*$")


def parse_signed(value: Any) -> tuple[bool | None, dt.date | None]:
    """Read a « A signé le Pacte ? » cell: ``(signed, date)``; empty → ``(None, None)``.

    A date means signed on that date; « en attente » and « ? » say nothing.

    Examples
    --------
    >>> parse_signed("oui"), parse_signed("Non signé"), parse_signed("04/03/2020")
    ((True, None), (False, None), (True, datetime.date(2020, 3, 4)))
    """
    if isinstance(value, dt.date | dt.datetime):
        return True, parse_date(value)
    text = cell_text(value)
    if not text or text in _NEGATIVE_SYMBOLS:
        return None, None
    key = norm(text)
    if key in _SIGNED_UNKNOWN or text == "?":
        return None, None
    with_count = _WITH_COUNT.match(key)
    if with_count and with_count.group(1):  # « oui (12 mesures) »: the count is read apart
        return parse_signed(with_count.group(1))
    dated = _SIGNED_ON.match(text.strip())
    if dated:
        try:
            on = parse_date(dated.group(1).strip())
        except InvalidValue:
            on = None
        if on is not None:
            return True, on
    if key in _SIGNED_TRUE:
        return True, None
    if key in _SIGNED_FALSE:
        return False, None
    try:
        answer = parse_bool(value)
    except InvalidValue:
        answer = None
    else:
        return answer, None
    try:
        on = parse_date(value) if not isinstance(value, int | float) else None
    except InvalidValue:
        on = None
    if on is not None:
        return True, on
    raise InvalidValue(
        f"« {text} » : répondre oui ou non (ou une date de signature) ; « en attente » ou « ? » "
        "si on ne sait pas."
    )


_DECLARED_TEXT = re.compile(
    r"^(\d{1,3})(?:\s?(?:mesures?|engagements?))?(?:\s(?:sur\s)?\d{1,3}(?:\smesures?)?)?$"
)


def declared_in_signature(value: Any) -> int | None:
    """A count written beside a signature (« oui (12 mesures) »), or ``None``.

    Examples
    --------
    >>> declared_in_signature("Oui (12 mesures)"), declared_in_signature("oui")
    (12, None)
    """
    match = _WITH_COUNT.match(norm(cell_text(value)))
    return int(match.group(2)) if match and match.group(1) else None


def parse_declared_count(value: Any) -> int | None:
    """Read a « Nombre de mesures » cell (``24``, ``24 mesures``, ``24/32``); empty → ``None``.

    Examples
    --------
    >>> parse_declared_count("24 mesures"), parse_declared_count(31.0), parse_declared_count("29/32")
    (24, 31, 29)
    """
    if isinstance(value, bool):
        raise InvalidValue(f"« {cell_text(value)} » n'est pas un nombre de mesures.")
    if isinstance(value, int | float):
        number = float(value)
        if number != number:
            return None
        if number.is_integer() and 0 <= number < 1000:
            return int(number)
        raise InvalidValue(f"« {cell_text(value)} » n'est pas un nombre entier de mesures.")
    text = cell_text(value)
    if not text or text in _NEGATIVE_SYMBOLS:
        return None
    match = _DECLARED_TEXT.match(norm(text))
    if match:
        return int(match.group(1))
    raise InvalidValue(f"« {text} » n'est pas un nombre de mesures (attendu : 24, « 24 mesures »).")


def parse_principles(
    value: Any, letters: str, titles: tuple[tuple[str, int], ...] = ()
) -> set[str]:
    """Read a cell listing principles (``A, B, C``, ``ABC``, ``tous``, form answers).

    Parameters
    ----------
    value : Any
    letters : str
        The edition's principle letters.
    titles : tuple of (normalised title, index), optional
        The principles' titles (index into ``letters``), to read answers given by title.

    Examples
    --------
    >>> sorted(parse_principles("A, C", "ABC")), sorted(parse_principles("abc", "ABC"))
    (['A', 'C'], ['A', 'B', 'C'])
    >>> sorted(parse_principles("A - Sensibilisation et formation, C - Intégration des impacts", "ABC"))
    ['A', 'C']
    """
    text = cell_text(value)
    if not text or text in _NEGATIVE_SYMBOLS:
        return set()
    key = norm(text)
    if (
        key in {"tous", "toutes", "oui", "x", "les 3", "les trois", "all", "3 3", "3", "tous les 3"}
        or text in _MARK_SYMBOLS
    ):
        return set(letters)
    if key in {"aucun", "aucune", "non", "0", "none"}:
        return set()
    items = [m.group(1).upper() for m in _PRINCIPLE_ITEM.finditer(text)]
    if items and all(ch in letters for ch in items):
        return set(items)
    if titles and len(key) > 12:
        from pacte_analysis.ingest._compact import match_titles

        found, rest = match_titles(text, titles)
        if found and not rest:
            return {letters[i] for i in found}
    found_letters: set[str] = set()
    for word in key.split():
        if word in {"et", "and", "principe", "principes", "princ"}:
            continue
        upper = word.upper()
        if not all(ch in letters for ch in upper):
            raise InvalidValue(f"« {text} » : principes attendus parmi {', '.join(letters)}.")
        found_letters.update(upper)
    return found_letters


def parse_measure_ref(value: Any, letters: str) -> tuple[str, int | str] | None:
    """Read the measure cell of a long layout: ``("measure", 3)`` or ``("principle", "A")``.

    Returns ``None`` for an empty cell.

    Examples
    --------
    >>> parse_measure_ref("M03", "ABC"), parse_measure_ref(7.0, "ABC"), parse_measure_ref("B", "ABC")
    (('measure', 3), ('measure', 7), ('principle', 'B'))
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            return None
        if number.is_integer() and number >= 0:
            return ("measure", int(number))
        raise InvalidValue(f"« {cell_text(value)} » n'est pas un numéro de mesure.")
    text = cell_text(value)
    if not text:
        return None
    key = norm(text)
    match = _MEASURE_REF.match(key)
    if match:
        return ("measure", int(match.group(1)))
    match = _PRINCIPLE_REF.match(key)
    if match and match.group(1).upper() in letters:
        return ("principle", match.group(1).upper())
    raise InvalidValue(
        f"« {text} » n'est ni un numéro de mesure ni un principe ({', '.join(letters)})."
    )


def parse_date(value: Any) -> dt.date | None:
    """Read a date cell: a real date, an Excel serial number or French text.

    Examples
    --------
    >>> parse_date(43894.0), parse_date("04/03/2020"), parse_date("4 mars 2020")
    (datetime.date(2020, 3, 4), datetime.date(2020, 3, 4), datetime.date(2020, 3, 4))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            return None
        if 20000 <= number <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(number))
        raise InvalidValue(f"« {cell_text(value)} » n'est pas une date.")
    text = cell_text(value)
    if not text:
        return None
    as_number = numeric_value(text)
    if as_number is not None:
        return parse_date(as_number)
    try:
        match = _DATE_NUMERIC.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            if year < 100:
                year += 2000
            return dt.date(year, month, day)
        match = _DATE_ISO.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _DATE_WORDS.match(norm(text))
        if match and match.group(2) in _FRENCH_MONTHS:
            return dt.date(int(match.group(3)), _FRENCH_MONTHS[match.group(2)], int(match.group(1)))
    except ValueError as exc:
        raise InvalidValue(f"« {text} » n'est pas une date valide.") from exc
    raise InvalidValue(f"« {text} » n'est pas une date (attendu : JJ/MM/AAAA).")
