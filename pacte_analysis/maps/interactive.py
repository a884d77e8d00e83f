"""Interactive choropleth maps (folium/Leaflet) that stay light for 35,000 communes.

The page is self-contained: Leaflet 1.9.4 (BSD-2, from the npm package ``leaflet``,
see ``_assets/README.md``) is inlined, there is no tile layer and no CDN link, so the
HTML opens with no network at all.

Why not ``GeoDataFrame.explore``: folium's ``GeoJson`` writes full-precision GeoJSON
with every property and a per-feature ``style_function`` (a ``switch`` over every
feature id). Here, instead:

* geometry is rounded to ``precision`` decimals and written as delta-encoded
  polyline strings (Google's "encoded polyline" alphabet), about 3× smaller than
  rounded GeoJSON, decoded once in JavaScript;
* fill colours are precomputed in Python as one class character per feature and per
  metric plus a palette; switching the metric repaints (no second copy of the
  geometry);
* the page does not build one Leaflet polygon per unit (35,000 ``L.polygon`` took
  1.5 s to build, project and draw): one custom layer (an ``L.Renderer``, so Leaflet
  moves and scales its canvas during zoom animations) decodes the geometry once into
  typed arrays of Web Mercator pixels, paints the units class by class after each
  move or zoom (small batches of neighbours: Chromium rasterises many small paths
  much faster than one huge one), and finds the unit under the mouse or finger
  itself (a grid of bounding boxes, then point in polygon with holes) for the
  tooltip, the outline of the hovered unit and the popup;
* names, values and popup rows live in compact column arrays keyed by feature
  index; tooltips and popups are built only when opened;
* every user-provided string is HTML-escaped in Python before it reaches the page.
"""

from __future__ import annotations

import html
import itertools
import json
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from pacte_analysis import _style
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    UnknownCodeError,
)

__all__ = [
    "CONTOURS_CREDIT",
    "DEMO_BANNER",
    "interactive_map",
    "save_html",
]

logger = logging.getLogger(__name__)

#: Credit line of the boundaries, shown on every map.
CONTOURS_CREDIT = _style.CONTOURS_CREDIT
#: Banner shown when ``demo=True``.
DEMO_BANNER = _style.DEMO_MARK

_MAX_CLASSES = 40  # class characters "0".."W" (no quote, no backslash)
_CLASS_MISSING = "-"

# Lon/lat boxes used to offer a « Aller à » button per territory and to choose the
# initial view (mainland France when it is present).
_ZONES: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("Métropole", (-5.8, 41.2, 10.0, 51.3)),
    # as the print maps' inset: Paris and the petite couronne (the densest units)
    ("Paris et petite couronne", (2.15, 48.72, 2.61, 48.98)),
    ("Guadeloupe", (-61.9, 15.8, -60.9, 16.6)),
    ("Martinique", (-61.3, 14.3, -60.8, 14.9)),
    ("Guyane", (-54.7, 2.0, -51.5, 5.9)),
    ("La Réunion", (55.2, -21.4, 55.9, -20.8)),
    ("Mayotte", (44.9, -13.1, 45.4, -12.6)),
)


# --------------------------------------------------------------------------- assets


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's CSS (images inlined as data URIs) and JS, from ``_assets/``."""
    import base64

    root = resources.files("pacte_analysis.maps") / "_assets"
    css = (root / "leaflet.css").read_text(encoding="utf-8")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        data = base64.b64encode((root / "images" / name).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    js = (root / "leaflet.js").read_text(encoding="utf-8")
    # Drop the source-map comment: DevTools would otherwise try to fetch it.
    js = js.replace("//# sourceMappingURL=leaflet.js.map", "")
    return css, js


# ------------------------------------------------------------------------ encoding


def _encode_values(values: np.ndarray) -> bytes:
    """Encode signed integers with the polyline alphabet (5-bit groups + 63)."""
    v = values.astype(np.int64)
    z = np.where(v < 0, ~(v << 1), v << 1).astype(np.uint64)
    n_chunks = np.ones(len(z), dtype=np.int64)
    rest = z >> np.uint64(5)
    while rest.any():
        n_chunks += rest > 0
        rest >>= np.uint64(5)
    width = int(n_chunks.max()) if len(z) else 1
    shifts = np.arange(width, dtype=np.uint64) * np.uint64(5)
    chunks = ((z[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.uint8)
    col = np.arange(width)[None, :]
    used = col < n_chunks[:, None]
    more = col < (n_chunks[:, None] - 1)
    chars = (chunks | (more.astype(np.uint8) << np.uint8(5))) + np.uint8(63)
    return bytes(chars[used].tobytes())


def _encode_geometry(geoms: np.ndarray, precision: int) -> str:
    """Polygonal geometries → one string: per feature, per polygon, per ring an encoded run.

    Coordinates are rounded to ``precision`` decimals and written as (lat, lon)
    deltas from the previous vertex *of the whole layer* (the decoder in the page
    keeps one running position), without the closing vertex of each ring. Rings are
    separated by a space, polygons by ``!`` and features by ``,`` (characters outside
    the polyline alphabet, 63–126): one JSON string instead of nested lists saves
    about 7 bytes per commune.
    """
    geom_type, coords, offsets = shapely.to_ragged_array(geoms)
    if geom_type == shapely.GeometryType.POLYGON:
        ring_off, poly_off = offsets
        geom_off = np.arange(len(poly_off))
    elif geom_type == shapely.GeometryType.MULTIPOLYGON:
        ring_off, poly_off, geom_off = offsets
    else:  # pragma: no cover - guarded by the caller
        raise TypeError("only polygons can be drawn")
    scale = 10**precision
    q = np.rint(coords[:, [1, 0]] * scale).astype(np.int64)  # lat, lon
    keep = np.ones(len(q), dtype=bool)
    keep[ring_off[1:] - 1] = False  # closing vertex of each ring
    q = q[keep]
    ring_off = ring_off - np.arange(len(ring_off))  # one vertex fewer per ring
    deltas = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    flat = deltas.reshape(-1)
    # Byte length of each encoded value, to cut the stream at ring boundaries.
    z = np.where(flat < 0, ~(flat << 1), flat << 1)
    lengths = np.ones(len(z), dtype=np.int64)
    rest = z >> 5
    while rest.any():
        lengths += rest > 0
        rest >>= 5
    ends = np.concatenate([[0], np.cumsum(lengths)])
    stream = _encode_values(flat).decode("ascii")
    byte_at_vertex = ends[::2]  # start of vertex i is ends[2 * i]
    rings = [
        stream[byte_at_vertex[a] : byte_at_vertex[b]]
        for a, b in itertools.pairwise(ring_off.tolist())
    ]
    features = []
    for g in range(len(geom_off) - 1):
        polys = [
            " ".join(rings[poly_off[p] : poly_off[p + 1]])
            for p in range(geom_off[g], geom_off[g + 1])
        ]
        features.append("!".join(polys))
    return ",".join(features)


def _counts(geometry: str) -> list[int]:
    """Vertices and rings of an encoded geometry, so that the page sizes its arrays at once.

    A vertex is two values and every value ends with one character of 63–94; every
    separator (space, ``!``, ``,``) ends one ring, and so does the end of the string.
    """
    chars = np.frombuffer(geometry.encode("ascii"), dtype=np.uint8)
    ends = int(np.count_nonzero((chars >= 63) & (chars < 95)))
    return [ends // 2, int(np.count_nonzero(chars < 63)) + 1]


def _json_for_script(obj: Any) -> str:
    """JSON that is safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


# ---------------------------------------------------------------------- formatting


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fr_number(x: float, decimals: int) -> str:
    """French number: narrow no-break space for thousands, comma for decimals."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _decimals_for(values: Sequence[float]) -> int:
    """Fewest decimals (0–3) that keep the distinct values distinct."""
    vals = [v for v in values if math.isfinite(v)]
    if all(float(v).is_integer() for v in vals):
        return 0
    n_distinct = len(set(vals))
    for d in (1, 2, 3):
        if len({round(v, d) for v in vals}) == n_distinct:
            return d
    return 3


def _cell_text(value: object) -> str:
    """A popup/tooltip cell: escaped text, French numbers, « oui »/« non »."""
    if not isinstance(value, list | tuple | np.ndarray) and _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "oui" if value else "non"
    if isinstance(value, int | np.integer):
        return _fr_number(float(value), 0)
    if isinstance(value, float | np.floating):
        f = float(value)
        return _fr_number(f, 0 if f.is_integer() else _decimals_for([f]))
    if isinstance(value, list | tuple | np.ndarray):
        return _esc(", ".join(str(v) for v in value))
    return _esc(value)


def _json_value(value: object) -> float | str | None:
    """Tooltip value: a finite number (formatted in the page) or escaped text."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return "oui" if value else "non"
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if not math.isfinite(f):
            return None
        return int(f) if f.is_integer() else float(f"{f:.4g}") if abs(f) < 1e4 else round(f, 2)
    if _is_missing(value):
        return None
    return _esc(value)


# -------------------------------------------------------------------- classification


def _colors(cmap: str, n: int, *, qualitative: bool) -> list[str]:
    import matplotlib as mpl
    from matplotlib.colors import ListedColormap, to_hex

    if n == 0:
        return []
    cm = mpl.colormaps[cmap]
    if isinstance(cm, ListedColormap) and cm.N <= 20 and (qualitative or n <= cm.N):
        return [to_hex(cm(i % cm.N)) for i in range(n)]
    positions = [0.65] if n == 1 else list(np.linspace(0.12, 1.0, n))
    return [to_hex(cm(p)) for p in positions]


def _numeric_classes(
    values: pd.Series,
    *,
    scheme: str,
    k: int,
    breaks: Sequence[float] | None,
    unit: str,
) -> tuple[np.ndarray, list[str]]:
    """Class index per row (-1 = missing) and one legend label per class."""
    from pacte_analysis.maps import _classes

    y = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
    valid = np.isfinite(y)
    cls = np.full(len(y), -1, dtype=np.int64)
    if not valid.any():
        return cls, []
    yv = y[valid]
    distinct = np.unique(yv)
    exact = breaks is None and distinct.size <= k  # one class per value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if breaks is not None or exact:
            given = sorted(float(b) for b in breaks) if breaks is not None else distinct
            found = _classes.user_bins(yv, [float(v) for v in given])
            found_ids = _classes.bin_ids(yv, found)
        else:
            found, found_ids = _classes.classify(yv, scheme, k=min(k, len(np.unique(yv))))
    bins = [float(b) for b in np.asarray(found, dtype=float)]
    yb = np.asarray(found_ids, dtype=np.int64)
    # Drop empty trailing/duplicate classes so that every legend entry is used.
    used = sorted(set(yb.tolist()))
    remap = {old: new for new, old in enumerate(used)}
    cls[valid] = [remap[c] for c in yb.tolist()]
    lo_all = float(yv.min())
    integer_data = bool(np.all(np.mod(yv, 1) == 0)) and all(b.is_integer() for b in bins)
    dec = _decimals_for([lo_all, *bins])
    suffix = f" {unit}" if unit else ""
    labels = []
    for c in used:
        hi = bins[c]
        previous = bins[c - 1] + (1 if integer_data else 0) if c > 0 else lo_all
        lo = previous
        hi_in_data = min(hi, float(yv.max()))
        if exact or (integer_data and lo >= hi_in_data):
            text = _fr_number(hi_in_data, 0 if integer_data else dec)
            one = abs(hi_in_data) < 2 and unit.endswith("s") and unit.isalpha()
            labels.append(_esc(text + (f" {unit[:-1]}" if one else suffix)))  # « 1 liste »
            continue
        text = f"{_fr_number(lo, dec)} – {_fr_number(hi_in_data, dec)}"
        labels.append(_esc(text + suffix))
    return cls, labels


def _categorical_classes(
    values: pd.Series, order: Sequence[object] = ()
) -> tuple[np.ndarray, list[object], list[str]]:
    """Class index per row (-1 = missing), the categories present, their labels."""
    present = set(values.dropna().tolist())
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = [c for c in values.cat.categories if c in present]
    else:
        cats = sorted(present, key=lambda v: (str(type(v)), v))
    # Categories with a given colour come first, in the order given.
    cats = [c for c in order if c in present] + [c for c in cats if c not in order]
    if len(cats) > _MAX_CLASSES:
        raise InvalidArgumentError(
            f"interactive_map : trop de catégories ({len(cats)} > {_MAX_CLASSES}) pour une "
            "couche de carte."
        )
    index = {c: i for i, c in enumerate(cats)}
    cls = np.array(
        [index.get(v, -1) if not _is_missing(v) else -1 for v in values.tolist()], dtype=np.int64
    )
    labels = [_cell_text(c) for c in cats]
    return cls, cats, labels


def _is_missing(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _legend_html(
    label: str, colors: Sequence[str], labels: Sequence[str], missing: tuple[str, str, int]
) -> str:
    rows = [f'<div class="pacte-legend-title">{label}</div>']
    for color, text in zip(colors, labels, strict=True):
        rows.append(f'<div><i style="background:{color}"></i>{text}</div>')
    missing_color, missing_label, n_missing = missing
    if n_missing or not labels:
        rows.append(f'<div><i style="background:{missing_color}"></i>{missing_label}</div>')
    return "".join(rows)


# ----------------------------------------------------------------------------- page

_CSS = """
.leaflet-container{background:#eef2f5;font-family:system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
.pacte-top{position:absolute;top:10px;left:60px;right:60px;z-index:1000;
pointer-events:none;text-align:center}
.pacte-title{display:inline-block;background:rgba(255,255,255,.93);padding:6px 14px;border-radius:4px;
box-shadow:0 1px 4px rgba(0,0,0,.3);font-size:16px;font-weight:600;color:#222}
.pacte-demo{margin-top:6px;display:inline-block;background:#b2182b;color:#fff;
padding:4px 12px;border-radius:4px;font-weight:700;font-size:14px;letter-spacing:.02em}
.pacte-legend{background:rgba(255,255,255,.95);padding:8px 10px;border-radius:4px;
box-shadow:0 1px 4px rgba(0,0,0,.3);font-size:12px;line-height:18px;color:#222;max-width:260px}
.pacte-legend-title{font-weight:600;margin-bottom:4px}
.pacte-legend i{display:inline-block;width:18px;height:12px;margin-right:6px;
vertical-align:-1px;border:1px solid rgba(0,0,0,.25)}
.pacte-zones{background:#fff;padding:4px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.pacte-zones button{display:block;width:100%;margin:2px 0;font:12px inherit;cursor:pointer;
background:#f7f7f7;border:1px solid #ccc;border-radius:3px;padding:2px 6px;text-align:left}
.pacte-layers-title{font-weight:600;margin-bottom:4px}
@media (max-width:600px){.leaflet-control-layers{max-width:calc(100vw - 200px);font-size:11px}
.pacte-zones button{font-size:11px;padding:1px 4px}}
.pacte-tip b,.pacte-popup h4{font-weight:600}
.pacte-popup h4{margin:0 0 4px;font-size:14px}
.pacte-popup .pacte-values{margin-bottom:6px}
.pacte-popup table{border-collapse:collapse;font-size:12px}
.pacte-popup th,.pacte-popup td{border-bottom:1px solid #ddd;padding:2px 5px;text-align:left;
vertical-align:top}
.pacte-popup th{background:#f2f2f2}
.pacte-muted{color:#666}
.leaflet-container.pacte-hit{cursor:pointer}
"""

_JS = """
(function () {
  var map = %(map)s;
  var D = JSON.parse(document.getElementById(%(data_id)s).textContent);
  var F = D.scale, n = D.ids.length, M = D.metrics, cur = 0;
  var nf = new Intl.NumberFormat("fr-FR", {maximumFractionDigits: 2});
  function fmt(v) { return typeof v === "number" ? nf.format(v) : v; }

  // Geometry, decoded once into typed arrays of Web Mercator pixels at zoom 0 (what
  // map.project(latlng, 0) gives): X/Y per vertex, RS = first vertex of each ring,
  // FR = first ring of each unit, BB = bounding box of each unit.
  var S = D.geom, len = S.length, nv = D.counts[0], nr = D.counts[1], c;
  var X = new Float64Array(nv), Y = new Float64Array(nv);
  var RS = new Int32Array(nr + 1), FR = new Int32Array(n + 1), BB = new Float64Array(4 * n);
  (function () {
    var lat = 0, lng = 0, v = 0, r = 0, f = 0, half = 0, val = 0, mul = 1, b, d, x, y, s;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    var RAD = Math.PI / 180, LIM = 85.0511287798, K = 64 / Math.PI;
    function unit() {
      BB[4 * f] = x0; BB[4 * f + 1] = y0; BB[4 * f + 2] = x1; BB[4 * f + 3] = y1;
      x0 = y0 = Infinity; x1 = y1 = -Infinity;
      FR[++f] = r;
    }
    for (var i = 0; i < len; i++) {
      c = S.charCodeAt(i);
      if (c < 63) {  // " " ends a ring, "!" a polygon, "," a unit
        RS[++r] = v;
        if (c === 44) { unit(); }
        continue;
      }
      b = c - 63;
      val += (b & 31) * mul;
      mul *= 32;
      if (b >= 32) { continue; }
      d = (val %% 2) ? -(val + 1) / 2 : val / 2;
      val = 0;
      mul = 1;
      if (half === 0) { lat += d; half = 1; continue; }
      lng += d;
      half = 0;
      s = Math.sin(Math.max(Math.min(LIM, lat / F), -LIM) * RAD);
      x = 128 + lng / F * 256 / 360;
      y = 128 - K * Math.log((1 + s) / (1 - s));
      X[v] = x; Y[v] = y; v++;
      if (x < x0) { x0 = x; } if (x > x1) { x1 = x; }
      if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
    }
    RS[++r] = v;
    unit();
  })();
  D.geom = S = null;

  function cls(i, m) { return M[m].cls.charCodeAt(i) - 48; }
  for (var v = 0; v < M.length; v++) {  // unit → index in the values of its layer
    if (!M[v].vals) { continue; }
    var at = new Int32Array(n), k = 0;
    for (var u = 0; u < n; u++) { at[u] = cls(u, v) < 0 ? -1 : k++; }
    M[v].at = at;
  }
  function fill(i, m) { var c = cls(i, m); return c < 0 ? D.missing.color : M[m].pal[c]; }
  function value(i, m) {
    var c = cls(i, m);
    if (c < 0) { return '<span class="pacte-muted">' + M[m].missing + "</span>"; }
    if (!M[m].vals) { return M[m].cats[c] + (M[m].unit ? " " + M[m].unit : ""); }
    var x = M[m].vals[M[m].at[i]];
    var unit = M[m].unit1 && Math.abs(x) < 2 ? M[m].unit1 : M[m].unit;
    return fmt(x) + (unit ? " " + unit : "");
  }
  function lines(i) {
    var out = [];
    for (var m = 0; m < M.length; m++) {
      var row = M[m].label + " : " + value(i, m);
      out.push(m === cur ? "<b>" + row + "</b>" : row);
    }
    for (var t = 0; t < D.extra.length; t++) {
      var v = D.extra[t].vals[i];
      if (v !== null && v !== "") { out.push(D.extra[t].label + " : " + fmt(v)); }
    }
    return out.join("<br>");
  }
  function head(i) {
    return D.names[i] + ' <span class="pacte-muted">(' + D.ids[i] + ")</span>";
  }
  function tooltip(i) {
    return '<div class="pacte-tip"><b>' + head(i) + "</b><br>" + lines(i) + "</div>";
  }
  function popup(i) {
    var html = '<div class="pacte-popup"><h4>' + head(i) + "</h4>";
    html += '<div class="pacte-values">' + lines(i) + "</div>";
    if (D.details) {
      var rows = D.details.rows[String(i)];
      if (rows && rows.length) {
        html += "<table><thead><tr><th>" + D.details.headers.join("</th><th>") +
          "</th></tr></thead><tbody>";
        for (var r = 0; r < rows.length; r++) {
          html += "<tr><td>" + rows[r].join("</td><td>") + "</td></tr>";
        }
        html += "</tbody></table>";
      } else {
        html += '<div class="pacte-muted">' + D.details.empty + "</div>";
      }
    }
    return html + "</div>";
  }

  // Units of each class of a metric, missing values first: one path and one fill per
  // class and per redraw.
  var orders = [];
  function order(m) {
    if (orders[m]) { return orders[m]; }
    var K = M[m].pal.length, start = new Int32Array(K + 2), ord = new Int32Array(n);
    var key = new Int32Array(n), i;
    for (i = 0; i < n; i++) { key[i] = Math.max(cls(i, m), -1) + 1; start[key[i] + 1]++; }
    for (i = 1; i <= K + 1; i++) { start[i] += start[i - 1]; }
    var next = start.slice(0, K + 1);
    for (i = 0; i < n; i++) { ord[next[key[i]]++] = i; }
    orders[m] = {ord: ord, start: start};
    return orders[m];
  }
  function outside(i, w) {
    return BB[4 * i] > w.x1 || BB[4 * i + 2] < w.x0 || BB[4 * i + 1] > w.y1 || BB[4 * i + 3] < w.y0;
  }
  // The rings of unit i in canvas pixels, leaving out vertices closer than one pixel
  // to the last one drawn (as Leaflet's default smoothFactor of 1).
  function trace(p, i, w) {
    var s = w.s, ox = w.ox, oy = w.oy;
    for (var r = FR[i]; r < FR[i + 1]; r++) {
      var a = RS[r], z = RS[r + 1];
      var px = X[a] * s - ox, py = Y[a] * s - oy;
      p.moveTo(px, py);
      for (var q = a + 1; q < z; q++) {
        var x = X[q] * s - ox, y = Y[q] * s - oy, dx = x - px, dy = y - py;
        if (dx * dx + dy * dy > 1) { p.lineTo(x, y); px = x; py = y; }
      }
      p.closePath();
    }
  }
  // Units are painted by class, in batches of a few neighbours (codes in order):
  // Chromium rasterises many small paths much faster than one path of every unit.
  function paintUnits(ctx, w) {
    var o = order(cur), pal = M[cur].pal, st = D.style, stroke = st.weight > 0;
    ctx.lineJoin = "bevel";  // cheaper than round for thin borders, and no miter spikes
    ctx.lineWidth = st.weight;
    ctx.strokeStyle = st.color;
    for (var k = 0; k <= pal.length; k++) {
      ctx.fillStyle = k ? pal[k - 1] : D.missing.color;
      var p = null, count = 0, end = o.start[k + 1];
      for (var j = o.start[k]; j < end; j++) {
        var i = o.ord[j];
        if (!outside(i, w)) {
          if (!p) { p = new Path2D(); }
          trace(p, i, w);
          count++;
        }
        if (p && (count === 32 || j === end - 1)) {
          ctx.globalAlpha = st.fillOpacity;
          ctx.fill(p, "evenodd");
          if (stroke) { ctx.globalAlpha = st.opacity; ctx.stroke(p); }
          p = null;
          count = 0;
        }
      }
    }
  }
  var hovered = -1;
  function paintHover(ctx, w) {
    if (hovered < 0 || outside(hovered, w)) { return; }
    var p = new Path2D();
    trace(p, hovered, w);
    ctx.lineJoin = ctx.lineCap = "round";
    ctx.lineWidth = 2;
    ctx.strokeStyle = "#222222";
    ctx.stroke(p);
  }

  // A canvas over the view (plus padding) that L.Renderer moves and scales during
  // zoom animations, repainted with `paint` after each move or zoom.
  var Painter = L.Renderer.extend({
    options: {padding: 0.3},
    initialize: function (paint, options) {
      L.Renderer.prototype.initialize.call(this, options);
      this._paint = paint;
    },
    _initContainer: function () {
      this._container = L.DomUtil.create("canvas", "pacte-canvas");
      this._ctx = this._container.getContext("2d");
    },
    _destroyContainer: function () {
      L.DomUtil.remove(this._container);
      delete this._ctx;
      delete this._container;
    },
    _update: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      L.Renderer.prototype._update.call(this);
      var b = this._bounds, size = b.getSize(), el = this._container;
      var m = L.Browser.retina ? 2 : 1, origin = this._map.getPixelOrigin();
      var s = this._map.getZoomScale(this._map.getZoom(), 0);
      var ox = origin.x + b.min.x, oy = origin.y + b.min.y;
      this._view = {s: s, ox: ox, oy: oy, m: m, x0: ox / s, y0: oy / s,
                    x1: (ox + size.x) / s, y1: (oy + size.y) / s};
      L.DomUtil.setPosition(el, b.min);
      el.width = m * size.x;
      el.height = m * size.y;
      el.style.width = size.x + "px";
      el.style.height = size.y + "px";
      this._draw();
    },
    _draw: function () {
      var ctx = this._ctx, w = this._view;
      ctx.setTransform(w.m, 0, 0, w.m, 0, 0);
      this._paint(ctx, w);
    },
    redraw: function () {
      if (!this._ctx || !this._view) { return this; }
      this._ctx.setTransform(1, 0, 0, 1, 0, 0);
      this._ctx.clearRect(0, 0, this._container.width, this._container.height);
      this._draw();
      return this;
    },
    _updatePaths: function () {}
  });
  var units = new Painter(paintUnits), outline = new Painter(paintHover);

  // Hit testing: a grid of cells (about one unit wide) listing the units whose box
  // meets them, then point in polygon (even-odd, so holes and islands count).
  var grid = null, cell = 1;
  function buildGrid() {
    var sizes = [];
    for (var i = 0; i < n; i++) {
      sizes.push(Math.max(BB[4 * i + 2] - BB[4 * i], BB[4 * i + 3] - BB[4 * i + 1]));
    }
    sizes.sort(function (a, b) { return a - b; });
    cell = Math.max(sizes[sizes.length >> 1] || 1, 256 / 65536);
    grid = new Map();
    for (i = 0; i < n; i++) {
      var cx1 = Math.floor(BB[4 * i + 2] / cell), cy1 = Math.floor(BB[4 * i + 3] / cell);
      for (var cx = Math.floor(BB[4 * i] / cell); cx <= cx1; cx++) {
        for (var cy = Math.floor(BB[4 * i + 1] / cell); cy <= cy1; cy++) {
          var key = cx * 65536 + cy, list = grid.get(key);
          if (list) { list.push(i); } else { grid.set(key, [i]); }
        }
      }
    }
  }
  function inside(i, x, y) {
    var hit = false;
    for (var r = FR[i]; r < FR[i + 1]; r++) {
      var a = RS[r], z = RS[r + 1];
      for (var q = a, p = z - 1; q < z; p = q++) {
        if ((Y[q] > y) !== (Y[p] > y) &&
            x < (X[p] - X[q]) * (y - Y[q]) / (Y[p] - Y[q]) + X[q]) { hit = !hit; }
      }
    }
    return hit;
  }
  function unitAt(latlng) {
    if (!grid) { buildGrid(); }
    var pt = map.project(latlng, 0), x = pt.x, y = pt.y;
    var list = grid.get(Math.floor(x / cell) * 65536 + Math.floor(y / cell)) || [];
    for (var j = list.length - 1; j >= 0; j--) {
      var i = list[j];
      if (x >= BB[4 * i] && x <= BB[4 * i + 2] && y >= BB[4 * i + 1] && y <= BB[4 * i + 3] &&
          inside(i, x, y)) { return i; }
    }
    return -1;
  }
  // A point inside unit i (for a popup opened by code): the centroid of its largest
  // ring, else the middle of the widest stretch of a horizontal line through it.
  function innerPoint(i) {
    var best = 0, cx = 0, cy = 0;
    for (var r = FR[i]; r < FR[i + 1]; r++) {
      var a = RS[r], z = RS[r + 1], area = 0, sx = 0, sy = 0;
      for (var q = a, p = z - 1; q < z; p = q++) {
        var t = X[p] * Y[q] - X[q] * Y[p];
        area += t; sx += (X[p] + X[q]) * t; sy += (Y[p] + Y[q]) * t;
      }
      if (Math.abs(area) > best) { best = Math.abs(area); cx = sx / (3 * area); cy = sy / (3 * area); }
    }
    if (!best) { cx = (BB[4 * i] + BB[4 * i + 2]) / 2; cy = (BB[4 * i + 1] + BB[4 * i + 3]) / 2; }
    if (!inside(i, cx, cy)) {
      var xs = [];
      for (r = FR[i]; r < FR[i + 1]; r++) {
        for (q = RS[r], p = RS[r + 1] - 1; q < RS[r + 1]; p = q++) {
          if ((Y[q] > cy) !== (Y[p] > cy)) {
            xs.push((X[p] - X[q]) * (cy - Y[q]) / (Y[p] - Y[q]) + X[q]);
          }
        }
      }
      xs.sort(function (a, b) { return a - b; });
      var widest = -1;
      for (var j = 0; j + 1 < xs.length; j += 2) {
        if (xs[j + 1] - xs[j] > widest) { widest = xs[j + 1] - xs[j]; cx = (xs[j] + xs[j + 1]) / 2; }
      }
    }
    return map.unproject([cx, cy], 0);
  }

  var tip = L.tooltip({direction: "top", offset: [0, -6]});
  var pop = L.popup({maxWidth: 460, maxHeight: 340});
  var container = map.getContainer();
  function setHover(i) {
    if (i === hovered) { return; }
    hovered = i;
    L.DomUtil[i < 0 ? "removeClass" : "addClass"](container, "pacte-hit");
    outline.redraw();
  }
  function leave() {
    setHover(-1);
    if (map.hasLayer(tip)) { map.closeTooltip(tip); }
  }
  map.on("mousemove", function (e) {
    if ((map.dragging && map.dragging.moving()) || map._animatingZoom) { return; }
    if (e.originalEvent.target !== units._container) { leave(); return; }
    var i = unitAt(e.latlng);
    if (i < 0) { leave(); return; }
    if (i !== hovered || !map.hasLayer(tip)) { tip.setContent(tooltip(i)); }
    setHover(i);
    tip.setLatLng(e.latlng);
    if (!map.hasLayer(tip)) { map.openTooltip(tip); }
  });
  map.on("mouseout dragstart zoomstart", leave);
  function openAt(i, latlng) {
    if (map.hasLayer(tip)) { map.closeTooltip(tip); }
    pop.options.autoPanPaddingTopLeft = [5, topBottom + 5];  // clear of the title
    pop.setLatLng(latlng).setContent(popup(i)).openOn(map);
    setHover(i);  // the unit stays outlined while its popup is open
  }
  map.on("click", function (e) {  // a click or a tap on a unit
    if (e.originalEvent.target !== units._container) { return; }
    var i = unitAt(e.latlng);
    if (i >= 0) { openAt(i, e.latlng); }
  });
  map.on("popupclose", function (e) { if (e.popup === pop) { setHover(-1); } });

  var legendDiv = L.DomUtil.create("div", "pacte-legend");
  // Bottom left: over the Atlantic at national scale, never over Corsica.
  var legend = L.control({position: "bottomleft"});
  legend.onAdd = function () {
    L.DomEvent.disableClickPropagation(legendDiv);
    L.DomEvent.disableScrollPropagation(legendDiv);
    return legendDiv;
  };
  legend.addTo(map);
  function setMetric(m) {
    cur = m;
    units.redraw();
    legendDiv.innerHTML = M[m].legend;
    clearSource();
  }
  legendDiv.innerHTML = M[0].legend;

  if (M.length > 1) {
    var bases = {};
    for (var m = 0; m < M.length; m++) {
      var lg = L.layerGroup();
      lg._pm = m;
      bases[M[m].label] = lg;
      if (m === 0) { lg.addTo(map); }
    }
    var ctl = L.control.layers(bases, null, {collapsed: false, position: "topright"});
    ctl.addTo(map);
    var list = ctl.getContainer().querySelector(".leaflet-control-layers-base");
    var title = L.DomUtil.create("div", "pacte-layers-title");
    title.innerHTML = D.layersTitle;
    list.parentNode.insertBefore(title, list);
    map.on("baselayerchange", function (e) { if (e.layer._pm !== undefined) { setMetric(e.layer._pm); } });
  }

  if (D.zones.length > 1) {
    var zones = L.control({position: "topleft"});
    zones.onAdd = function () {
      var div = L.DomUtil.create("div", "pacte-zones");
      D.zones.forEach(function (z) {
        var b = L.DomUtil.create("button", "", div);
        b.type = "button";
        b.innerHTML = z.label;
        L.DomEvent.on(b, "click", function (e) {
          L.DomEvent.stop(e);
          map.fitBounds(z.bounds, viewPadding());
        });
      });
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    zones.addTo(map);
  }

  // The territory is framed below the title and demo badge: they never cover its land.
  var topBottom = 0;
  function viewPadding() {
    return {paddingTopLeft: [0, topBottom + 6], paddingBottomRight: [0, 0]};
  }
  if (D.title || D.demo) {
    var top = L.DomUtil.create("div", "pacte-top", map.getContainer());
    if (D.title) { L.DomUtil.create("div", "pacte-title", top).innerHTML = D.title; }
    if (D.demo) {
      L.DomUtil.create("br", "", top);
      var d = L.DomUtil.create("div", "pacte-demo", top);
      d.innerHTML = D.demo;
      d.setAttribute("role", "note");
    }
    // The title sits between the controls of both top corners, never under them.
    var placeTop = function () {
      var c = map.getContainer();
      var width = function (sel) {
        var w = 0;
        c.querySelectorAll(sel + " > .leaflet-control").forEach(function (el) {
          w = Math.max(w, el.getBoundingClientRect().right - c.getBoundingClientRect().left);
        });
        return w;
      };
      var right = 0;
      c.querySelectorAll(".leaflet-top.leaflet-right > .leaflet-control").forEach(function (el) {
        right = Math.max(right, c.getBoundingClientRect().right - el.getBoundingClientRect().left);
      });
      var left = width(".leaflet-top.leaflet-left");
      if (c.clientWidth - left - right - 24 >= 240) {
        top.style.top = "10px";
        top.style.left = (left + 12) + "px";
        top.style.right = (right + 12) + "px";
      } else {  // a phone: too narrow between the controls, the title goes below them
        var below = 0;
        c.querySelectorAll(".leaflet-top > .leaflet-control").forEach(function (el) {
          below = Math.max(below, el.getBoundingClientRect().bottom - c.getBoundingClientRect().top);
        });
        top.style.top = (below + 6) + "px";
        top.style.left = "10px";
        top.style.right = "10px";
      }
      topBottom = top.getBoundingClientRect().bottom - c.getBoundingClientRect().top;
    };
    placeTop();
    map.on("resize", placeTop);
  }
  L.control.scale({imperial: false, metric: true}).addTo(map);
  var attribution = map.attributionControl || L.control.attribution().addTo(map);
  attribution.setPrefix("Leaflet");
  attribution.addAttribution(D.credit);
  // On a narrow screen the source line spans the width: the legend and the scale
  // (bottom left) rise above it instead of covering it.
  function clearSource() {
    var corner = map._controlCorners.bottomleft, source = attribution.getContainer();
    corner.style.bottom = "";
    var a = corner.getBoundingClientRect(), b = source.getBoundingClientRect();
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
      corner.style.bottom = (a.bottom - b.top) + "px";
    }
  }
  clearSource();
  map.on("resize", clearSource);

  // Frame first, then draw once (no animation from folium's initial view).
  map.fitBounds(D.view, L.extend({animate: false}, viewPadding()));
  units.addTo(map);
  outline.addTo(map);
  outline._container.style.pointerEvents = "none";  // events go to the units' canvas
  window.pacteMaps = window.pacteMaps || {};
  var api = {
    setMetric: setMetric,
    metric: function () { return cur; },
    tooltip: function (i) { return lines(i); },
    fillColor: function (i) { return fill(i, cur); },
    unitAt: function (lat, lng) { return unitAt(L.latLng(lat, lng)); },
    openPopup: function (i) { openAt(i, innerPoint(i)); },
    pagePoint: function (lat, lng) {
      var p = map.latLngToContainerPoint([lat, lng]);
      var r = map.getContainer().getBoundingClientRect();
      return [p.x + r.left, p.y + r.top];
    },
    map: map,
    size: n,
    ready: false
  };
  window.pacteMaps[%(map_name)s] = api;
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    api.ready = true;
    window.pacteMapReady = true;
  }); });
})();
"""


class _Raw(Element):
    """Text inserted as is: branca re-parses macro output as a Jinja template, which
    would break on ``{{`` in Leaflet's code and evaluate ``{{ … }}`` in user text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class _PacteLayer(MacroElement):
    """Inline Leaflet, the compact data and the JavaScript that draws them."""

    _template = Template("")

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PacteLayer"
        self.payload = _json_for_script(payload)

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        parent = self._parent
        figure = self.get_root()
        if parent is None or not isinstance(figure, Figure):  # pragma: no cover
            raise RuntimeError("the layer must be added to a map inside a Figure")
        map_name = parent.get_name()
        data_id = f"pacte-data-{self.get_name()}"
        leaflet_css, leaflet_js = _leaflet_assets()
        figure.header.add_child(
            _Raw(
                f"<style>{leaflet_css}</style>\n<script>{leaflet_js}</script>\n<style>{_CSS}</style>"
            ),
            name="pacte_leaflet",
        )
        figure.html.add_child(
            _Raw(f'<script type="application/json" id="{data_id}">{self.payload}</script>'),
            name=data_id,
        )
        js = _JS % {
            "map": map_name,
            "data_id": json.dumps(data_id),
            "map_name": json.dumps(map_name),
        }
        figure.script.add_child(_Raw(js), name=self.get_name())


# ------------------------------------------------------------------------ public API


def _check_arguments(
    gdf: object,
    metrics: object,
    tooltip_columns: Sequence[str],
    id_column: str,
    name_column: str,
    cmap: object,
) -> None:
    """French errors for a table without geometry, metrics that are not a list of
    columns of ``gdf``, an unknown colormap."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        kind = (
            "une DataFrame sans contours" if isinstance(gdf, pd.DataFrame) else type(gdf).__name__
        )
        raise PacteTypeError(
            "interactive_map : la table à cartographier doit être une GeoDataFrame (avec "
            f'des contours), pas {kind}. Utilisez pa.map_data(..., resolution="web"), ou '
            "joignez vos colonnes à pa.departements() / pa.communes() sur le code.",
            code="NO_GEOMETRY",
        )
    if isinstance(metrics, str):
        raise PacteTypeError(
            f"interactive_map : les indicateurs sont une liste de colonnes : écrivez "
            f'["{metrics}"] et non "{metrics}".'
        )
    if not isinstance(metrics, Sequence) or not metrics:
        raise PacteTypeError(
            "interactive_map : donnez au moins un indicateur, dans une liste de noms de "
            'colonnes (par exemple ["n_lists"]).'
        )
    wanted = [*metrics, *tooltip_columns, id_column, name_column]
    absent = [str(c) for c in wanted if c not in gdf.columns]
    if absent:
        present = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
        raise MissingColumnsError(
            f"interactive_map : colonne(s) absente(s) de la table : {', '.join(absent)} "
            f"(colonnes présentes : {present})."
        )
    import matplotlib as mpl

    for name in cmap.values() if isinstance(cmap, Mapping) else [cmap]:
        if name not in mpl.colormaps:
            raise InvalidArgumentError(
                f"interactive_map : palette de couleurs inconnue « {name} » (cmap) ; par "
                'exemple "YlGn", "YlGnBu", "Blues", "Set2" (palettes de matplotlib).'
            )


def _registered_defaults(
    gdf: gpd.GeoDataFrame,
    metrics: list[str],
    id_column: str,
    labels: Mapping[str, str] | None,
    units: Mapping[str, str] | None,
    missing_label: str | Mapping[str, str] | None,
    categorical_colors: Mapping[str, Mapping[Any, str]] | None,
) -> tuple[dict[str, str], dict[str, str], str | dict[str, str], dict[str, Mapping[Any, str]]]:
    """Labels, units, missing labels and status colours the caller left out: those of
    the registered metrics of the same names (as :func:`~pacte_analysis.draw_map`)."""
    from pacte_analysis.analysis import metric_info
    from pacte_analysis.maps import _make

    labels, units = dict(labels or {}), dict(units or {})
    colours = dict(categorical_colors or {})
    codes = gdf[id_column].dropna().astype(str)
    level = "commune" if len(codes) and (codes.str.len() == 5).all() else "territory"
    missing: dict[str, str] = {}
    for metric in metrics:
        try:
            info = metric_info(metric)
        except UnknownCodeError:
            missing[metric] = _style.NO_DATA_LABEL
            continue
        labels.setdefault(metric, info.label)
        if info.kind != "category":
            units.setdefault(metric, info.unit)
        missing[metric] = _make._missing_label(level, metric, own=False)
        if metric == "status":
            colours.setdefault(metric, _make._STATUS_COLORS)
    if missing_label is None:
        return labels, units, missing, colours
    if isinstance(missing_label, Mapping):
        return labels, units, {**missing, **missing_label}, colours
    return labels, units, missing_label, colours


def interactive_map(
    gdf: gpd.GeoDataFrame,
    metrics: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    id_column: str = "code",
    name_column: str = "name",
    tooltip_columns: Sequence[str] = (),
    details: pd.DataFrame | None = None,
    details_key: str = "commune_code",
    details_columns: Mapping[str, str] | None = None,
    details_empty: str = "Aucune liste connue",
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    categorical: bool | Collection[str] = False,
    categorical_colors: Mapping[str, Mapping[Any, str]] | None = None,
    cmap: str | Mapping[str, str] = "YlGn",
    missing_label: str | Mapping[str, str] | None = None,
    missing_color: str = "#d9d9d9",
    title: str = "",
    source: str = "",
    demo: bool | None = None,
    precision: int = 4,
    stroke_color: str = "#5a5a5a",
    stroke_weight: float = 0.3,
    fill_opacity: float = 0.85,
    height: str | int = "100%",
) -> folium.Map:
    """Draw a light, offline, multi-metric choropleth of administrative units.

    One layer of units drawn on a canvas; one radio button per metric repaints it.
    Tooltips (name, code, every metric, ``tooltip_columns``) and popups (the same,
    plus the rows of ``details`` for that unit, e.g. the candidate lists of a
    commune) are built in the page when opened. Leaflet is inlined and there is no
    tile layer, so the saved page works without any network. The whole of France
    at commune level (34,968 communes, ``resolution="web"``) makes a page of about
    2.7 MiB that opens in about 0.6 s in Chromium (``docs/maps.md``).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        One row per unit (commune, département, région, EPCI) with polygonal
        geometry and the metric columns. Reprojected to EPSG:4326 if needed; rows
        without geometry are left out.
    metrics : sequence of str
        Columns to map, one switchable layer each; the first is shown first.
    labels : mapping of str to str, optional
        French label per column (metrics and ``tooltip_columns``), e.g.
        ``{"n_signatory": "Listes signataires"}``. Defaults to the registered
        label of the column (:func:`~pacte_analysis.metric_info`), else its name.
    units : mapping of str to str, optional
        Unit per metric (``"%"``, ``"habitants"``), shown after values and in the
        legend. Defaults to the registered unit of the metric, else none.
    id_column, name_column : str, default "code", "name"
        Columns of ``gdf`` with the unit's code and name (shown in tooltips).
    tooltip_columns : sequence of str, default ()
        More columns of ``gdf`` shown in tooltips and popups (metrics are always
        shown, so they are not repeated).
    details : pandas.DataFrame, optional
        Rows listed in the popup of the unit whose ``id_column`` equals their
        ``details_key`` (e.g. the ``lists`` table).
    details_key : str, default "commune_code"
        Column of ``details`` matching ``gdf[id_column]``.
    details_columns : mapping of str to str, optional
        Columns of ``details`` to show → French header, in order. Defaults to
        every column but ``details_key``.
    details_empty : str, default "Aucune liste connue"
        Popup text for a unit without rows in ``details``.
    scheme : str, default "quantiles"
        mapclassify scheme for numeric metrics (``"quantiles"``,
        ``"equal_interval"``, ``"fisher_jenks_sampled"``, ``"natural_breaks"``…).
    k : int, default 5
        Number of classes (fewer when there are fewer distinct values).
    breaks : sequence of float or mapping of str to sequence, optional
        Upper bounds of the classes (mapclassify ``UserDefined``), for every metric
        or per metric; overrides ``scheme``.
    categorical : bool or collection of str, default False
        ``True`` to treat every metric as categories, or the names of the
        categorical metrics (e.g. a code stored as numbers). Non-numeric and
        boolean columns (« oui »/« non ») are always categorical.
    categorical_colors : mapping of str to mapping, optional
        Metric → {category: colour}; such metrics are categorical, their legend
        lists the given categories first, in the given order. Other categories get
        ``cmap`` colours.
    cmap : str or mapping of str to str, default "YlGn"
        Matplotlib colormap name, for every metric or per metric. Qualitative
        colormaps (``"Set2"``, ``"tab10"``) give their colours in order.
    missing_label : str or mapping of str to str, optional
        Legend and tooltip text of units without a value, for every metric or per
        metric (say what a missing value means: « Aucune liste connue », « Non
        évalué »…). Default: what a missing value of the registered metric means
        (« Aucune liste connue » for the commune metrics computed from the lists,
        as :func:`~pacte_analysis.map_data` leaves them), « Aucune donnée »
        otherwise.
    missing_color : str
        Legend text and fill of units without a value.
    title : str, default ""
        Title shown at the top of the map.
    source : str, default ""
        Source of the data, added to the credit line after the boundaries' credit.
    demo : bool, optional
        Show the « Données fictives – démonstration » banner and say in the credit
        line that the data are fictitious. Default: when ``gdf`` is flagged as demo
        data (:func:`~pacte_analysis.map_data` of tables read from a demo folder).
    precision : int, default 4
        Decimals kept in coordinates (4 ≈ 11 m north–south, 8 m east–west in
        France; 5 ≈ 1 m). Chosen on measurement (``docs/maps.md``): on the web
        boundaries (simplified at 500 m) 4 decimals make the national page 20 %
        lighter than 5 with no visible change, while 3 decimals distort the
        smallest communes (Riverie, 0.03 km², loses two thirds of its area).
    stroke_color, stroke_weight, fill_opacity
        Outline and fill style of the units.
    height : str or int, default "100%"
        Height of the map (CSS length or pixels).

    Returns
    -------
    folium.Map
        Save it with :func:`save_html` (or ``Map.save``); in a notebook it displays
        inline.

    Raises
    ------
    PacteTypeError
        When ``gdf`` is not a GeoDataFrame, ``metrics`` not a list of column names,
        or the geometry not polygonal.
    MissingColumnsError
        When a metric, tooltip or details column is missing.
    InvalidArgumentError
        When ``cmap`` is not a matplotlib colormap (French messages).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from pacte_analysis.maps import interactive_map, save_html
    >>> gdf = gpd.GeoDataFrame(
    ...     {"code": ["A", "B"], "name": ["Ici", "Là"], "n_lists": [1, 3]},
    ...     geometry=[box(0, 45, 1, 46), box(1, 45, 2, 46)],
    ...     crs="EPSG:4326",
    ... )
    >>> m = interactive_map(
    ...     gdf, ["n_lists"], labels={"n_lists": "Listes connues"},
    ...     title="Listes par commune", demo=True,
    ... )
    >>> save_html(m, "carte.html")  # doctest: +SKIP
    """
    _check_arguments(gdf, metrics, tooltip_columns, id_column, name_column, cmap)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgumentError(
            f"interactive_map : nombre de classes k={k!r} impossible : donnez un entier d'au "
            "moins 1 (5 par défaut).",
            code="INVALID_K",
        )
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if demo is None:
        from pacte_analysis.tables import is_demo

        demo = is_demo(gdf)
    labels, units, missing_label, categorical_colors = _registered_defaults(
        gdf, metrics, id_column, labels, units, missing_label, categorical_colors
    )
    if not 0 <= precision <= 7:
        raise InvalidArgumentError(
            f"interactive_map : precision={precision} impossible : de 0 à 7 décimales."
        )

    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.crs is None:
        warnings.warn("gdf has no CRS: assuming EPSG:4326 (lon/lat)", UserWarning, stacklevel=2)
    elif not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(4326)
    geoms = gdf.geometry.to_numpy()
    kinds = set(shapely.get_type_id(geoms).tolist())
    if not kinds <= {3, 6}:
        raise PacteTypeError(
            "interactive_map : les contours doivent être des polygones (pas des points ni des "
            "lignes)."
        )
    gdf = gdf.reset_index(drop=True)

    ids = [_esc(v) for v in gdf[id_column].astype("string").fillna("").tolist()]
    names = [_esc(v) for v in gdf[name_column].astype("string").fillna("").tolist()]
    categorical_set = set(metrics) if categorical is True else set(categorical or ())
    fixed_colors = dict(categorical_colors or {})

    # Unique, escaped layer labels (the layer control keys on them).
    seen: dict[str, int] = {}
    metric_payload = []
    default_missing = missing_label if isinstance(missing_label, str) else _style.NO_DATA_LABEL
    for metric in metrics:
        label = _esc(labels.get(metric, metric))
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        unit = units.get(metric, "")
        values = gdf[metric]
        metric_cmap = cmap.get(metric, "YlGn") if isinstance(cmap, Mapping) else cmap
        missing_html = _esc(
            missing_label.get(metric, default_missing)
            if isinstance(missing_label, Mapping)
            else missing_label
        )
        entry: dict[str, Any] = {"label": label, "unit": _esc(unit), "missing": missing_html}
        if unit.endswith("s") and unit.isalpha():  # « 0 liste », « 1 liste », « 2 listes »
            entry["unit1"] = _esc(unit[:-1])
        auto_categorical = not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(
            values
        )
        if metric in categorical_set or metric in fixed_colors or auto_categorical:
            given = dict(fixed_colors.get(metric, {}))
            cls, cats, class_labels = _categorical_classes(values, list(given))
            others = iter(_colors(metric_cmap, sum(c not in given for c in cats), qualitative=True))
            pal = [given[c] if c in given else next(others) for c in cats]
            entry["cats"] = class_labels
        else:
            metric_breaks = breaks.get(metric) if isinstance(breaks, Mapping) else breaks
            cls, class_labels = _numeric_classes(
                values, scheme=scheme, k=k, breaks=metric_breaks, unit=unit
            )
            pal = _colors(metric_cmap, len(class_labels), qualitative=False)
            # only the units with a value (the others show the missing label): the
            # page maps each unit to its value once, from the class string
            entry["vals"] = [
                _json_value(v) for v, c in zip(values.tolist(), cls.tolist(), strict=True) if c >= 0
            ]
        if len(class_labels) > _MAX_CLASSES:
            raise InvalidArgumentError(
                f"interactive_map : trop de classes pour « {metric} » (au plus {_MAX_CLASSES})."
            )
        entry["cls"] = "".join(_CLASS_MISSING if c < 0 else chr(48 + int(c)) for c in cls.tolist())
        entry["pal"] = pal
        n_missing = int((cls < 0).sum())
        entry["legend"] = _legend_html(
            label + (f" ({_esc(unit)})" if unit else ""),
            pal,
            class_labels,
            (missing_color, missing_html, n_missing),
        )
        metric_payload.append(entry)

    extra = [
        {
            "label": _esc(labels.get(col, col)),
            "vals": [_json_value(v) for v in gdf[col].tolist()],
        }
        for col in tooltip_columns
        if col not in metrics  # already in every tooltip
    ]

    details_payload: dict[str, Any] | None = None
    if details is not None:
        if details_key not in details.columns:
            raise MissingColumnsError(
                f"interactive_map : colonne « {details_key} » absente de details."
            )
        columns = dict(details_columns or {c: c for c in details.columns if c != details_key})
        absent = [c for c in columns if c not in details.columns]
        if absent:
            raise MissingColumnsError(
                f"interactive_map : colonne(s) absente(s) de details : {', '.join(absent)}."
            )
        position = {code: i for i, code in enumerate(gdf[id_column].astype(str).tolist())}
        rows: dict[str, list[list[str]]] = {}
        keys = details[details_key].astype("string")
        body = details[list(columns)]
        for key, record in zip(keys.tolist(), body.itertuples(index=False), strict=True):
            i = position.get(str(key)) if key is not None and not _is_missing(key) else None
            if i is None:
                continue
            rows.setdefault(str(i), []).append([_cell_text(v) for v in record])
        details_payload = {
            "headers": [_esc(h) for h in columns.values()],
            "rows": rows,
            "empty": _esc(details_empty),
        }

    if demo:
        source = _style.demo_source(source)
    credit = _esc(CONTOURS_CREDIT) + (f" – {_esc(source)}" if source else "")
    zones, view = _zones_and_view(geoms)
    geometry = _encode_geometry(geoms, precision)
    payload = {
        "scale": 10**precision,
        "ids": ids,
        "names": names,
        "geom": geometry,
        "counts": _counts(geometry),
        "metrics": metric_payload,
        "extra": extra,
        "details": details_payload,
        "missing": {"color": missing_color, "label": _esc(default_missing)},
        "style": {
            "weight": stroke_weight,
            "color": stroke_color,
            "opacity": 0.6,
            "fillOpacity": fill_opacity,
        },
        "title": _esc(title),
        "demo": _esc(DEMO_BANNER) if demo else "",
        "credit": credit,
        "layersTitle": "Indicateur",
        "zones": zones,
        "view": view,
    }

    (s, w), (n, e) = view
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2],
        zoom_start=6,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # a metric-only scale is added by the page script
        height=height,
        zoom_snap=0.25,
    )
    # No CDN: Leaflet is inlined by _PacteLayer; jQuery, Bootstrap, Font Awesome
    # and awesome-markers are not used by this map.
    m.default_js = []
    m.default_css = []
    m.add_child(_PacteLayer(payload))
    _stable_ids(m.get_root())
    return m


def _zones_and_view(
    geoms: np.ndarray,
) -> tuple[list[dict[str, Any]], list[list[float]]]:
    """« Aller à » buttons for the territories present, and the initial view."""
    points = shapely.point_on_surface(geoms)
    x, y = shapely.get_x(points), shapely.get_y(points)
    present = []
    for label, (w, s, e, n) in _ZONES:
        inside = (x >= w) & (x <= e) & (y >= s) & (y <= n)
        if inside.any():
            bw, bs, be, bn = shapely.total_bounds(geoms[inside])
            present.append({"label": _esc(label), "bounds": [[bs, bw], [bn, be]]})
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    whole = [[float(ymin), float(xmin)], [float(ymax), float(xmax)]]
    if len([p for p in present if p["label"] != _esc("Paris et petite couronne")]) > 1:
        view = present[0]["bounds"] if present[0]["label"] == "Métropole" else whole
        zones = [{"label": "Tout", "bounds": whole}, *present]
        return zones, [[float(v) for v in p] for p in view]
    return [], whole


def _stable_ids(root: Element) -> None:
    """Replace branca's random element ids by ones numbered in tree order.

    The same map then renders to the same bytes (reproducible exports).
    """
    counter = itertools.count()

    def visit(element: Element) -> None:
        element._id = f"{next(counter):032x}"
        children = list(element._children.values())
        element._children.clear()
        for child in children:
            visit(child)
            element._children[child.get_name()] = child

    visit(root)


def save_html(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write the map as one self-contained HTML file, atomically.

    The page is written to a temporary file in the same folder and then renamed,
    so a reader never sees a half-written map.

    Parameters
    ----------
    m : folium.Map
        A map from :func:`interactive_map` (any folium map works).
    path : str or os.PathLike
        Target ``.html`` file; its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> save_html(m, "data/processed/carte-communes.html")  # doctest: +SKIP
    PosixPath('data/processed/carte-communes.html')
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _stable_ids(m.get_root())
    text = m.get_root().render()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("carte écrite : %s (%.1f Mio)", target, target.stat().st_size / 2**20)
    return target
