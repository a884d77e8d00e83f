"""Interactive maps: logic on tiny GeoDataFrames, then real pages in headless Chromium."""

from __future__ import annotations

import json
import re
import time
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from browser import browser_available, load_page, skip_browser
from shapely.geometry import MultiPolygon, Polygon, box

from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteError,
    PacteTypeError,
)
from pacte_analysis.maps import CONTOURS_CREDIT, DEMO_BANNER, interactive_map, save_html
from pacte_analysis.maps.interactive import _colors

XSS = "<script>alert(1)</script>"
JINJA = "{{ 7*7 }}{% if 1 %}x{% endif %}"


# ----------------------------------------------------------------------------- helpers


def _gdf() -> gpd.GeoDataFrame:
    """Four squares in a row (one with a hole, one a multipolygon), lon/lat."""
    holed = Polygon(
        [(1, 45), (2, 45), (2, 46), (1, 46)], [[(1.4, 45.4), (1.6, 45.4), (1.6, 45.6), (1.4, 45.6)]]
    )
    multi = MultiPolygon([box(2, 45, 2.5, 46), box(2.6, 45, 3, 46)])
    return gpd.GeoDataFrame(
        {
            "code": ["01001", "01002", "2A004", "97411"],
            "name": ["Alpha", XSS, "Gamma", "Delta"],
            "n_lists": [1.0, 2.0, 3.0, np.nan],
            "share": [10.0, 20.5, 30.25, 40.0],
            "signed": ["oui", "non", "oui", None],
            "population": [100, 2500, 30000, 1],
        },
        geometry=[box(0, 45, 1, 46), holed, multi, box(-1.123456, 44, -0.5, 44.5)],
        crs="EPSG:4326",
    )


def _rings(geom: Polygon | MultiPolygon) -> list:  # type: ignore[type-arg]
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    return [ring for poly in polys for ring in (poly.exterior, *poly.interiors)]


def _render(m) -> str:  # type: ignore[no-untyped-def]
    return m.get_root().render()


def _payload(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="pacte-data-[^"]+">(.*?)</script>', page, re.S
    )
    assert found, "no data block"
    return json.loads(found.group(1))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value is not None:
                self.refs.append((tag, name, value))


def _decode(rings: list[str], pos: list[int], scale: int) -> list[list[tuple[float, float]]]:
    """Python twin of the page's decoder (running position across the layer)."""
    out = []
    for s in rings:
        pts, i = [], 0
        while i < len(s):
            for c in range(2):
                r, mul = 0, 1
                while True:
                    b = ord(s[i]) - 63
                    i += 1
                    r += (b & 31) * mul
                    mul *= 32
                    if b < 32:
                        break
                pos[c] += -(r + 1) // 2 if r % 2 else r // 2
            pts.append((pos[1] / scale, pos[0] / scale))  # lon, lat
        out.append(pts)
    return out


# ------------------------------------------------------------------------------- logic


def _hover_until_tip(page: Any, x: float, y: float, *, away: float, steps: int) -> None:
    """Move the mouse onto ``(x, y)`` until the tooltip shows (a busy machine may miss
    the first move); at most 10 tries."""
    for _ in range(10):
        page.mouse.move(x - away, y - away)
        page.mouse.move(x, y, steps=steps)
        try:
            page.wait_for_selector(".pacte-tip", timeout=3000)
            return
        except Exception:
            continue


def test_colours_per_class_and_missing_grey() -> None:
    m = interactive_map(
        _gdf(), ["n_lists"], breaks=[1, 2, 3], cmap="Blues", missing_color="#cccccc"
    )
    data = _payload(_render(m))
    layer = data["metrics"][0]
    assert layer["cls"] == "012-"
    assert layer["pal"] == _colors("Blues", 3, qualitative=False)
    assert len(set(layer["pal"])) == 3
    assert data["missing"] == {"color": "#cccccc", "label": "Aucune donnée"}
    legend = layer["legend"]
    assert "background:#cccccc" in legend
    # n_lists of communes (5-character codes) is a registered metric: no list known
    assert "Aucune liste connue" in legend
    for color in layer["pal"]:
        assert f"background:{color}" in legend


def test_quantiles_and_legend_text_in_french() -> None:
    gdf = _gdf()
    m = interactive_map(
        gdf,
        ["share"],
        labels={"share": "Part des listes signataires"},
        units={"share": "%"},
        k=2,
        title="Titre",
        source="Source : relevés des collectifs",
    )
    page = _render(m)
    layer = _payload(page)["metrics"][0]
    assert layer["cls"] == "0011"
    legend = layer["legend"]
    assert "Part des listes signataires (%)" in legend
    assert "10,0 – 25,4 %" in legend  # median 25.375, one decimal keeps classes apart
    assert "25,4 – 40,0 %" in legend
    assert "Aucune donnée" not in legend  # no missing value → no grey class
    data = _payload(page)
    assert data["credit"] == f"{CONTOURS_CREDIT} – Source : relevés des collectifs"
    assert data["title"] == "Titre"
    assert data["demo"] == ""


def test_integer_counts_legend() -> None:
    gdf = _gdf().assign(n=[0, 1, 5, 12])
    layer = _payload(_render(interactive_map(gdf, ["n"], breaks=[0, 4, 20])))["metrics"][0]
    assert ">0</div>" in layer["legend"]
    assert "1 – 4" in layer["legend"]
    assert "5 – 12" in layer["legend"]


def test_demo_banner() -> None:
    data = _payload(_render(interactive_map(_gdf(), ["share"], demo=True)))
    assert data["demo"] == DEMO_BANNER == "Données fictives – démonstration"


def test_categorical_layer() -> None:
    m = interactive_map(_gdf(), ["signed"], categorical=["signed"], cmap="Set2")
    layer = _payload(_render(m))["metrics"][0]
    assert layer["cats"] == ["non", "oui"]
    assert layer["cls"] == "101-"
    assert layer["pal"] == _colors("Set2", 2, qualitative=True)
    # Text and booleans are categorical without being told.
    auto = _payload(
        _render(interactive_map(_gdf().assign(ok=[True, False, True, False]), ["signed", "ok"]))
    )
    assert auto["metrics"][0]["cats"] == ["non", "oui"]
    assert auto["metrics"][1]["cats"] == ["non", "oui"] and auto["metrics"][1]["cls"] == "1010"


def test_categorical_colors_given() -> None:
    order = ["Aucune", "Signataire", "Élue"]
    gdf = _gdf().assign(
        status=pd.Categorical(["Élue", "Aucune", None, "Autre"], categories=[*order, "Autre"])
    )
    colors = {"Aucune": "#edf8b1", "Signataire": "#7fcdbb", "Élue": "#081d58"}
    m = interactive_map(gdf, ["status"], categorical_colors={"status": colors}, cmap="Set2")
    layer = _payload(_render(m))["metrics"][0]
    assert layer["cats"] == ["Aucune", "Élue", "Autre"]  # given order, present ones only
    assert layer["pal"] == ["#edf8b1", "#081d58", _colors("Set2", 1, qualitative=True)[0]]
    assert layer["cls"] == "10-2"
    assert "Aucune liste connue" in layer["legend"]  # registered meaning of status


def test_layers_one_per_metric() -> None:
    m = interactive_map(
        _gdf(),
        ["n_lists", "share", "signed"],
        categorical=["signed"],
        labels={"n_lists": "Listes", "share": "Listes"},  # same label twice
    )
    data = _payload(_render(m))
    assert [x["label"] for x in data["metrics"]] == ["Listes", "Listes (2)", "signed"]
    assert all(len(x["cls"]) == 4 for x in data["metrics"])


def test_everything_user_provided_is_escaped() -> None:
    gdf = _gdf()
    details = pd.DataFrame(
        {"commune_code": ["01002", "01002"], "list_name": [XSS, JINJA], "n_measures": [12, 3]}
    )
    m = interactive_map(
        gdf.assign(**{"extra": [XSS, "a", "b", "c"]}),
        ["share"],
        labels={"share": "<i>Part</i>", "extra": "<u>x</u>"},
        units={"share": "<%>"},
        tooltip_columns=["extra"],
        details=details,
        details_columns={"list_name": "<Liste>", "n_measures": "Mesures"},
        title=f"Carte {XSS}",
        source=f"Source {XSS}",
        missing_label="<gris>",
    )
    page = _render(m)
    assert XSS not in page
    assert "<i>Part" not in page
    assert "<u>x" not in page
    assert "<gris>" not in page
    data = _payload(page)
    esc = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert data["names"][1] == esc
    assert data["title"] == f"Carte {esc}"
    assert data["credit"].endswith(f"Source {esc}")
    assert data["details"]["headers"] == ["&lt;Liste&gt;", "Mesures"]
    assert data["details"]["rows"] == {"1": [[esc, "12"], [JINJA, "3"]]}  # no Jinja evaluation
    assert data["extra"][0]["vals"][0] == esc
    assert data["metrics"][0]["label"] == "&lt;i&gt;Part&lt;/i&gt;"
    assert data["metrics"][0]["unit"] == "&lt;%&gt;"


def test_no_external_urls() -> None:
    page = _render(interactive_map(_gdf(), ["share", "n_lists"]))
    parser = _Tags()
    parser.feed(page)
    assert parser.refs == []  # nothing loaded by src/href: Leaflet is inline
    for host in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "openstreetmap"):
        assert host not in page
    assert page.count("<script") >= 3  # leaflet, data, map code
    assert "jquery" not in page.lower()
    assert "L.tileLayer(" not in page
    assert "sourceMappingURL" not in page


def test_vendored_leaflet_is_pristine() -> None:
    import hashlib

    assets = Path(__file__).parents[1] / "pacte_analysis" / "maps" / "_assets"
    sums = re.findall(r"^    ([0-9a-f]{64})  (\S+)$", (assets / "README.md").read_text(), re.M)
    assert {name for _, name in sums} >= {"leaflet.js", "leaflet.css", "images/layers.png"}
    for digest, name in sums:
        assert hashlib.sha256((assets / name).read_bytes()).hexdigest() == digest, name


def test_geometry_encoding_round_trips() -> None:
    gdf = _gdf()
    data = _payload(_render(interactive_map(gdf, ["share"], precision=4)))
    scale = data["scale"]
    assert scale == 10**4
    pos = [0, 0]
    features = [[poly.split(" ") for poly in f.split("!")] for f in data["geom"].split(",")]
    assert len(features) == len(gdf)
    # the page sizes its arrays from these counts: vertices (closing ones left out), rings
    rings = [ring for geom in gdf.geometry for ring in _rings(geom)]
    assert data["counts"] == [sum(len(r.coords) - 1 for r in rings), len(rings)]
    for geom, feature in zip(gdf.geometry, features, strict=True):
        polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
        assert len(polys) == len(feature)
        for poly, rings in zip(polys, feature, strict=True):
            decoded = _decode(rings, pos, scale)
            expected = [poly.exterior, *poly.interiors]
            assert len(decoded) == len(expected)
            for got, ring in zip(decoded, expected, strict=True):
                want = [(round(x, 4), round(y, 4)) for x, y in ring.coords[:-1]]
                np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-9)


def test_reprojects_and_views_mainland() -> None:
    gdf = _gdf().to_crs(2154)
    data = _payload(_render(interactive_map(gdf, ["share"])))
    (s, w), (n, e) = data["view"]
    assert 43.9 < s < 44.1 and 45.9 < n < 46.1
    assert -1.2 < w < -1.0 and 2.9 < e < 3.1
    # Réunion-like unit far away: a button per territory, the view stays on mainland.
    far = gpd.GeoDataFrame(
        {"code": ["97411", "35238"], "name": ["Saint-Denis", "Rennes"], "v": [1.0, 2.0]},
        geometry=[box(55.4, -20.95, 55.5, -20.85), box(-1.75, 48.05, -1.6, 48.15)],
        crs="EPSG:4326",
    )
    data = _payload(_render(interactive_map(far, ["v"])))
    assert [z["label"] for z in data["zones"]] == ["Tout", "Métropole", "La Réunion"]
    assert data["view"] == data["zones"][1]["bounds"]


def test_bad_input() -> None:
    with pytest.raises(MissingColumnsError, match=r"colonne.*nope"):
        interactive_map(_gdf(), ["nope"])
    with pytest.raises(PacteTypeError, match="au moins un indicateur"):
        interactive_map(_gdf(), [])
    points = gpd.GeoDataFrame(
        {"code": ["a"], "name": ["b"], "v": [1]}, geometry=gpd.points_from_xy([0], [0]), crs=4326
    )
    with pytest.raises(PacteTypeError, match="polygones"):
        interactive_map(points, ["v"])


def test_user_mistakes_get_french_pacte_errors() -> None:
    """REPORT 10/15: what a notebook user gets wrong is answered in French, as PacteError."""
    plain = pd.DataFrame(_gdf().drop(columns="geometry"))
    with pytest.raises(PacteTypeError, match=r"GeoDataFrame.*map_data"):
        interactive_map(plain, ["n_lists"])
    with pytest.raises(PacteTypeError, match=r'\["n_lists"\]'):
        interactive_map(_gdf(), "n_lists")
    with pytest.raises(MissingColumnsError, match=r"n_listes.*colonnes présentes : code, name"):
        interactive_map(_gdf(), ["n_listes"])
    with pytest.raises(InvalidArgumentError, match="palette de couleurs inconnue « Bogus »"):
        interactive_map(_gdf(), ["share"], cmap="Bogus")
    with pytest.raises(PacteError):  # one `except pa.PacteError` catches them all
        interactive_map(plain, ["n_lists"])


def test_save_html_atomic(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "carte.html"
    written = save_html(interactive_map(_gdf(), ["share"]), target)
    assert written == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["carte.html"]


# ----------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> None:
    """Chromium must be there (CI installs it); PACTE_SKIP_BROWSER=1 skips instead."""
    if browser_available():
        return
    if skip_browser():
        pytest.skip("Chromium/Playwright absent and PACTE_SKIP_BROWSER=1")
    pytest.fail(
        "headless Chromium is needed: apt-get install -y chromium and pip install playwright "
        "(or set PACTE_SKIP_BROWSER=1 to skip)"
    )


def test_browser_escaping_popup_and_layer_switch(browser: None, tmp_path: Path) -> None:
    gdf = _gdf()
    details = pd.DataFrame(
        {"commune_code": ["01002"], "list_name": [XSS], "list_head": ["Jeanne <b>Dupont</b>"]}
    )
    m = interactive_map(
        gdf,
        ["n_lists", "share"],
        labels={"n_lists": "Listes connues", "share": "Part"},
        units={"share": "%"},
        breaks={"n_lists": [1, 2, 3], "share": [15, 50]},
        cmap={"n_lists": "Blues", "share": "Greens"},
        details=details,
        details_columns={"list_name": "Liste", "list_head": "Tête de liste"},
        title=f"Titre {XSS}",
        demo=True,
    )
    path = save_html(m, tmp_path / "petite.html")

    def actions(page):  # type: ignore[no-untyped-def]
        api = "window.pacteMaps[Object.keys(window.pacteMaps)[0]]"
        out = {"before": page.evaluate(f"() => {api}.fillColor(0)")}
        page.get_by_text("Part", exact=True).click()
        out["metric"] = page.evaluate(f"() => {api}.metric()")
        out["after"] = page.evaluate(f"() => {api}.fillColor(0)")
        out["legend"] = page.inner_text(".pacte-legend")
        # A real click inside the holed square (feature 1), beside its hole.
        x, y = page.evaluate(f"() => {api}.pagePoint(45.5, 1.2)")
        _hover_until_tip(page, x, y, away=8, steps=4)
        out["tooltip"] = page.inner_text(".pacte-tip")
        page.mouse.click(x, y)
        page.wait_for_selector(".pacte-popup")
        out["popup"] = page.inner_text(".pacte-popup")
        out["scripts_in_popup"] = page.evaluate(
            "() => document.querySelectorAll('.leaflet-popup script, .leaflet-popup td *').length"
        )
        out["title"] = page.inner_text(".pacte-title")
        out["demo"] = page.inner_text(".pacte-demo")
        out["credit"] = page.inner_text(".leaflet-control-attribution")
        return out

    result = load_page(path, actions=actions, timeout_s=30)
    assert result.dialogs == []
    assert result.console_errors == [] and result.page_errors == []
    assert result.external_requests == []
    got = result.evaluated
    assert got["before"] == _colors("Blues", 3, qualitative=False)[0]
    assert got["metric"] == 1
    assert got["after"] == _colors("Greens", 2, qualitative=False)[0]
    assert "Part (%)" in got["legend"] and "Aucune donnée" not in got["legend"]
    assert got["tooltip"].startswith(f"{XSS} (01002)")
    assert "Part : 20,5 %" in got["tooltip"]
    assert XSS in got["popup"]  # shown as text…
    assert "Jeanne <b>Dupont</b>" in got["popup"]
    assert got["scripts_in_popup"] == 0  # …not as elements
    assert got["title"] == f"Titre {XSS}"
    assert got["demo"] == DEMO_BANNER
    assert CONTOURS_CREDIT in got["credit"]


_API = "window.pacteMaps[Object.keys(window.pacteMaps)[0]]"
_BACKGROUND = "#eef2f5"  # .leaflet-container of the page


def _seen(fill: str, opacity: float = 0.85) -> tuple[int, int, int]:
    """The colour a user sees for ``fill`` painted at ``opacity`` over the map background."""
    f = [int(fill[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(_BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(opacity * x + (1 - opacity) * y) for x, y in zip(f, b, strict=True))  # type: ignore[return-value]


def _pixels(page, points: list[tuple[float, float]]) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """Screen colour under each (lat, lng), from a screenshot of the page."""
    import io

    from PIL import Image

    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    out = []
    for lat, lng in points:
        x, y = page.evaluate(f"() => {_API}.pagePoint({lat}, {lng})")
        out.append(shot.getpixel((round(x), round(y))))
    return out


def _close(got: tuple[int, ...], want: tuple[int, ...], tol: int = 4) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(got, want, strict=True))


def test_browser_paints_each_unit_in_its_colour_and_hit_tests_holes(
    browser: None, tmp_path: Path
) -> None:
    """What a user sees: each unit in its class colour, holes and gaps left unpainted,
    a tooltip only over a unit (not in its hole), the hovered unit outlined, the new
    colours after a metric switch."""
    m = interactive_map(
        _gdf(),
        ["n_lists", "share"],
        labels={"n_lists": "Listes connues", "share": "Part"},
        breaks={"n_lists": [1, 2, 3], "share": [15, 50]},
        cmap={"n_lists": "Blues", "share": "Greens"},
        missing_color="#d9d9d9",
    )
    path = save_html(m, tmp_path / "couleurs.html")
    blues, greens = _colors("Blues", 3, qualitative=False), _colors("Greens", 2, qualitative=False)
    points = {
        "alpha": (45.5, 0.5),
        "beside the hole": (45.2, 1.2),
        "hole": (45.5, 1.5),
        "gap": (45.5, 2.55),
        "gamma east": (45.5, 2.8),
        "delta": (44.45, -0.7),  # the corner clear of the legend
    }
    edge = (45.5, 0.0)  # west edge of Alpha (the lightest colour)

    def actions(page):  # type: ignore[no-untyped-def]
        out: dict[str, object] = {}
        out["first"] = dict(zip(points, _pixels(page, [*points.values()]), strict=True))
        out["edge before"] = _pixels(page, [edge])[0]
        x, y = page.evaluate(f"() => {_API}.pagePoint(45.5, 1.5)")
        page.mouse.move(x - 3, y - 3)
        page.mouse.move(x, y, steps=3)
        page.wait_for_timeout(300)
        out["tips in hole"] = page.evaluate("() => document.querySelectorAll('.pacte-tip').length")
        x, y = page.evaluate(f"() => {_API}.pagePoint(45.5, 2.85)")
        _hover_until_tip(page, x, y, away=3, steps=3)
        out["tip"] = page.inner_text(".pacte-tip")
        out["cursor"] = page.evaluate(f"() => getComputedStyle({_API}.map.getContainer()).cursor")
        x, y = page.evaluate(f"() => {_API}.pagePoint(45.5, 0.5)")
        page.mouse.move(x, y, steps=3)
        page.wait_for_function(
            "() => (document.querySelector('.pacte-tip') || {}).textContent.startsWith('Alpha')"
        )
        out["edge hovered"] = _pixels(page, [edge])[0]
        page.mouse.move(5, 5)
        page.get_by_text("Part", exact=True).click()
        page.mouse.move(5, 5)
        page.wait_for_timeout(200)
        out["switched"] = dict(zip(points, _pixels(page, [*points.values()]), strict=True))
        return out

    result = load_page(path, actions=actions, viewport=(900, 700), timeout_s=60)
    assert result.console_errors == [] and result.page_errors == []
    got = result.evaluated
    first, switched = got["first"], got["switched"]
    expected = {
        "alpha": _seen(blues[0]),
        "beside the hole": _seen(blues[1]),
        "gamma east": _seen(blues[2]),
        "delta": _seen("#d9d9d9"),  # no value: the missing colour
    }
    for name, colour in expected.items():
        assert _close(first[name], colour), (name, first[name], colour)
    background = _seen(_BACKGROUND, 1.0)
    assert _close(first["hole"], background) and _close(first["gap"], background), first
    assert got["tips in hole"] == 0
    assert got["tip"].startswith("Gamma (2A004)")
    assert got["cursor"] == "pointer"
    assert min(got["edge before"]) > 140  # a thin grey border…
    assert max(got["edge hovered"]) < 90  # …outlined in dark grey under the mouse
    for name, colour in {
        "alpha": _seen(greens[0]),
        "beside the hole": _seen(greens[1]),
        "gamma east": _seen(greens[1]),
        "delta": _seen(greens[1]),  # Delta has a share (40 %) but no n_lists
    }.items():
        assert _close(switched[name], colour), (name, switched[name], colour)


def test_browser_tap_and_open_popup_on_a_concave_unit(browser: None, tmp_path: Path) -> None:
    """On a touch screen a tap opens the unit's popup; ``openPopup`` opens it inside the
    unit even when its centroid falls outside (a U shape)."""
    u_shape = Polygon([(0, 45), (3, 45), (3, 46), (2, 46), (2, 45.3), (1, 45.3), (1, 46), (0, 46)])
    notch = box(1.1, 45.4, 1.9, 46)  # a unit inside the U's notch
    gdf = gpd.GeoDataFrame(
        {"code": ["U", "N"], "name": ["Vallée", "Creux"], "v": [1.0, 2.0]},
        geometry=[u_shape, notch],
        crs="EPSG:4326",
    )
    path = save_html(interactive_map(gdf, ["v"]), tmp_path / "u.html")

    def actions(page):  # type: ignore[no-untyped-def]
        out = {}
        x, y = page.evaluate(f"() => {_API}.pagePoint(45.6, 1.5)")
        page.touchscreen.tap(x, y)
        page.wait_for_selector(".pacte-popup")
        out["tapped"] = page.inner_text(".pacte-popup")
        page.evaluate(f"() => {_API}.openPopup(0)")
        page.wait_for_function(
            "() => document.querySelector('.pacte-popup h4').textContent.startsWith('Vallée')"
        )
        out["opened"] = page.inner_text(".pacte-popup")
        out["at"] = page.evaluate(
            f"""() => {{ let at = null;
              {_API}.map.eachLayer(l => {{ if (l instanceof L.Popup) at = l.getLatLng(); }});
              return {_API}.unitAt(at.lat, at.lng); }}"""
        )
        return out

    result = load_page(path, actions=actions, viewport=(390, 844), touch=True, timeout_s=60)
    assert result.console_errors == [] and result.page_errors == []
    got = result.evaluated
    assert got["tapped"].startswith("Creux (N)")
    assert got["opened"].startswith("Vallée (U)")
    assert got["at"] == 0  # the popup points at the U itself, not at its notch


@pytest.mark.slow
def test_browser_national_commune_map(browser: None, reference_ready: None, tmp_path: Path) -> None:
    import pacte_analysis as pa

    communes = pa.communes(resolution="web")
    assert len(communes) == 34_968
    rng = np.random.default_rng(2020)
    communes["n_lists"] = rng.poisson(0.4, len(communes)).astype("float64")
    communes.loc[communes["n_lists"] == 0, "n_lists"] = np.nan
    communes["share"] = rng.uniform(0, 100, len(communes)).round(1)
    start = time.perf_counter()
    m = interactive_map(
        communes,
        ["n_lists", "share"],
        labels={"n_lists": "Listes connues", "share": "Part des mesures"},
        units={"share": "%"},
        tooltip_columns=["population"],
        title="Listes par commune",
        demo=True,
    )
    path = save_html(m, tmp_path / "communes.html")
    build_s = time.perf_counter() - start
    size = path.stat().st_size
    # A point inside each of 400 communes (and the 12 largest of mainland France,
    # wide enough on screen for their colour to be read under that point).
    inner = communes.geometry.representative_point()
    sample = [int(i) for i in rng.choice(len(communes), 400, replace=False)]
    mainland = ~communes["code"].str.startswith("97")
    area = communes.to_crs(2154).area.where(mainland, 0)
    largest = [int(i) for i in np.argsort(area.to_numpy())[::-1][:12]]
    targets = json.dumps([[inner.iloc[i].y, inner.iloc[i].x] for i in sample])
    js = f"() => [window.pacteMapReady === true, {targets}.map(p => {_API}.unitAt(p[0], p[1]))]"

    def actions(page):  # type: ignore[no-untyped-def]
        points = [(inner.iloc[i].y, inner.iloc[i].x) for i in largest]
        fills = page.evaluate(f"() => {json.dumps(largest)}.map({_API}.fillColor)")
        return page.evaluate(js), list(zip(_pixels(page, points), fills, strict=True))

    result = load_page(path, actions=actions)
    print(
        f"\ncarte nationale des communes : {size / 2**20:.2f} Mio, construite en {build_s:.1f} s, "
        f"chargée en {result.load_time_s:.2f} s (Chromium headless)"
    )
    assert size <= 8 * 2**20
    assert result.console_errors == [] and result.page_errors == []
    assert result.requests == [path.resolve().as_uri()]
    (ready, found), colours = result.evaluated
    assert ready is True
    assert found == sample  # the page finds each commune under a point inside it
    for seen, fill in colours:  # and paints it in the colour of its class
        assert _close(tuple(seen), _seen(fill)), (seen, fill)
    assert result.load_time_s <= 3.0  # target 1.2 s; margin for a busy CI machine


def test_browser_title_and_legend_leave_the_map_readable(
    browser: None, reference_ready: None, tmp_path: Path
) -> None:
    """At 1300×900 the title never hides the layer switcher, the legend never Corsica."""
    import pacte_analysis as pa

    deps = pa.departements(resolution="web")
    rng = np.random.default_rng(7)
    for name in ("a", "b", "c"):
        deps[name] = rng.uniform(0, 100, len(deps)).round(1)
    m = interactive_map(
        deps,
        ["a", "b", "c"],
        labels={
            "a": "Part des communes avec une liste signataire",
            "b": "Part de la population vivant dans une commune dont l'équipe élue a signé",
            "c": "Listes connues",
        },
        title="Pacte pour la Transition 2020 – engagements des listes municipales, par département",
        demo=True,
    )
    path = save_html(m, tmp_path / "deps.html")
    js = """() => {
      const api = window.pacteMaps[Object.keys(window.pacteMaps)[0]];
      const r = el => { const b = el.getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom]; };
      const titles = [...document.querySelectorAll('.pacte-title, .pacte-demo')].map(r);
      const layers = r(document.querySelector('.leaflet-control-layers'));
      const legend = r(document.querySelector('.pacte-legend'));
      const corsica = [api.pagePoint(43.03, 8.53), api.pagePoint(41.33, 9.57)];
      return {titles, layers, legend, corsica};
    }"""
    result = load_page(path, evaluate=js, viewport=(1300, 900))
    out = result.evaluated

    def overlap(a: list[float], b: list[float]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    for title in out["titles"]:
        assert not overlap(title, out["layers"])
    (x0, y0), (x1, y1) = out["corsica"]
    assert not overlap(out["legend"], [x0, y0, x1, y1])


_BOXES_JS = """() => {
  const api = window.pacteMaps[Object.keys(window.pacteMaps)[0]];
  const r = el => { const b = el.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom]; };
  const all = sel => [...document.querySelectorAll(sel)].map(r);
  return {
    titles: all('.pacte-title, .pacte-demo'),
    controls: all('.leaflet-control-layers, .leaflet-control-zoom, .pacte-zones'),
    scale: [...document.querySelectorAll('.leaflet-control-scale-line')].map(e => e.textContent),
    legend: all('.pacte-legend')[0].length ? document.querySelector('.pacte-legend').innerText : '',
    north: [%(north)s].map(p => api.pagePoint(p[0], p[1])),
    malo: api.pagePoint(48.6493, -2.0257),
  };
}"""


@pytest.mark.parametrize("viewport", [(1300, 900), (390, 844)])
def test_browser_title_never_covers_the_zoomed_land_nor_the_controls(
    browser: None,
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    viewport: tuple[int, int],
) -> None:
    """REPORT 25/29: département zoom of Ille-et-Vilaine, on a desk screen and a phone:
    title and demo badge above the territory's northernmost land (Saint-Malo) and clear
    of the zoom buttons and layer switcher; the scale is metric only."""
    import pacte_analysis as pa
    from pacte_analysis.maps import _make

    lists, commitments = synthetic_tables
    page = _make.draw_map(
        lists, commitments, tmp_path / "35.html", metric="status", level="commune",
        departement="35", demo=True,
    )  # fmt: skip
    communes = pa.communes(resolution="web")
    dep = communes[communes["departement_code"] == "35"].to_crs(4326)
    # the northernmost vertices of the département's land, west to east
    north = []
    for geom in dep.geometry:
        for poly in getattr(geom, "geoms", [geom]):
            lng, lat = max(poly.exterior.coords, key=lambda p: p[1])
            north.append((lat, lng))
    north = sorted(north, reverse=True)[:25]
    points = ",".join(f"[{lat}, {lng}]" for lat, lng in north)
    shot = tmp_path / f"shot-{viewport[0]}.png"
    out = load_page(
        page, evaluate=_BOXES_JS % {"north": points}, viewport=viewport, screenshot=shot
    ).evaluated

    def overlap(a: list[float], b: list[float]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    assert out["titles"], "no title"
    lowest = max(t[3] for t in out["titles"])
    for x, y in [*out["north"], out["malo"]]:
        assert y > lowest, (x, y, out["titles"])  # the land starts below the title
    for title in out["titles"]:
        for control in out["controls"]:
            assert not overlap(title, control), (title, control)
    assert out["scale"] and all(re.fullmatch(r"\d+ k?m", s.strip()) for s in out["scale"]), out[
        "scale"
    ]


def test_web_legend_says_one_list_and_one_class_per_value() -> None:
    """REPORT 26/6: « 1 liste », not « 1 listes »; no « 0,8 – 0,8 » class."""
    from pacte_analysis.maps.interactive import _numeric_classes

    _, labels = _numeric_classes(
        pd.Series([1.0, 2.0, 2.0, np.nan]), scheme="quantiles", k=5, breaks=None, unit="listes"
    )
    assert labels == ["1 liste", "2 listes"]
    cls, labels = _numeric_classes(
        pd.Series([0.8, 0.8, 1.6]), scheme="quantiles", k=5, breaks=None, unit="%"
    )
    assert labels == ["0,8 %", "1,6 %"] and cls.tolist() == [0, 0, 1]
    with pytest.raises(InvalidArgumentError, match="nombre de classes"):
        interactive_map(_gdf(), ["share"], k=0)


def test_registered_metrics_keep_their_label_colours_and_missing_text(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """REPORT 18: interactive_map(map_data(...), ["status"]) says « Situation de la
    commune » and « Aucune liste connue », in the status colours, as draw_map does."""
    import pacte_analysis as pa
    from pacte_analysis.maps import _make

    lists, commitments = synthetic_tables
    web = pa.map_data(lists, commitments, level="commune", resolution="web")
    dep = str(lists["departement_code"].mode().iloc[0])
    data = _payload(_render(interactive_map(web[web["departement_code"] == dep], ["status"])))
    layer = data["metrics"][0]
    assert layer["label"] == pa.metric_info("status").label == "Situation de la commune"
    assert layer["missing"] == "Aucune liste connue"
    for cat, colour in zip(layer["cats"], layer["pal"], strict=True):
        assert colour == _make._STATUS_COLORS[html_unescape(cat)], cat
    # what the caller gives still wins
    data = _payload(
        _render(interactive_map(_gdf(), ["n_lists"], missing_label="Non évalué", labels={}))
    )
    assert data["metrics"][0]["missing"] == "Non évalué"


def test_national_web_map_has_a_paris_button(reference_ready: None) -> None:
    """REPORT 29: the territory buttons include Paris and the petite couronne (the
    print maps' inset); a département zoom has no buttons."""
    import pacte_analysis as pa

    deps = pa.departements(resolution="web").assign(v=1.0)
    zones = _payload(_render(interactive_map(deps, ["v"])))["zones"]
    labels = [z["label"] for z in zones]
    assert labels[:3] == ["Tout", "Métropole", "Paris et petite couronne"]
    (s, w), (n, e) = zones[2]["bounds"]
    assert 48.6 < s < 48.9 < n < 49.3 and 1.9 < w < 2.35 < e < 2.8  # around Paris
    paris = deps[deps["code"].isin(["75", "92"])]
    assert _payload(_render(interactive_map(paris, ["v"])))["zones"] == []


def test_browser_phone_controls_and_title_never_overlap(
    browser: None, reference_ready: None, tmp_path: Path
) -> None:
    """REPORT 25: on a 390×844 phone, the national map's title, demo badge, zoom
    buttons, territory buttons, layer switcher, legend, scale and source line (the
    attribution, with its licence) never overlap one another."""
    import pacte_analysis as pa

    deps = pa.departements(resolution="web")
    deps["a"] = np.arange(len(deps), dtype=float)
    deps["b"] = deps["a"] * 2
    m = interactive_map(
        deps, ["a", "b"],
        labels={"a": "Part des communes avec une liste signataire",
                "b": "Part de la population vivant dans une commune avec une liste signataire"},
        title="Part des communes avec une liste signataire – par département", demo=True,
    )  # fmt: skip
    page = save_html(m, tmp_path / "phone.html")
    sel = (
        ".pacte-title, .pacte-demo, .leaflet-control-layers, .leaflet-control-zoom, "
        ".pacte-zones, .pacte-legend, .leaflet-control-scale, .leaflet-control-attribution"
    )
    js = (
        "() => [...document.querySelectorAll('" + sel + "')].map(el => {"
        " const b = el.getBoundingClientRect();"
        " return [el.className, b.left, b.top, b.right, b.bottom]; })"
    )
    boxes = load_page(page, evaluate=js, viewport=(390, 844)).evaluated
    assert len(boxes) == 8
    for i, a in enumerate(boxes):
        assert a[3] <= 390 + 0.5, a  # inside the screen
        for b in boxes[i + 1 :]:
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, (a, b)


def test_browser_tooltips_say_one_list_in_the_singular(browser: None, tmp_path: Path) -> None:
    """« 0 liste », « 1 liste », « 2 listes »: as in the legend (French: singular below 2)."""
    gdf = _gdf()
    gdf["n_lists"] = [0.0, 1.0, 2.0, np.nan]
    m = interactive_map(gdf, ["n_lists"], labels={"n_lists": "Listes"}, units={"n_lists": "listes"})
    path = save_html(m, tmp_path / "singulier.html")
    api = "window.pacteMaps[Object.keys(window.pacteMaps)[0]]"
    result = load_page(path, evaluate=f"() => [0, 1, 2].map(i => {api}.tooltip(i))", timeout_s=30)
    assert result.page_errors == []
    zero, one, two = (html_unescape(re.sub("<[^>]+>", "", t)) for t in result.evaluated)
    assert zero == "Listes : 0 liste" and one == "Listes : 1 liste"
    assert two == "Listes : 2 listes"
