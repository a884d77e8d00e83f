"""Each map says what its grey units mean: no list known, not assessed, no data…"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

import pacte_analysis as pa
from pacte_analysis.maps import _make
from pacte_analysis.pipeline import FOLLOWUP_MISSING


def _payload(page: Path) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="pacte-data-[^"]+">(.*?)</script>',
        page.read_text(encoding="utf-8"),
        re.S,
    )
    assert found, "no data block"
    return dict(json.loads(found.group(1)))


def test_every_commune_metric_says_what_its_missing_values_mean(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    lists, commitments = synthetic_tables
    data = _make.map_data(lists, commitments, level="commune", resolution="web")
    has_lists = data["n_lists"].fillna(0).to_numpy() > 0
    for metric in pa.available_metrics("commune")["metric"]:
        label = _make._missing_label("commune", metric, own=False)
        missing = data[metric].isna().to_numpy()
        assert missing.any(), metric
        if label == "Aucune liste connue":
            assert not (missing & has_lists).any(), f"{metric} : grisé alors qu'une liste existe"
        else:  # grey units that do have lists: « no list known » would be false
            assert metric in ("elected_n_measures", "population"), metric
    # the elected team's measures are missing for communes with lists but no known winner
    assert (data["elected_n_measures"].isna().to_numpy() & has_lists).any()
    assert _make._missing_label("commune", "elected_n_measures", own=False) == (
        "Aucune équipe élue connue"
    )
    assert _make._missing_label("commune", "population", own=False) == "Population inconnue"
    for level in ("departement", "region", "epci"):
        assert _make._missing_label(level, "n_lists", own=False) == "Aucune donnée"


def test_a_followup_score_map_says_not_assessed(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    lists, commitments = synthetic_tables
    assessed = lists["commune_code"].drop_duplicates().iloc[:40]
    scores = pd.Series(5.0, index=pd.Index(assessed.astype(str).tolist()))
    html, svg = _make.draw_maps(
        lists,
        commitments,
        [tmp_path / "score.html", tmp_path / "score.svg"],
        metric="score",
        level="commune",
        departement=None,
        values=scores,
        label="Score de réalisation",
        missing_label=FOLLOWUP_MISSING,
        date=dt.date(2020, 6, 30),
    )
    payload = _payload(html)
    layers = {m["label"]: m for m in payload["metrics"]}
    score = layers["Score de réalisation"]
    assert score["missing"] == "Non évalué"
    assert "Non évalué" in score["legend"] and "Aucune liste connue" not in score["legend"]
    # the companion layers of the page keep their own meaning: no list known
    assert layers["Situation de la commune"]["missing"] == "Aucune liste connue"
    assert "Non évalué" in svg.read_text(encoding="utf-8")  # the print legend too
    # a user's own column without a label for its gaps: « Aucune donnée », not lists
    own = _make.draw_map(
        lists, commitments, tmp_path / "own.html", metric="x", level="commune", values=scores
    )
    assert {m["missing"] for m in _payload(own)["metrics"][:1]} == {"Aucune donnée"}
