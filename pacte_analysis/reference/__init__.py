"""Reference geography: COG 2020 communes, territories, postal codes, mayors."""

from pacte_analysis.reference._build import BuildResult, build_reference
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
from pacte_analysis.reference._source import ReferenceDataError

__all__ = [
    "DROM_CODES",
    "LAMBERT93",
    "BuildResult",
    "Candidate",
    "CommuneResolver",
    "DromBox",
    "ReferenceDataError",
    "Resolution",
    "arrondissements",
    "build_reference",
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
