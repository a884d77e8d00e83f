"""Class breaks of the maps for the usual schemes, in numpy, as mapclassify gives them.

``import mapclassify`` loads scipy.stats and scikit-learn (~1.5 s of CPU in every
process that draws a map, twice in ``pacte demo``). For the three schemes the maps
use by default the breaks are a few array operations, written here from their
definitions:

- ``quantiles``: the ``i·100/k`` percentiles, each the weighted mean of the two
  nearest sorted values (the « fraction » interpolation of
  :func:`scipy.stats.scoreatpercentile`), ties merged;
- ``equal_interval``: ``k`` classes of width ``(max − min) / k``, the last bound
  the maximum;
- user breaks: the user's bounds, and the maximum when it lies above them.

They give the same bounds and classes as ``mapclassify.Quantiles``,
``EqualInterval`` and ``UserDefined`` (tested against mapclassify, to the bit).
Any other scheme is mapclassify's, imported when it is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["bin_ids", "classify", "equal_interval_bins", "quantile_bins", "user_bins"]


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes (``mapclassify.Quantiles(values, k).bins``).

    Tied values give fewer, distinct bounds.

    Examples
    --------
    >>> quantile_bins(np.arange(101), 4).tolist()
    [25.0, 50.0, 75.0, 100.0]
    >>> quantile_bins(np.arange(1000), 4).tolist()
    [249.75, 499.5, 749.25, 999.0]
    """
    ordered = np.sort(np.ravel(values))
    step = 100.0 / k
    percents = np.arange(step, 100.0 + step, step)
    percents[-1] = min(percents[-1], 100.0)
    if percents.min() < 0 or percents.max() > 100:  # pragma: no cover - k ≥ 1
        raise ValueError("percentile must be in the range [0, 100]")
    rank = percents / 100.0 * (len(ordered) - 1)  # fractional position in the sorted values
    below = rank.astype(np.intp)
    above = np.minimum(below + 1, len(ordered) - 1)
    weight_below, weight_above = (below + 1) - rank, rank - below
    mean = (ordered[below] * weight_below + ordered[above] * weight_above) / (
        weight_below + weight_above
    )
    return np.unique(np.where(rank == below, ordered[below], mean))


def equal_interval_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` classes of equal width (``mapclassify.EqualInterval(values, k).bins``).

    Examples
    --------
    >>> equal_interval_bins(np.array([0.0, 1.0, 10.0]), 2).tolist()
    [5.0, 10.0]
    """
    y = np.ravel(values)
    low, high = y.min(), y.max()
    if low == high:
        raise ValueError("Not enough unique values in array to form classes.")
    width = (high - low) * 1.0 / k
    # min + width, min + 2·width… (the stop past the maximum: rounding may add one)
    bounds = np.arange(low + width, high + width, width)[:k]
    bounds[-1] = high
    return bounds


def user_bins(values: np.ndarray, bins: Sequence[float]) -> np.ndarray:
    """The user's upper bounds, and the largest value when it lies above them
    (``mapclassify.UserDefined(values, bins).bins``)."""
    top = np.ravel(values).max()
    return np.array([*bins, top] if bins[-1] < top else list(bins))


def bin_ids(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Class of each value: ``i`` where ``bins[i-1] < value <= bins[i]`` (``mapclassify``'s
    ``yb``; a value above the last bound, or missing, is put in class 0 as there).

    Examples
    --------
    >>> bin_ids(np.array([0.0, 25.0, 26.0, 100.0]), np.array([25.0, 74.0, 100.0])).tolist()
    [0, 0, 1, 2]
    """
    ids = np.searchsorted(np.asarray(bins), np.ravel(values), side="left")
    ids[ids == len(bins)] = 0  # above every bound, or NaN
    return ids.astype(int)


def classify(values: np.ndarray, scheme: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Bins and class of each value for ``scheme``, as ``mapclassify.classify(values, scheme, k=k)``.

    ``quantiles`` and ``equal_interval`` are computed here; any other scheme name that
    mapclassify knows (``natural_breaks``, ``fisher_jenks_sampled``…) by mapclassify.

    Returns
    -------
    bins, ids : numpy.ndarray
    """
    y = np.ravel(values)
    name = scheme.lower().replace("_", "")
    if name == "quantiles":
        bins = quantile_bins(y, k)
    elif name == "equalinterval":
        bins = equal_interval_bins(y, k)
    else:
        import mapclassify  # scipy and scikit-learn, for the schemes asked for by name

        found = mapclassify.classify(y, scheme, k=k)
        return np.asarray(found.bins, dtype=float), np.asarray(found.yb, dtype=np.int64)
    return bins, bin_ids(y, bins)
