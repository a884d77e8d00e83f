"""Reference geography: communes, territories, postal codes, mayors, by vintage.

Vintages (:data:`VINTAGES`): ``2020`` (default; COG 2020 and the mayors elected in
2020) and ``2026`` (COG 2025 and the mayors elected in March 2026);
:func:`commune_changes` links the two.
"""

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
