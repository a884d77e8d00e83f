"""pacte_analysis — where candidate lists committed to the Pacte pour la Transition (2020).

The public API is flat, as in geopandas::

    import pacte_analysis as pa
    ed = pa.read_edition("pacte-2020")
    communes = pa.communes()                      # COG 2020 communes with boundaries
    res = pa.resolve_commune(name="Havre (Le)")   # → res.code == "76351"
"""

from pacte_analysis.editions import (
    Edition,
    EditionError,
    Measure,
    Principle,
    available_editions,
    read_edition,
)
from pacte_analysis.reference import (
    DROM_CODES,
    LAMBERT93,
    BuildResult,
    Candidate,
    CommuneResolver,
    ReferenceError,
    Resolution,
    arrondissements,
    build_reference,
    communes,
    departements,
    drom_boxes,
    epci,
    former_communes,
    mayors,
    national_layout,
    postal_codes,
    regions,
    resolve_commune,
)

__version__ = "0.1.0"

__all__ = [
    "DROM_CODES",
    "LAMBERT93",
    "BuildResult",
    "Candidate",
    "CommuneResolver",
    "Edition",
    "EditionError",
    "Measure",
    "Principle",
    "ReferenceError",
    "Resolution",
    "__version__",
    "arrondissements",
    "available_editions",
    "build_reference",
    "communes",
    "departements",
    "drom_boxes",
    "epci",
    "former_communes",
    "mayors",
    "national_layout",
    "postal_codes",
    "read_edition",
    "regions",
    "resolve_commune",
]
