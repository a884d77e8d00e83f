"""Class breaks of the maps: mapclassify's quantiles, equal intervals and user bins, in numpy.

``import mapclassify`` loads scipy.stats and scikit-learn (~1.5 s of CPU in every
process that draws a map, twice in ``pacte demo``) for what is, for these three
schemes, a few lines of numpy. The functions below give the same bins and the same
class of each value as ``mapclassify.Quantiles``, ``EqualInterval`` and ``UserDefined``
(same operations in the same order: the same floating-point results, tested against
mapclassify); any other scheme is still mapclassify's, imported when it is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["bin_ids", "classify", "equal_interval_bins", "quantile_bins", "user_bins"]


def _score_at_percentile(sorted_values: np.ndarray, per: float) -> float:
    """``scipy.stats.scoreatpercentile`` (``interpolation_method="fraction"``) on sorted values."""
    if not 0 <= per <= 100:
        raise ValueError("percentile must be in the range [0, 100]")
    idx = per / 100.0 * (sorted_values.shape[0] - 1)
    i = int(idx)
    if i == idx:
        return float(np.add.reduce(sorted_values[i : i + 1] * np.array(1), axis=0) / 1.0)
    j = i + 1
    weights = np.array([(j - idx), (idx - i)], float)
    return float(np.add.reduce(sorted_values[i : i + 2] * weights, axis=0) / weights.sum())


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes (``mapclassify.Quantiles(values, k).bins``).

    Tied values give fewer, distinct bounds.

    Examples
    --------
    >>> quantile_bins(np.arange(1000), 4).tolist()
    [249.75, 499.5, 749.25, 999.0]
    >>> quantile_bins(np.arange(1000), 3).tolist()
    [333.0, 666.0, 999.0]
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    sorted_values = np.sort(np.asarray(values).flatten())
    return np.unique(np.array([_score_at_percentile(sorted_values, pct) for pct in p]))


def equal_interval_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` classes of equal width (``mapclassify.EqualInterval(values, k).bins``).

    Examples
    --------
    >>> equal_interval_bins(np.array([0.0, 1.0, 10.0]), 2).tolist()
    [5.0, 10.0]
    """
    y = np.asarray(values).flatten()
    max_y, min_y = max(y), min(y)
    if min_y == max_y:
        raise ValueError("Not enough unique values in array to form classes.")
    width = (max_y - min_y) * 1.0 / k
    cuts = np.arange(min_y + width, max_y + width, width)
    if len(cuts) > k:  # overshooting
        cuts = cuts[0:k]
    cuts[-1] = max_y
    return np.asarray(cuts.copy())


def user_bins(values: np.ndarray, bins: Sequence[float]) -> np.ndarray:
    """The user's upper bounds, and the largest value when it lies above them
    (``mapclassify.UserDefined(values, bins).bins``)."""
    y = np.asarray(values).flatten()
    if bins[-1] < max(y):
        return np.array(np.append(bins, max(y)))
    return np.array(bins)


def bin_ids(values: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Class of each value: ``i`` where ``bins[i-1] < value <= bins[i]`` (``mapclassify``'s
    ``yb``; a value above the last bound, or missing, is put in class 0 as there).

    Examples
    --------
    >>> bin_ids(np.array([0.0, 25.0, 26.0, 100.0]), np.array([25.0, 74.0, 100.0])).tolist()
    [0, 0, 1, 2]
    """
    x = np.asarray(values).flatten()
    left = [-float("inf"), *list(bins[0:-1])]
    cuts = list(zip(left, list(bins), strict=True))
    k = len(bins)
    ids = np.zeros(x.shape, dtype="int")
    while cuts:
        k -= 1
        low, high = cuts.pop(-1)
        ids += (x > low) * (x <= high) * k
    return ids


def classify(values: np.ndarray, scheme: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Bins and class of each value for ``scheme``, as ``mapclassify.classify(values, scheme, k=k)``.

    ``quantiles`` and ``equal_interval`` are computed here; any other scheme name that
    mapclassify knows (``natural_breaks``, ``fisher_jenks_sampled``…) by mapclassify.

    Returns
    -------
    bins, ids : numpy.ndarray
    """
    y = np.asarray(values).flatten()
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
