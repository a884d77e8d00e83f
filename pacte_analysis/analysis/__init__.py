"""Metrics and comparisons on the canonical ``lists`` and ``commitments`` tables.

Pure pandas: every function takes DataFrames (and an edition) and returns a new
DataFrame; nothing is read from or written to disk. The tables follow the
contract of ``docs/contract.md``; the reference communes are a (Geo)DataFrame with the
columns ``code, name, departement_code, region_code, epci_code, population``
(COG 2020 municipal population, nullable).

Conventions
-----------
* A commitment counts when ``committed`` is true; each list × measure pair counts
  once. Measures that are not in the edition are ignored.
* ``elected`` is a nullable boolean: true, false or unknown (null). A commune's
  elected team is known to have signed when one of its lists is elected and
  signatory; it is known not to have signed when its elected list is not
  signatory, or when every known list of the commune lost (the winner then is a
  list the local group did not record, hence not a signatory). Otherwise it is
  unknown.
* Shares are percentages in 0–100 (floats); a share whose denominator is zero is
  NaN. Populations sum the communes whose population is known.
* Rows of another edition than the one given are left out, with a warning.

The functions live in modules by subject: :mod:`~pacte_analysis.analysis.metrics`
(registry of metrics and column labels), :mod:`~pacte_analysis.analysis.summaries`
(per list, commune, territory, measure, theme) and
:mod:`~pacte_analysis.analysis.compare` (comparisons and win rate); the shared
per-list pass and the input checks are in ``_core``.
"""

from __future__ import annotations

from pacte_analysis.analysis._core import (
    ELECTED_STATUSES,
    FRANCE_CODE,
    FRANCE_NAME,
    SIZE_CLASSES,
    STATUS_CATEGORIES,
    UNASSIGNED_THEME,
    UNKNOWN_SIZE_CLASS,
)
from pacte_analysis.analysis._core import EditionLike as EditionLike
from pacte_analysis.analysis._core import TerritoryLevel as TerritoryLevel
from pacte_analysis.analysis._core import _committed as _committed  # used by the charts
from pacte_analysis.analysis.compare import (
    compare_elected,
    compare_lists,
    compare_size_classes,
    compare_territories,
    size_class,
    win_rate,
)
from pacte_analysis.analysis.metrics import (
    Metric,
    available_metrics,
    column_label,
    metric_info,
)
from pacte_analysis.analysis.summaries import (
    commune_summary,
    list_summary,
    measure_summary,
    territory_summary,
    theme_summary,
)

__all__ = [
    "ELECTED_STATUSES",
    "FRANCE_CODE",
    "FRANCE_NAME",
    "SIZE_CLASSES",
    "STATUS_CATEGORIES",
    "UNASSIGNED_THEME",
    "UNKNOWN_SIZE_CLASS",
    "Metric",
    "available_metrics",
    "column_label",
    "commune_summary",
    "compare_elected",
    "compare_lists",
    "compare_size_classes",
    "compare_territories",
    "list_summary",
    "measure_summary",
    "metric_info",
    "size_class",
    "territory_summary",
    "theme_summary",
    "win_rate",
]
