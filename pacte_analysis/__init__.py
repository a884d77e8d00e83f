"""pacte_analysis — where candidate lists committed to the Pacte pour la Transition (2020).

The public API is flat, as in geopandas::

    import pacte_analysis as pa
    ed = pa.read_edition("pacte-2020")
    communes = pa.communes()                      # COG 2020 communes with boundaries
    res = pa.resolve_commune(name="Havre (Le)")   # → res.code == "76351"
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from pacte_analysis.analysis import (
    available_metrics,
    column_label,
    commune_summary,
    compare_elected,
    compare_lists,
    compare_size_classes,
    compare_territories,
    list_summary,
    measure_summary,
    metric_info,
    size_class,
    territory_summary,
    theme_summary,
    win_rate,
)
from pacte_analysis.config import processed_dir, raw_dir
from pacte_analysis.demo import generate_demo
from pacte_analysis.editions import (
    Edition,
    EditionError,
    Measure,
    Principle,
    available_editions,
    read_edition,
)
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteError,
    PacteTypeError,
    UnknownCodeError,
)
from pacte_analysis.followup import (
    SCORE_METHOD,
    STATUSES,
    FollowupResult,
    followup_scores,
    followup_summary,
    read_followup,
)
from pacte_analysis.ingest import IngestResult, ingest, write_tables, write_template
from pacte_analysis.mandate import (
    MANDATE_OUTCOMES,
    commune_mandate_outcome,
    mandate_outcome,
    mandate_summary,
    same_person,
)
from pacte_analysis.reference import (
    CHANGE_KINDS,
    DROM_CODES,
    LAMBERT93,
    VINTAGES,
    BuildResult,
    Candidate,
    CommuneResolver,
    ReferenceDataError,
    Resolution,
    arrondissements,
    build_reference,
    commune_changes,
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
from pacte_analysis.tables import Tables, TablesError, export_csv, read_csv, read_tables

if TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
    from pacte_analysis.charts import (
        available_charts,
        draw_chart,
        plot_followup_status,
        plot_mandate_reelection,
        save_figure,
    )
    from pacte_analysis.maps import (
        classify,
        draw_map,
        interactive_map,
        map_data,
        plot_map,
        save_html,
        save_map,
    )
    from pacte_analysis.pipeline import run_demo

__version__ = "0.1.0"

#: Names whose module pulls matplotlib, mapclassify or folium: imported on first use,
#: so that ``import pacte_analysis`` (and every ``pacte`` command) stays light.
_LAZY: dict[str, str] = {
    "available_charts": "pacte_analysis.charts",
    "draw_chart": "pacte_analysis.charts",
    "save_figure": "pacte_analysis.charts",
    "plot_followup_status": "pacte_analysis.charts",
    "plot_mandate_reelection": "pacte_analysis.charts",
    "classify": "pacte_analysis.maps",
    "draw_map": "pacte_analysis.maps",
    "interactive_map": "pacte_analysis.maps",
    "map_data": "pacte_analysis.maps",
    "plot_map": "pacte_analysis.maps",
    "save_html": "pacte_analysis.maps",
    "save_map": "pacte_analysis.maps",
    "run_demo": "pacte_analysis.pipeline",
}


def __getattr__(name: str) -> Any:
    """Import the drawing functions on first use (PEP 562)."""
    if name == "ReferenceError":
        warnings.warn(
            "pacte_analysis.ReferenceError est renommée ReferenceDataError "
            "(l'ancien nom masquait l'exception ReferenceError de Python).",
            DeprecationWarning,
            stacklevel=2,
        )
        return ReferenceDataError
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pacte_analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "CHANGE_KINDS",
    "DROM_CODES",
    "LAMBERT93",
    "MANDATE_OUTCOMES",
    "SCORE_METHOD",
    "STATUSES",
    "VINTAGES",
    "BuildResult",
    "Candidate",
    "CommuneResolver",
    "Edition",
    "EditionError",
    "FollowupResult",
    "IngestResult",
    "InvalidArgumentError",
    "Measure",
    "MissingColumnsError",
    "PacteError",
    "PacteTypeError",
    "Principle",
    "ReferenceDataError",
    "Resolution",
    "Tables",
    "TablesError",
    "UnknownCodeError",
    "__version__",
    "arrondissements",
    "available_charts",
    "available_editions",
    "available_metrics",
    "build_reference",
    "classify",
    "column_label",
    "commune_changes",
    "commune_mandate_outcome",
    "commune_summary",
    "communes",
    "compare_elected",
    "compare_lists",
    "compare_size_classes",
    "compare_territories",
    "departements",
    "draw_chart",
    "draw_map",
    "drom_boxes",
    "epci",
    "export_csv",
    "followup_scores",
    "followup_summary",
    "former_communes",
    "generate_demo",
    "ingest",
    "interactive_map",
    "list_summary",
    "mandate_outcome",
    "mandate_summary",
    "map_data",
    "mayors",
    "measure_summary",
    "metric_info",
    "national_layout",
    "plot_followup_status",
    "plot_mandate_reelection",
    "plot_map",
    "postal_codes",
    "processed_dir",
    "raw_dir",
    "read_csv",
    "read_edition",
    "read_followup",
    "read_tables",
    "regions",
    "resolve_commune",
    "run_demo",
    "same_person",
    "save_figure",
    "save_html",
    "save_map",
    "size_class",
    "territory_summary",
    "theme_summary",
    "win_rate",
    "write_tables",
    "write_template",
]
