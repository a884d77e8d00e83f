"""Find the COG 2020 commune behind what a tracker wrote (code, postal code, name).

The resolver never guesses: a name that fits several communes is reported with its
candidates (``AMBIGUOUS_COMMUNE``), an unknown one with close spellings as
suggestions (``UNKNOWN_COMMUNE``).

How a name is matched, in order (each step only when the previous found nothing in
the département / postal code given):

1. Paris, Lyon and Marseille as voters wrote them: arrondissements (``Paris 11e``,
   ``Paris XXe``, ``15ème arrondissement`` with département 75) and the 2020
   electoral sectors (``Paris Centre``, ``Marseille 7e secteur (13e/14e)``). The
   result is the commune (75056, 69123, 13055); ``arrondissement_code`` is set when
   one arrondissement is meant, ``sector`` when a sector is.
2. The exact name of a current commune (type ``COM``), in any usual spelling.
3. The exact name of a former commune (commune déléguée ``COMD`` or associée
   ``COMA``) and the current communes whose name *starts* with the name written
   (``Aulnoye`` → Aulnoye-Aymeries): one commune → resolved with a note in
   ``message``; several → ambiguous, most populated first (``Boulogne`` →
   Boulogne-Billancourt, Boulogne-sur-Mer, …, and Essarts en Bocage through its
   former commune Boulogne).
4. Former communes whose name starts with the name written (``Hellemmes`` →
   Hellemmes-Lille, Lille), a commune followed by one of its former communes
   (``Lille-Hellemmes``), and the few communes merged before 2020 into a commune
   nouvelle without communes déléguées (``Olonne-sur-Mer`` → Les Sables-d'Olonne).

When the exact name exists only outside the département given (``Saint-André`` with
département Nord), a commune of that département whose name starts that way is a
suggestion, not a result (ambiguous, that commune first); a postal code is precise
enough to decide (``Champigny`` + 94500 → Champigny-sur-Marne).
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import functools
import hashlib
import marshal
import math
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pacte_analysis.reference import _layers
from pacte_analysis.reference._names import name_key, normalize_text

__all__ = ["Candidate", "CommuneResolver", "Resolution", "resolve_commune"]

MISSING_COMMUNE = "MISSING_COMMUNE"
UNKNOWN_COMMUNE = "UNKNOWN_COMMUNE"
AMBIGUOUS_COMMUNE = "AMBIGUOUS_COMMUNE"

_CITY_CODES = {"paris": "75056", "lyon": "69123", "marseille": "13055"}
_CITY_OF_DEP = {"75": "paris", "69": "lyon", "13": "marseille"}
_CITY_LABEL = {"paris": "Paris", "lyon": "Lyon", "marseille": "Marseille"}
#: The 2020 electoral sectors (code électoral, art. L261 and its table n° 2): in
#: Marseille, 8 sectors of two arrondissements; in Lyon, one sector per arrondissement;
#: in Paris, « Paris Centre » (1er–4e arrondissements, loi n° 2017-257 du 28 février
#: 2017 relative au statut de Paris) and one sector per arrondissement from the 5e on.
_MARSEILLE_SECTORS: dict[int, tuple[int, int]] = {
    1: (1, 7),
    2: (2, 3),
    3: (4, 5),
    4: (6, 8),
    5: (9, 10),
    6: (11, 12),
    7: (13, 14),
    8: (15, 16),
}
_PARIS_CENTRE = (1, 2, 3, 4)
#: Communes merged into a commune nouvelle before 2020 *without* communes déléguées:
#: the COG 2020 does not name them any more, so they are listed here (INSEE COG,
#: création de la commune nouvelle des Sables-d'Olonne au 1er janvier 2019). A name
#: that the reference knows (as ``COM``, ``COMD`` or ``COMA``) is never overridden.
_MERGED_BEFORE_2020: dict[str, tuple[str, str]] = {
    "Olonne-sur-Mer": ("85194", "1er janvier 2019"),
    "Château-d'Olonne": ("85194", "1er janvier 2019"),
}
_FORMER_LABEL = {"COMD": "commune déléguée", "COMA": "commune associée"}

_ORDINAL = re.compile(r"^(?P<num>\d{1,2}|[ivx]{1,5})(?:e|er|ere|eme|ieme|em|me|re|è)?$")
_VALID_ROMAN = re.compile(r"^x{0,2}(?:ix|iv|v?i{0,3})$")
_ORDINAL_SUFFIXES = frozenset({"e", "er", "ere", "eme", "ieme", "em", "me", "re"})
_ARR_WORDS = frozenset(
    {"arrondissement", "arrondissements", "arrondt", "arr", "ardt", "arrdt", "arrt", "arrond"}
)
_SECTOR_WORDS = frozenset({"secteur", "secteurs", "sect"})
_PLM_FILLERS = frozenset({"de", "du", "d", "et", "a", "au", "le", "la", "les", "ville"})
_CENTRE_WORDS = frozenset({"centre"})
_PLM_TRIGGERS = frozenset({*_CITY_CODES, *_ARR_WORDS, *_SECTOR_WORDS, *_CENTRE_WORDS})
_PLM_HINTS = ("paris", "lyon", "marseille", "arr", "ardt", "sect", "centre")  # in lower-case text

_CIVIC_PREFIX = re.compile(r"^(?:ville|commune|mairie) (?:de|d|du|des) ")
_POSTAL_IN_NAME = re.compile(r"(?<!\d)(?P<cp>\d{5})(?!\d)")
_DEP_IN_NAME = re.compile(r"[\(\[,–—-]\s*(?P<dep>\d{2,3}|2[AaBb])\s*[\)\]]?\s*$")
_DEP_GLUED = re.compile(r"\s(?P<dep>\d{2,3}|2[AaBb])\s*$")  # « Saint Malo 35 »
_DEP_NAME_IN_NAME = re.compile(r"\((?P<dep>[^()]{3,})\)\s*$")
_DEP_NAME_AFTER = re.compile(r"(?:,|\s[-–—]\s|\s[–—]|[–—]\s)\s*(?P<dep>[^,()]{3,}?)\s*$")
_CEDEX = re.compile(r"\bcedex(\s*\d+)?\b", re.IGNORECASE)
_ROMAN = {"i": 1, "v": 5, "x": 10}
_MAX_CANDIDATES = 50


@dataclass(frozen=True)
class Candidate:
    """A commune that might be meant."""

    code: str
    name: str
    departement_code: str

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_code}, {self.code})"


@dataclass(frozen=True)
class Resolution:
    """Outcome of a commune look-up.

    Attributes
    ----------
    code : str or None
        INSEE code of the commune (COG 2020), ``None`` when not resolved.
    name, departement_code : str or None
        Official name (with article) and département of the commune.
    arrondissement_code : str or None
        Set when the input named one arrondissement of Paris, Lyon or Marseille.
    reason : str or None
        ``None`` when resolved, else ``MISSING_COMMUNE``, ``UNKNOWN_COMMUNE`` or
        ``AMBIGUOUS_COMMUNE``.
    method : str
        How it was resolved (``code``, ``former_code``, ``arrondissement``,
        ``sector``, ``name``, ``name_prefix``, ``former_name``, ``merged_name``,
        ``postal_code``…), empty when not.
    message : str
        A French sentence for the report. Empty for a plain resolution; a note when
        the commune was read from another name (a former commune, the start of a
        name, a sector), so that the report can say how the name was read.
    candidates : tuple of Candidate
        Communes that fit an ambiguous input (most populated first), or close
        spellings of an unknown one.
    sector : str or None
        The 2020 electoral sector named by the input (``Paris Centre``,
        ``Marseille 7e secteur``), when it is not one arrondissement.
    """

    code: str | None
    name: str | None = None
    departement_code: str | None = None
    arrondissement_code: str | None = None
    reason: str | None = None
    method: str = ""
    message: str = ""
    candidates: tuple[Candidate, ...] = field(default=())
    sector: str | None = None

    def __bool__(self) -> bool:
        return self.code is not None


def _clean(value: object) -> str | None:
    """Turn a cell value into a stripped string, or ``None`` if empty."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            value = int(value)
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def _roman(text: str) -> int:
    total = 0
    for i, ch in enumerate(text):
        val = _ROMAN[ch]
        nxt = _ROMAN[text[i + 1]] if i + 1 < len(text) else 0
        total += -val if val < nxt else val
    return total


def _ordinal(token: str) -> int | None:
    """``15e`` → 15, ``xxe`` → 20, ``1er`` → 1; ``None`` if not an ordinal."""
    match = _ORDINAL.match(token)
    if not match:
        return None
    num = match["num"]
    if num.isdigit():
        return int(num)
    if not _VALID_ROMAN.match(num):
        return None
    return _roman(num)


def _ordinal_fr(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def _enumerate_fr(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


@dataclass(frozen=True)
class _PlmName:
    """What a Paris/Lyon/Marseille-style name says (see ``_parse_plm``)."""

    city: str | None
    numbers: tuple[int, ...]  # arrondissement numbers written
    sector: int | None  # the number written next to « secteur »
    centre: bool  # « Paris Centre »
    explicit: bool  # an « arrondissement » / « secteur » word or an ordinal suffix


def _parse_plm(text: str) -> _PlmName | None:
    """Read ``paris 15eme``, ``15e arrondissement de paris``, ``marseille 7e secteur 13e 14e``.

    ``text`` is normalised (:func:`normalize_text`). Every word must be understood,
    else ``None`` (``Paris-l'Hôpital`` is a commune of its own).
    """
    tokens = text.split()
    if not tokens or _PLM_TRIGGERS.isdisjoint(tokens):
        return None
    city: str | None = None
    centre = False
    explicit = False
    numbers: list[tuple[int, int]] = []  # (token index, number)
    sector_at: int | None = None
    for i, token in enumerate(tokens):
        if token in _CITY_CODES:
            if city is not None and city != token:
                return None
            city = token
        elif token in _ARR_WORDS:
            explicit = True
        elif token in _SECTOR_WORDS:
            explicit = True
            sector_at = i
        elif token in _CENTRE_WORDS:
            centre = True
        elif token in _ORDINAL_SUFFIXES and numbers and numbers[-1][0] == i - 1:
            explicit = True  # « 15 eme »
        elif token in _PLM_FILLERS:
            continue
        else:
            number = _ordinal(token)
            if number is None or number == 0:
                return None
            if not token.isdigit() and not token.isalpha():
                explicit = True  # an ordinal suffix: « 15e »
            numbers.append((i, number))
    sector = None
    if sector_at is not None:
        near = sorted(
            (abs(i - sector_at), i, n)
            for i, n in numbers
            if i in (sector_at - 1, sector_at + 1)
            or (i == sector_at - 2 and tokens[sector_at - 1] in _ORDINAL_SUFFIXES)
        )
        if near:
            _, at, sector = near[0]
            numbers = [(i, n) for i, n in numbers if i != at]
        elif not centre:
            return None  # « secteur » without its number
    if not numbers and sector is None and not centre:
        return None
    if city is None and not explicit:
        return None  # « 15 » or « Centre » alone is not a commune
    return _PlmName(city, tuple(n for _, n in numbers), sector, centre, explicit)


class CommuneResolver:
    """Resolve commune references against the COG 2020 (build once, reuse).

    Parameters
    ----------
    vintage : int, default 2020

    Examples
    --------
    >>> r = CommuneResolver()  # doctest: +SKIP
    >>> r.resolve(name="Havre (Le)").code  # doctest: +SKIP
    '76351'
    >>> r.resolve(name="Saint-Denis").reason  # doctest: +SKIP
    'AMBIGUOUS_COMMUNE'
    >>> r.resolve(name="Boulogne", postal_code="92100").code  # doctest: +SKIP
    '92012'
    """

    def __init__(self, vintage: int = 2020) -> None:
        # the indexes come ready from the reference cache when they were stored for
        # this code and these data (see _load_state); else they are built, then stored
        state = _load_state(vintage)
        if state is not None:
            self._set_state(state)
        else:
            self._build(vintage)
            _save_state(vintage, self._state())
        self._resolved: dict[tuple[str, str, str | None, str, str | None], Resolution] = {}

    def _state(self) -> dict[str, Any]:
        """The indexes, as plain containers (see :data:`_STATE_DEFAULTS`)."""
        return {
            name: dict(value) if name in _STATE_DEFAULTS else value
            for name, value in vars(self).items()
            if name.startswith("_") and name != "_resolved" and name in _STATE_NAMES
        }

    def _set_state(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            factory = _STATE_DEFAULTS.get(name)
            setattr(self, name, defaultdict(factory, value) if factory else value)

    def _build(self, vintage: int) -> None:
        """Build the indexes from the reference layers of ``vintage``."""
        # the names' matching keys come computed with the reference cache
        com, former = _layers.resolver_index(vintage)
        arm = _layers.attributes("arrondissements", vintage, ["code", "name", "commune_code"])
        postal = _layers.postal_codes(vintage)
        deps = _layers.attributes("departements", vintage, ["code", "name"])
        self._vintage = vintage

        codes = com["code"].tolist()
        names = com["name"].tolist()
        keys = com["key"].tolist()
        self._communes: dict[str, tuple[str, str]] = dict(
            zip(codes, zip(names, com["departement_code"].tolist(), strict=True), strict=True)
        )
        self._pop: dict[str, int] = dict(
            zip(codes, com["population"].fillna(0).astype("int64").tolist(), strict=True)
        )
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_key: dict[str, list[str]] = defaultdict(list)
        key_of_name: dict[str, str] = {}
        for code, name, key in zip(codes, names, keys, strict=True):
            self._by_name[name].append(code)
            self._by_key[key].append(code)
            key_of_name[name] = key
        #: official names that only one commune's spelling fits (fast path)
        self._official: dict[str, str] = {
            name: found[0]
            for name, found in self._by_name.items()
            if len(found) == 1 and len(self._by_key[key_of_name[name]]) == 1
        }

        self._former_code: dict[str, set[str]] = defaultdict(set)
        self._former_key: dict[str, set[str]] = defaultdict(set)
        #: key → (former name, COMD/COMA, parent code), for the notes
        self._former_info: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for code, name, kind, parent, key in zip(
            former["code"].tolist(),
            former["name"].tolist(),
            former["former_type"].tolist(),
            former["commune_code"].tolist(),
            former["key"].tolist(),
            strict=True,
        ):
            if parent not in self._communes:
                continue
            self._former_code[code].add(parent)
            if parent not in self._former_key[key]:
                self._former_key[key].add(parent)
                self._former_info[key].append((name, str(kind), parent))

        self._merged: dict[str, tuple[str, str, str]] = {}
        for old_name, (target, when) in _MERGED_BEFORE_2020.items():
            key = name_key(old_name)
            known = key in self._by_key or key in self._former_key
            if target in self._communes and not known:
                self._merged[key] = (old_name, target, when)

        self._arm: dict[str, str] = dict(zip(arm["code"], arm["commune_code"], strict=True))
        self._arm_name: dict[str, str] = dict(zip(arm["code"], arm["name"], strict=True))
        self._arm_by_num: dict[tuple[str, int], str] = {}
        city_of_code = {v: k for k, v in _CITY_CODES.items()}
        for code, name, parent in zip(arm["code"], arm["name"], arm["commune_code"], strict=True):
            parsed = _parse_plm(normalize_text(name))
            if parsed is not None and len(parsed.numbers) == 1 and parent in city_of_code:
                self._arm_by_num[(city_of_code[parent], parsed.numbers[0])] = code
        self._postal: dict[str, set[str]] = defaultdict(set)
        self._postal_arm: dict[str, str] = {}
        for cp, code, arr in zip(
            postal["postal_code"].tolist(),
            postal["commune_code"].tolist(),
            postal["arrondissement_code"].tolist(),
            strict=True,
        ):
            self._postal[cp].add(code)
            if isinstance(arr, str):
                self._postal_arm[cp] = arr
        self._dep_codes = set(deps["code"])
        self._dep_by_key = {name_key(n): c for c, n in zip(deps["code"], deps["name"], strict=True)}

    # ----------------------------------------- indexes of the approximate lookups
    # built on the first name that is not found as written (most trackers have none)
    @functools.cached_property
    def _keys_sorted(self) -> list[str]:
        return sorted(self._by_key)

    @functools.cached_property
    def _former_keys_sorted(self) -> list[str]:
        return sorted(self._former_key)

    @functools.cached_property
    def _keys_by_dep(self) -> dict[str, list[str]]:
        by_dep: dict[str, list[str]] = defaultdict(list)
        for key, key_codes in self._by_key.items():
            for code in key_codes:
                by_dep[self._communes[code][1]].append(key)
        return by_dep

    @functools.cached_property
    def _keys_by_initial(self) -> dict[str, list[str]]:
        """Keys by their first letter: a misspelling rarely changes it, and comparing
        with one letter's names instead of all 35,000 is ~15 times faster."""
        by_initial: dict[str, list[str]] = defaultdict(list)
        for key in self._by_key:
            by_initial[key[:1]].append(key)
        return by_initial

    # ------------------------------------------------------------------ helpers
    def _candidate(self, code: str) -> Candidate:
        name, dep = self._communes[code]
        return Candidate(code, name, dep)

    def _by_population(self, codes: Iterable[str]) -> list[str]:
        """Distinct codes, most populated first (then by code)."""
        return sorted(set(codes), key=lambda c: (-self._pop.get(c, 0), c))

    def _ok(
        self,
        code: str,
        method: str,
        arrondissement: str | None = None,
        message: str = "",
        sector: str | None = None,
    ) -> Resolution:
        key = (code, method, arrondissement, message, sector)
        found = self._resolved.get(key)
        if found is None:  # results are immutable: build each one once
            name, dep = self._communes[code]
            found = Resolution(code, name, dep, arrondissement, None, method, message, (), sector)
            self._resolved[key] = found
        return found

    def departement_codes(self, value: object) -> set[str] | None:
        """Département codes meant by ``value`` (``35``, ``2a``, ``20``, a name), or None."""
        text = _clean(value)
        if text is None:
            return None
        up = text.upper()
        if up.isdigit() and len(up) == 1:
            up = "0" + up
        if up == "20":
            return {"2A", "2B"}
        if up in self._dep_codes:
            return {up}
        code = self._dep_by_key.get(name_key(text))
        return {code} if code else set()

    def _departement_of_postal(self, cp: str) -> set[str]:
        if cp.startswith("97"):
            return {cp[:3]} & self._dep_codes
        if cp.startswith("20"):
            return {"2A", "2B"}
        return {cp[:2]} & self._dep_codes

    def normalize_code(self, value: object) -> str | None:
        """Normalise an INSEE code written as text or number (``1001`` → ``01001``)."""
        text = _clean(value)
        if text is None:
            return None
        text = text.upper().replace(" ", "")
        if re.fullmatch(r"\d{4}", text):
            text = "0" + text
        return text

    def _filter(
        self, pool: Iterable[str], cp: str | None, deps: set[str] | None
    ) -> tuple[list[str], bool]:
        """Keep the codes of ``pool`` that fit the postal code and départements.

        Returns the kept codes and whether the postal code itself served them (a
        precise hint) rather than only its département.
        """
        kept = list(pool)
        precise = False
        if cp is not None and kept:
            served = self._postal.get(cp, ())
            by_cp = [c for c in kept if c in served]
            if by_cp:
                kept, precise = by_cp, True
            else:
                cp_deps = self._departement_of_postal(cp)
                kept = [c for c in kept if self._communes[c][1] in cp_deps]
        if deps is not None:
            kept = [c for c in kept if self._communes[c][1] in deps]
        return kept, precise

    def _prefixed(self, key: str, keys: list[str]) -> list[str]:
        """Keys of ``keys`` (sorted) that start with the words of ``key``."""
        start = key + " "
        i = bisect.bisect_left(keys, start)
        out: list[str] = []
        while i < len(keys) and keys[i].startswith(start):
            out.append(keys[i])
            i += 1
        return out

    def _com_prefix(self, key: str) -> list[str]:
        return [c for k in self._prefixed(key, self._keys_sorted) for c in self._by_key[k]]

    def _where(self, cp: str | None, deps: set[str] | None) -> str:
        if deps:
            return f"le département {'/'.join(sorted(deps))}"
        return f"le code postal {cp}"

    def _labels(self, codes: Sequence[str], notes: dict[str, str] | None = None) -> str:
        shown = [
            f"{self._candidate(c)}{f', {notes[c]}' if notes and c in notes else ''}"
            for c in codes[:6]
        ]
        return ", ".join(shown) + (" …" if len(codes) > 6 else "")

    def _ambiguous(
        self, message: str, codes: Sequence[str], reason: str = AMBIGUOUS_COMMUNE
    ) -> Resolution:
        cands = tuple(self._candidate(c) for c in codes[:_MAX_CANDIDATES])
        return Resolution(None, reason=reason, message=message, candidates=cands)

    def _with_arrondissement(self, res: Resolution, cp: str | None) -> Resolution:
        """``75011 Paris``: the arrondissement of the postal code, when it is one."""
        if cp is None or res.arrondissement_code is not None:
            return res
        arm = self._postal_arm.get(cp)
        if arm is None or self._arm.get(arm) != res.code or res.code is None:
            return res
        return self._ok(res.code, res.method, arm, res.message, res.sector)

    # ------------------------------------------------------------------ public
    def resolve(
        self,
        name: object = None,
        code: object = None,
        postal_code: object = None,
        departement: object = None,
    ) -> Resolution:
        """Resolve one commune reference.

        Parameters
        ----------
        name : str, optional
            Commune name in any usual spelling; may carry a département or postal
            code (``Saint-Denis (93)``, ``Saint Malo 35``, ``35400 Saint-Malo``), name
            an arrondissement or a 2020 sector of Paris, Lyon or Marseille
            (``Paris 11e``, ``Paris Centre``, ``Marseille 1er secteur``), a former
            commune (``Lomme``) or the start of a name (``Aulnoye``).
        code : str or int, optional
            INSEE code (``35288``, ``2A004``, ``1001``); a former commune's code maps
            to the commune it joined.
        postal_code : str or int, optional
        departement : str or int, optional
            Code (``93``, ``2A``) or name (``Seine-Saint-Denis``).

        Returns
        -------
        Resolution
        """
        name_text = _clean(name)
        code_text = self.normalize_code(code)
        cp = self.normalize_code(postal_code)
        deps = self.departement_codes(departement)
        if deps is not None and not deps:
            deps = None  # an unreadable département is not a filter
        if code_text is not None:
            by_code = self._resolve_code(code_text, name_text)
            if by_code is not None:
                return by_code
            if name_text is None:
                if code_text in self._postal:
                    return self._resolve_postal(code_text, deps)
                return Resolution(
                    None,
                    reason=UNKNOWN_COMMUNE,
                    message=f"Code commune « {code_text} » inconnu du COG {self._vintage}.",
                )
            if cp is None and code_text in self._postal:
                cp = code_text
        if name_text is not None:
            return self._resolve_name(name_text, cp, deps)
        if cp is not None:
            return self._resolve_postal(cp, deps)
        return Resolution(
            None, reason=MISSING_COMMUNE, message="Aucune commune indiquée (ni code ni nom)."
        )

    def _resolve_code(self, code: str, name: str | None) -> Resolution | None:
        target: str | None = None
        method = "code"
        arrondissement = None
        if code in self._communes:
            target = code
        elif code in self._arm:
            target, method, arrondissement = self._arm[code], "arrondissement", code
        elif len(self._former_code.get(code, ())) == 1:
            target, method = next(iter(self._former_code[code])), "former_code"
        if target is None:
            return None
        if name is not None and not self._name_fits(name, target, arrondissement):
            by_name = self._resolve_name(name, code if code in self._postal else None, None)
            if by_name.code == target:
                return by_name
            if by_name.reason == AMBIGUOUS_COMMUNE and any(
                c.code == target for c in by_name.candidates
            ):
                return self._ok(target, method, arrondissement)  # the code decides
            candidates = [self._candidate(target)]
            if by_name.code is not None:
                candidates.append(self._candidate(by_name.code))
            else:
                candidates.extend(c for c in by_name.candidates if c.code != target)
            return Resolution(
                None,
                reason=AMBIGUOUS_COMMUNE,
                message=(
                    f"Le code « {code} » désigne {self._communes[target][0]} mais le nom "
                    f"indiqué est « {name} »."
                ),
                candidates=tuple(candidates[:10]),
            )
        return self._ok(target, method, arrondissement)

    def _name_fits(self, name: str, target: str, arrondissement: str | None) -> bool:
        if name == self._communes[target][0]:
            return True  # the official name, as written in most trackers
        key = name_key(self._strip_hints(name)[0])
        if target in self._by_key.get(key, ()) or target in self._former_key.get(key, ()):
            return True
        if arrondissement is not None:
            return name_key(self._arm_name[arrondissement]) == key
        return False

    def _strip_hints(self, name: str) -> tuple[str, str | None, set[str] | None]:
        """Split ``name`` into the bare name, a postal code and départements it carries."""
        cp = None
        deps: set[str] | None = None
        text = _CEDEX.sub(" ", name).strip()
        match = _POSTAL_IN_NAME.search(text)
        if match:
            cp = match["cp"]
            text = (text[: match.start()] + " " + text[match.end() :]).strip(" ,;-()")
        for pattern in (_DEP_IN_NAME, _DEP_GLUED, _DEP_NAME_IN_NAME, _DEP_NAME_AFTER):
            match_dep = pattern.search(text)
            if match_dep and match_dep.start() > 0:
                found = self.departement_codes(match_dep["dep"])
                if found:
                    deps = found
                    text = text[: match_dep.start()].strip(" ,;")
                    break
        return text, cp, deps

    # ------------------------------------------------------- Paris, Lyon, Marseille
    def _resolve_plm(self, name: str, cp: str | None, deps: set[str] | None) -> Resolution | None:
        lowered = name.lower()
        if not any(word in lowered for word in _PLM_HINTS):
            return None  # fast path: no city, « arrondissement », « secteur » or « centre »
        parsed = _parse_plm(normalize_text(name))
        if parsed is None:
            return None
        if parsed.city is not None:
            cities = [parsed.city]
        else:
            hinted = {_CITY_OF_DEP[d] for d in deps or () if d in _CITY_OF_DEP}
            arm = self._postal_arm.get(cp or "")
            if arm is not None:
                hinted &= {k for k, v in _CITY_CODES.items() if v == self._arm[arm]} or hinted
                if not hinted:
                    hinted = {k for k, v in _CITY_CODES.items() if v == self._arm[arm]}
            if deps is not None and not hinted:
                return None  # « 3e arrondissement » in a département without any
            cities = sorted(hinted) if hinted else list(_CITY_CODES)
        readings = [(city, r) for city in cities if (r := self._plm_reading(city, parsed))]
        if not readings:
            return None
        if len(readings) == 1:
            city, reading = readings[0]
            arrondissement, sector, note = reading
            if parsed.city is None and deps is None and cp is None and arrondissement:
                note = note or (
                    f"« {name} » : seule la ville de {_CITY_LABEL[city]} a cet arrondissement ; "
                    f"lu comme {self._arm_name[arrondissement]}."
                )
            method = "arrondissement" if arrondissement else "sector"
            return self._ok(_CITY_CODES[city], method, arrondissement, note, sector)
        codes = [_CITY_CODES[c] for c, _ in readings]
        return self._ambiguous(
            f"« {name} » existe à {_enumerate_fr([_CITY_LABEL[c] for c, _ in readings])} : "
            "précisez la ville ou le département.",
            self._by_population(codes),
        )

    def _plm_reading(
        self, city: str, parsed: _PlmName
    ) -> tuple[str | None, str | None, str] | None:
        """(arrondissement code, sector label, note) that ``parsed`` means in ``city``."""
        label = _CITY_LABEL[city]
        numbers = set(parsed.numbers)
        if any((city, n) not in self._arm_by_num for n in numbers):
            return None  # « Paris 75 » is Paris in the 75, « Lyon 12e » is not Lyon's
        if parsed.centre:
            if city != "paris" or not numbers <= set(_PARIS_CENTRE) or parsed.sector:
                return None
            return (
                None,
                "Paris Centre",
                "« Paris Centre » : secteur électoral de 2020 (1er, 2e, 3e et 4e "
                "arrondissements), lu comme la commune de Paris (75056).",
            )
        if parsed.sector is not None:
            n = parsed.sector
            if city == "marseille" and n in _MARSEILLE_SECTORS:
                pair = _MARSEILLE_SECTORS[n]
                arms = f"{_ordinal_fr(pair[0])} et {_ordinal_fr(pair[1])} arrondissements"
                note = f"{label} {_ordinal_fr(n)} secteur ({arms}), lu comme la commune de {label}."
                if numbers and not numbers <= set(pair):
                    shown = ", ".join(_ordinal_fr(x) for x in sorted(numbers))
                    note += f" Attention : le {_ordinal_fr(n)} secteur n'inclut pas le {shown}."
                return None, f"{label} {_ordinal_fr(n)} secteur", note
            if city == "lyon" and (city, n) in self._arm_by_num and numbers <= {n}:
                return self._arm_by_num[(city, n)], None, ""
            if city == "paris" and n <= 20:
                # Paris's sectors are named (« Paris Centre ») or by their arrondissement:
                # a sector number is not read as an arrondissement
                return (
                    None,
                    None,
                    f"« {label} {_ordinal_fr(n)} secteur » : numéro de secteur non interprété, "
                    "lu comme la commune de Paris (75056).",
                )
            return None
        if len(numbers) == 1:
            return self._arm_by_num[(city, next(iter(numbers)))], None, ""
        if city == "marseille":
            for n, pair in _MARSEILLE_SECTORS.items():
                if numbers == set(pair):
                    return (
                        None,
                        f"{label} {_ordinal_fr(n)} secteur",
                        f"{label} {_ordinal_fr(pair[0])} et {_ordinal_fr(pair[1])} : "
                        f"{_ordinal_fr(n)} secteur de 2020, lu comme la commune de {label}.",
                    )
        if city == "paris" and numbers <= set(_PARIS_CENTRE):
            return (
                None,
                "Paris Centre",
                "Arrondissements du secteur Paris Centre (1er à 4e), lus comme la commune "
                "de Paris (75056).",
            )
        shown = _enumerate_fr([_ordinal_fr(x) for x in sorted(numbers)])
        return (
            None,
            None,
            f"Plusieurs arrondissements ({shown}) : lu comme la commune de {label}.",
        )

    # ------------------------------------------------------------------ names
    def _resolve_name(self, name: str, cp: str | None, deps: set[str] | None) -> Resolution:
        if cp is None and deps is None:
            official = self._official.get(name)
            if official is not None and official not in _CITY_CODES.values():
                return self._ok(official, "name")  # fast path: the official name
        dep_written = _DEP_IN_NAME.search(name)
        if dep_written is None or dep_written["dep"] not in _CITY_OF_DEP:
            # « Marseille (13) » names the département, « Marseille 13 » the 13e
            plm = self._resolve_plm(name, cp, deps)
            if plm is not None:
                return self._with_arrondissement(plm, cp)
        bare, cp_in_name, deps_in_name = self._strip_hints(name)
        cp = cp or cp_in_name
        deps = deps or deps_in_name
        if bare != name:
            plm = self._resolve_plm(bare, cp, deps)
            if plm is not None:
                return self._with_arrondissement(plm, cp)
        key = name_key(bare)
        if key not in self._by_key and key not in self._former_key:
            civic = _CIVIC_PREFIX.match(key)  # « Ville de Rennes », « Mairie du Havre »
            if civic and civic.end() < len(key):
                key = name_key(key[civic.end() :])
        if not key:
            return Resolution(
                None, reason=MISSING_COMMUNE, message=f"Nom de commune vide : « {name} »."
            )
        method = "name" + ("+postal_code" if cp else "") + ("+departement" if deps else "")
        exact = self._by_key.get(key, [])
        kept, _ = self._filter(exact, cp, deps)
        if len(kept) == 1:
            return self._with_arrondissement(self._ok(kept[0], method), cp)
        if kept:
            codes = self._by_population(kept)
            return self._ambiguous(
                f"« {name} » correspond à {len(codes)} communes : {self._labels(codes)}. "
                "Précisez le département ou le code.",
                codes,
            )
        former = self._former_key.get(key, set())
        former_kept, _ = self._filter(former, cp, deps)
        prefix = self._com_prefix(key)
        prefix_kept, precise = self._filter(prefix, cp, deps)
        if exact:  # the exact name exists, but not where the hints point
            if former_kept:
                return self._former(name, key, self._by_population(former_kept), method)
            if len(prefix_kept) == 1 and precise:
                return self._prefix_ok(name, prefix_kept[0], method, cp, deps)
            elsewhere = self._by_population(exact)
            if prefix_kept:
                first = self._by_population(prefix_kept)
                return self._ambiguous(
                    f"Aucune commune « {bare} » dans {self._where(cp, deps)} ; "
                    f"{'y commence ainsi' if len(first) == 1 else 'y commencent ainsi'} : "
                    f"{self._labels(first)} ; « {bare} » existe ailleurs : "
                    f"{self._labels(elsewhere)}. Précisez le nom complet ou le code.",
                    first + elsewhere,
                )
            return self._ambiguous(
                f"Aucune commune « {bare} » dans {self._where(cp, deps)} ; elle existe "
                f"ailleurs : {self._labels(elsewhere)}.",
                elsewhere,
                UNKNOWN_COMMUNE,
            )
        if prefix_kept or former_kept:
            by_prefix = self._by_population(prefix_kept)
            by_former = [c for c in self._by_population(former_kept) if c not in by_prefix]
            if len(by_prefix) + len(by_former) == 1:
                if by_prefix:
                    return self._prefix_ok(name, by_prefix[0], method, cp, deps)
                return self._former(name, key, by_former, method)
            notes = {c: self._former_note(key, c) for c in by_former}
            codes = by_prefix + by_former
            return self._ambiguous(
                f"« {name} » correspond à {len(codes)} communes : {self._labels(codes, notes)}. "
                "Précisez le nom complet, le département ou le code.",
                codes,
            )
        found = self._resolve_other_names(name, key, cp, deps, method)
        if found is not None:
            return found
        if cp is not None or deps is not None:
            anywhere = self._by_population(prefix + list(former))
            if anywhere:
                return self._ambiguous(
                    f"Aucune commune « {bare} » dans {self._where(cp, deps)} ; des communes "
                    f"de ce nom existent ailleurs : {self._labels(anywhere)}.",
                    anywhere,
                    UNKNOWN_COMMUNE,
                )
        suggestions = self._suggest(key, deps)
        hint = (
            f" Vouliez-vous dire : {', '.join(str(c) for c in suggestions)} ?"
            if suggestions
            else ""
        )
        return Resolution(
            None,
            reason=UNKNOWN_COMMUNE,
            message=(
                f"Commune « {name} » introuvable : ce n'est pas une commune du COG "
                f"{self._vintage} (nom mal orthographié, ou commune créée depuis ?).{hint}"
            ),
            candidates=suggestions,
        )

    def _former_note(self, key: str, parent: str) -> str:
        for former_name, kind, code in self._former_info.get(key, ()):
            if code == parent:
                return f"ancienne commune {former_name} ({_FORMER_LABEL.get(kind, kind)})"
        return "ancienne commune"

    def _former(self, name: str, key: str, parents: list[str], method: str) -> Resolution:
        """A former commune's exact name: its commune, with a note, or ambiguous."""
        if len(parents) == 1:
            parent = parents[0]
            info = next(i for i in self._former_info[key] if i[2] == parent)
            return self._ok(
                parent,
                method.replace("name", "former_name", 1),
                message=(
                    f"« {name} » : {_FORMER_LABEL.get(info[1], info[1])} rattachée à "
                    f"{self._communes[parent][0]} ({parent}) dans le COG {self._vintage}, "
                    f"lue comme {self._communes[parent][0]}."
                ),
            )
        notes = {c: self._former_note(key, c) for c in parents}
        return self._ambiguous(
            f"« {name} » est le nom de {len(parents)} anciennes communes : "
            f"{self._labels(parents, notes)}. Précisez le département ou le code.",
            parents,
        )

    def _prefix_ok(
        self, name: str, code: str, method: str, cp: str | None, deps: set[str] | None
    ) -> Resolution:
        where = f" dans {self._where(cp, deps)}" if cp or deps else ""
        res = self._ok(
            code,
            method.replace("name", "name_prefix", 1),
            message=(
                f"« {name} » lu comme {self._communes[code][0]} ({code}) : seule commune "
                f"dont le nom commence ainsi{where}."
            ),
        )
        return self._with_arrondissement(res, cp)

    def _resolve_other_names(
        self, name: str, key: str, cp: str | None, deps: set[str] | None, method: str
    ) -> Resolution | None:
        """Former communes by the start of their name, « commune + former », merged ones."""
        notes: dict[str, str] = {}
        for k in self._prefixed(key, self._former_keys_sorted):
            for former_name, kind, parent in self._former_info[k]:
                notes.setdefault(
                    parent,
                    f"{former_name}, {_FORMER_LABEL.get(kind, kind)} rattachée à "
                    f"{self._communes[parent][0]}",
                )
        words = key.split()
        for i in range(1, len(words)):
            head, tail = " ".join(words[:i]), " ".join(words[i:])
            for com_key, former_key in ((head, tail), (tail, head)):
                parents = set(self._by_key.get(com_key, ()))
                if not parents:
                    continue
                formers = {former_key, *self._prefixed(former_key, self._former_keys_sorted)}
                for fk in formers:
                    for former_name, kind, parent in self._former_info.get(fk, ()):
                        if parent in parents:
                            notes.setdefault(
                                parent,
                                f"{self._communes[parent][0]} et sa "
                                f"{_FORMER_LABEL.get(kind, kind)} {former_name}",
                            )
        merged = self._merged.get(key)
        if merged is not None:
            _, target, when = merged
            notes.setdefault(
                target,
                f"commune fusionnée le {when} dans la commune nouvelle {self._communes[target][0]}",
            )
        if not notes:
            return None
        kept, _ = self._filter(notes, cp, deps)
        if not kept:
            return None
        if len(kept) == 1:
            code = kept[0]
            return self._ok(
                code,
                method.replace("name", "merged_name" if merged else "former_name", 1),
                message=(
                    f"« {name} » : {notes[code]} ; lu comme {self._communes[code][0]} ({code})"
                    f", commune du COG {self._vintage}."
                ),
            )
        codes = self._by_population(kept)
        return self._ambiguous(
            f"« {name} » correspond à {len(codes)} communes : {self._labels(codes, notes)}. "
            "Précisez le nom complet, le département ou le code.",
            codes,
        )

    def _resolve_postal(self, cp: str, deps: set[str] | None) -> Resolution:
        codes = sorted(self._postal.get(cp, ()))
        if deps is not None:
            codes = [c for c in codes if self._communes[c][1] in deps]
        if len(codes) == 1:
            return self._ok(codes[0], "postal_code", self._postal_arm.get(cp))
        if not codes:
            return Resolution(
                None, reason=UNKNOWN_COMMUNE, message=f"Code postal « {cp} » inconnu."
            )
        cands = tuple(self._candidate(c) for c in codes)
        return Resolution(
            None,
            reason=AMBIGUOUS_COMMUNE,
            message=(
                f"Le code postal {cp} dessert {len(cands)} communes : "
                f"{', '.join(str(c) for c in cands[:6])}{' …' if len(cands) > 6 else ''}. "
                "Indiquez aussi le nom de la commune."
            ),
            candidates=cands,
        )

    def _suggest(self, key: str, deps: set[str] | None, n: int = 3) -> tuple[Candidate, ...]:
        keys: Iterable[str] = self._keys_by_initial.get(key[:1], [])
        if deps:
            keys = [k for d in deps for k in self._keys_by_dep.get(d, [])]
        close = difflib.get_close_matches(key, list(keys), n=n, cutoff=0.85)
        out: list[Candidate] = []
        for k in close:
            for code in self._by_key[k]:
                if deps is None or self._communes[code][1] in deps:
                    out.append(self._candidate(code))
        return tuple(out[:n])


#: The resolver's indexes kept in its stored state, and the factory of those that are
#: ``defaultdict`` (stored as plain dictionaries).
_STATE_DEFAULTS: dict[str, type] = {
    "_by_name": list,
    "_by_key": list,
    "_former_code": set,
    "_former_key": set,
    "_former_info": list,
    "_postal": set,
}
_STATE_NAMES = frozenset(
    {
        *_STATE_DEFAULTS,
        "_vintage",
        "_communes",
        "_pop",
        "_official",
        "_merged",
        "_arm",
        "_arm_name",
        "_arm_by_num",
        "_postal_arm",
        "_dep_codes",
        "_dep_by_key",
    }
)
#: Raised when the stored state's shape changes (the code's source is in the
#: fingerprint too: a state built by other code is never used).
_STATE_VERSION = 1
_STATE_FILE = "resolver-state.marshal"


def _state_fingerprint(vintage: int) -> bytes:
    """What a stored state must have been built from: this code, these reference data."""
    from pacte_analysis import _text
    from pacte_analysis.reference import _names

    digest = hashlib.sha256(f"{_STATE_VERSION}|{vintage}|".encode())
    for module in (sys.modules[__name__], _names, _text):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update((_layers.cache_folder(vintage) / "manifest.json").read_bytes())
    return digest.hexdigest().encode()


def _load_state(vintage: int) -> dict[str, Any] | None:
    """The indexes stored with the reference cache of ``vintage``, if they fit this code.

    The file holds the fingerprint of what built it (:func:`_state_fingerprint`),
    the SHA-256 of its payload, then the payload (``marshal``); anything else is
    ``None`` (the indexes are then built again).
    """
    try:
        path = _layers.cache_folder(vintage) / _STATE_FILE
        if not path.is_file():
            return None
        data = path.read_bytes()
        fingerprint, checksum, payload = data[:64], data[65:129], data[130:]
        if fingerprint != _state_fingerprint(vintage) or data[64:65] + data[129:130] != b"\n\n":
            return None
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        # our own file (written by _save_state, its checksum checked above); marshal
        # builds containers and never runs what it reads
        state = marshal.loads(payload)  # noqa: S302
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(state, dict) or set(state) != _STATE_NAMES:
        return None
    return state


def _save_state(vintage: int, state: dict[str, Any]) -> None:
    """Store the indexes beside the reference cache (skipped where it cannot be written)."""
    try:
        payload = marshal.dumps(state)
        folder = _layers.cache_folder(vintage)
        header = _state_fingerprint(vintage) + b"\n" + hashlib.sha256(payload).hexdigest().encode()
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=".resolver-", suffix=".tmp", delete=False
        ) as out:
            out.write(header + b"\n" + payload)
        os.chmod(out.name, 0o644)  # readable as the cache's other files
        os.replace(out.name, folder / _STATE_FILE)
    except (OSError, ValueError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(out.name)


@functools.cache
def _default_resolver(vintage: int) -> CommuneResolver:
    return CommuneResolver(vintage)


def resolve_commune(
    name: object = None,
    code: object = None,
    postal_code: object = None,
    departement: object = None,
    *,
    vintage: int = 2020,
) -> Resolution:
    """Resolve a commune reference against the COG 2020.

    See :meth:`CommuneResolver.resolve`; this uses a resolver built once per process.

    Examples
    --------
    >>> resolve_commune(name="Saint-Denis", departement="974").code  # doctest: +SKIP
    '97411'
    """
    return _default_resolver(vintage).resolve(name, code, postal_code, departement)
