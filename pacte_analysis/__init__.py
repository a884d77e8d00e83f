"""pacte_analysis — where candidate lists committed to the Pacte pour la Transition (2020).

The public API is flat, as in geopandas::

    import pacte_analysis as pa
    ed = pa.read_edition("pacte-2020")
    communes = pa.communes()                      # COG 2020 communes with boundaries
    res = pa.resolve_commune(name="Havre (Le)")   # → res.code == "76351"
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
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
    from pacte_analysis.charts import (
        available_charts,
        chart_info,
        draw_chart,
        plot_followup_status,
        plot_mandate_reelection,
        save_figure,
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
    from pacte_analysis.exports import export_csv
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
    from pacte_analysis.tables import Tables, TablesError, read_csv, read_tables

__version__ = "0.1.0"

#: Every public name and the module that defines it, imported on first use (PEP 562):
#: ``import pacte_analysis`` (and every ``pacte`` command) loads pandas, geopandas,
#: matplotlib, mapclassify or folium only when a name that needs them is used.
_LAZY: dict[str, str] = {
    "FollowupResult": "pacte_analysis.followup",
    "SCORE_METHOD": "pacte_analysis.followup",
    "STATUSES": "pacte_analysis.followup",
    "followup_scores": "pacte_analysis.followup",
    "followup_summary": "pacte_analysis.followup",
    "read_followup": "pacte_analysis.followup",
    "InvalidArgumentError": "pacte_analysis.errors",
    "MissingColumnsError": "pacte_analysis.errors",
    "PacteError": "pacte_analysis.errors",
    "PacteTypeError": "pacte_analysis.errors",
    "UnknownCodeError": "pacte_analysis.errors",
    "Tables": "pacte_analysis.tables",
    "TablesError": "pacte_analysis.tables",
    "export_csv": "pacte_analysis.exports",
    "read_csv": "pacte_analysis.tables",
    "read_tables": "pacte_analysis.tables",
    "column_label": "pacte_analysis.analysis",
    "win_rate": "pacte_analysis.analysis",
    "plot_followup_status": "pacte_analysis.charts",
    "plot_mandate_reelection": "pacte_analysis.charts",
    "available_metrics": "pacte_analysis.analysis",
    "commune_summary": "pacte_analysis.analysis",
    "compare_elected": "pacte_analysis.analysis",
    "compare_lists": "pacte_analysis.analysis",
    "compare_size_classes": "pacte_analysis.analysis",
    "compare_territories": "pacte_analysis.analysis",
    "list_summary": "pacte_analysis.analysis",
    "measure_summary": "pacte_analysis.analysis",
    "metric_info": "pacte_analysis.analysis",
    "size_class": "pacte_analysis.analysis",
    "territory_summary": "pacte_analysis.analysis",
    "theme_summary": "pacte_analysis.analysis",
    "available_charts": "pacte_analysis.charts",
    "chart_info": "pacte_analysis.charts",
    "draw_chart": "pacte_analysis.charts",
    "save_figure": "pacte_analysis.charts",
    "processed_dir": "pacte_analysis.config",
    "raw_dir": "pacte_analysis.config",
    "generate_demo": "pacte_analysis.demo",
    "Edition": "pacte_analysis.editions",
    "EditionError": "pacte_analysis.editions",
    "Measure": "pacte_analysis.editions",
    "Principle": "pacte_analysis.editions",
    "available_editions": "pacte_analysis.editions",
    "read_edition": "pacte_analysis.editions",
    "IngestResult": "pacte_analysis.ingest",
    "ingest": "pacte_analysis.ingest",
    "write_tables": "pacte_analysis.ingest",
    "write_template": "pacte_analysis.ingest",
    "MANDATE_OUTCOMES": "pacte_analysis.mandate",
    "commune_mandate_outcome": "pacte_analysis.mandate",
    "mandate_outcome": "pacte_analysis.mandate",
    "mandate_summary": "pacte_analysis.mandate",
    "same_person": "pacte_analysis.mandate",
    "classify": "pacte_analysis.maps",
    "draw_map": "pacte_analysis.maps",
    "interactive_map": "pacte_analysis.maps",
    "map_data": "pacte_analysis.maps",
    "plot_map": "pacte_analysis.maps",
    "save_html": "pacte_analysis.maps",
    "save_map": "pacte_analysis.maps",
    "run_demo": "pacte_analysis.pipeline",
    "CHANGE_KINDS": "pacte_analysis.reference",
    "DROM_CODES": "pacte_analysis.reference",
    "LAMBERT93": "pacte_analysis.reference",
    "VINTAGES": "pacte_analysis.reference",
    "BuildResult": "pacte_analysis.reference",
    "Candidate": "pacte_analysis.reference",
    "CommuneResolver": "pacte_analysis.reference",
    "ReferenceDataError": "pacte_analysis.reference",
    "Resolution": "pacte_analysis.reference",
    "arrondissements": "pacte_analysis.reference",
    "build_reference": "pacte_analysis.reference",
    "commune_changes": "pacte_analysis.reference",
    "communes": "pacte_analysis.reference",
    "departements": "pacte_analysis.reference",
    "drom_boxes": "pacte_analysis.reference",
    "epci": "pacte_analysis.reference",
    "former_communes": "pacte_analysis.reference",
    "mayors": "pacte_analysis.reference",
    "national_layout": "pacte_analysis.reference",
    "postal_codes": "pacte_analysis.reference",
    "regions": "pacte_analysis.reference",
    "resolve_commune": "pacte_analysis.reference",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562); ``pa.maps`` is a subpackage."""
    if name == "ReferenceError":
        import warnings

        warnings.warn(
            "pacte_analysis.ReferenceError est renommée ReferenceDataError "
            "(l'ancien nom masquait l'exception ReferenceError de Python).",
            DeprecationWarning,
            stacklevel=2,
        )
        name = "ReferenceDataError"
    module = _LAZY.get(name)
    if module is None:
        if name.startswith("__") or importlib.util.find_spec(f"{__name__}.{name}") is None:
            raise AttributeError(f"module 'pacte_analysis' has no attribute {name!r}")
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package, whose public names stay bound to the API, not to a subpackage.

    The first ``import pacte_analysis.ingest`` (by the CLI, or a test) binds the
    subpackage as the ``ingest`` attribute of its parent; the public ``ingest`` is the
    function, as it was when the names were imported eagerly.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


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
    "chart_info",
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
