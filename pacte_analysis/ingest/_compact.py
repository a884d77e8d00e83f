"""Read a cell that lists measures, as people and forms write them.

Forms handled (a sample of each class; see ``tests/ingest/test_ingest_compact.py``):

* numbers and ranges: ``1, 3, 5-8, 12``, ``1 à 32``, ``1-10 + 12``, ``M1; M5``, ``n°3``;
* levels after an item: ``5 (N2), 7 (N3), 12``, ``M5-N2; M7-N3``, ``2-N1``, ``1 N1``,
  ``5-8 (niveau 2)``; a level written once at the very end of a cell whose other items
  have none applies to every item (``5, 10, 24, 31 (niveau 3)``), and this is flagged;
  a level followed by a colon applies to what follows (``Niveau 2 : 5, 7 ; Niveau 3 : 12``);
* everything, everything but: ``toutes``, ``les 32``, ``toutes sauf 7 et 21``;
* a declared count instead of numbers: ``24 mesures``;
* pending items: ``(en attente pour la 11)``, ``11 à confirmer`` (not commitments);
* form exports: ``1 - Politique ambitieuse d'achats…, 3 - Sobriété… 100 % …`` (numbers
  that start an answer, titles may hold commas and figures), or titles only, matched
  against the edition's confirmed titles;
* principle letters in the same cell: ``A, B, C, 1, 5``.

The parser never guesses silently: what it cannot read is returned in ``bad`` (the
caller rejects it on its cell), what it read under an assumption in ``warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pacte_analysis._text import norm
from pacte_analysis.ingest._values import ORDINALS

__all__ = ["MeasureList", "match_titles", "parse_measure_list", "title_index"]


@dataclass
class MeasureList:
    """What a compact cell says.

    Attributes
    ----------
    levels : dict of int to int or None
        Measures committed to, with their level when one is written.
    principles : set of str
        Principle letters found in the cell.
    bad : list of str
        Fragments that could not be read.
    pending : list of int
        Measures written as pending (« en attente »), not committed.
    declared : int or None
        A count given instead of numbers (« 24 mesures »).
    warnings : list of str
        French notes on what was read under an assumption.
    """

    levels: dict[int, int | None] = field(default_factory=dict)
    principles: set[str] = field(default_factory=set)
    bad: list[str] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    declared: int | None = None
    warnings: list[str] = field(default_factory=list)


_ALL = {
    "toutes",
    "tout",
    "tous",
    "toutes les mesures",
    "toutes mesures",
    "l ensemble",
    "l ensemble des mesures",
    "all",
    "integralite",
    "l integralite",
    "l integralite des mesures",
}
_NONE = {"aucune", "aucun", "non", "none", "0", "neant", "aucune mesure", "pas de mesure"}
_DECLARED = re.compile(
    r"^(\d{1,3})\s?(?:mesures?|engagements?)(?:\s(?:choisies|retenues|signees|prises|adoptees|sur\s\d{1,3}))?$"
)
_ALL_BUT = re.compile(
    r"^(?:toutes|tout|tous|l ensemble)(?:\s(?:les|des))?(?:\s\d{1,3})?(?:\s(?:mesures?))?\s"
    r"(?:sauf|excepte|exceptee|hormis|hors|moins|a l exception d[eu]?|sans)\s(.*)$"
)
_BUT = re.compile(
    r"^(.*?)\s(?:sauf|excepte|exceptee|hormis|hors|moins|a l exception d[eu]?)\s(.*)$", re.I
)
_PENDING_WORDS = (
    r"en\s+attente|[àa]\s+confirmer|en\s+discussion|en\s+r[ée]flexion|[àa]\s+l['’ ]?[ée]tude|"
    r"pas\s+encore|[àa]\s+venir|[àa]\s+valider|sous\s+r[ée]serve|peut[- ][êe]tre|[àa]\s+pr[ée]ciser"
)
_PENDING_PAREN = re.compile(r"\(([^()]*(?:" + _PENDING_WORDS + r")[^()]*)\)", re.IGNORECASE)
_PENDING_TAIL = re.compile(r"((?:" + _PENDING_WORDS + r")[^,;]*)", re.IGNORECASE)
_PENDING_AFTER = re.compile(
    r"((?:(?:m|mesures?|n°)\s*)?\d{1,3}(?:\s*(?:,|et)\s*\d{1,3})*\s*(?:" + _PENDING_WORDS + r"))",
    re.IGNORECASE,
)
# form answers: a number (or M12) starting an item and followed by a title
_FORM_ITEM = re.compile(
    r"(?:^|[,;\n]\s*|\s-\s)(?:m|mesure\s*|n°\s*)?(\d{1,2})\s*(?:-|–|—|\.|\)|:|/)\s*(?=[^\W\d_]{2})",
    re.IGNORECASE,
)
_LEVEL_WORDS_MAX = (
    r"(?:max(?:imum|imal|imale|i)?|le\s+plus\s+(?:[ée]lev[ée]|haut|ambitieux)|sup[ée]rieur)"
)
_LEVEL_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    # « niveau max » and the like → the measure's highest level, marked §LM
    (
        re.compile(r"\(?\s*(?:niveau|niv\.?|nv|level)\s*" + _LEVEL_WORDS_MAX + r"\s*\)?", re.I),
        " §LM ",
    ),
    # « 2e niveau », « premier niveau »
    (
        re.compile(
            r"\(?\s*\b(1er|1ère|1ere|premier|première|premiere|2e|2è|2ème|2eme|2nd|2nde|deuxième|"
            r"deuxieme|second|seconde|3e|3è|3ème|3eme|troisième|troisieme)\s+niveau\s*\)?",
            re.I,
        ),
        r" §LW\1§ ",
    ),
    # « niveau 3 », « niv. 2 », « (N2) », « level 1 »
    (re.compile(r"\(?\s*(?:niveau|niv\.?|nv|level|lvl)\s*([1-9])\s*\)?", re.I), r" §L\1 "),
    # « 5-N2 », « 5 N2 », « 5 (N2) », « 5/N2 », « M5:N2 » (N right after a number)
    (
        re.compile(r"(\d)\s*[-–—/:]?\s*\(?\s*\bn\s*([1-9])\b\s*\)?", re.I),
        r"\1 §L\2 ",
    ),
)
_TOKEN = re.compile(
    r"§L(M|[1-9]|W[^§]+§)(\s*:)?"
    r"|(?<![\d§])(?:m|#|n°|no|num|numéro|mesures?)?\s*(\d+)\s*(?:-|–|—|à|a|au|jusqu'?à)\s*"
    r"(?:m|#|n°|la|mesures?)?\s*(\d+)(?!\d)"
    r"|(?<![\d§])(?:m|#|n°|no|num\.?|numéro|mesures?)?\s*(\d+)(?!\d)"
    r"|([^\W\d_]+)",
    re.IGNORECASE,
)
_FILLERS = {
    "m",
    "mesure",
    "mesures",
    "mes",
    "n",
    "no",
    "num",
    "numero",
    "numeros",
    "et",
    "and",
    "les",
    "des",
    "de",
    "du",
    "la",
    "le",
    "l",
    "d",
    "puis",
    "ainsi",
    "que",
    "plus",
    "avec",
    "principe",
    "principes",
    "engagement",
    "engagements",
    "signe",
    "signee",
    "choisies",
    "retenues",
    "item",
    "items",
}


def _level_of(marker: str, max_level: int) -> int:
    if marker == "M":
        return max_level
    if marker.startswith("W"):
        return ORDINALS.get(norm(marker[1:-1]), 0)
    return int(marker)


@lru_cache(maxsize=64)
def _title_index_cached(items: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(items, key=lambda kv: -len(kv[0])))


def title_index(
    titles: Mapping[int, str] | Sequence[tuple[int, str]],
) -> tuple[tuple[str, int], ...]:
    """Normalised titles → number, longest first (for :func:`match_titles`)."""
    pairs = titles.items() if isinstance(titles, Mapping) else titles
    return _title_index_cached(tuple((norm(t), n) for n, t in pairs if t and norm(t)))


def match_titles(text: str, index: Sequence[tuple[str, int]]) -> tuple[list[int], str]:
    """Numbers whose title occurs in ``text`` (accent/case-insensitive); and what is left.

    A title matches in full, or by its first words when they are distinctive
    (at least three words, or two words and fifteen letters).

    Examples
    --------
    >>> idx = title_index({1: "Politique ambitieuse d'achats publics responsables", 4: "Priorité au logiciel libre dans le service public"})
    >>> match_titles("Priorité au logiciel libre, politique ambitieuse d'achats publics", idx)
    ([1, 4], '')
    """
    key = f" {norm(text)} "
    found: list[int] = []
    for title, number in index:
        words = title.split()
        candidates = [title]
        for n in range(len(words) - 1, 1, -1):
            prefix = " ".join(words[:n])
            if n >= 3 or len(prefix.replace(" ", "")) >= 15:
                candidates.append(prefix)
        for candidate in candidates:
            needle = f" {candidate} "
            if needle in key:
                key = key.replace(needle, " ", 1)
                found.append(number)
                break
    rest = " ".join(w for w in key.split() if w not in _FILLERS)
    return sorted(set(found)), rest


def _parse_numbers(text: str, max_level: int, result: MeasureList, letters: str = "ABC") -> None:
    """Numbers, ranges, levels and principle letters of a cell (no « sauf », no pending)."""
    work = text
    for pattern, repl in _LEVEL_SUBS:
        work = pattern.sub(repl, work)
    items: list[list[int]] = []  # each item: the numbers it covers
    item_levels: list[int | None] = []
    prefix_level: int | None = None
    suffix_levels = 0
    last_token_is_level = False
    words: list[tuple[str, int, int]] = []
    for match in _TOKEN.finditer(work):
        level_token, colon, start, end, single, word = match.groups()
        if level_token is not None:
            level = _level_of(level_token, max_level)
            if not level:
                result.bad.append(match.group(0).strip())
                continue
            if colon:
                prefix_level = level
                last_token_is_level = False
                continue
            if items and item_levels[-1] is None:
                item_levels[-1] = level
                suffix_levels += 1
                last_token_is_level = True
            elif not items:
                prefix_level = level  # « Niveau 2 5, 7 » without a colon
            else:
                result.bad.append(match.group(0).strip())
            continue
        last_token_is_level = False
        if start is not None:
            a, b = int(start), int(end)
            if a <= b and b - a <= 200:
                items.append(list(range(a, b + 1)))
                item_levels.append(prefix_level)
            else:
                result.bad.append(match.group(0).strip())
            continue
        if single is not None:
            if len(single) > 3:
                result.bad.append(single)
                continue
            items.append([int(single)])
            item_levels.append(prefix_level)
            continue
        lowered = norm(word)
        if not lowered or lowered in _FILLERS or lowered in {"sur", "32", "niveau", "niveaux"}:
            continue
        words.append((word, match.start(), match.end()))
    bad_end = -1
    for word, start, end in words:
        upper = norm(word).upper()
        if upper and len(upper) <= len(letters) and all(ch in letters for ch in upper):
            result.principles.update(upper)
            continue
        gap = work[bad_end:start] if bad_end >= 0 else None
        if result.bad and gap is not None and gap.strip() in ("-", "'", ""):
            result.bad[-1] += gap + word  # « quelques-unes » stays one fragment
        else:
            result.bad.append(word)
        bad_end = end
    if (
        suffix_levels == 1
        and last_token_is_level
        and len(items) > 1
        and prefix_level is None
        and all(lv is None for lv in item_levels[:-1])
    ):
        end_level = item_levels[-1]
        numbers = [n for item in items for n in item]
        item_levels = [end_level] * len(items)
        result.warnings.append(
            f"le niveau {end_level} écrit une fois en fin de cellule est appliqué à chacune des "
            f"mesures {', '.join(map(str, numbers))} (écrivez « 31 (N{end_level}) » s'il ne vaut "
            "que pour la dernière)"
        )
    for item, item_level in zip(items, item_levels, strict=True):
        for number in item:
            old = result.levels.get(number)
            if (
                number in result.levels
                and old is not None
                and item_level is not None
                and old != item_level
            ):
                result.bad.append(f"{number} (niveaux {old} et {item_level})")
                continue
            result.levels[number] = item_level if item_level is not None else old


_NUMBER_WORDS = {
    "a",
    "au",
    "et",
    "m",
    "mesure",
    "mesures",
    "les",
    "la",
    "le",
    "de",
    "des",
    "n",
    "no",
}


def _numbers_only(text: str) -> bool:
    """Whether ``text`` holds only numbers, ranges and their little words."""
    words = norm(text).split()
    return bool(words) and all(
        w.isdigit() or w in _NUMBER_WORDS or re.fullmatch(r"m\d+", w) for w in words
    )


_LEVEL_END = re.compile(r"§L(?:M|[1-9]|W[^§]+§)\s*\)?\s*$")


def _grouped_levels(text: str) -> bool:
    """Whether ``text`` is groups (split by ``;``, ``/`` or lines) each ending with a level."""
    groups = [g for g in re.split(r"\s*(?:;|/|\n)\s*", text) if g.strip()]
    if len(groups) < 2:
        return False
    for group in groups:
        work = group
        for pattern, repl in _LEVEL_SUBS:
            work = pattern.sub(repl, work)
        if not _LEVEL_END.search(work) or not re.search(r"\d", group):
            return False
    return True


def _parse_form(text: str, max_level: int, result: MeasureList) -> bool:
    """Answers of a form export (``1 - Titre, 3 - Titre…``); False if not that shape."""
    starts = list(_FORM_ITEM.finditer(text))
    if not starts:
        return False
    head = text[: starts[0].start()].strip(" ,;\n")
    if head and re.search(r"\d", head):
        return False
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[match.end() : end]
        number = int(match.group(1))
        level: int | None = None
        level_match = re.search(
            r"\(\s*(?:n|niv\.?|niveau)\s*([1-9])\s*\)\s*[,;]?\s*$", body, re.IGNORECASE
        )
        if level_match:
            level = int(level_match.group(1))
        result.levels[number] = level
    if head:
        for word in re.split(r"[\s,;]+", head):
            if word and norm(word) not in _FILLERS:
                result.bad.append(word)
    return True


def parse_measure_list(
    value: object,
    all_numbers: Sequence[int],
    letters: str = "ABC",
    *,
    titles: Sequence[tuple[str, int]] = (),
    max_level: int = 3,
) -> MeasureList:
    """Read a compact cell listing measures.

    Parameters
    ----------
    value : object
        The raw cell (text or number).
    all_numbers : sequence of int
        The edition's measure numbers (for « toutes », « toutes sauf … »).
    letters : str, default "ABC"
        The edition's principle letters.
    titles : sequence of (normalised title, number), optional
        From :func:`title_index`, to read answers given by title only.
    max_level : int, default 3
        The level « niveau max » stands for.

    Returns
    -------
    MeasureList

    Examples
    --------
    >>> r = parse_measure_list("5 (N2), 7 (N3), 12", range(1, 33))
    >>> r.levels
    {5: 2, 7: 3, 12: None}
    >>> sorted(parse_measure_list("toutes sauf 7 et 21", range(1, 33)).levels) == [
    ...     n for n in range(1, 33) if n not in (7, 21)]
    True
    >>> parse_measure_list("24 mesures", range(1, 33)).declared
    24
    """
    result = MeasureList()
    if value is None or isinstance(value, bool):
        return result
    if isinstance(value, int | float):
        number = float(value)
        if number != number:
            return result
        if number.is_integer() and 0 < number < 1000:
            result.levels[int(number)] = None
        else:
            result.bad.append(str(value))
        return result
    text = str(value).replace("’", "'").strip()
    if not text:
        return result
    key = norm(text)
    if key in _ALL or re.fullmatch(
        r"(?:les|toutes les|toutes|tout|tous)(?:\sles)?(?:\smesures)?\s\d{1,3}(?:\smesures)?", key
    ):
        count = re.search(r"\d+", key)
        if count and int(count.group()) != len(all_numbers):
            result.bad.append(text)
            return result
        result.levels.update(dict.fromkeys(all_numbers))
        return result
    if key in _NONE:
        return result
    declared = _DECLARED.match(key)
    if declared:
        result.declared = int(declared.group(1))
        return result
    all_but = _ALL_BUT.match(key)
    if all_but:
        excluded = MeasureList()
        _parse_numbers(all_but.group(1), max_level, excluded, letters)
        result.bad.extend(excluded.bad)
        result.principles |= excluded.principles
        result.levels.update({n: None for n in all_numbers if n not in excluded.levels})
        return result
    but = _BUT.match(text)
    if but and _numbers_only(but.group(1)) and _numbers_only(but.group(2)):
        # « 1-32 sauf 13 », « 1 à 20 sauf 4 et 7 »
        kept, excluded = MeasureList(), MeasureList()
        _parse_numbers(but.group(1), max_level, kept, letters)
        _parse_numbers(but.group(2), max_level, excluded, letters)
        result.bad.extend(kept.bad + excluded.bad)
        result.principles |= kept.principles
        result.levels.update({n: lv for n, lv in kept.levels.items() if n not in excluded.levels})
        return result
    # pending items are taken out first
    for pattern in (_PENDING_PAREN, _PENDING_AFTER, _PENDING_TAIL):
        for match in list(pattern.finditer(text)):
            clause = match.group(1)
            numbers = [int(n) for n in re.findall(r"(?<!\d)\d{1,3}(?!\d)", clause)]
            if not numbers:
                result.bad.append(match.group(0).strip())
            result.pending.extend(numbers)
            text = text.replace(match.group(0), " ", 1)
    if _parse_form(text, max_level, result):
        pass
    elif titles and not re.search(r"\d", text) and len(key) > 12:
        numbers, rest = match_titles(text, titles)
        result.levels.update(dict.fromkeys(numbers))
        if rest:
            extra = MeasureList()
            _parse_numbers(rest, max_level, extra, letters)
            result.principles |= extra.principles
            result.bad.extend(extra.bad)
    elif _grouped_levels(text):
        # « 1, 2, 3 niveau 2 / 4, 5 niveau 3 »: each group ends with its own level
        for group in re.split(r"\s*(?:;|/|\n)\s*", text):
            part = MeasureList()
            _parse_numbers(group, max_level, part, letters)
            result.bad.extend(part.bad)
            result.principles |= part.principles
            for number, level in part.levels.items():
                if number in result.levels and result.levels[number] not in (None, level):
                    result.bad.append(f"{number} (niveaux {result.levels[number]} et {level})")
                    continue
                result.levels[number] = level
    else:
        _parse_numbers(text, max_level, result, letters)
    for number in result.pending:
        result.levels.pop(number, None)
    result.pending = sorted(set(result.pending))
    result.levels = dict(sorted(result.levels.items()))
    return result
