"""The benchmark harness runs end to end on tiny data (no timing is asserted)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Every case of the harness (issue 12 added 9, the demo, and 10, the results workbook).
CASES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)


@pytest.fixture(scope="module")
def smoke_run(reference_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--smoke",
            "--out",
            str(out / "RESULTS.md"),
            "--work",
            str(out / "work"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a loaded machine (the suite runs on every core) can take minutes
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def test_smoke_writes_a_report_with_every_case(smoke_run: Path) -> None:
    text = (smoke_run / "RESULTS.md").read_text(encoding="utf-8")
    assert "Smoke run" in text
    for heading in ("## Machine", "## Summary", "## Measurements", "pandas", "geopandas"):
        assert heading in text
    for number in CASES:
        assert f"## Case {number}:" in text
    assert "error" not in text.split("## Measurements")[0].lower()
    # The real report is not touched by a smoke run.
    assert not (smoke_run / "work" / "RESULTS.md").exists()


def test_smoke_numbers_are_sane(smoke_run: Path) -> None:
    results = json.loads((smoke_run / "RESULTS.json").read_text(encoding="utf-8"))
    assert results["smoke"] is True and results["repeat"] == 1
    cases = {c["number"]: c for c in results["cases"]}
    assert sorted(cases) == list(CASES)
    for case in cases.values():
        assert case["error"] is None, case["notes"]
        assert case["rows"], case["title"]
        for row in case["rows"]:
            for key in ("ours", "naive"):
                value = row[key]
                if value is None:  # e.g. a browser load without Chromium
                    continue
                assert math.isfinite(value) and value > 0, (case["number"], row)
            if row["unit"] == "s":
                assert row["ours"] is None or row["ours"] < 120
    targets = {t["text"]: t for c in cases.values() for t in c["targets"]}
    assert "< 4 GiB" in targets and "≤ 10 s including the DROM" in targets
    # issue 12: fresh-process comparisons, start-up, the 2026 vintage
    assert "within 2× of calamine, fresh process (ours ÷ calamine)" in targets
    assert "`pacte --help` ≤ 0.5 s" in targets and "≤ 0.5 s (full), as for 2020" in targets
    # issue 12: the demo pipeline, against the same pipeline in one process
    assert "`pacte demo` ≤ 15 s of pipeline time" in targets
    assert cases[9]["rows"][0]["label"].startswith("pipeline, s")
    assert "20,000-list workbook in ≤ 5 s" in targets  # the workbook write, today vs before
    assert any("before" in r["label"] for r in cases[10]["rows"])
    labels = [r["label"] for r in cases[4]["rows"]]
    assert not any("CDN aborted" in label for label in labels)
    # Peak memory of the scale case is measured and plausible (interpreter + data).
    rss = next(r for r in cases[3]["rows"] if r["unit"] == "GiB")
    assert 0.05 < rss["ours"] < 4
    # Sizes are deterministic enough to check: our map page stays small and offline.
    html = next(r for r in cases[4]["rows"] if r["label"].startswith("HTML size vs explore(web)"))
    assert 0 < html["ours"] < 8
    assert "0 external requests" in " ".join(cases[4]["notes"]) or not any(
        r["label"].startswith("Chromium") and r["ours"] is not None for r in cases[4]["rows"]
    )


def test_benchmarks_find_the_reference_like_the_package(tmp_path: Path) -> None:
    """A moved data folder (``PACTE_DATA_DIR``) is where the benchmarks' fresh processes read
    the reference: they keep the variable and find the package's data folder under it."""
    env = dict(os.environ, PACTE_DATA_DIR=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    code = (
        "import json, os, subprocess, sys\n"
        "from benchmarks import cases\n"
        "child = subprocess.run([sys.executable, '-c', 'from pacte_analysis.config import "
        "reference_dir; print(reference_dir())'], env=cases._env(), capture_output=True, "
        "text=True, check=True)\n"
        "print(child.stdout.strip())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(proc.stdout.strip()).is_relative_to(tmp_path.resolve())
