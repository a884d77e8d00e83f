"""Maps: interactive (folium, web) and static (matplotlib, print)."""

from pacte_analysis.maps._make import MAP_FORMATS, MapError, draw_map, map_data
from pacte_analysis.maps.interactive import (
    CONTOURS_CREDIT,
    DEMO_BANNER,
    interactive_map,
    save_html,
)
from pacte_analysis.maps.static import SCHEMES, Classification, classify, plot_map, save_map

__all__ = [
    "CONTOURS_CREDIT",
    "DEMO_BANNER",
    "MAP_FORMATS",
    "SCHEMES",
    "Classification",
    "MapError",
    "classify",
    "draw_map",
    "interactive_map",
    "map_data",
    "plot_map",
    "save_html",
    "save_map",
]
