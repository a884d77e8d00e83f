"""Reference geography: communes, territories, postal codes, mayors, by vintage.

Vintages (:data:`VINTAGES`): ``2020`` (default; COG 2020 and the mayors elected in
2020) and ``2026`` (COG 2025 and the mayors elected in March 2026);
:func:`commune_changes` links the two.

The public names are imported on first use (PEP 562), so that the commune resolver,
which every import needs, loads neither geopandas nor shapely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacte_analysis._lazy import lazy_names

if TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
    from pacte_analysis.reference._build import BuildResult, build_reference
    from pacte_analysis.reference._changes import CHANGE_KINDS, commune_changes
    from pacte_analysis.reference._layers import (
        arrondissements,
        communes,
        departements,
        epci,
        former_communes,
        mayors,
        postal_codes,
        regions,
    )
    from pacte_analysis.reference._layout import (
        DROM_CODES,
        LAMBERT93,
        DromBox,
        drom_boxes,
        national_layout,
    )
    from pacte_analysis.reference._resolver import (
        Candidate,
        CommuneResolver,
        Resolution,
        resolve_commune,
    )
    from pacte_analysis.reference._source import VINTAGES, ReferenceDataError, Vintage

#: Public names and their modules, imported on first use.
_LAZY: dict[str, str] = {
    "BuildResult": "pacte_analysis.reference._build",
    "build_reference": "pacte_analysis.reference._build",
    "CHANGE_KINDS": "pacte_analysis.reference._changes",
    "commune_changes": "pacte_analysis.reference._changes",
    "arrondissements": "pacte_analysis.reference._layers",
    "communes": "pacte_analysis.reference._layers",
    "departements": "pacte_analysis.reference._layers",
    "epci": "pacte_analysis.reference._layers",
    "former_communes": "pacte_analysis.reference._layers",
    "mayors": "pacte_analysis.reference._layers",
    "postal_codes": "pacte_analysis.reference._layers",
    "regions": "pacte_analysis.reference._layers",
    "DROM_CODES": "pacte_analysis.reference._layout",
    "LAMBERT93": "pacte_analysis.reference._layout",
    "DromBox": "pacte_analysis.reference._layout",
    "drom_boxes": "pacte_analysis.reference._layout",
    "national_layout": "pacte_analysis.reference._layout",
    "Candidate": "pacte_analysis.reference._resolver",
    "CommuneResolver": "pacte_analysis.reference._resolver",
    "Resolution": "pacte_analysis.reference._resolver",
    "resolve_commune": "pacte_analysis.reference._resolver",
    "VINTAGES": "pacte_analysis.reference._source",
    "ReferenceDataError": "pacte_analysis.reference._source",
    "Vintage": "pacte_analysis.reference._source",
}


__getattr__, __dir__ = lazy_names(globals(), _LAZY)

__all__ = [
    "CHANGE_KINDS",
    "DROM_CODES",
    "LAMBERT93",
    "VINTAGES",
    "BuildResult",
    "Candidate",
    "CommuneResolver",
    "DromBox",
    "ReferenceDataError",
    "Resolution",
    "Vintage",
    "arrondissements",
    "build_reference",
    "commune_changes",
    "communes",
    "departements",
    "drom_boxes",
    "epci",
    "former_communes",
    "mayors",
    "national_layout",
    "postal_codes",
    "regions",
    "resolve_commune",
]
