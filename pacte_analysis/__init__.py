"""pacte_analysis — where candidate lists committed to the Pacte pour la Transition (2020).

The public API is flat, as in geopandas::

    import pacte_analysis as pa
    ed = pa.read_edition("pacte-2020")
    communes = pa.communes()                      # COG 2020 communes with boundaries
    res = pa.resolve_commune(name="Havre (Le)")   # → res.code == "76351"
"""

from pacte_analysis.analysis import (
    available_metrics,
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
)
from pacte_analysis.charts import available_charts, draw_chart, save_figure
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
    ReferenceError,
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

__version__ = "0.1.0"

__all__ = [
    "CHANGE_KINDS",
    "DROM_CODES",
    "LAMBERT93",
    "MANDATE_OUTCOMES",
    "VINTAGES",
    "BuildResult",
    "Candidate",
    "CommuneResolver",
    "Edition",
    "EditionError",
    "IngestResult",
    "Measure",
    "Principle",
    "ReferenceError",
    "Resolution",
    "__version__",
    "arrondissements",
    "available_charts",
    "available_editions",
    "available_metrics",
    "build_reference",
    "classify",
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
    "plot_map",
    "postal_codes",
    "processed_dir",
    "raw_dir",
    "read_edition",
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
    "write_tables",
    "write_template",
]
