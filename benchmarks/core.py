"""Timing helpers and the result records every case returns."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CaseResult", "Context", "Row", "Target", "fmt", "time_it"]


@dataclass
class Context:
    """What a case needs to know about the run."""

    work: Path  # cached inputs
    scratch: Path  # outputs of this run (maps, HTML, PNG)
    repeat: int
    smoke: bool

    def reps(self, heavy: int | None = None) -> int:
        """Repetitions: ``repeat``, capped at ``heavy`` for the heavy measurements."""
        return max(1, min(self.repeat, heavy) if heavy is not None else self.repeat)


@dataclass
class Row:
    """One measurement of ours against one naive counterpart (medians)."""

    label: str
    unit: str  # "s", "MiB", "GiB"
    ours: float | None
    naive: float | None = None
    naive_label: str = ""
    reps_ours: int = 0
    reps_naive: int = 0
    ours_samples: list[float] = field(default_factory=list)
    naive_samples: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """naive / ours (> 1: ours is faster or smaller)."""
        if self.ours is None or self.naive is None or self.ours <= 0:
            return None
        return self.naive / self.ours


@dataclass
class Target:
    """A target of the issue and whether the medians meet it."""

    text: str
    value: float | None  # the measured quantity compared with the bound
    bound: float
    kind: str  # "max" (value ≤ bound) or "min" (value ≥ bound)
    unit: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None or (isinstance(self.value, float) and math.isnan(self.value)):
            return None
        return self.value <= self.bound if self.kind == "max" else self.value >= self.bound

    def verdict(self) -> str:
        """« met » / « missed » with the margin, in words."""
        met = self.met
        if met is None:
            return "not measured"
        v, b, u = fmt(self.value), fmt(self.bound), self.unit
        assert self.value is not None
        if self.kind == "max":
            if met:
                return f"met ({v}{u} ≤ {b}{u}, {fmt(self.bound / self.value)}× margin)"
            over = self.value / self.bound
            return f"**missed** ({v}{u} > {b}{u}: {fmt(over)}× over, {fmt(self.value - self.bound)}{u} too much)"
        if met:
            return f"met ({v}{u} ≥ {b}{u})"
        return f"**missed** ({v}{u} < {b}{u}: short by {fmt(self.bound / self.value)}×)"


@dataclass
class CaseResult:
    """Everything a case measured."""

    number: int
    title: str
    data: str = ""
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for row, raw in zip(self.rows, out["rows"], strict=True):
            raw["ratio"] = row.ratio
        for target, raw in zip(self.targets, out["targets"], strict=True):
            raw["met"] = target.met
            raw["verdict"] = target.verdict()
        return out


def time_it(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    """Run ``fn`` ``repeat`` times (garbage collected first); median, samples, last value."""
    samples: list[float] = []
    value: Any = None
    for _ in range(repeat):
        value = None
        gc.collect()
        start = time.perf_counter()
        value = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples, value


def fmt(x: float | None) -> str:
    """A number with 2–3 significant digits (``—`` when missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    ax = abs(x)
    if ax >= 100:
        return f"{x:,.0f}".replace(",", " ")
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    if ax >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2g}"
