"""Per-commune sheets: every list of a commune, its measures and levels, a small map.

One page per commune (HTML, or PDF through matplotlib) with:

* the commune, its département and its lists (name, head, principles, measures,
  signatory or not, the elected list marked);
* a measure × list grid (levels ``N1``–``N3``, ``✓`` when no level was given),
  measure labels from the edition (:attr:`Measure.short_label`, never invented);
* the commune on a small map with its neighbours (inline PNG in the HTML);
* the sources (file, sheet, row) and the credit line; the demo mark
  « Données fictives – démonstration » on every page of fictitious data.

Every user string written into HTML goes through :func:`html.escape`; files are
written atomically (:func:`pacte_analysis._files.atomic_write`).
"""

from __future__ import annotations

import base64
import html
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pacte_analysis._files import atomic_write, make_dirs
from pacte_analysis._style import CONTOURS_CREDIT, DEMO_MARK, credit_line, demo_source
from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition
from pacte_analysis.errors import InvalidArgumentError

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.figure import Figure

__all__ = [
    "CommuneSheet",
    "commune_map_png",
    "commune_sheet",
    "render_commune_html",
    "write_commune_sheet",
    "write_commune_sheets",
]

logger = logging.getLogger(__name__)

_ELECTED = {True: "Liste élue", False: "Non élue"}
_ELECTED_UNKNOWN = "Résultat inconnu"


@dataclass(frozen=True)
class CommuneSheet:
    """What one commune's sheet shows.

    Attributes
    ----------
    code, name, departement_code : str
        The commune (COG code, official name, département).
    lists : pandas.DataFrame
        Its lists (rows of the ``lists`` table), elected first then by name.
    grid : pandas.DataFrame
        One row per measure of the edition (index: measure number), one column per
        list (``list_id``); cells ``N1``/``N2``/``N3``, ``✓`` (committed, no level) or
        ``""``.
    labels : dict of int to str
        Measure labels (``Edition.measure(n).short_label``).
    """

    code: str
    name: str
    departement_code: str
    lists: pd.DataFrame
    grid: pd.DataFrame
    labels: dict[int, str]


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """Rows of ``frame`` as named tuples (typed loosely: cells of any dtype)."""
    return iter(frame.itertuples(index=False))


def _cell(committed: Any, level: Any) -> str:
    if not bool(committed):
        return ""
    if pd.notna(level):
        return f"N{int(level)}"
    return "✓"


def commune_sheet(
    code: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: str | Path | Edition = DEFAULT_EDITION,
) -> CommuneSheet:
    """Gather the lists and commitments of commune ``code``.

    Parameters
    ----------
    code : str
        INSEE code (COG of the tables).
    lists, commitments : pandas.DataFrame
        Tables written by ``pacte ingest`` (see :func:`pacte_analysis.read_tables`).
    edition : str, Path or Edition, default "pacte-2020"
        Catalogue giving the measure labels.

    Returns
    -------
    CommuneSheet

    Raises
    ------
    InvalidArgumentError
        The tables hold no list of that commune (French message).
    """
    ed = read_edition(edition)
    mine = lists[lists["commune_code"].astype("str") == str(code)]
    if mine.empty:
        raise InvalidArgumentError(f"Aucune liste de la commune {code} dans ces tables.")
    order = mine.assign(
        _elected=mine["elected"].astype("boolean").fillna(False).astype(bool),
        _name=mine["list_name"].fillna("").astype(str).str.lower(),
    ).sort_values(["_elected", "_name", "list_id"], ascending=[False, True, True])
    mine = order.drop(columns=["_elected", "_name"]).reset_index(drop=True)
    ids = mine["list_id"].tolist()
    com = commitments[commitments["list_id"].isin(ids)]
    numbers = sorted(set(ed.measure_numbers) | {int(m) for m in com["measure"].unique()})
    grid = pd.DataFrame("", index=pd.Index(numbers, name="measure"), columns=ids)
    for row in _rows(com):
        value = _cell(row.committed, row.level)
        if value:
            grid.loc[int(row.measure), row.list_id] = value
    labels = {
        n: (ed.measure(n).short_label if ed.has_measure(n) else f"Mesure {n}") for n in numbers
    }
    first = mine.iloc[0]
    return CommuneSheet(
        code=str(code),
        name=str(first["commune_name"]),
        departement_code=str(first["departement_code"]),
        lists=mine,
        grid=grid,
        labels=labels,
    )


def _neighbours(code: str, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The commune and the communes touching it (a few km around if none)."""
    target = communes[communes["code"] == code]
    if target.empty or target.geometry.iloc[0] is None:
        return target
    geom = target.geometry.iloc[0]
    idx = communes.sindex.query(geom.buffer(0.002), predicate="intersects")
    return communes.iloc[idx]


def _polygon_paths(geometries: Any) -> list[Any]:
    """One matplotlib path per (multi)polygon, holes included."""
    import numpy as np
    import shapely
    from matplotlib.path import Path as MplPath

    paths = []
    for geometry in geometries:
        if geometry is None or geometry.is_empty:
            continue
        vertices, codes = [], []
        for polygon in shapely.get_parts(geometry):
            for ring in (polygon.exterior, *polygon.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                ring_codes = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                vertices.append(xy)
                codes.append(ring_codes)
        if vertices:
            paths.append(MplPath(np.concatenate(vertices), np.concatenate(codes)))
    return paths


def _draw_map(ax: Any, code: str, communes: gpd.GeoDataFrame) -> bool:
    """Draw the commune (blue) and its neighbours (grey) on ``ax``; return whether it could."""
    import math

    from matplotlib.collections import PathCollection

    for collection in list(ax.collections):
        collection.remove()
    ax.set_axis_off()
    around = _neighbours(code, communes)
    if around.empty or around.geometry.isna().all():
        return False
    is_target = (around["code"] == code).to_numpy()
    for mask, face, edge, width in (
        (~is_target, "#e6e6e6", "#7f7f7f", 0.5),
        (is_target, "#0072B2", "#003e66", 0.8),
    ):
        paths = _polygon_paths(around.geometry[mask])
        ax.add_collection(
            PathCollection(paths, facecolors=face, edgecolors=edge, linewidths=width),
            autolim=False,
        )
    minx, miny, maxx, maxy = around.total_bounds
    pad_x, pad_y = (maxx - minx) * 0.03 or 0.01, (maxy - miny) * 0.03 or 0.01
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)
    ax.set_aspect(1 / max(math.cos(math.radians((miny + maxy) / 2)), 0.1))
    return True


class _MapCanvas:
    """One reusable figure for the small maps (drawing many is then cheaper)."""

    def __init__(self, dpi: int = 110) -> None:
        from matplotlib.figure import Figure

        self.dpi = dpi
        self.fig = Figure(figsize=(3.4, 3.0))
        self.ax = self.fig.add_axes((0, 0, 1, 1))

    def png(self, code: str, communes: gpd.GeoDataFrame) -> bytes | None:
        if not _draw_map(self.ax, code, communes):
            return None
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=self.dpi)
        return buffer.getvalue()


def commune_map_png(code: str, communes: gpd.GeoDataFrame, *, dpi: int = 110) -> bytes | None:
    """PNG of commune ``code`` (blue) and its neighbours (grey), or ``None`` without geometry.

    Parameters
    ----------
    code : str
        INSEE code.
    communes : geopandas.GeoDataFrame
        Reference communes (``code``, ``name``, ``geometry``), e.g.
        ``pa.communes(resolution="web")``.
    dpi : int, default 110
    """
    return _MapCanvas(dpi).png(code, communes)


def _text(value: Any) -> str:
    """Escaped text of a cell, « – » when missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return html.escape(str(value), quote=True)


def _clip(text: str, width: int) -> str:
    """``text`` cut at a word boundary to ``width`` characters, with « … » when cut."""
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + " …"


def _where(row: Any) -> str:
    """« fichier, feuille F, ligne N » of a list (file name only, no folders)."""
    parts = [Path(str(row.source_file)).name]
    if isinstance(row.source_sheet, str) and row.source_sheet:
        parts.append(f"feuille {row.source_sheet}")
    parts.append(f"ligne {int(row.source_row)}")
    return ", ".join(parts)


def _elected_label(value: Any) -> str:
    if value is None or pd.isna(value):
        return _ELECTED_UNKNOWN
    return _ELECTED[bool(value)]


def _credit(source: str | None, demo: bool) -> str:
    return credit_line(demo_source(source) if demo else source, contours=True)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;
max-width:72rem;color:#1a1a1a;padding:0 1rem}
h1{margin:0 0 .2rem}.sub{color:#555;margin:0 0 1rem}
.demo{background:#b2182b;color:#fff;font-weight:bold;padding:.4rem .8rem;display:inline-block;
margin-bottom:.8rem}
.top{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:flex-start}
.map{flex:0 0 auto}.map img{border:1px solid #ccc;max-width:100%}
table{border-collapse:collapse;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .45rem;vertical-align:top}
th{background:#f2f2f2}tbody th{text-align:left;font-weight:normal}
thead th.list{font-size:.75rem;font-weight:normal;max-width:7rem}td.lvl{text-align:center;font-weight:bold}
.elected{background:#e8f3fb}.badge{background:#0072B2;color:#fff;border-radius:.2rem;
padding:0 .3rem;font-size:.8rem;white-space:nowrap}
footer{margin-top:1.2rem;font-size:.8rem;color:#555}
"""


def _page(title: str, body: str, *, demo: bool, credit: str) -> str:
    mark = f'<p class="demo">{html.escape(DEMO_MARK)}</p>\n' if demo else ""
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{mark}{body}\n<footer>{mark}<p>{html.escape(credit)}</p></footer>\n</body>\n</html>\n"
    )


def render_commune_html(
    sheet: CommuneSheet,
    *,
    map_png: bytes | None = None,
    demo: bool = False,
    source: str | None = None,
    index_href: str | None = None,
) -> str:
    """The HTML page of ``sheet`` (self-contained: the map is an inline PNG).

    Parameters
    ----------
    sheet : CommuneSheet
        From :func:`commune_sheet`.
    map_png : bytes, optional
        From :func:`commune_map_png`.
    demo : bool, default False
        Fictitious data: the page says « Données fictives – démonstration ».
    source : str, optional
        Data source of the commitments for the credit line.
    index_href : str, optional
        Link back to an index page.
    """
    lists = sheet.lists
    esc = html.escape
    title = f"{sheet.name} ({sheet.departement_code}) – engagements des listes"
    parts = []
    if index_href:
        parts.append(f'<p><a href="{esc(index_href, quote=True)}">← Toutes les communes</a></p>')
    parts.append(f"<h1>{esc(sheet.name)} ({esc(sheet.departement_code)})</h1>")
    n_sign = int(lists["signatory"].astype(bool).sum())
    parts.append(
        f'<p class="sub">Code INSEE {esc(sheet.code)} – {len(lists)} liste(s), '
        f"dont {n_sign} signataire(s) du Pacte pour la Transition (municipales 2020)</p>"
    )
    rows = []
    for i, row in enumerate(_rows(lists), start=1):
        elected = _elected_label(row.elected)
        is_elected = elected == _ELECTED[True]
        badge = f' <span class="badge">★ {esc(elected)}</span>' if is_elected else ""
        declared = (
            f" ({int(row.n_measures_declared)} déclarées)"
            if pd.notna(row.n_measures_declared)
            else ""
        )
        mean = f"{float(row.mean_level):.1f}".replace(".", ",") if pd.notna(row.mean_level) else "–"
        rows.append(
            f'<tr class="{"elected" if is_elected else ""}"><td>L{i}</td>'
            f"<td>{_text(row.list_name)}{badge}</td><td>{_text(row.list_head)}</td>"
            f"<td>{_text(row.principles or '–')}</td><td>{int(row.n_measures)}{declared}</td>"
            f"<td>{mean}</td><td>{'oui' if bool(row.signatory) else 'non'}</td>"
            f"<td>{esc(elected)}</td>"
            f"<td>{html.escape(_where(row))}</td></tr>"
        )
    table = (
        "<table><thead><tr><th></th><th>Liste</th><th>Tête de liste</th><th>Principes</th>"
        "<th>Mesures</th><th>Niveau moyen</th><th>Signataire</th><th>Élection</th>"
        "<th>Source (fichier, feuille, ligne)</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    if map_png:
        encoded = base64.b64encode(map_png).decode("ascii")
        figure = (
            f'<div class="map"><img alt="{esc(sheet.name, quote=True)} et les communes voisines" '
            f'src="data:image/png;base64,{encoded}" width="340"><br>'
            f"<small>{esc(CONTOURS_CREDIT)}</small></div>"
        )
    else:
        figure = '<div class="map"><p>Contour de la commune indisponible.</p></div>'
    parts.append(f'<div class="top"><div>{table}</div>{figure}</div>')

    heads = "".join(
        f'<th class="list{" elected" if _elected_label(r.elected) == _ELECTED[True] else ""}" '
        f'title="{_text(r.list_name)}"><b>L{i}</b><br>{_text(r.list_name)}'
        f"{' ★' if _elected_label(r.elected) == _ELECTED[True] else ''}</th>"
        for i, r in enumerate(_rows(lists), start=1)
    )
    body_rows = []
    for number, cells in sheet.grid.iterrows():
        tds = "".join(f'<td class="lvl">{esc(str(v))}</td>' for v in cells.tolist())
        body_rows.append(f"<tr><th>{esc(sheet.labels[int(number)])}</th>{tds}</tr>")  # type: ignore[call-overload]
    parts.append(
        "<h2>Mesures choisies par liste</h2>"
        "<p>N1 à N3 : niveau d'ambition choisi ; ✓ : mesure choisie sans niveau indiqué ; "
        "vide : non choisie (ou non relevée par le suivi).</p>"
        f"<table><thead><tr><th>Mesure</th>{heads}</tr></thead><tbody>"
        + "".join(body_rows)
        + "</tbody></table>"
    )
    return _page(title, "\n".join(parts), demo=demo, credit=_credit(source, demo))


def _sheet_figure(
    sheet: CommuneSheet,
    communes: gpd.GeoDataFrame | None,
    *,
    demo: bool,
    source: str | None,
) -> Figure:
    """One A4 matplotlib page: title, lists, map, grid, sources, credit."""
    from matplotlib.figure import Figure

    from pacte_analysis._files import escape_figure_text
    from pacte_analysis._style import add_demo_mark, add_source, figure_style

    lists = sheet.lists
    n_rows = len(sheet.grid)
    with figure_style():
        fig = Figure(figsize=(8.27, 11.69))
        fig.text(
            0.04,
            0.975,
            f"{sheet.name} ({sheet.departement_code})",
            fontsize=16,
            fontweight="bold",
            va="top",
        )
        n_sign = int(lists["signatory"].astype(bool).sum())
        fig.text(
            0.04,
            0.95,
            f"Code INSEE {sheet.code} – {len(lists)} liste(s), dont {n_sign} signataire(s)",
            fontsize=9,
            va="top",
            color="#4d4d4d",
        )
        lines = []
        for i, row in enumerate(_rows(lists), start=1):
            elected = _elected_label(row.elected)
            star = "★ " if elected == _ELECTED[True] else ""
            name = _clip(row.list_name, 45) if isinstance(row.list_name, str) else "–"
            head = _clip(row.list_head, 30) if isinstance(row.list_head, str) else "–"
            lines.append(
                f"L{i} {star}{name} – {head} – {int(row.n_measures)} mesures, "
                f"{'signataire' if bool(row.signatory) else 'non signataire'}, {elected.lower()}"
                f"\n     source : {_where(row)}"
            )
        fig.text(0.04, 0.925, "\n".join(lines), fontsize=6.5, va="top", linespacing=1.4)
        if communes is not None:
            ax_map = fig.add_axes((0.68, 0.74, 0.3, 0.2))
            _draw_map(ax_map, sheet.code, communes)
        top = 0.92 - 0.024 * len(lists) - 0.02
        top = min(top, 0.72)
        ax = fig.add_axes((0.04, 0.05, 0.92, max(top - 0.05, 0.1)))
        ax.set_axis_off()
        cells = [
            [_clip(sheet.labels[int(n)], 62), *row]
            for n, row in zip(sheet.grid.index, sheet.grid.to_numpy().tolist(), strict=True)
        ]
        cols = [
            "Mesure",
            *(
                f"L{i}{' ★' if _elected_label(r.elected) == _ELECTED[True] else ''}"
                for i, r in enumerate(_rows(lists), start=1)
            ),
        ]
        tab = ax.table(cellText=cells, colLabels=cols, loc="upper left", cellLoc="center")
        tab.auto_set_font_size(False)
        tab.set_fontsize(6 if n_rows <= 34 else 5)
        widths = [0.55] + [0.45 / max(len(lists), 1)] * len(lists)
        for (r, c), cell in tab.get_celld().items():
            cell.set_width(widths[c])
            cell.set_height(0.9 / (n_rows + 1))
            if c == 0 and r > 0:
                cell.set_text_props(ha="left")
        text = _credit(source, demo)
        add_source(fig, text)
        if demo:
            add_demo_mark(fig)
        escape_figure_text(fig)
    return fig


def write_commune_sheet(
    sheet: CommuneSheet,
    out: str | Path,
    *,
    communes: gpd.GeoDataFrame | None = None,
    demo: bool = False,
    source: str | None = None,
    index_href: str | None = None,
    _canvas: _MapCanvas | None = None,
) -> Path:
    """Write the sheet of one commune to ``out`` (``.html`` or ``.pdf``), atomically.

    Parameters
    ----------
    sheet : CommuneSheet
        From :func:`commune_sheet`.
    out : str or Path
        ``.html`` (self-contained page) or ``.pdf`` (one A4 page).
    communes : geopandas.GeoDataFrame, optional
        Reference communes for the map (``pa.communes(resolution="web")``); no map
        without.
    demo, source, index_href
        See :func:`render_commune_html`.

    Returns
    -------
    Path
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".html":
        canvas = _canvas or _MapCanvas()
        png = canvas.png(sheet.code, communes) if communes is not None else None
        page = render_commune_html(
            sheet, map_png=png, demo=demo, source=source, index_href=index_href
        )
        with atomic_write(out, "w") as fh:
            fh.write(page)
    elif suffix == ".pdf":
        fig = _sheet_figure(sheet, communes, demo=demo, source=source)
        with atomic_write(out, "wb") as fh:
            fig.savefig(fh, format="pdf", metadata={"CreationDate": None})
    else:
        raise InvalidArgumentError(
            f"Fichier de sortie « {out} » : extension {suffix or '(aucune)'} non prise en "
            "charge ; choisissez .html ou .pdf."
        )
    return out


def _elected_signatory(lists: pd.DataFrame, elected: pd.DataFrame) -> str:
    """« oui » / « non » / « inconnu » (no list known as elected, some unknown)."""
    if bool(elected["signatory"].astype(bool).any()):
        return "oui"
    if elected.empty and bool(lists["elected"].isna().any()):
        return "inconnu"
    return "non"


def write_commune_sheets(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    out_dir: str | Path,
    *,
    communes: gpd.GeoDataFrame | None = None,
    edition: str | Path | Edition = DEFAULT_EDITION,
    demo: bool = False,
    source: str | None = None,
    fmt: str = "html",
    codes: Sequence[str] | None = None,
) -> list[Path]:
    """Write one sheet per commune with lists, plus ``index.html``; return the paths.

    Parameters
    ----------
    lists, commitments : pandas.DataFrame
        Tables written by ``pacte ingest``.
    out_dir : str or Path
        Folder (created); files are named ``<code INSEE>.<fmt>``.
    communes : geopandas.GeoDataFrame, optional
        Reference communes for the maps.
    edition, demo, source
        See :func:`commune_sheet` and :func:`render_commune_html`.
    fmt : {"html", "pdf"}, default "html"
    codes : sequence of str, optional
        Only these communes (default: every commune of ``lists``).
    """
    if fmt not in ("html", "pdf"):
        raise InvalidArgumentError(f"Format « {fmt} » inconnu : html ou pdf.")
    out_dir = make_dirs(out_dir)
    ed = read_edition(edition)
    all_codes = sorted(lists["commune_code"].dropna().astype(str).unique())
    wanted = all_codes if codes is None else [c for c in all_codes if c in set(codes)]
    by_commune = dict(tuple(lists.groupby(lists["commune_code"].astype(str))))
    commune_of = dict(zip(lists["list_id"], lists["commune_code"].astype(str), strict=True))
    com_by_commune = dict(tuple(commitments.groupby(commitments["list_id"].map(commune_of))))
    empty = commitments.iloc[0:0]
    written: list[Path] = []
    index_rows = []
    canvas = _MapCanvas()
    for code in wanted:
        sub_lists = by_commune[code]
        sub_com = com_by_commune.get(code, empty)
        sheet = commune_sheet(code, sub_lists, sub_com, ed)
        path = write_commune_sheet(
            sheet,
            out_dir / f"{code}.{fmt}",
            communes=communes,
            demo=demo,
            source=source,
            index_href="index.html" if fmt == "html" else None,
            _canvas=canvas,
        )
        written.append(path)
        elected = sheet.lists[sheet.lists["elected"].astype("boolean").fillna(False).astype(bool)]
        index_rows.append(
            f'<tr><td><a href="{html.escape(path.name, quote=True)}">'
            f"{html.escape(sheet.name)}</a></td><td>{html.escape(sheet.departement_code)}</td>"
            f"<td>{html.escape(sheet.code)}</td><td>{len(sheet.lists)}</td>"
            f"<td>{int(sheet.lists['signatory'].astype(bool).sum())}</td>"
            f"<td>{_elected_signatory(sheet.lists, elected)}</td></tr>"
        )
    body = (
        "<h1>Engagements des listes municipales 2020, commune par commune</h1>"
        f'<p class="sub">{len(written)} commune(s) – Pacte pour la Transition</p>'
        "<table><thead><tr><th>Commune</th><th>Département</th><th>Code INSEE</th>"
        "<th>Listes</th><th>Signataires</th><th>Liste élue signataire</th></tr></thead><tbody>"
        + "".join(index_rows)
        + "</tbody></table>"
    )
    index = out_dir / "index.html"
    with atomic_write(index, "w") as fh:
        fh.write(_page("Fiches communales", body, demo=demo, credit=_credit(source, demo)))
    written.append(index)
    logger.info("%d fiches communales écrites dans %s", len(written) - 1, out_dir)
    return written
