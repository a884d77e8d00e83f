"""Charts of the commitments (matplotlib), labelled in French for publication.

Every chart function takes the canonical tables, returns a
:class:`matplotlib.figure.Figure` (built without pyplot, so no global state is kept;
it displays itself inline in Jupyter) with a French title and a source line. A chart
of fictitious data (``demo=True``, or by default tables read from a demo folder:
:func:`pacte_analysis.tables.is_demo`) carries the « Données fictives – démonstration »
mark and a source line saying the data are fictitious. Write it with :func:`save_figure`
(PNG at 300 dpi, SVG or PDF, by suffix). :func:`draw_chart` dispatches by name
(:func:`available_charts`), as ``pacte chart KIND`` does.

Colours are colour-blind safe: Okabe–Ito for categories, ColorBrewer ``YlGnBu``
for the heatmap. Measures whose title is not confirmed are labelled « Mesure N »:
no title is ever invented.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import inspect
import logging
import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from pacte_analysis import _style
from pacte_analysis.analysis import (
    ELECTED_STATUSES,
    UNASSIGNED_THEME,
    EditionLike,
    _committed,
    compare_elected,
    list_summary,
    measure_summary,
    metric_info,
    territory_summary,
)
from pacte_analysis.analysis._core import _check_table, _territory_names
from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    UnknownCodeError,
)
from pacte_analysis.tables import is_demo

__all__ = [
    "Chart",
    "available_charts",
    "chart_info",
    "draw_chart",
    "plot_departement_ranking",
    "plot_elected_comparison",
    "plot_measure_popularity",
    "plot_measures_per_list",
    "plot_theme_heatmap",
    "save_figure",
]

# Series colours (Okabe–Ito).
_LISTS_COLOR = "#0072B2"  # blue
_ELECTED_COLOR = "#E69F00"  # orange
_UNKNOWN_COLOR = "#999999"
_STATUS_COLORS = {
    ELECTED_STATUSES[0]: _ELECTED_COLOR,
    ELECTED_STATUSES[1]: _LISTS_COLOR,
    ELECTED_STATUSES[2]: _UNKNOWN_COLOR,
}
_SIGNATORY_COLOR = "#009E73"  # bluish green
_NON_SIGNATORY_COLOR = "#D55E00"  # vermillion
#: Characters per line of a measure label (labels are wrapped, never cut).
_LABEL_WIDTH = 50
#: Classes of the number of measures per list (elected-vs-not), light to dark.
_BIN_COLORS = ("#f0f0f0", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
_DARK_BINS = {"#2171b5", "#08306b"}
_FORMATS = {".png", ".svg", ".pdf"}
P = ParamSpec("P")


def _styled(func: Callable[P, Figure]) -> Callable[P, Figure]:
    """Run a chart function inside the package's matplotlib style."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        from pacte_analysis._files import escape_figure_text

        with _style.figure_style():
            return escape_figure_text(func(*args, **kwargs))

    return wrapper


def _new_figure(width: float, height: float) -> Figure:
    return _style.PacteFigure(figsize=(width, height), layout="constrained")


def _figure_and_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes, bool]:
    """A new figure and its axes, or the caller's axes (``own`` is False then)."""
    if ax is not None:
        fig = ax.get_figure(root=True)  # the figure, also for an axes of a sub-figure
        assert isinstance(fig, Figure)
        return fig, ax, False
    fig = _new_figure(width, height)
    return fig, fig.add_subplot(), True


def _split_axes(ax: Axes, ratios: tuple[float, float], title: str) -> tuple[Figure, Axes, Axes]:
    """Two titled axes in the place of the caller's ``ax`` (small multiples).

    ``ax`` is replaced by a sub-figure holding the two panels, one above the other,
    under ``title`` (or, for an axes placed by hand, by two inset axes).
    """
    fig, _, _ = _figure_and_axes(ax, 0, 0)
    spec = ax.get_subplotspec()
    if spec is None:
        ax.set_axis_off()
        ax.set_title(_wrap(title, 60), loc="left", fontsize=10)
        return fig, ax.inset_axes((0, 0.55, 1, 0.35)), ax.inset_axes((0, 0, 1, 0.45))
    parent = ax.get_figure(root=False)
    assert parent is not None
    ax.remove()
    holder = parent.add_subfigure(spec)
    holder.suptitle(_wrap(title, 60), x=0.01, ha="left", fontsize=10, fontweight="bold")
    ax1, ax2 = holder.subplots(2, 1, height_ratios=ratios)  # one above the other: less width
    return fig, ax1, ax2


def _check_territories(territories: object, function: str) -> None:
    """``territories`` is None or a ``code, name`` table, else a French error."""
    if territories is None:
        return
    if not isinstance(territories, pd.DataFrame):
        hint = (
            " ; pour changer de niveau, utilisez level=… (classement des départements)"
            if isinstance(territories, str)
            else ""
        )
        raise PacteTypeError(
            f"{function} : « territories » doit être une table des territoires avec les "
            f"colonnes code et name (par exemple pa.departements()), pas "
            f"{type(territories).__name__} « {territories} »{hint}."
        )
    missing = [c for c in ("code", "name") if c not in territories.columns]
    if missing:
        raise MissingColumnsError(
            f"{function} : colonne(s) absente(s) de « territories » : {', '.join(missing)} "
            "(colonnes attendues : code, name)."
        )


def _check_top(top: object, function: str) -> int:
    """``top`` as a positive whole number, else a French error."""
    if isinstance(top, bool) or not isinstance(top, int | np.integer):
        raise PacteTypeError(
            f"{function} : « top » doit être un nombre entier de territoires, pas "
            f"{type(top).__name__} « {top} »."
        )
    if top < 1:
        raise InvalidArgumentError(f"{function} : « top » doit valoir au moins 1 (reçu : {top}).")
    return int(top)


@contextlib.contextmanager
def _print_renderer(fig: Figure, dpi: float = 300.0) -> Iterator[Any]:
    """The renderer of ``fig`` laid out at print resolution (300 dpi), for measuring text.

    Glyphs are hinted differently at screen and print resolutions: labels that clear
    each other at 100 dpi may touch at 300 dpi, so they are measured as printed.
    """
    from matplotlib.image import AxesImage

    before = fig.dpi
    # Images (the heatmap's cells) are not measured: resampling them at 300 dpi for a
    # drawing that renders nothing costs ~0.2 s, and they lie inside their axes.
    images = [im for im in fig.findobj(AxesImage) if im.get_visible()]
    fig.set_dpi(dpi)
    try:
        for im in images:
            im.set_visible(False)
        fig.draw_without_rendering()
        yield fig._get_renderer()  # type: ignore[attr-defined]
    finally:
        for im in images:
            im.set_visible(True)
        fig.set_dpi(before)


def _overlapping(texts: Sequence[Text], renderer: Any, gap: float = 2.0) -> bool:
    """Whether two of ``texts`` overlap on the drawn figure, or come within ``gap`` points."""
    pad = gap * renderer.points_to_pixels(1.0) / 2
    boxes = [t.get_window_extent(renderer).padded(pad) for t in texts if t.get_visible()]
    return any(
        a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
    )


def _separate_labels(fig: Figure, texts: Sequence[Text]) -> None:
    """Make the value labels of neighbouring bars readable: never one over another.

    The figure is laid out, then the labels' boxes are measured: labels that touch
    are turned upright (one per bar's width), then made smaller, and as a last resort
    every other label is hidden — two numbers are never printed over each other.
    """
    if len(texts) < 2:
        return
    with _print_renderer(fig) as renderer:
        _separate(texts, renderer)


def _separate(texts: Sequence[Text], renderer: Any) -> None:
    if not _overlapping(texts, renderer):
        return
    for text in texts:
        text.set_rotation(90)
    for size in (7.0, 6.0, 5.0):
        for text in texts:
            text.set_fontsize(size)
        if not _overlapping(texts, renderer):
            return
    kept: list[Text] = []
    for text in texts:  # keep a label only where it touches none already kept
        box = text.get_window_extent(renderer)
        if any(box.overlaps(k.get_window_extent(renderer)) for k in kept):
            text.set_visible(False)
        else:
            kept.append(text)


def _percent_axis(axis: Any, span: float | None = None) -> None:
    """French « 12 % » ticks; one decimal on a short range (never « 0 %, 0 %, 1 % »).

    ``span`` is the range the axis covers (default: its current limits).
    """
    if span is None:
        low, high = axis.get_view_interval()
        span = abs(float(high) - float(low))
    axis.set_major_formatter(_style.french_formatter(0 if span >= 5 else 1, percent=True))


def _compact_class(label: str) -> str:
    """A size class in few characters, for small multiples.

    Examples
    --------
    >>> [_compact_class(c) for c in ("Moins de 500 hab.", "500 à 999 hab.", "100 000 hab. ou plus")]
    ['< 500', '500–999', '≥ 100 000']
    """
    text = label.replace(" hab. ou plus", "").replace(" hab.", "")
    if text.startswith("Moins de "):
        return "< " + text.removeprefix("Moins de ")
    if " à " in text:
        return text.replace(" à ", "–")
    return "≥ " + text if label.endswith("ou plus") else text


def _fit_tick_labels(
    fig: Figure,
    labels: Sequence[Text],
    *,
    sizes: Sequence[float] = (7.0, 6.5, 6.0),
    slant: str | None = "top",
) -> None:
    """Tick labels that touch are made smaller, then slanted: never printed over each other.

    Measured at print resolution, with a gap of 5 points between neighbours.
    ``slant`` is where the labels stand (``top`` or ``bottom`` of the axes; None:
    never slanted, e.g. the labels of a vertical axis).
    """
    if len(labels) < 2:
        return
    with _print_renderer(fig) as renderer:
        for size in sizes:
            if not _overlapping(labels, renderer, gap=5.0):
                return
            for label in labels:
                label.set_fontsize(size)
        if slant and _overlapping(labels, renderer, gap=5.0):
            for label in labels:  # upright at the bottom: one line's height per tick
                label.set_text(label.get_text().replace("\n", " "))
                label.set_rotation(35 if slant == "top" else 90)
                label.set_rotation_mode("anchor")
                label.set_horizontalalignment("left" if slant == "top" else "right")
                label.set_verticalalignment("bottom" if slant == "top" else "center")


def _nice_max(value: float, cap: float | None = None) -> float:
    """An axis end just above ``value`` (a round number: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ), ≤ ``cap``.

    Examples
    --------
    >>> _nice_max(27.4, cap=100), _nice_max(0.0), _nice_max(96, cap=100)
    (30.0, 1.0, 100.0)
    """
    if not np.isfinite(value) or value <= 0:
        return 1.0
    target = value * 1.05
    power = 10 ** math.floor(math.log10(target))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= target:
            end = step * power
            break
    return float(min(end, cap)) if cap is not None else float(end)


def _wrap_words(text: str, width: int) -> str:
    r"""Wrap like :func:`_wrap`, but never leave a short word (« et », « du ») alone on a line.

    Examples
    --------
    >>> _wrap_words("Environnement et biodiversité", 14).split("\n")
    ['Environnement', 'et biodiversité']
    """
    lines: list[str] = []
    pending = ""
    for line in textwrap.wrap(text, width) or [text]:
        if pending:
            line = f"{pending} {line}"
            pending = ""
        if len(line) <= 3 and " " not in line:
            pending = line
        else:
            lines.append(line)
    if pending:
        lines.append(pending)
    return "\n".join(lines)


def _wrap(text: str, width: int = 52) -> str:
    """Break a long label over lines (never cut)."""
    return "\n".join(textwrap.wrap(text, width)) or text


def _finish(
    fig: Figure,
    *,
    title: str,
    subtitle: str | None,
    source: str | None,
    demo: bool,
    date: _dt.date | None,
) -> Figure:
    return _style.finish_figure(
        fig, title=title, subtitle=subtitle, source=source, demo=demo, date=date
    )


def _demo(demo: bool | None, *frames: object) -> bool:
    """``demo`` as given, or whether one of ``frames`` was read from a demo folder."""
    return is_demo(*frames) if demo is None else bool(demo)


def _axes_title(fig: Figure, ax: Axes, demo: bool, title: str) -> Figure:
    """Finish a chart drawn into a caller's axes: its title, and the demo mark.

    The figure is the caller's (small multiples): its source line is left to the
    caller, but a figure holding fictitious data always carries the demo mark (once).
    """
    ax.set_title(_wrap(title, 60), loc="left", fontsize=10)
    if demo and not any(t.get_gid() == "pacte-demo-banner" for t in fig.texts):
        _style.add_demo_mark(fig)
    return fig


def _no_data(ax: Axes, text: str = "Aucune donnée à représenter") -> None:
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=11,
        color="#666666",
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _bar_rows(
    frame: pd.DataFrame, theme: str, edition: Edition
) -> list[tuple[str, str, float, float, str]]:
    """Rows of the measure-popularity chart: the full label of each measure, wrapped.

    The label is the edition's (« N. Title » when the title is confirmed, else
    « Mesure N »), never cut: a long title takes two or three lines.
    """
    labels = [
        edition.measure(int(n)).short_label if edition.has_measure(int(n)) else f"Mesure {n}"
        for n in frame["measure"].tolist()
    ]
    return [
        ("bar", _wrap(label, _LABEL_WIDTH), float(lists_share), float(elected_share), theme)
        for label, lists_share, elected_share in zip(
            labels,
            frame["share_lists"].tolist(),
            frame["share_elected"].tolist(),
            strict=True,
        )
    ]


def _measure_bins(threshold: int, n_measures: int) -> list[tuple[str, int, int]]:
    """Classes « 0 », « 1–(t-1) », « t–19 », « 20–n » of a number of measures."""
    bins = [("aucune", 0, 0), (f"1 à {threshold - 1}", 1, threshold - 1)]
    if n_measures >= 20 > threshold:
        bins += [(f"{threshold} à 19", threshold, 19), (f"20 à {n_measures}", 20, n_measures)]
    else:
        bins.append((f"{threshold} à {n_measures}", threshold, n_measures))
    return bins


def _count_phrase(n: int, singular: str, plural: str | None = None) -> str:
    word = singular if n <= 1 else (plural or singular + "s")
    return f"{_style.format_number(n)} {word}"


# --------------------------------------------------------------------------- charts


@_styled
def plot_measure_popularity(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    by_theme: bool = True,
    signatory_only: bool = False,
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Bar chart of the share of lists, and of elected teams, committing to each measure.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    by_theme : bool, default True
        Group the measures by theme (themes in the edition's order, measures by
        decreasing popularity within a theme); otherwise one overall ranking.
    signatory_only : bool, default False
        Count only the signatory lists.
    demo : bool, optional
        Fictitious data: add the « Données fictives – démonstration » mark and say so
        in the source line. By default, whether the tables were read from a demo
        folder (:func:`pacte_analysis.tables.is_demo`).
    source : str, optional
        Data source printed at the foot (default: the local groups' records).
    date : datetime.date, optional
        Date of the credit line (default: today).
    title : str, optional
        Replaces the default French title.
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (small multiples): the title becomes the axes title and
        the figure's source line is left to the caller; a chart of fictitious data
        puts the demo mark on the figure (once).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["35238"], "principles": ["ABC"], "n_measures": [1],
    ...     "mean_level": [None], "signatory": [False], "elected": [True]})
    >>> com = pd.DataFrame({"list_id": ["a"], "measure": [13], "committed": [True],
    ...     "level": [None]})
    >>> fig = plot_measure_popularity(lists, com, demo=True)
    >>> "Mesure 13" in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    True
    """
    demo = _demo(demo, lists, commitments)
    ed = read_edition(edition)
    ms = measure_summary(lists, commitments, ed, signatory_only=signatory_only)
    ls = list_summary(lists, commitments, ed)
    if signatory_only:
        ls = ls.loc[ls["signatory"]]
    n_lists = len(ls)
    n_elected = int(ls["elected"].fillna(False).astype(bool).sum())
    theme_order = [t for t in [*ed.themes, UNASSIGNED_THEME] if t in set(ms["theme"])]

    # Build the rows from top to bottom: (kind, label, share_lists, share_elected, theme)
    rows: list[tuple[str, str, float, float, str]] = []
    if by_theme:
        for theme in theme_order:
            sub = ms.loc[ms["theme"] == theme].sort_values(
                ["share_lists", "measure"], ascending=[False, True]
            )
            rows.append(("header", _style.capitalize(theme), math.nan, math.nan, theme))
            rows.extend(_bar_rows(sub, theme, ed))
    else:
        rows.extend(
            _bar_rows(ms.sort_values(["share_lists", "measure"], ascending=[False, True]), "", ed)
        )

    # Each row is one unit high, plus 0.6 unit per extra line of its label.
    steps = np.array([1.0 + 0.6 * row[1].count("\n") for row in rows])
    total = float(steps.sum())
    height = math.ceil((1.6 + 0.21 * total) * 4) / 4  # quarter inches: whole pixels at any dpi
    fig, ax, own = _figure_and_axes(ax, 9.0, height)
    y = total - (np.cumsum(steps) - steps / 2) - 0.5
    bar_h = 0.38 if n_elected else 0.7
    bar_y = [yy for yy, row in zip(y, rows, strict=True) if row[0] == "bar"]
    bar_rows = [row for row in rows if row[0] == "bar"]
    lists_values = np.nan_to_num([row[2] for row in bar_rows])
    ax.barh(
        np.array(bar_y) + (bar_h / 2 if n_elected else 0),
        lists_values,
        height=bar_h,
        color=_LISTS_COLOR,
        label=f"Listes ({_style.format_number(n_lists)})",
    )
    if n_elected:
        ax.barh(
            np.array(bar_y) - bar_h / 2,
            np.nan_to_num([row[3] for row in bar_rows]),
            height=bar_h,
            color=_ELECTED_COLOR,
            label=f"Équipes élues ({_style.format_number(n_elected)})",
        )
    ax.set_yticks(bar_y, [row[1] for row in bar_rows], fontsize=7.5)
    for yy, row in zip(y, rows, strict=True):
        if row[0] == "header":
            ax.text(
                -0.01,
                yy,
                row[1],
                transform=ax.get_yaxis_transform(),
                ha="right",
                va="center",
                fontsize=8.5,
                fontweight="bold",
                color="#000000",
            )
            ax.axhline(yy - 0.5, color="#cccccc", linewidth=0.6)
    ax.set_ylim(-0.8, total - 0.2)
    shares = [v for row in bar_rows for v in (row[2], row[3]) if not math.isnan(v)]
    ax.set_xlim(0, _nice_max(max(shares, default=0.0), cap=100))  # the data, not 0–100 %
    _percent_axis(ax.xaxis)
    ax.set_xlabel("Part des listes qui s'engagent sur la mesure")
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    if n_lists:
        # above the axes, never over bars (in a small multiple: where it covers the fewest)
        if own:
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8)
        else:
            ax.legend(loc="best", fontsize=7)  # where it covers the fewest bars
    else:
        ax.text(0.5, 0.5, "Aucune liste", transform=ax.transAxes, ha="center", color="#666666")
    who = "listes signataires" if signatory_only else "listes"
    subtitle = (
        f"Part des {who} ({_style.format_number(n_lists)}) et des équipes élues "
        f"({_style.format_number(n_elected)}) qui s'engagent sur chaque mesure"
    )
    if not n_elected:
        subtitle += " – résultat des élections inconnu"
    if not own:  # a small multiple: measure labels made smaller until they clear each other
        _axes_title(fig, ax, demo, title or f"Popularité des mesures – {ed.title}")
        _fit_tick_labels(fig, ax.get_yticklabels(), sizes=(6.5, 6.0, 5.5, 5.0), slant=None)
        return fig
    return _finish(
        fig,
        title=title or f"Popularité des mesures – {ed.title}",
        subtitle=subtitle,
        source=source,
        demo=demo,
        date=date,
    )


@_styled
def plot_measures_per_list(
    lists: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Histogram of the number of measures per list, with the signing threshold.

    Bars are split between signatory lists and the others (a list above the
    threshold that did not sign every principle is not a signatory); a dashed
    line marks the edition's threshold (``edition.min_measures``, 10 in 2020).

    Parameters
    ----------
    lists : DataFrame
        Canonical ``lists`` table (``n_measures``, ``signatory``).
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    demo, source, date, title, ax
        See :func:`plot_measure_popularity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    demo = _demo(demo, lists)
    ed = read_edition(edition)
    empty = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    ls = list_summary(lists, empty, ed)
    n_max = len(ed.measures)
    counts = np.arange(0, n_max + 1)
    values = ls["n_measures"].clip(upper=n_max)
    sig = values[ls["signatory"]].value_counts().reindex(counts, fill_value=0)
    non = values[~ls["signatory"]].value_counts().reindex(counts, fill_value=0)

    fig, ax, own = _figure_and_axes(ax, 8.0, 4.8)
    # A series without any list gets no bars and no legend entry.
    if sig.sum():
        ax.bar(
            counts, sig.to_numpy(), width=0.85, color=_SIGNATORY_COLOR, label="Listes signataires"
        )
    if non.sum():
        ax.bar(
            counts,
            non.to_numpy(),
            width=0.85,
            bottom=sig.to_numpy(),
            color=_NON_SIGNATORY_COLOR,
            label="Autres listes",
        )
    totals = (sig + non).to_numpy()
    others = int(totals[1:].max()) if len(totals) > 1 else 0
    cut = others > 0 and totals[0] > 3 * others
    if cut:
        # Zero-inflated counts (trackers that record only « signed »): the bar of the
        # lists without any measure is cut, so that the distribution of the others
        # and the threshold stay readable; its value is written on it.
        top = _nice_max(others * 1.3)
        ax.set_ylim(0, top)
        share_zero = 100.0 * float(totals[0]) / float(totals.sum())
        for y in (0.9, 0.93):  # the break drawn across the cut bar
            ax.plot([-0.5, 0.5], [top * y, top * (y + 0.02)], color="white", linewidth=2.5)
        ax.text(
            0.55,
            top * 0.97,
            f"↑ {_count_phrase(int(totals[0]), 'liste')}\nsans mesure retenue\n"
            f"({_style.format_percent(share_zero)}) : barre coupée",
            ha="left",
            va="top",
            fontsize=7.5,
            color="#333333",
        )
    threshold = ed.min_measures
    ax.axvline(threshold - 0.5, color="#000000", linestyle="--", linewidth=1.2)
    ax.text(
        threshold - 0.4,
        0.97,
        f"Seuil : {threshold} mesures",
        transform=ax.get_xaxis_transform(),
        ha="left",
        va="top",
        fontsize=8.5,
        fontweight="bold",
    )
    ax.set_xlim(-0.7, n_max + 0.7)
    ax.set_xticks([c for c in counts if c % 2 == 0])
    ax.set_xlabel("Nombre de mesures retenues par la liste")
    ax.set_ylabel("Nombre de listes")
    ax.yaxis.set_major_formatter(_style.french_formatter())
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    n = len(ls)
    if n:
        # above the bars (outside the axes): tall bars on the right with every measure;
        # in a small multiple, where it covers the fewest bars
        if own:
            ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8)
        else:
            ax.legend(loc="best", fontsize=7)  # where it covers the fewest bars
    else:
        _no_data(ax)
    n_sig = int(ls["signatory"].sum())
    median_value = float(ls["n_measures"].median()) if n else math.nan
    median = _style.format_number(median_value, 0 if median_value.is_integer() else 1)
    subtitle = (
        f"{_count_phrase(n, 'liste')}, dont {_count_phrase(n_sig, 'signataire')} ; "
        f"médiane : {median} {'mesure' if median_value < 2 else 'mesures'} sur {n_max}"
    )
    if not own:
        return _axes_title(fig, ax, demo, title or "Nombre de mesures retenues par liste")
    return _finish(
        fig,
        title=title or "Nombre de mesures retenues par liste",
        subtitle=subtitle,
        source=source,
        demo=demo,
        date=date,
    )


def _pseudo_communes(lists: pd.DataFrame) -> pd.DataFrame:
    """Reference communes made of the lists' communes only (no population)."""
    frame = lists[["commune_code", "departement_code"]].drop_duplicates("commune_code")
    return pd.DataFrame(
        {
            "code": frame["commune_code"].astype("str"),
            "departement_code": frame["departement_code"].astype("str"),
            "region_code": pd.Series(pd.NA, index=frame.index, dtype="str"),
            "epci_code": pd.Series(pd.NA, index=frame.index, dtype="str"),
            "population": pd.Series(pd.NA, index=frame.index, dtype="Int64"),
        }
    )


@_styled
def plot_departement_ranking(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame | None = None,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    metric: str = "n_communes_signatory",
    level: str = "departement",
    territories: pd.DataFrame | None = None,
    top: int = 20,
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Ranking of the départements (or régions, EPCI) by a metric.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame, optional
        Reference communes. Without it, only the count metrics (``n_lists``,
        ``n_signatory_lists``, ``n_communes_*``, ``mean_measures``) can be
        ranked, and only by département.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    metric : str, default "n_communes_signatory"
        A territory metric of :func:`~pacte_analysis.analysis.available_metrics`.
    level : {'departement', 'region', 'epci'}, default 'departement'
    territories : DataFrame, optional
        ``code, name`` of the territories (labels « Name (code) »).
    top : int, default 20
        Number of territories shown (the highest values).
    demo, source, date, title, ax
        See :func:`plot_measure_popularity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    demo = _demo(demo, lists, commitments)
    info = metric_info(metric)
    _check_territories(territories, "plot_departement_ranking")
    top = _check_top(top, "plot_departement_ranking")
    if level not in info.levels or level == "commune":
        levels = [lv for lv in info.levels if lv != "commune"]
        raise InvalidArgumentError(
            f"L'indicateur « {metric} » n'existe pas au niveau « {level} » "
            f"(niveaux possibles : {', '.join(levels) or 'aucun pour ce classement'})."
        )
    if communes is None:
        if info.kind in {"share", "population"} or level != "departement":
            raise InvalidArgumentError(
                f"L'indicateur « {metric} » demande le référentiel des communes "
                "(population, région, EPCI)."
            )
        communes = _pseudo_communes(lists)
    summary = territory_summary(
        lists,
        commitments,
        communes,
        level=level,  # type: ignore[arg-type]
        territories=territories,
        edition=edition,
    )
    data = summary.loc[summary[metric].notna()].sort_values(
        [metric, "code"], ascending=[False, True]
    )
    data = data.head(top).iloc[::-1]
    labels = [
        str(code) if str(name) == str(code) else f"{name} ({code})"
        for code, name in zip(data["code"], data["name"], strict=True)
    ]
    if not data.empty and not (data[metric].astype(float) > 0).any():
        data = data.iloc[:0]  # nothing but zeros: nothing to rank
    fig, ax, own = _figure_and_axes(ax, 8.0, 1.7 + 0.26 * max(len(data), 3))
    if data.empty:
        _no_data(ax, _wrap(f"Aucun territoire où « {info.label.lower()} » dépasse 0", 40))
    else:
        values = [float(v) for v in data[metric].astype(float).tolist()]
        ax.barh(np.arange(len(data)), values, color=_LISTS_COLOR, height=0.7)
        ax.set_yticks(np.arange(len(data)), labels, fontsize=8)
        decimals = 1 if info.kind in {"share", "mean"} else 0
        vmax = float(np.nanmax(values)) if len(values) else 0.0
        for i, v in enumerate(values):
            text = (
                _style.format_percent(v, decimals)
                if info.unit == "%"
                else _style.format_number(v, decimals)
            )
            ax.text(v + vmax * 0.01, i, text, va="center", fontsize=7.5)
        ax.set_xlim(0, vmax * 1.12 if vmax > 0 else 1)
        ax.xaxis.set_major_formatter(_style.french_formatter(percent=info.unit == "%", decimals=0))
        if info.kind in {"count", "population"}:  # whole numbers: no « 0, 0, 1, 1 » ticks
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        unit = f" ({info.unit})" if info.kind in {"population", "mean"} else ""
        ax.set_xlabel(f"{info.label}{unit}")
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
    level_word = {"departement": "départements", "region": "régions", "epci": "EPCI"}[level]
    subtitle = f"Les {min(top, len(data))} premiers {level_word} – {info.label.lower()}"
    if not own:
        return _axes_title(fig, ax, demo, title or f"Classement des {level_word}")
    return _finish(
        fig,
        title=title or f"Classement des {level_word}",
        subtitle=subtitle,
        source=source,
        demo=demo,
        date=date,
    )


@_styled
def plot_theme_heatmap(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    territories: pd.DataFrame | None = None,
    top: int = 20,
    cmap: str = _style.SEQUENTIAL_CMAP,
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of the engagement rate per theme and département.

    A cell is the share of the theme's measures the département's lists committed
    to, on average (commitments ÷ (lists × measures of the theme), in %). Rows are
    the ``top`` départements with the most lists; measures without a theme are
    left out.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables (the département is the lists' ``departement_code``).
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    territories : DataFrame, optional
        ``code, name`` of the départements (row labels « Name (code) »); by
        default the official names of the reference.
    top : int, default 20
    cmap : str, default "YlGnBu"
        A colour-blind-safe ColorBrewer sequential colormap.
    demo, source, date, title, ax
        See :func:`plot_measure_popularity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    demo = _demo(demo, lists, commitments)
    _check_territories(territories, "plot_theme_heatmap")
    top = _check_top(top, "plot_theme_heatmap")
    ed = read_edition(edition)
    ls = list_summary(lists, commitments, ed)
    themes = list(ed.themes)
    n_per_theme = pd.Series([m.theme for m in ed.measures if m.theme]).value_counts()
    com = _committed(commitments, ed, ls).merge(ls[["list_id", "departement_code"]], on="list_id")
    n_lists = ls.groupby("departement_code").size().sort_values(ascending=False)
    n_lists = n_lists.sort_index().sort_values(ascending=False, kind="stable").head(top)
    deps = list(n_lists.index)
    counts = (
        com.loc[com["theme"].isin(themes)]
        .groupby(["departement_code", "theme"])
        .size()
        .unstack("theme")
        .reindex(index=deps, columns=themes)
        .fillna(0)
        .astype(float)
    )
    rate = (
        counts.div(n_lists.astype(float), axis=0).div(
            n_per_theme.reindex(themes).astype(float), axis=1
        )
        * 100.0
    )
    names: dict[str, str] = {}
    if territories is not None:
        names = dict(
            zip(territories["code"].astype(str), territories["name"].astype(str), strict=True)
        )
    else:  # the official names of the reference cache (codes alone when it cannot be read)
        known = _territory_names("departement")
        names = {} if known is None else {str(k): str(v) for k, v in known.items()}
    row_labels = [
        f"{names.get(str(d), str(d))} ({d}) – {_count_phrase(int(n_lists[d]), 'liste')}"
        if str(d) in names
        else f"{d} – {_count_phrase(int(n_lists[d]), 'liste')}"
        for d in deps
    ]
    col_labels = [_wrap_words(_style.capitalize(t), 14) for t in themes]
    fig, ax, own = _figure_and_axes(ax, 10.0, 2.6 + 0.32 * max(len(deps), 3))
    if rate.empty:
        _no_data(ax)
    else:
        finite = rate.to_numpy()[np.isfinite(rate.to_numpy())]
        vmin = float(finite.min()) if finite.size else 0.0
        vmax = float(finite.max()) if finite.size else 100.0
        if vmax <= vmin:
            vmin, vmax = max(0.0, vmin - 1.0), vmin + 1.0
        image = _cells(ax, rate.to_numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks(np.arange(len(themes)), col_labels, fontsize=7.5)
        ax.set_yticks(np.arange(len(deps)), row_labels, fontsize=7.5)
        ax.tick_params(length=0, labeltop=True, labelbottom=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        values = rate.to_numpy()
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                ax.text(
                    j,
                    i,
                    _style.format_number(v),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v >= vmin + 0.6 * (vmax - vmin) else "#222222",
                )
        bar = fig.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
        bar.set_label("Part des mesures du thème retenues, en moyenne par liste")
        _percent_axis(bar.ax.yaxis, vmax - vmin)
    subtitle = (
        f"Taux d'engagement moyen des listes par thème, {min(top, len(deps))} départements "
        "ayant le plus de listes connues"
    )
    if not own:
        _axes_title(fig, ax, demo, title or "Thèmes retenus par les listes, par département")
    else:
        _finish(
            fig,
            title=title or "Thèmes retenus par les listes, par département",
            subtitle=subtitle,
            source=source,
            demo=demo,
            date=date,
        )
    if not rate.empty:  # theme names side by side: measured apart (long row labels narrow them)
        _fit_tick_labels(fig, [tick.label2 for tick in ax.xaxis.get_major_ticks()])
    return fig


def _cells(ax: Axes, values: np.ndarray, *, cmap: Any, vmin: float, vmax: float) -> Any:
    """One coloured square per value (row ``i`` from the top, column ``j``), as ``imshow``
    places them, drawn as vector cells (:class:`~matplotlib.collections.QuadMesh`).

    Colours spread over ``vmin``–``vmax`` (the data's range, not 0–100 %); a missing
    value leaves its cell empty. Vector cells stay sharp at any zoom of the SVG and
    PDF, and draw 2–3 times faster than an image resampled to 300 dpi in every format
    (the PNG pixels are the same, colours within 1/255).
    """
    n_rows, n_cols = values.shape
    mesh = ax.pcolormesh(
        np.arange(n_cols + 1) - 0.5,
        np.arange(n_rows + 1) - 0.5,
        np.ma.masked_invalid(values),
        cmap=cmap,
        vmin=vmin,
        vmax=vmax,
        shading="flat",
        snap=True,
    )
    ax.set_xlim(-0.5, n_cols - 0.5)
    ax.set_ylim(n_rows - 0.5, -0.5)  # first row at the top
    return mesh


@_styled
def plot_elected_comparison(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Compare elected and non-elected lists.

    Left: distribution of the number of measures per list for each outcome (élue,
    non élue, résultat inconnu), with the signing threshold. Right: engagement rate
    per theme of the elected and of the non-elected lists.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    demo, source, date, title
        See :func:`plot_measure_popularity`.
    ax : matplotlib.axes.Axes, optional
        Draw into the place of this axes (small multiples): it is split into the
        two panels; the title becomes a title above them.

    Returns
    -------
    matplotlib.figure.Figure
    """
    demo = _demo(demo, lists, commitments)
    ed = read_edition(edition)
    ls = list_summary(lists, commitments, ed)
    by_status = compare_elected(lists, commitments, ed, by="status").set_index("status")
    by_theme = compare_elected(lists, commitments, ed, by="theme")
    by_theme = by_theme.loc[by_theme["theme"] != UNASSIGNED_THEME]
    status = np.where(
        ls["elected"].isna(),
        ELECTED_STATUSES[2],
        np.where(
            ls["elected"].fillna(False).astype(bool), ELECTED_STATUSES[0], ELECTED_STATUSES[1]
        ),
    )

    if ax is None:
        fig = _new_figure(10.0, 5.4)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1, 1.5])
    else:
        fig, ax1, ax2 = _split_axes(
            ax, (1.0, 1.5), title or "Listes élues et non élues : quels engagements ?"
        )
    n_by_status = {str(k): int(v) for k, v in by_status["n_lists"].items()}
    share_by_status = {str(k): float(v) for k, v in by_status["share_signatory"].items()}
    shown = [s for s in ELECTED_STATUSES if n_by_status[s] > 0]
    if shown:
        # Many lists commit to no measure at all (trackers that only say « signed »):
        # a box plot collapses on 0. Stacked shares of lists by number of measures
        # show the zeros and the threshold at once.
        bins = _measure_bins(ed.min_measures, len(ed.measures))
        y1 = np.arange(len(shown))
        left = np.zeros(len(shown))
        for (label, low, high), color in zip(bins, _BIN_COLORS, strict=False):
            shares = np.array(
                [
                    100.0 * float(ls.loc[status == s, "n_measures"].between(low, high).mean())
                    for s in shown
                ]
            )
            # a class no list falls in gets no legend entry
            ax1.barh(
                y1, shares, left=left, color=color, height=0.6,
                label=label if shares.sum() > 0 else "_nolegend_",
            )  # fmt: skip
            for yy, x, w in zip(y1, left, shares, strict=True):
                if w >= 7:
                    ax1.text(
                        x + w / 2, yy, _style.format_percent(w), ha="center", va="center",
                        fontsize=7, color="white" if color in _DARK_BINS else "#222222",
                    )  # fmt: skip
            left += shares
        labels = []
        for s in shown:
            labels.append(
                f"{s}\n{_count_phrase(n_by_status[s], 'liste')}, "
                f"{_style.format_percent(share_by_status[s])} signataires"
            )
        ax1.set_yticks(y1, labels, fontsize=8)
        ax1.invert_yaxis()
        ax1.set_xlim(0, 100)  # shares of each group: the whole bar is 100 %
        ax1.xaxis.set_major_formatter(_style.french_formatter(percent=True))
        ax1.set_xlabel("Part des listes, selon le nombre de mesures retenues")
        where = (  # below the panel, or on its right when the panels are stacked
            {"loc": "upper center", "bbox_to_anchor": (0.5, -0.16), "ncols": 2}
            if ax is None
            else {"loc": "center left", "bbox_to_anchor": (1.0, 0.5), "ncols": 1}
        )
        ax1.legend(
            **where, fontsize=7,
            title=f"Mesures retenues (seuil : {ed.min_measures})", title_fontsize=7,
        )  # fmt: skip
        ax1.tick_params(axis="y", length=0)
    else:
        _no_data(ax1)
    ax1.set_title("Nombre de mesures par liste", loc="left", fontsize=10)

    y = np.arange(len(by_theme))
    h = 0.38
    series = (  # a group without any list gets no bars and no legend entry
        ("share_elected", ELECTED_STATUSES[0], -h / 2, _ELECTED_COLOR, "Listes élues"),
        ("share_not_elected", ELECTED_STATUSES[1], h / 2, _LISTS_COLOR, "Listes non élues"),
    )
    for column, group, offset, color, label in series:
        if n_by_status[group]:
            ax2.barh(
                y + offset,
                by_theme[column].fillna(0).to_numpy(),
                height=h,
                color=color,
                label=label,
            )
    ax2.set_yticks(y, [_style.capitalize(str(t)) for t in by_theme["theme"]], fontsize=8)
    ax2.invert_yaxis()
    theme_values = pd.concat([by_theme["share_elected"], by_theme["share_not_elected"]])
    ax2.set_xlim(0, _nice_max(float(theme_values.max(skipna=True) or 0.0), cap=100))
    _percent_axis(ax2.xaxis)
    ax2.set_xlabel("Part des mesures du thème retenues (moyenne par liste)")
    ax2.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax2.set_axisbelow(True)
    ax2.tick_params(axis="y", length=0)
    if ax2.containers:  # below the panel (or on its right when stacked), never over bars
        ax2.legend(
            **(
                {"loc": "upper center", "bbox_to_anchor": (0.5, -0.16), "ncols": 2}
                if ax is None
                else {"loc": "center left", "bbox_to_anchor": (1.0, 0.5)}
            ),
            fontsize=8,
        )
    else:
        _no_data(ax2)
    ax2.set_title("Engagement par thème", loc="left", fontsize=10)
    heading = title or "Listes élues et non élues : quels engagements ?"
    if ax is not None:
        return _axes_title(fig, ax1, demo, "Nombre de mesures par liste")
    n_el, n_not, n_unk = (n_by_status[s] for s in ELECTED_STATUSES)
    subtitle = (
        f"{_count_phrase(n_el, 'liste élue', 'listes élues')}, "
        f"{_count_phrase(n_not, 'liste non élue', 'listes non élues')}"
    )
    if n_unk:
        subtitle += f", {_count_phrase(n_unk, 'liste', 'listes')} au résultat inconnu"
    return _finish(
        fig,
        title=heading,
        subtitle=subtitle,
        source=source,
        demo=demo,
        date=date,
    )


@_styled
def plot_mandate_reelection(
    lists: pd.DataFrame,
    *,
    outcome: pd.DataFrame | None = None,
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Did the mayors of 2020's elected signatory teams win again in 2026? By commune size.

    Bars per size class: share of communes whose 2020 mayor was re-elected in 2026,
    for the elected signatory teams, the elected teams that did not sign, and all
    communes. The mayor is measured, not the list (same person: name, first name and
    birth date in the two RNE snapshots).

    Parameters
    ----------
    lists : DataFrame
        A ``lists`` table of 2020.
    outcome : DataFrame, optional
        :func:`pacte_analysis.commune_mandate_outcome` (computed when omitted; needs
        ``pacte reference build --vintage 2026``).
    demo, source, date, title, ax
        See :func:`plot_measure_popularity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from pacte_analysis.mandate import mandate_summary

    demo = _demo(demo, lists, outcome)
    table = mandate_summary(lists, outcome, by="size_class")
    table = table[table["n_all_known"] > 0]
    fig, axes, own = _figure_and_axes(ax, 9.5, 5.4)
    groups = (
        ("signatory", "Équipes élues signataires", _style.OKABE_ITO[0]),
        ("non_signatory", "Équipes élues non signataires", _style.OKABE_ITO[1]),
        ("all", "Toutes les communes", "#9e9e9e"),
    )
    x = np.arange(len(table))
    width = 0.27
    top = 0.0
    value_labels: list[Text] = []
    for i, (key, label, color) in enumerate(groups):
        values = table[f"share_{key}_reelected"].astype(float).to_numpy()
        known = table[f"n_{key}_known"].to_numpy()
        if not known.sum():  # no team of the group: no empty bars, no legend entry
            continue
        bars = axes.bar(x + (i - 1) * width, np.nan_to_num(values), width, label=label, color=color)
        for bar, value, n in zip(bars, values, known, strict=True):
            if n and np.isfinite(value):
                value_labels.append(
                    axes.annotate(
                        _style.format_percent(float(value), 0),
                        (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 1.5),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=7,
                    )
                )
        top = max(top, float(np.nanmax(values)) if np.isfinite(values).any() else 0.0)
    # Each class says on how many signatory teams its first bar rests (small classes).
    axes.set_xticks(
        x,
        [
            f"{_wrap(str(c), 11) if own else _compact_class(str(c))}\n"
            f"n = {_style.format_number(int(n))}"
            for c, n in zip(table["size_class"], table["n_signatory_known"], strict=True)
        ],
        fontsize=7,
    )
    if not own:
        axes.set_xlabel("Habitants")
    end = _nice_max(top, cap=100)
    axes.set_yticks([t for t in MaxNLocator(nbins=6).tick_values(0, end) if 0 <= t <= end])
    axes.set_ylim(0, max(end, top * 1.18))  # room for the value labels above the bars
    _percent_axis(axes.yaxis)
    axes.set_ylabel("Maires de 2020 réélus en 2026")
    # Outside the bars, never over them: above, or on the right in a small multiple.
    place: dict[str, Any] = (
        {"loc": "lower left", "bbox_to_anchor": (0.0, 1.0), "ncols": 3}
        if own
        else {"loc": "center left", "bbox_to_anchor": (1.0, 0.5), "ncols": 1}
    )
    if axes.containers:
        axes.legend(**place, fontsize=8 if own else 7, frameon=False)
    else:
        _no_data(axes)
    axes.spines[["top", "right"]].set_visible(False)
    heading = title or "Maires des équipes signataires de 2020 : réélus en 2026 ?"
    if not own:
        _axes_title(fig, axes, demo, heading)
        _fit_tick_labels(fig, axes.get_xticklabels(), sizes=(6.5, 6.0, 5.5), slant="bottom")
        _separate_labels(fig, value_labels)
        return fig
    n_sig = int(table["n_signatory_known"].sum())
    _finish(
        fig,
        title=heading,
        subtitle=_wrap(
            f"Par taille de commune ; {_count_phrase(n_sig, 'équipe élue signataire', 'équipes élues signataires')} "
            "au résultat connu (n : par taille). Mesure : le maire (même personne aux RNE 2020 "
            "et 2026), pas la liste.",
            95,
        ),
        source=source,
        demo=demo,
        date=date,
    )
    _fit_tick_labels(fig, axes.get_xticklabels(), slant="bottom")
    _separate_labels(fig, value_labels)
    return fig


@_styled
def plot_followup_status(
    statuses: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    by: str = "theme",
    demo: bool | None = None,
    source: str | None = None,
    date: _dt.date | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Promised versus done: the status of the assessed commitments, per theme or measure.

    Parameters
    ----------
    statuses : DataFrame
        :attr:`pacte_analysis.FollowupResult.statuses`.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    by : {"theme", "measure"}, default "theme"
    demo, source, date, title, ax
        See :func:`plot_measure_popularity`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from pacte_analysis.followup import STATUSES, followup_summary

    demo = _demo(demo, statuses)
    table = followup_summary(statuses, edition, by=by)
    key = table.columns[0]
    table = table[table["n_assessed"] > 0].sort_values("share_done")
    height = max(3.5, 0.32 * len(table) + 1.8)
    fig, axes, own = _figure_and_axes(ax, 8.3, height)
    colors = ("#1a9850", "#91cf60", "#fee08b", "#d9d9d9", "#d73027")
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for status, color in zip(STATUSES, colors, strict=True):
        share = (100 * table[status.label] / table["n_assessed"]).to_numpy(dtype=float)
        axes.barh(y, share, left=left, color=color, label=status.label, height=0.7)
        left += share
    axes.set_yticks(y, [_wrap(str(v), 40) for v in table[key]], fontsize=8)
    axes.set_xlim(0, 100)
    axes.set_xlabel("Part des engagements évalués (%)")
    axes.legend(fontsize=8, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    heading = title or "Promis, fait : où en sont les engagements ?"
    if not own:
        return _axes_title(fig, axes, demo, heading)
    n = int(table["n_assessed"].sum())
    return _finish(
        fig,
        title=heading,
        subtitle=_wrap(
            f"{_count_phrase(n, 'engagement évalué', 'engagements évalués')} par les collectifs, "
            "état par état ; le score par commune suit la méthode écrite dans METHODE.txt.",
            95,
        ),
        source=source,
        demo=demo,
        date=date,
    )


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class ChartInputs:
    """What a chart of the registry may draw from."""

    lists: pd.DataFrame
    commitments: pd.DataFrame
    communes: pd.DataFrame | None
    edition: EditionLike
    demo: bool


@dataclass(frozen=True)
class Chart:
    """A chart kind: its name, French description, what it needs and how it is drawn.

    Attributes
    ----------
    name : str
        The ``KIND`` of ``pacte chart KIND``.
    description : str
        French description (``pacte chart --list``).
    draw : callable
        ``draw(inputs, options)`` returns the figure (:class:`ChartInputs`,
        keyword options of the chart function).
    needs : tuple of str
        ``communes``: the reference communes (read from the cache by
        :func:`draw_chart` when not given); ``reference-2026``: the 2026 reference
        (mayors elected in 2026), read by the chart itself.
    function : callable, optional
        The chart function ``draw`` calls; its keyword-only parameters are the
        options :func:`draw_chart` accepts (:attr:`options`).
    """

    name: str
    description: str
    draw: Callable[[ChartInputs, dict[str, Any]], Figure] = field(compare=False, repr=False)
    needs: tuple[str, ...] = ()
    function: Callable[..., Figure] | None = field(default=None, compare=False, repr=False)

    @property
    def options(self) -> tuple[str, ...]:
        """Keyword options :func:`draw_chart` passes on to the chart function, sorted.

        The keyword-only parameters of :attr:`function`, but ``demo`` (an argument of
        :func:`draw_chart` itself).
        """
        if self.function is None:
            return ()
        params = inspect.signature(self.function).parameters.values()
        return tuple(
            sorted(p.name for p in params if p.kind is p.KEYWORD_ONLY and p.name != "demo")
        )


_CHARTS: tuple[Chart, ...] = (
    Chart(
        "measure-popularity",
        "Popularité des mesures par thème : part des listes et des équipes élues engagées",
        lambda d, o: plot_measure_popularity(d.lists, d.commitments, d.edition, demo=d.demo, **o),
        function=plot_measure_popularity,
    ),
    Chart(
        "measures-per-list",
        "Répartition du nombre de mesures par liste, avec le seuil de signature",
        lambda d, o: plot_measures_per_list(d.lists, d.edition, demo=d.demo, **o),
        function=plot_measures_per_list,
    ),
    Chart(
        "departement-ranking",
        "Classement des départements selon un indicateur",
        lambda d, o: plot_departement_ranking(
            d.lists, d.commitments, d.communes, d.edition, demo=d.demo, **o
        ),
        needs=("communes",),
        function=plot_departement_ranking,
    ),
    Chart(
        "theme-heatmap",
        "Taux d'engagement par thème et par département (carte de chaleur)",
        lambda d, o: plot_theme_heatmap(d.lists, d.commitments, d.edition, demo=d.demo, **o),
        function=plot_theme_heatmap,
    ),
    Chart(
        "elected-vs-not",
        "Comparaison des listes élues et non élues",
        lambda d, o: plot_elected_comparison(d.lists, d.commitments, d.edition, demo=d.demo, **o),
        function=plot_elected_comparison,
    ),
    Chart(
        "mandate-reelection",
        "Maires de 2020 réélus en 2026 : équipes signataires, non signataires, toutes les "
        "communes, par taille (référentiel 2026 nécessaire)",
        lambda d, o: plot_mandate_reelection(d.lists, demo=d.demo, **o),
        needs=("reference-2026",),
        function=plot_mandate_reelection,
    ),
)


def available_charts() -> dict[str, str]:
    """Names of the chart kinds (for ``pacte chart KIND``) with a French description.

    Examples
    --------
    >>> list(available_charts())[:2]
    ['measure-popularity', 'measures-per-list']
    """
    return {chart.name: chart.description for chart in _CHARTS}


def chart_info(kind: str) -> Chart:
    """The :class:`Chart` called ``kind``: description and what it needs.

    Raises
    ------
    pacte_analysis.errors.UnknownCodeError
        Unknown ``kind`` (French message listing the known ones; a ``ValueError``).

    Examples
    --------
    >>> chart_info("departement-ranking").needs
    ('communes',)
    """
    for chart in _CHARTS:
        if chart.name == kind:
            return chart
    raise UnknownCodeError(
        f"Graphique inconnu « {kind} ». Graphiques disponibles : {', '.join(available_charts())}.",
        code="UNKNOWN_CHART",
    )


def draw_chart(
    kind: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame | None = None,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    demo: bool | None = None,
    **options: Any,
) -> Figure:
    """Draw the chart called ``kind`` (see :func:`available_charts`).

    What a chart needs is declared in the registry (:func:`chart_info`): the
    reference communes of a chart that needs them are read from the cache when
    ``communes`` is not given; territory names come from the reference.

    Parameters
    ----------
    kind : str
        A name of :func:`available_charts` (``measure-popularity``,
        ``measures-per-list``, ``departement-ranking``, ``theme-heatmap``,
        ``elected-vs-not``, ``mandate-reelection``).
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame, optional
        Reference communes (used by ``departement-ranking``).
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    demo : bool, optional
        Fictitious data: the « Données fictives – démonstration » mark and a source
        line saying so. By default, whether ``lists`` or ``commitments`` were read
        from a demo folder (:func:`pacte_analysis.tables.is_demo`).
    **options
        Passed to the chart function (``source``, ``date``, ``title``, ``ax`` for
        small multiples, and e.g.
        ``metric``/``territories``/``top`` for the ranking, ``territories``/
        ``top`` for the heatmap).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    pacte_analysis.errors.UnknownCodeError
        Unknown ``kind`` (French message listing the known ones; a ``ValueError``).
    pacte_analysis.errors.InvalidArgumentError
        An option the chart does not take (French message listing its options,
        :attr:`Chart.options`).
    pacte_analysis.errors.PacteTypeError
        ``kind`` is not a text (arguments in the wrong order) or a table is not the
        one expected.
    """
    if not isinstance(kind, str):
        raise PacteTypeError(
            f"draw_chart : le premier argument est le nom du graphique (un texte), pas "
            f'{type(kind).__name__} : écrivez draw_chart("measure-popularity", lists, '
            f"commitments). Graphiques disponibles : {', '.join(available_charts())}."
        )
    chart = chart_info(kind)
    _check_table(lists, "lists", "draw_chart")
    _check_table(commitments, "commitments", "draw_chart")
    unknown = sorted(set(options) - set(chart.options))
    if unknown:
        raise InvalidArgumentError(
            f"draw_chart : option(s) inconnue(s) pour le graphique « {kind} » : "
            f"{', '.join(unknown)}. Options possibles : {', '.join(chart.options)}.",
            code="UNKNOWN_OPTION",
        )
    if "communes" in chart.needs and communes is None:
        from pacte_analysis import reference

        communes = reference.communes(resolution="web").drop(columns="geometry")
    inputs = ChartInputs(lists, commitments, communes, edition, _demo(demo, lists, commitments))
    return chart.draw(inputs, options)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 300) -> Path:
    """Write ``fig`` as PNG (``dpi``, default 300), SVG or PDF according to the suffix.

    Text stays text in SVG and PDF (editable, selectable); files carry no creation
    date, so the same figure gives the same bytes. Missing folders are created.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        Ends with ``.png``, ``.svg`` or ``.pdf``.
    dpi : int, default 300
        Resolution of PNG files.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    pacte_analysis.errors.InvalidArgumentError
        Unsupported suffix (French message; a ``ValueError``).
    pacte_analysis.errors.PacteTypeError
        ``fig`` is not a figure.
    pacte_analysis._files.OutputError
        The file cannot be written (French message); an existing file is kept.
    """
    from pacte_analysis._files import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if not isinstance(fig, Figure):
        raise PacteTypeError(
            f"save_figure : donnez une figure (le résultat de draw_chart ou d'un plot_…), "
            f"pas {type(fig).__name__}."
        )
    if suffix not in _FORMATS:
        raise InvalidArgumentError(
            f"Format de fichier non pris en charge « {path.suffix or path.name} » : "
            "utilisez .png, .svg ou .pdf."
        )
    metadata: dict[str, Any] = {
        ".png": {"Software": None},
        ".svg": {"Date": None},
        ".pdf": {"CreationDate": None, "ModDate": None},
    }[suffix]
    # Written to a temporary file then renamed: a failure never leaves a truncated file.
    with atomic_write(path) as fh:
        write_figure(fig, fh, suffix, dpi=dpi, metadata=metadata)
    return path


#: zlib level of the PNG files. Their figures are opaque (white background), so they
#: are written as RGB without the alpha channel matplotlib keeps: on the demo's 12 PNG
#: files, level 3 takes 1.2 s of CPU against 2.9 s for matplotlib's RGBA at level 6,
#: and the files are 2 % smaller (7.06 MB against 7.23 MB); the pixels are the same.
PNG_COMPRESS_LEVEL = 3
#: OpenType layout tables left out of the TrueType subsets embedded in PDF files: a PDF
#: places each glyph itself and never reads them, but subsetting them (with the closure
#: of DejaVu Sans's ligatures) took ~0.15 s per font and PDF, four fonts per PDF.
_PDF_DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "MATH", "BASE", "JSTF")


def write_figure(fig: Figure, fh: Any, suffix: str, *, dpi: int, metadata: dict[str, Any]) -> None:
    """Write ``fig`` into the binary file ``fh`` as ``suffix`` (``.png``, ``.svg``, ``.pdf``).

    In the package's style, on a white background. PNG: matplotlib's pixels, written
    as RGB when the figure is opaque (:data:`PNG_COMPRESS_LEVEL`). PDF: text stays
    embedded TrueType (``pdf.fonttype`` 42, selectable and editable), in subsets
    without the layout tables no PDF reader uses (:data:`_PDF_DROPPED_TABLES`).
    """
    with _style.figure_style():
        if suffix == ".png" and _write_png(fig, fh, dpi=dpi, metadata=metadata):
            return
        with _lean_pdf_fonts() if suffix == ".pdf" else contextlib.nullcontext():
            fig.savefig(fh, format=suffix[1:], dpi=dpi, facecolor="white", metadata=metadata)


def _write_png(fig: Figure, fh: Any, *, dpi: int, metadata: dict[str, Any]) -> bool:
    """Write ``fig`` as PNG into ``fh`` (RGB if opaque); ``False`` if it could not be.

    The pixels are matplotlib's own (``savefig`` to raw RGBA, the same drawing as its
    PNG); the PNG text chunks are those matplotlib writes for ``metadata``.
    """
    import io

    from PIL import Image, PngImagePlugin

    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi, facecolor="white")
    buffer = raw.getbuffer()
    sizes = [
        (width, height)
        for width in {math.floor(fig.get_figwidth() * dpi), round(fig.get_figwidth() * dpi)}
        for height in {math.floor(fig.get_figheight() * dpi), round(fig.get_figheight() * dpi)}
        if width * height * 4 == buffer.nbytes
    ]
    if len(sizes) != 1:
        return False  # not the size expected: matplotlib writes its own PNG
    width, height = sizes[0]
    pixels = np.frombuffer(buffer, dtype=np.uint8).reshape(height, width, 4)
    if pixels[..., 3].min() == 255:
        image = Image.fromarray(np.ascontiguousarray(pixels[..., :3]), "RGB")
    else:
        image = Image.fromarray(pixels.copy(), "RGBA")
    info = PngImagePlugin.PngInfo()
    for key, value in metadata.items():
        if value is not None:
            info.add_text(key, value)
    image.save(fh, format="png", pnginfo=info, dpi=(dpi, dpi), compress_level=PNG_COMPRESS_LEVEL)
    return True


@contextlib.contextmanager
def _lean_pdf_fonts() -> Iterator[None]:
    """While a PDF is written: embedded font subsets without their layout tables.

    matplotlib subsets each embedded TrueType font with fontTools
    (``matplotlib.backends._backend_pdf_ps.get_glyphs_subset``); its options gain
    :data:`_PDF_DROPPED_TABLES`. Where matplotlib does not subset that way (another
    version), nothing is changed.
    """
    import types

    try:
        from fontTools import subset as fonttools_subset
        from matplotlib.backends import _backend_pdf_ps
    except ImportError:  # pragma: no cover - matplotlib always has both
        yield
        return
    pdf_ps: Any = _backend_pdf_ps
    if pdf_ps.__dict__.get("subset") is not fonttools_subset or not hasattr(
        pdf_ps, "get_glyphs_subset"
    ):
        yield
        return
    subset: Any = fonttools_subset

    class LeanOptions(subset.Options):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            options = self.__dict__
            options["drop_tables"] = [*options["drop_tables"], *_PDF_DROPPED_TABLES]

    lean: Any = types.ModuleType(subset.__name__)
    lean.__dict__.update(vars(subset))
    lean.Options = LeanOptions
    # fontTools reports each subsetting step at INFO: ~40 lines per font under `pacte -v`
    noisy = logging.getLogger("fontTools")
    level = noisy.level
    noisy.setLevel(max(level, logging.WARNING))
    pdf_ps.subset = lean
    try:
        yield
    finally:
        pdf_ps.subset = subset
        noisy.setLevel(level)
