"""Passage table between two reference vintages (which commune became which).

Built from the codes and the communes déléguées / associées of the later vintage, and
for the few communes the source does not link to their successor, from the
boundaries (largest overlap). See :func:`commune_changes`.
"""

from __future__ import annotations

import functools
import logging

import numpy as np
import pandas as pd
import shapely

from pacte_analysis.reference import _layers
from pacte_analysis.reference._names import normalize_text
from pacte_analysis.reference._source import ReferenceDataError, vintage_info

__all__ = ["CHANGE_KINDS", "commune_changes"]

logger = logging.getLogger(__name__)

#: Kinds of change of a commune between two vintages, with their French label.
CHANGE_KINDS: dict[str, str] = {
    "unchanged": "inchangée",
    "renamed": "renommée",
    "merged": "fusionnée dans une commune nouvelle",
    "code_changed": "commune nouvelle dont le code a changé",
    "split": "scindée (communes rétablies)",
}


def commune_changes(vintage_from: int = 2020, vintage_to: int = 2026) -> pd.DataFrame:
    """Which commune of ``vintage_to`` each commune of ``vintage_from`` became.

    Every commune (type ``COM``) of ``vintage_from`` appears exactly once. Its
    successor is found, in this order:

    1. ``code``: its code is still a commune's code;
    2. ``parent``: its code is a commune déléguée or associée (``COMD``/``COMA``)
       of ``vintage_to``, whose commune is the successor (``commune_parent_id`` of
       the wheel);
    3. for a commune merged without becoming a commune déléguée (16 from 2020 to
       2026), a neighbour of ``vintage_to``: ``geometry`` when one covers at least
       half of its earlier territory; otherwise (the later boundaries predate some
       mergers of 2025 and leave its territory uncovered) ``name``, the neighbour
       renamed after it (Le Mont-Dieu → Tannay-le-Mont-Dieu, Ciel → Verdun-Ciel),
       and failing that ``geometry`` again, the neighbour covering the most of it.

    Parameters
    ----------
    vintage_from, vintage_to : int, default 2020 and 2026
        Two vintages of :data:`pacte_analysis.reference.VINTAGES`, the earlier first.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``code_<from>``, with (for 2020 → 2026) the columns

        ``code_2020``, ``name_2020``, ``departement_code_2020``
            the commune in the earlier vintage;
        ``code_2026``, ``name_2026``, ``departement_code_2026``
            its successor;
        ``kind``
            ``unchanged``; ``renamed`` (same code, other name, same commune);
            ``merged`` (with other communes of 2020 into ``code_2026``, whether it
            kept its code or became a commune déléguée); ``code_changed`` (a
            commune nouvelle whose code moved to one of its communes déléguées, e.g.
            Conques-en-Rouergue 12076 → 12218); ``split`` (some of its communes
            déléguées became communes again: ``code_2026`` is the successor that
            covers most of its territory and ``other_codes_2026`` lists the
            others). French labels: :data:`CHANGE_KINDS`;
        ``method``
            ``code``, ``parent``, ``geometry`` or ``name`` (above);
        ``overlap_share``
            for ``geometry`` and ``name`` matches and ``split`` communes, the share
            of the earlier territory inside ``code_2026`` (null otherwise; small
            where the later boundaries predate the merger);
        ``other_codes_2026``
            for ``split``: the other successors, space-separated (null otherwise);
        ``n_from``
            how many communes of 2020 have ``code_2026`` as their successor.

    Raises
    ------
    ReferenceDataError
        Unknown vintage, or ``vintage_from`` is not earlier than ``vintage_to``.

    Examples
    --------
    >>> import pacte_analysis as pa
    >>> ch = pa.commune_changes(2020, 2026)  # doctest: +SKIP
    >>> ch.set_index("code_2020").loc["01036", ["code_2026", "kind"]].tolist()  # doctest: +SKIP
    ['01138', 'merged']
    """
    return _changes(vintage_from, vintage_to).copy()


@functools.cache
def _changes(vintage_from: int, vintage_to: int) -> pd.DataFrame:
    old_spec, new_spec = vintage_info(vintage_from), vintage_info(vintage_to)
    if old_spec.year >= new_spec.year:
        raise ReferenceDataError(
            f"Table de passage : le millésime de départ ({vintage_from}) doit précéder "
            f"celui d'arrivée ({vintage_to})."
        )
    a, b = old_spec.year, new_spec.year
    old = _layers.communes(a)
    new = _layers.communes(b)
    old_former = _layers.former_communes(a)
    new_former = _layers.former_communes(b)

    old_codes = old["code"].astype(str).to_numpy()
    new_codes = set(new["code"].astype(str))
    new_name = new.set_index("code")["name"].astype(str)
    new_dep = new.set_index("code")["departement_code"].astype(str)
    parent_of = new_former.drop_duplicates("code").set_index("code")["commune_code"].astype(str)

    target = pd.Series(pd.NA, index=old_codes, dtype="str")
    method = pd.Series(pd.NA, index=old_codes, dtype="str")
    overlap = pd.Series(np.nan, index=old_codes, dtype="Float64")
    same = np.array([c in new_codes for c in old_codes])
    target[same] = old_codes[same]
    method[same] = "code"
    parents = set(parent_of.index)
    by_parent = ~same & np.array([c in parents for c in old_codes])
    target[by_parent] = parent_of.reindex(old_codes[by_parent]).to_numpy()
    method[by_parent] = "parent"

    rest = target.isna().to_numpy()
    old_geom = old.set_index("code").geometry
    new_geom = new.set_index("code").geometry.dropna()
    tree = shapely.STRtree(new_geom.to_numpy())
    names_before = old.set_index("code")["name"].astype(str)
    for code in old_codes[rest]:
        geom = old_geom[code]
        hits = tree.query(shapely.buffer(geom, _NEIGHBOUR_DEG), predicate="intersects")
        if len(hits) == 0:
            raise ReferenceDataError(
                f"Table de passage : la commune {code} de {a} n'a aucune voisine en {b}."
            )
        cand = new_geom.index.to_numpy()[hits].astype(str)
        shares = shapely.area(shapely.intersection(geom, new_geom.to_numpy()[hits]))
        shares = shares / shapely.area(geom)
        words = _words(names_before[code])
        best = int(np.argmax(shares))
        how = "geometry"
        if shares[best] < 0.5:
            renamed_after = [
                i
                for i, c in enumerate(cand)
                if names_before.get(c) != new_name[c] and words & _words(new_name[c])
            ]
            if renamed_after:
                best = max(
                    renamed_after, key=lambda i: (len(words & _words(new_name[cand[i]])), shares[i])
                )
                how = "name"
        target[code], overlap[code] = cand[best], float(shares[best])
        method[code] = how

    # Communes restored from a commune's former communes déléguées: a split.
    restored = old_former[old_former["code"].isin(new_codes - set(old_codes))]
    restored_by_parent = restored.groupby("commune_code")["code"].agg(
        lambda s: sorted(set(s.astype(str)))
    )
    other = pd.Series(pd.NA, index=old_codes, dtype="str")
    split = pd.Series(False, index=old_codes)
    for parent, codes in restored_by_parent.items():
        parent = str(parent)
        successors = sorted({str(target[parent]), *codes})
        if len(successors) < 2:
            continue  # only the code changed (e.g. 12076 → 12218)
        shares = {c: _overlap_share(old_geom[parent], new_geom.get(c)) for c in successors}
        main = max(successors, key=lambda c: (shares[c], c == target[parent]))
        target[parent], overlap[parent] = main, shares[main]
        other[parent] = " ".join(c for c in successors if c != main)
        split[parent] = True

    n_from = target.map(target.value_counts())
    names_old = old.set_index("code")["name"].astype(str)
    kind = pd.Series("unchanged", index=old_codes, dtype="str")
    renamed = target.to_numpy() == old_codes
    renamed &= names_old.reindex(old_codes).to_numpy() != new_name.reindex(target).to_numpy()
    kind[renamed] = "renamed"
    kind[(target.to_numpy() != old_codes)] = "code_changed"
    kind[split.to_numpy()] = "split"
    kind[(n_from > 1).to_numpy()] = "merged"

    out = pd.DataFrame(
        {
            f"code_{a}": pd.array(old_codes, dtype="str"),
            f"name_{a}": names_old.reindex(old_codes).to_numpy(),
            f"departement_code_{a}": old.set_index("code")["departement_code"]
            .reindex(old_codes)
            .to_numpy(),
            f"code_{b}": target.to_numpy(),
            f"name_{b}": new_name.reindex(target).to_numpy(),
            f"departement_code_{b}": new_dep.reindex(target).to_numpy(),
            "kind": kind.to_numpy(),
            "method": method.to_numpy(),
            "overlap_share": overlap.to_numpy(),
            f"other_codes_{b}": other.to_numpy(),
            "n_from": n_from.astype("int64").to_numpy(),
        }
    )
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype("str")
    return out.sort_values(f"code_{a}", ignore_index=True)


def _overlap_share(old: shapely.Geometry, new: shapely.Geometry | None) -> float:
    """Share of ``old``'s area inside ``new`` (areas in degrees: a local ratio)."""
    if new is None or old is None:
        return 0.0
    return float(shapely.area(shapely.intersection(old, new)) / shapely.area(old))


#: Neighbours of a commune: the later communes within this distance (degrees, ~500 m).
_NEIGHBOUR_DEG = 0.005
_STOP_WORDS = frozenset(
    {"saint", "sainte", "saints", "saintes", "sur", "sous", "en", "le", "la", "les", "l"}
    | {"de", "du", "des", "d", "et", "aux", "lez", "les", "lès"}
)


def _words(name: str) -> frozenset[str]:
    """Distinctive words of a commune name (no article, « saint », « sur »…)."""
    return frozenset(w for w in normalize_text(name).split() if w not in _STOP_WORDS)
