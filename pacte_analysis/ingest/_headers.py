"""Find the header row of a sheet and give each column a role.

A header is the row, among the first :data:`HEADER_SCAN_ROWS`, whose labels map
to the most distinct roles, provided it names a commune (name, INSEE code or
postal code) and something committed to (measures or principles). A label left
empty by a merged cell borrows the label above it, so two-row headers
(« Mesures » merged over ``1 2 3 …``) are read as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pacte_analysis._text import cell_text, is_empty, norm

__all__ = ["HEADER_SCAN_ROWS", "ColumnRole", "HeaderPlan", "classify_label", "detect_header"]

#: Rows examined from the top of a sheet when looking for the header.
HEADER_SCAN_ROWS = 30

COMMUNE_KINDS = ("commune_code", "postal_code", "commune_name")
COMMITMENT_KINDS = (
    "measure",
    "level",
    "measure_level",
    "principle",
    "principles",
    "measures",
    "signed",
    "n_declared",
)
IDENTITY_KINDS = ("list_name", "list_head", "head_first", "head_last", "list_name_head")

_IGNORED_FIRST = {
    "nb",
    "nbre",
    "nombre",
    "total",
    "score",
    "taux",
    "pourcentage",
    "pct",
    "somme",
    "moyenne",
    "commentaire",
    "commentaires",
    "remarque",
    "remarques",
    "notes",
    "note",
    "observation",
    "observations",
    "contact",
    "contacts",
    "email",
    "mail",
    "courriel",
    "telephone",
    "tel",
    "population",
    "region",
    "epci",
    "intercommunalite",
    "url",
    "lien",
    "source",
    "sources",
    "suivi",
    "relance",
    "statut collectif",
    "collectif",
    "referent",
}
_ELECTED = {
    "elu",
    "elue",
    "elus",
    "elues",
    "gagnante",
    "gagnant",
    "victoire",
    "elected",
}
_ELECTED_PHRASES = {
    "resultat",
    "resultats",
    "resultat election",
    "resultat des elections",
    "majorite",
    "majoritaire",
    "majorite minorite",
    "elu e",
    "elu e s",
}
_DEPARTEMENT = {"departement", "departements", "dept", "dep", "dpt", "depart", "dept n"}
_COMMUNE = {
    "commune",
    "communes",
    "cne",  # the usual abbreviation (« Cne », « Nom cne »)
    "cnes",
    "ville",
    "villes",
    "localite",
    "municipalite",
    "collectivite",
    "city",
    "town",
    "municipality",
}
_HEAD = {
    "tete",
    "candidat",
    "candidate",
    "candidats",
    "head",
    "conduite",
    "menee",
    "porte",
    "portee",
    "mandataire",
}
_LIST = {"liste", "listes", "list"}
_MEASURES = {"mesures", "mesure", "engagements", "measures", "measure"}
_LONG_VALUE = {
    "engagement",
    "engage",
    "engagee",
    "valeur",
    "choix",
    "statut",
    "reponse",
    "oui non",
    "engagement oui non",
    "committed",
    "value",
    "engage e",
    "avancement",
    "etat",
    "etat d avancement",
    "realisation",
    "etat de realisation",
    "niveau de realisation",
    "statut de la mesure",
    "statut de realisation",
}
_LONG_LEVEL = {
    "niveau",
    "niveau d engagement",
    "niveau d ambition",
    "niv",
    "level",
    "niveau ambition",
    "niveau de la mesure",
    "niveau choisi",
    "niveau retenu",
}
_LEVEL_WORDS = ("niveau", "niv", "level", "lvl", "nv")
_MEASURE_LABEL = re.compile(
    r"^(?:(?:mesures?|mes|m|n|no|num|numero|measure)\s?)*0*([0-9]{1,3})(?:\s(.*))?$"
)
_LEVEL_PREFIX = re.compile(
    r"^(?:niveau|niv|level|lvl|nv)\s(?:(?:de|d|la|du|mesure|mes|m|n|no|num)\s?)*0*([0-9]{1,3})$"
)
_PRINCIPLE_LABEL = re.compile(r"^(?:principes?|princ|pr)\s([a-z]|[0-9])(?:\s.*)?$")
_SIGNED_WORDS = {"signe", "signee", "signes", "signees", "signataire", "signataires", "signature"}
_COUNT_WORDS = {"nombre", "nb", "nbre", "total", "combien", "count"}
_COUNTED = {"mesures", "mesure", "engagements", "measures"}
#: A level written alone (``N2``, ``Niveau 2``, ``2e niveau``), as a sub-header below a measure.
LEVEL_TOKEN = re.compile(
    r"^(?:(?:n|niv|niveau|nv|level|lvl)\s?([1-9])|(1|1er|1ere|premier|2|2e|2eme|2nd|deuxieme|"
    r"second|3|3e|3eme|troisieme)\sniveau)$"
)
_ORDINAL_LEVEL = {
    "1": 1,
    "1er": 1,
    "1ere": 1,
    "premier": 1,
    "2e": 2,
    "2eme": 2,
    "2nd": 2,
    "deuxieme": 2,
    "second": 2,
    "2": 2,
    "3": 3,
    "3e": 3,
    "3eme": 3,
    "troisieme": 3,
}
_MARK_SUBLABELS = {
    "engage",
    "engagee",
    "engagement",
    "oui non",
    "x",
    "choix",
    "choisie",
    "retenue",
    "signe",
    "oui",
}
_LEVEL_SUBLABELS = {
    "niveau",
    "niv",
    "niveau d engagement",
    "niveau d ambition",
    "level",
    "niveau choisi",
}


def level_token(key: str) -> int | None:
    """The level a normalised header token names (``n2``, ``niveau 2``, ``2e niveau``)."""
    match = LEVEL_TOKEN.match(key)
    if not match:
        return None
    if match.group(1):
        return int(match.group(1))
    return _ORDINAL_LEVEL[match.group(2)]


_BARE_NUMBER = re.compile(r"^0*([0-9]{1,3})$")
_DATE_LABEL = re.compile(r"^(?:date\b|signed on\b|(?:signe|signee|signature)\sle$|le$)")


@dataclass(frozen=True)
class ColumnRole:
    """What a column holds.

    ``kind`` is one of ``commune_code``, ``postal_code``, ``departement``,
    ``commune_name``, ``list_name``, ``list_head``, ``head_first``, ``head_last``,
    ``principles`` (one cell listing them), ``principle`` (one column per letter),
    ``measure`` (wide layout), ``level`` (a measure's level in its own column),
    ``measure_level`` (a measure at one level: ``M1 N2``), ``measures`` (compact
    list or long layout), ``long_value``, ``long_level``, ``elected``, ``signed_on``,
    ``signed`` (the tracker says the list signed), ``n_declared`` (a count of
    measures given without saying which).
    """

    kind: str
    measure: int | None = None
    letter: str | None = None
    level: int | None = None


@dataclass
class HeaderPlan:
    """The header found in a sheet and the role of each column."""

    row: int
    rows: tuple[int, ...]
    labels: list[str]
    roles: dict[int, ColumnRole]
    duplicates: list[int] = field(default_factory=list)

    def kinds(self) -> set[str]:
        """Kinds of roles present."""
        return {role.kind for role in self.roles.values()}

    def columns(self, kind: str) -> list[int]:
        """Columns of a given kind, left to right."""
        return [c for c, role in sorted(self.roles.items()) if role.kind == kind]


#: Words that qualify a commune's name in its header (« Ville (dépt) », « Commune / CP »).
_COMMUNE_QUALIFIERS = _DEPARTEMENT | {"cp", "postal"}


def _commune_with_qualifier(words: list[str]) -> bool:
    """Whether a header names the commune first, then what its cells add to the name:
    « Ville (dépt) », « Commune – code postal », « Nom de la commune (CP) ».

    Such cells hold the name with its département or postal code (« Saint-Étienne
    (42) »), which the commune resolver reads; a header starting with « code »
    (« Code commune ») or naming the département first stays what it says.
    """
    if not words or words[0] == "code":
        return False
    communes = [i for i, w in enumerate(words) if w in _COMMUNE]
    qualifiers = [i for i, w in enumerate(words) if w in _COMMUNE_QUALIFIERS]
    return bool(communes and qualifiers) and communes[0] < qualifiers[0]


@lru_cache(maxsize=16384)
def classify_label(label: str, letters: str = "ABC") -> ColumnRole | None:
    """Role of a header label taken on its own (``None`` if unknown or ignored).

    Bare numbers and bare letters are left to :func:`detect_header`, which needs
    the rest of the row to decide.

    Examples
    --------
    >>> classify_label("Code INSEE").kind, classify_label("Élu·e").kind
    ('commune_code', 'elected')
    >>> classify_label("N°12 - Eau").measure, classify_label("M01").measure
    (12, 1)
    >>> classify_label("Principe B").letter, classify_label("M3 niveau").kind
    ('B', 'level')
    """
    key = norm(label)
    if not key:
        return None
    words = key.split()
    wordset = set(words)
    if wordset & _COUNT_WORDS and wordset & _COUNTED:
        return ColumnRole("n_declared")
    if words[0] in _IGNORED_FIRST or key in _IGNORED_FIRST:
        return None
    if "prenom" in wordset:
        return ColumnRole("list_head") if "nom" in wordset else ColumnRole("head_first")
    if wordset & _ELECTED or key in _ELECTED_PHRASES:
        return ColumnRole("elected")
    if _DATE_LABEL.match(key):
        return ColumnRole("signed_on")
    if wordset & _SIGNED_WORDS and not wordset & (
        {"date", "principe", "principes", "principles", "listes", "communes"} | _MEASURES | _COUNTED
    ):
        return ColumnRole("signed")
    if _commune_with_qualifier(words):
        return ColumnRole("commune_name")
    if "postal" in wordset or key in {"cp", "c p", "code postal"}:
        return ColumnRole("postal_code")
    if (
        wordset & {"insee", "cog", "depcom", "codgeo"}
        or key in {"code", "code geo", "code officiel geographique"}
        or (words[0] == "code" and wordset & (_COMMUNE | {"com"}))
    ):
        return ColumnRole("commune_code")
    if wordset & _DEPARTEMENT:
        return ColumnRole("departement")
    if wordset & {"moyenne", "moyen", "somme"} or (
        wordset & {"nombre", "nb", "nbre", "total", "part", "taux"}
        and wordset & {"listes", "communes"}
    ):
        return None  # a summary figure, not a list's own value
    if words[0] in _LIST and wordset & {"tete"} and len(words) > 2:
        return ColumnRole("list_name_head")  # « Liste (tête de liste) »: « Nom (Tête) »
    if words[0] in _LIST and not wordset & {"tete", "conduite", "menee", "mandataire"}:
        return ColumnRole("list_name")  # « Liste candidate »
    if wordset & _HEAD:
        return ColumnRole("list_head")
    if wordset & _LIST:
        return ColumnRole("list_name")
    if wordset & _COMMUNE:
        return ColumnRole("commune_name")
    if key in {
        "principes",
        "principe",
        "principes signes",
        "principes acceptes",
        "principes adoptes",
        "principles",
    }:
        return ColumnRole("principles")
    if (
        words[0] in {"principe", "principes"}
        and len(words) > 2
        and all(len(w) == 1 and w.upper() in letters for w in words[1:])
    ):
        return ColumnRole("principles")
    match = _PRINCIPLE_LABEL.match(key)
    if match:
        token = match.group(1)
        if token.isdigit():
            index = int(token) - 1
            return (
                ColumnRole("principle", letter=letters[index])
                if 0 <= index < len(letters)
                else None
            )
        return ColumnRole("principle", letter=token.upper()) if token.upper() in letters else None
    match = _LEVEL_PREFIX.match(key)
    if match:
        return ColumnRole("level", measure=int(match.group(1)))
    if key in _LONG_LEVEL:
        return ColumnRole("long_level")
    match = _MEASURE_LABEL.match(key)
    if match and not _BARE_NUMBER.match(key):
        rest_text = match.group(2) or ""
        rest = rest_text.split()
        at_level = level_token(rest_text)
        if at_level is not None:
            return ColumnRole("measure_level", measure=int(match.group(1)), level=at_level)
        if rest and rest[0] in _LEVEL_WORDS:
            return ColumnRole("level", measure=int(match.group(1)))
        return ColumnRole("measure", measure=int(match.group(1)))
    if words[0] in _MEASURES and not any(w.isdigit() for w in words):
        return ColumnRole("measures")
    if key in _LONG_VALUE:
        return ColumnRole("long_value")
    return None


def _row_texts(row: list[Any], width: int) -> list[str]:
    return [cell_text(row[c]) if c < len(row) else "" for c in range(width)]


_STOP = {
    "de",
    "la",
    "le",
    "les",
    "des",
    "du",
    "d",
    "l",
    "et",
    "au",
    "aux",
    "a",
    "en",
    "pour",
    "dans",
    "par",
    "sur",
    "un",
    "une",
    "mesure",
    "mesures",
    "principe",
    "m",
}


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in _STOP and not w.isdigit()]


def match_title(label: str, titles: tuple[tuple[str, int], ...]) -> int | None:
    """The one title a header label names, tolerantly; ``None`` if none or several.

    The label matches a title when it is the title or its start (three words or
    more), or when each of its content words (two or more) starts a word of the
    title, abbreviations included (« Restau. collective bio »).

    Examples
    --------
    >>> t = ((norm("Politique ambitieuse d'achats publics responsables"), 1),
    ...      (norm("Priorité au logiciel libre dans le service public"), 4))
    >>> match_title("Achats publics responsables", t), match_title("LOGICIEL LIBRE", t)
    (1, 4)
    >>> match_title("Avis du collectif", t) is None
    True
    """
    key = norm(label)
    if not key or not titles:
        return None
    for title, number in titles:
        if key == title or (len(key.split()) >= 3 and title.startswith(key + " ")):
            return number
    words = _content(key.split())
    if len(words) < 2:
        return None
    found = set()
    for title, number in titles:
        title_words = _content(title.split())
        if all(
            any(t == w or (len(w) >= 4 and t.startswith(w)) for t in title_words) for w in words
        ):
            found.add(number)
    return found.pop() if len(found) == 1 else None


def _plan_for_row(
    rows: list[list[Any]],
    index: int,
    width: int,
    letters: str,
    measure_titles: tuple[tuple[str, int], ...] = (),
    principle_titles: tuple[tuple[str, int], ...] = (),
) -> HeaderPlan:
    own = _row_texts(rows[index], width)
    above = _row_texts(rows[index - 1], width) if index > 0 else [""] * width
    # a parent label written once over several sub-columns (N1 N2 N3) applies to each
    parents = list(above)
    for c in range(1, width):
        if (
            not parents[c]
            and own[c]
            and (level_token(norm(own[c])) or norm(own[c]) in _LEVEL_SUBLABELS | _MARK_SUBLABELS)
        ):
            parents[c] = parents[c - 1]
    labels = [o or a for o, a in zip(own, above, strict=True)]
    borrowed = any(not o and a for o, a in zip(own, above, strict=True))
    roles: dict[int, ColumnRole] = {}
    bare_numbers = [c for c, text in enumerate(own) if _BARE_NUMBER.match(norm(text) or "x")]
    hashed = {c for c, text in enumerate(own) if re.fullmatch(r"\s*#\s*0*[0-9]{1,3}\s*", text)}
    bare_letters = {
        c: norm(text).upper()
        for c, text in enumerate(own)
        if len(norm(text)) == 1 and norm(text).upper() in letters
    }
    all_letters = set(bare_letters.values()) >= set(letters)
    sub_header = False
    for c, label in enumerate(labels):
        if not label:
            continue
        parent = norm(parents[c])
        parent_role = classify_label(parents[c], letters) if parent else None
        if parent_role is None and parent and measure_titles:
            number = match_title(parents[c], measure_titles)
            parent_role = ColumnRole("measure", measure=number) if number else None
        own_key = norm(own[c])
        if own[c] and parent_role is not None and parent_role.kind == "measure":
            # two-row header: « Mesure 1 » above « N1 | N2 | N3 » or « Engagé | Niveau »
            at_level = level_token(own_key)
            if at_level is not None:
                roles[c] = ColumnRole("measure_level", measure=parent_role.measure, level=at_level)
                sub_header = True
                continue
            if own_key in _LEVEL_SUBLABELS:
                roles[c] = ColumnRole("level", measure=parent_role.measure)
                sub_header = True
                continue
            if own_key in _MARK_SUBLABELS:
                roles[c] = ColumnRole("measure", measure=parent_role.measure)
                sub_header = True
                continue
        if c in bare_letters and (all_letters or "principe" in parent):
            roles[c] = ColumnRole("principle", letter=bare_letters[c])
            continue
        if c in bare_numbers:
            if len(bare_numbers) >= 3 or "mesure" in parent or c in hashed:  # « #29 »
                match = _BARE_NUMBER.match(norm(own[c]))
                assert match is not None
                roles[c] = ColumnRole("measure", measure=int(match.group(1)))
            continue
        role = classify_label(label, letters)
        if role is None and measure_titles:
            number = match_title(label, measure_titles)
            if number is not None:
                role = ColumnRole("measure", measure=number)
        if role is None and principle_titles:
            found = match_title(label, principle_titles)
            if found is not None:
                role = ColumnRole("principle", letter=letters[found])
        if role is not None:
            roles[c] = role
    if "head_first" in {r.kind for r in roles.values()}:
        for c, label in enumerate(labels):
            if c not in roles and norm(label) in {"nom", "nom de famille"}:
                roles[c] = ColumnRole("head_last")
    # one column per role: later repeats are ignored (and reported)
    seen: set[ColumnRole] = set()
    duplicates: list[int] = []
    for c in sorted(roles):
        if roles[c] in seen:
            duplicates.append(c)
            del roles[c]
        else:
            seen.add(roles[c])
    if sub_header:
        labels = [
            f"{a} {o}".strip() if a and o and a != o else (o or a)
            for o, a in zip(own, parents, strict=True)
        ]
    header_rows = (index - 1, index) if (borrowed or sub_header) and index > 0 else (index,)
    return HeaderPlan(index, header_rows, labels, roles, duplicates)


def _score(plan: HeaderPlan) -> int:
    kinds = plan.kinds()
    if not kinds & set(COMMITMENT_KINDS):
        return 0
    if not kinds & set(COMMUNE_KINDS):
        # a sheet of one commune (named in a title or the sheet name) lists lists only
        if not kinds & set(IDENTITY_KINDS):
            return 0
        return len(set(plan.roles.values())) * 2 - 1
    return len(set(plan.roles.values())) * 2


def detect_header(
    rows: list[list[Any]],
    letters: str = "ABC",
    *,
    measure_titles: tuple[tuple[str, int], ...] = (),
    principle_titles: tuple[tuple[str, int], ...] = (),
) -> HeaderPlan | None:
    """Find the header row of a sheet.

    Parameters
    ----------
    rows : list of list
        Cell values, row by row (merged cells already filled).
    letters : str
        The edition's principle letters.
    measure_titles, principle_titles : tuple of (normalised title, index)
        The edition's confirmed titles, for headers that name measures by title.

    Returns
    -------
    HeaderPlan or None
        ``None`` when no row of the first :data:`HEADER_SCAN_ROWS` names
        commitments and either a commune or a list (a one-commune sheet).
    """
    best: HeaderPlan | None = None
    best_score = 0
    limit = min(len(rows), HEADER_SCAN_ROWS)
    for index in range(limit):
        row = rows[index]
        if sum(not is_empty(v) for v in row) < 2:
            continue
        width = max(len(row), len(rows[index - 1]) if index else 0)
        plan = _plan_for_row(rows, index, width, letters, measure_titles, principle_titles)
        score = _score(plan)
        if score > best_score:
            best, best_score = plan, score
    return best
