"""Find the COG 2020 commune behind what a tracker wrote (code, postal code, name).

The resolver never guesses: a name that fits several communes is reported with its
candidates (``AMBIGUOUS_COMMUNE``), an unknown one with close spellings as
suggestions (``UNKNOWN_COMMUNE``).
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from pacte_analysis.reference import _layers
from pacte_analysis.reference._names import name_key, normalize_text

__all__ = ["Candidate", "CommuneResolver", "Resolution", "resolve_commune"]

MISSING_COMMUNE = "MISSING_COMMUNE"
UNKNOWN_COMMUNE = "UNKNOWN_COMMUNE"
AMBIGUOUS_COMMUNE = "AMBIGUOUS_COMMUNE"

_CITY_CODES = {"paris": "75056", "lyon": "69123", "marseille": "13055"}
_ARRONDISSEMENT = re.compile(
    r"^(?P<city>paris|lyon|marseille) (?P<num>\d{1,2}|[ivx]+) ?"
    r"(?:e|er|ere|eme|ieme|em|re)?(?: arrondissement| arrondt| arr| ardt)?$"
)
_POSTAL_IN_NAME = re.compile(r"(?<!\d)(?P<cp>\d{5})(?!\d)")
_DEP_IN_NAME = re.compile(r"[\(\[,-]\s*(?P<dep>\d{2,3}|2[AaBb])\s*[\)\]]?\s*$")
_DEP_NAME_IN_NAME = re.compile(r"\((?P<dep>[^()]{3,})\)\s*$")
_CEDEX = re.compile(r"\bcedex(\s*\d+)?\b", re.IGNORECASE)
_ROMAN = {"i": 1, "v": 5, "x": 10}


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
        Set when the input named an arrondissement of Paris, Lyon or Marseille.
    reason : str or None
        ``None`` when resolved, else ``MISSING_COMMUNE``, ``UNKNOWN_COMMUNE`` or
        ``AMBIGUOUS_COMMUNE``.
    method : str
        How it was resolved (``code``, ``former_code``, ``arrondissement``, ``name``,
        ``postal_code``…), empty when not.
    message : str
        A French sentence for the report.
    candidates : tuple of Candidate
        Communes that fit an ambiguous input, or close spellings of an unknown one.
    """

    code: str | None
    name: str | None = None
    departement_code: str | None = None
    arrondissement_code: str | None = None
    reason: str | None = None
    method: str = ""
    message: str = ""
    candidates: tuple[Candidate, ...] = field(default=())

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
    """

    def __init__(self, vintage: int = 2020) -> None:
        com = _layers.communes(vintage, "web")[["code", "name", "departement_code"]]
        arm = _layers.arrondissements(vintage, "web")[["code", "name", "commune_code"]]
        former = _layers.former_communes(vintage)
        postal = _layers.postal_codes(vintage)
        deps = _layers.departements(vintage, "web")[["code", "name"]]

        self._communes: dict[str, tuple[str, str]] = {
            c: (n, d)
            for c, n, d in zip(com["code"], com["name"], com["departement_code"], strict=True)
        }
        self._by_key: dict[str, list[str]] = defaultdict(list)
        for code, name in zip(com["code"], com["name"], strict=True):
            self._by_key[name_key(name)].append(code)
        self._former_code: dict[str, set[str]] = defaultdict(set)
        self._former_key: dict[str, set[str]] = defaultdict(set)
        for code, name, parent in zip(
            former["code"], former["name"], former["commune_code"], strict=True
        ):
            self._former_code[code].add(parent)
            self._former_key[name_key(name)].add(parent)
        self._arm: dict[str, str] = dict(zip(arm["code"], arm["commune_code"], strict=True))
        self._arm_name: dict[str, str] = dict(zip(arm["code"], arm["name"], strict=True))
        self._arm_by_num: dict[tuple[str, int], str] = {}
        for code, name in zip(arm["code"], arm["name"], strict=True):
            match = _ARRONDISSEMENT.match(normalize_text(name))
            if match:
                self._arm_by_num[(match["city"], int(match["num"]))] = code
        self._postal: dict[str, set[str]] = defaultdict(set)
        self._postal_arm: dict[str, str] = {}
        for cp, code, arr in zip(
            postal["postal_code"],
            postal["commune_code"],
            postal["arrondissement_code"],
            strict=True,
        ):
            self._postal[cp].add(code)
            if isinstance(arr, str):
                self._postal_arm[cp] = arr
        self._dep_codes = set(deps["code"])
        self._dep_by_key = {name_key(n): c for c, n in zip(deps["code"], deps["name"], strict=True)}
        self._keys_by_dep: dict[str, list[str]] = defaultdict(list)
        for key, codes in self._by_key.items():
            for code in codes:
                self._keys_by_dep[self._communes[code][1]].append(key)
        self._all_keys = list(self._by_key)
        self._resolved: dict[tuple[str, str, str | None], Resolution] = {}

    # ------------------------------------------------------------------ helpers
    def _candidate(self, code: str) -> Candidate:
        name, dep = self._communes[code]
        return Candidate(code, name, dep)

    def _ok(self, code: str, method: str, arrondissement: str | None = None) -> Resolution:
        key = (code, method, arrondissement)
        found = self._resolved.get(key)
        if found is None:  # results are immutable: build each one once
            name, dep = self._communes[code]
            found = Resolution(code, name, dep, arrondissement, None, method, "")
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
            code (``Saint-Denis (93)``, ``35400 Saint-Malo``) or name an
            arrondissement (``Paris 11e``).
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
                    message=f"Code commune « {code_text} » inconnu du COG 2020.",
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
        if name is not None and not self._name_fits(name, target, arrondissement, code):
            by_name = self._resolve_name(name, code if code in self._postal else None, None)
            if by_name.code == target:
                return by_name
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

    def _name_fits(self, name: str, target: str, arrondissement: str | None, code: str) -> bool:
        if name == self._communes[target][0]:
            return True  # the official name, as written in most trackers
        key = name_key(self._strip_hints(name)[0])
        if target in self._by_key.get(key, ()) or target in self._former_key.get(key, ()):
            return True
        arm = self._match_arrondissement(name)
        if arm is not None:
            return self._arm[arm] == target
        if arrondissement is not None:
            return name_key(self._arm_name[arrondissement]) == key
        return False

    def _match_arrondissement(self, name: str) -> str | None:
        match = _ARRONDISSEMENT.match(normalize_text(name))
        if not match:
            return None
        num = match["num"]
        number = int(num) if num.isdigit() else _roman(num)
        return self._arm_by_num.get((match["city"], number))

    def _strip_hints(self, name: str) -> tuple[str, str | None, set[str] | None]:
        """Split ``name`` into the bare name, a postal code and départements it carries."""
        cp = None
        deps: set[str] | None = None
        text = _CEDEX.sub(" ", name).strip()
        match = _POSTAL_IN_NAME.search(text)
        if match:
            cp = match["cp"]
            text = (text[: match.start()] + " " + text[match.end() :]).strip(" ,;-()")
        match_dep = _DEP_IN_NAME.search(text)
        if match_dep:
            deps = self.departement_codes(match_dep["dep"]) or None
            text = text[: match_dep.start()].strip()
        else:
            match_dep = _DEP_NAME_IN_NAME.search(text)
            if match_dep:
                found = self.departement_codes(match_dep["dep"])
                if found:
                    deps = found
                    text = text[: match_dep.start()].strip()
        return text, cp, deps

    def _resolve_name(self, name: str, cp: str | None, deps: set[str] | None) -> Resolution:
        arm = self._match_arrondissement(name)
        if arm is not None:
            return self._ok(self._arm[arm], "arrondissement", arm)
        bare, cp_in_name, deps_in_name = self._strip_hints(name)
        cp = cp or cp_in_name
        deps = deps or deps_in_name
        arm = self._match_arrondissement(bare)
        if arm is not None:
            return self._ok(self._arm[arm], "arrondissement", arm)
        key = name_key(bare)
        if not key:
            return Resolution(
                None, reason=MISSING_COMMUNE, message=f"Nom de commune vide : « {name} »."
            )
        method = "name"
        found: list[str] = list(self._by_key.get(key, ()))
        former = sorted(self._former_key.get(key, ()))
        pool = found or former
        if not found and former:
            method = "former_name"
        filtered = pool
        if cp is not None:
            by_cp = [c for c in pool if c in self._postal.get(cp, ())]
            if not by_cp:
                by_cp = [c for c in pool if self._communes[c][1] in self._departement_of_postal(cp)]
            filtered = by_cp
            method += "+postal_code"
        if deps is not None:
            filtered = [c for c in filtered if self._communes[c][1] in deps]
            method += "+departement"
        if not filtered and found and former:
            # a former commune's name in the given département (« Annecy-le-Vieux (74) »)
            return self._resolve_name_pool(former, name, cp, deps, "former_name")
        if len(filtered) == 1:
            return self._ok(filtered[0], method)
        if len(filtered) > 1:
            cands = tuple(self._candidate(c) for c in sorted(filtered))
            return Resolution(
                None,
                reason=AMBIGUOUS_COMMUNE,
                message=(
                    f"« {name} » correspond à {len(cands)} communes : "
                    f"{', '.join(str(c) for c in cands[:6])}"
                    f"{' …' if len(cands) > 6 else ''}. Précisez le département ou le code."
                ),
                candidates=cands,
            )
        if pool:
            where = f"le département {'/'.join(sorted(deps))}" if deps else f"le code postal {cp}"
            cands = tuple(self._candidate(c) for c in sorted(pool))
            return Resolution(
                None,
                reason=UNKNOWN_COMMUNE,
                message=(
                    f"Aucune commune « {bare} » dans {where} ; elle existe ailleurs : "
                    f"{', '.join(str(c) for c in cands[:6])}."
                ),
                candidates=cands,
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
            message=f"Commune « {name} » introuvable dans le COG 2020.{hint}",
            candidates=suggestions,
        )

    def _resolve_name_pool(
        self, pool: list[str], name: str, cp: str | None, deps: set[str] | None, method: str
    ) -> Resolution:
        filtered = pool
        if cp is not None:
            filtered = [
                c for c in filtered if self._communes[c][1] in self._departement_of_postal(cp)
            ]
        if deps is not None:
            filtered = [c for c in filtered if self._communes[c][1] in deps]
        if len(filtered) == 1:
            return self._ok(filtered[0], method)
        cands = tuple(self._candidate(c) for c in sorted(filtered or pool))
        reason = AMBIGUOUS_COMMUNE if len(filtered) > 1 else UNKNOWN_COMMUNE
        return Resolution(
            None,
            reason=reason,
            message=f"« {name} » : commune introuvable ou ambiguë ({len(cands)} possibilités).",
            candidates=cands,
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
        keys: Iterable[str] = self._all_keys
        if deps:
            keys = [k for d in deps for k in self._keys_by_dep.get(d, [])]
        close = difflib.get_close_matches(key, list(keys), n=n, cutoff=0.85)
        out: list[Candidate] = []
        for k in close:
            for code in self._by_key[k]:
                if deps is None or self._communes[code][1] in deps:
                    out.append(self._candidate(code))
        return tuple(out[:n])


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
