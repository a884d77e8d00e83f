"""Shared French labelling for charts and maps (private module).

Everything a published figure carries besides its data: the source and credit
line, the date, the « Données fictives – démonstration » mark, colour-blind-safe
palettes and French number formatting. Charts (:mod:`pacte_analysis.charts`) and
maps use the same helpers, so that every output reads the same way.

Palettes
--------
* Qualitative: Okabe & Ito (2008), safe for the common colour-vision deficiencies.
* Sequential: ColorBrewer ``YlGnBu`` (default), ``Blues``, ``Greens``, ``PuBu`` —
  all single- or multi-hue schemes that ColorBrewer marks colour-blind safe.
* Diverging: ColorBrewer ``PuOr`` (colour-blind safe).
* Missing data: a neutral light grey (:data:`NO_DATA_COLOR`) that legends explain.
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

__all__ = [
    "CONTOURS_CREDIT",
    "DEFAULT_SOURCE",
    "DEMO_MARK",
    "DEMO_SOURCE",
    "DIVERGING_CMAP",
    "NO_DATA_COLOR",
    "NO_DATA_LABEL",
    "OKABE_ITO",
    "SEQUENTIAL_CMAP",
    "SEQUENTIAL_CMAPS",
    "PacteFigure",
    "add_demo_mark",
    "add_source",
    "capitalize",
    "credit_line",
    "demo_source",
    "figure_style",
    "finish_figure",
    "format_date",
    "format_number",
    "format_percent",
    "french_formatter",
    "qualitative_colors",
    "theme_colors",
]

#: The mark every figure drawn from the demo data carries (exact wording).
DEMO_MARK = "Données fictives – démonstration"

#: Data source of the commitments, used when the caller gives none.
DEFAULT_SOURCE = (
    "Source : relevés des collectifs locaux du Pacte pour la Transition "
    "(municipales 2020) – traitement pacte_analysis"
)

#: Data source written on figures drawn from the fictitious demo data.
DEMO_SOURCE = "Source : données fictives de démonstration (suivis inventés par pacte_analysis)"


def demo_source(source: str | None) -> str:
    """The source line of a figure of fictitious data: it says so.

    Examples
    --------
    >>> demo_source(None)
    'Source : données fictives de démonstration (suivis inventés par pacte_analysis)'
    >>> demo_source("Source : collectif X")
    'Source : collectif X – données fictives de démonstration'
    """
    if not source:
        return DEMO_SOURCE
    if "fictiv" in source.lower():
        return source
    return f"{source.rstrip('. ')} – données fictives de démonstration"


#: Credit line of the boundaries and of the reference geography (maps).
CONTOURS_CREDIT = "Contours : IGN Admin Express COG 2020 – INSEE COG 2020, Licence Ouverte 2.0"

#: Okabe–Ito qualitative palette (orange, sky blue, bluish green, yellow, blue,
#: vermillion, reddish purple, black).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)

#: Default ColorBrewer sequential colormap (colour-blind safe).
SEQUENTIAL_CMAP = "YlGnBu"
#: Colour-blind-safe ColorBrewer sequential colormaps offered to users.
SEQUENTIAL_CMAPS: tuple[str, ...] = ("YlGnBu", "Blues", "Greens", "PuBu", "Purples", "Oranges")
#: Default ColorBrewer diverging colormap (colour-blind safe).
DIVERGING_CMAP = "PuOr"
#: Fill of units without data (communes with no known list…).
NO_DATA_COLOR = "#d9d9d9"
#: Legend entry of :data:`NO_DATA_COLOR`.
NO_DATA_LABEL = "Aucune donnée"

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_THIN_NBSP = "\u202f"  # French thousands separator (espace fine insécable)

_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "figure.dpi": 100,
    "svg.fonttype": "none",  # text stays text in SVG (editable by press teams)
    "svg.hashsalt": "pacte_analysis",  # stable ids: same figure, same bytes
    "pdf.fonttype": 42,  # embed TrueType: text stays selectable and editable
    "ps.fonttype": 42,
}


class PacteFigure(Figure):
    """A matplotlib figure that displays itself in Jupyter, without pyplot.

    The package builds its figures without :mod:`matplotlib.pyplot` (no global
    state, nothing shown behind the caller's back). A plain
    :class:`~matplotlib.figure.Figure` made that way shows as
    ``<Figure size … with 1 Axes>`` in a notebook; this subclass gives IPython a
    PNG rendering (:meth:`_repr_png_`), so a figure returned by a cell is drawn
    inline in JupyterLab and in executed notebooks.

    Examples
    --------
    >>> fig = PacteFigure(figsize=(2, 1))
    >>> fig._repr_png_()[:4]
    b'\\x89PNG'
    """

    def _repr_png_(self) -> bytes:
        """Return the figure as PNG bytes (96 dpi, white background) for IPython."""
        buffer = io.BytesIO()
        with figure_style():
            self.savefig(buffer, format="png", dpi=96, facecolor="white")
        return buffer.getvalue()


@contextmanager
def figure_style() -> Iterator[None]:
    """Apply the package's matplotlib style inside a ``with`` block.

    The global ``rcParams`` of the caller are left untouched.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with figure_style():
    ...     fig = plt.figure()
    >>> plt.close(fig)
    """
    with mpl.rc_context(_RC):
        yield


def today() -> _dt.date:
    """Date printed on figures: ``SOURCE_DATE_EPOCH`` if set (reproducible runs), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).date()
    return _dt.date.today()


def format_date(date: _dt.date | None = None) -> str:
    """Format a date the French way (« 3 mars 2024 »), independent of the locale.

    Parameters
    ----------
    date : datetime.date, optional
        Defaults to today.

    Examples
    --------
    >>> import datetime
    >>> format_date(datetime.date(2020, 3, 1))
    '1er mars 2020'
    >>> format_date(datetime.date(2020, 6, 28))
    '28 juin 2020'
    """
    date = date or today()
    day = "1er" if date.day == 1 else str(date.day)
    return f"{day} {_MONTHS[date.month - 1]} {date.year}"


def format_number(value: float | None, decimals: int = 0) -> str:
    """Format a number with French separators (thin space for thousands, comma).

    Missing values (``None``, NaN, ``pd.NA``) give « – ».

    Examples
    --------
    >>> format_number(34968)
    '34\u202f968'
    >>> format_number(2.75, decimals=1)
    '2,8'
    >>> format_number(None)
    '–'
    """
    try:
        if value is None or math.isnan(float(value)):
            return "–"
    except (TypeError, ValueError):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", _THIN_NBSP).replace(".", ",")


def format_percent(value: float | None, decimals: int = 0) -> str:
    """Format a percentage already expressed in 0–100 (« 12,5 % »).

    Examples
    --------
    >>> format_percent(12.5, decimals=1)
    '12,5\u00a0%'
    """
    text = format_number(value, decimals)
    return text if text == "–" else f"{text}\u00a0%"


def french_formatter(decimals: int = 0, *, percent: bool = False) -> FuncFormatter:
    """Return a tick formatter writing numbers the French way.

    Parameters
    ----------
    decimals : int, default 0
    percent : bool, default False
        Append « % » (values are taken as already in 0–100).
    """

    def _fmt(value: float, _pos: int | None = None) -> str:
        return format_percent(value, decimals) if percent else format_number(value, decimals)

    return FuncFormatter(_fmt)


def capitalize(text: str) -> str:
    """Upper-case the first letter only (« transition énergétique » → « Transition énergétique »).

    Examples
    --------
    >>> capitalize("mobilités")
    'Mobilités'
    """
    return text[:1].upper() + text[1:]


def qualitative_colors(n: int) -> list[str]:
    """Return ``n`` Okabe–Ito colours (cycled if ``n`` exceeds 8).

    Examples
    --------
    >>> qualitative_colors(2)
    ['#E69F00', '#56B4E9']
    """
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def theme_colors(themes: Sequence[str]) -> dict[str, str]:
    """Map each theme to a stable Okabe–Ito colour, in the order given.

    Black (the 8th colour) is used last, so up to 7 themes get a mid-tone colour.

    Examples
    --------
    >>> theme_colors(["mobilités", "cohésion sociale"])
    {'mobilités': '#E69F00', 'cohésion sociale': '#56B4E9'}
    """
    return dict(zip(themes, qualitative_colors(len(themes)), strict=True))


def credit_line(
    source: str | None = None,
    *,
    contours: bool = False,
    date: _dt.date | None = None,
    extra: str | None = None,
) -> str:
    """Build the French source/credit line printed at the foot of a figure.

    Parameters
    ----------
    source : str, optional
        Data source of the commitments. Defaults to :data:`DEFAULT_SOURCE`. A
        text not starting with « Source » is prefixed with « Source : ».
    contours : bool, default False
        Add the boundaries credit (:data:`CONTOURS_CREDIT`), for maps.
    date : datetime.date, optional
        Date of production, defaults to today.
    extra : str, optional
        A further note (e.g. the population vintage).

    Examples
    --------
    >>> import datetime
    >>> credit_line("Collectif X", date=datetime.date(2020, 7, 14))
    'Source : Collectif X. Réalisation : 14 juillet 2020.'
    >>> "Licence Ouverte" in credit_line(contours=True)
    True
    """
    text = source or DEFAULT_SOURCE
    if not text.lower().startswith("source"):
        text = f"Source : {text}"
    parts = [text.rstrip(".")]
    if contours:
        parts.append(CONTOURS_CREDIT)
    if extra:
        parts.append(extra.rstrip("."))
    parts.append(f"Réalisation : {format_date(date)}")
    return ". ".join(parts) + "."


class WrappedText(Text):
    """A wrapped text (``wrap=True``) whose lines are found with a few measures.

    matplotlib breaks a line after the last word that fits, measuring the line again
    for each word added (about 40 measures of the long source line of a figure, in
    each saved format: 1.9 s of the demo). The width of the first ``i`` words only
    grows with ``i``, so a binary search finds the same break with ~6 measures: the
    same lines, the same files.
    """

    def _get_wrapped_text(self) -> str:
        # matplotlib's own (private) measures; another matplotlib without them wraps itself
        line_width_of = getattr(self, "_get_wrap_line_width", None)
        measure = getattr(self, "_get_rendered_text_width", None)
        if not self.get_wrap() or self.get_usetex() or line_width_of is None or measure is None:
            return str(super()._get_wrapped_text())  # type: ignore[misc]
        line_width = line_width_of()
        lines: list[str] = []
        for paragraph in self.get_text().split("\n"):
            words = paragraph.split(" ")
            while words:
                # the most words that fit (at least one: a word longer than the line)
                low, high = 1, len(words)
                while low < high:
                    middle = (low + high + 1) // 2
                    width = measure(" ".join(words[:middle]))
                    if width > line_width:
                        high = middle - 1
                    else:
                        low = middle
                lines.append(" ".join(words[:low]))
                words = words[low:]
        return "\n".join(lines)


def add_source(fig: Figure, text: str, *, fontsize: float = 6.5) -> None:
    """Write ``text`` at the bottom left of ``fig`` (wrapped, grey, small).

    The figure's bottom margin should leave room for it (see :func:`finish_figure`).
    """
    source = fig.text(
        0.01,
        0.005,
        text,
        ha="left",
        va="bottom",
        fontsize=fontsize,
        color="#4d4d4d",
        wrap=True,
        gid="pacte-source",
    )
    source.__class__ = WrappedText  # the same text, its lines found faster


def add_demo_mark(fig: Figure) -> None:
    """Put the « Données fictives – démonstration » mark on ``fig``.

    Two texts: a framed banner at the top right, which survives any crop of the
    margins, and a large light diagonal watermark across the figure.
    """
    fig.text(
        0.99,
        0.995,
        DEMO_MARK,
        ha="right",
        va="top",
        fontsize=8,
        fontweight="bold",
        color="#b2182b",
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": "#b2182b"},
        zorder=10,
        gid="pacte-demo-banner",
    )
    fig.text(
        0.5,
        0.5,
        DEMO_MARK,
        ha="center",
        va="center",
        rotation=30,
        fontsize=28,
        fontweight="bold",
        color="#b2182b",
        alpha=0.12,
        zorder=10,
        gid="pacte-demo-watermark",
    )


def finish_figure(
    fig: Figure,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    demo: bool = False,
    date: _dt.date | None = None,
    contours: bool = False,
    extra: str | None = None,
) -> Figure:
    """Add the title, subtitle, source/credit line and demo mark to ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    title, subtitle : str, optional
        French title (bold) and subtitle written above the axes.
    source : str, optional
        Data source of the commitments (see :func:`credit_line`).
    demo : bool, default False
        Add the visible « Données fictives – démonstration » mark.
    date : datetime.date, optional
        Date in the credit line; defaults to today.
    contours : bool, default False
        Add the IGN/INSEE boundaries credit (maps).
    extra : str, optional
        A further note appended to the credit line.

    Returns
    -------
    Figure
        The same figure, for chaining.
    """
    height = fig.get_figheight()  # inches
    pad = 0.08 / height
    y = 1.0 - pad
    if title:
        fig.text(
            0.01, y, title, ha="left", va="top", fontsize=12, fontweight="bold", gid="pacte-title"
        )
        y -= 0.22 * (title.count("\n") + 1) / height + 0.06 / height
    if subtitle:
        fig.text(
            0.01,
            y,
            subtitle,
            ha="left",
            va="top",
            fontsize=9,
            color="#333333",
            gid="pacte-subtitle",
        )
        y -= 0.22 * (subtitle.count("\n") + 1) / height
    if demo:
        source = demo_source(source)
    text = credit_line(source, contours=contours, date=date, extra=extra)
    add_source(fig, text)
    if demo:
        add_demo_mark(fig)
    # Leave room for the title block (top) and the source line (bottom).
    bottom = 0.28 / height
    top = y - pad
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0.0, bottom, 1.0, top - bottom))
    else:
        fig.subplots_adjust(top=top - 0.02, bottom=max(fig.subplotpars.bottom, bottom + 0.06))
    return fig
