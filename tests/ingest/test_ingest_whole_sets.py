"""Whole output sets under ``kill -9`` and concurrent runs (real processes, real signals).

Each child process writes fictitious tables of ``n`` lists × 32 measures with
:func:`write_tables`; after a kill or a race the folder must hold one complete
set: the lists of one run with the commitments, rejects, CSV and workbook of the
same run, as the manifest says.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pacte_analysis.ingest._writer import MANIFEST_NAME, write_tables
from pacte_analysis.tables import read_tables

from .fake_tables import fake_tables

pytestmark = pytest.mark.slow  # real processes: about a minute in all

ROOT = Path(__file__).resolve().parents[2]
MEASURES = 32

CHILD = r"""
import os, signal, sys, time
from pathlib import Path
import pandas as pd
from tests.ingest.fake_tables import fake_tables
from pacte_analysis.ingest import _writer

n, out, kill_at = int(sys.argv[1]), sys.argv[2], sys.argv[3]
tables = fake_tables(n, seed=n)

def die():
    os.kill(os.getpid(), signal.SIGKILL)

if kill_at.startswith("parquet:"):  # while staging: after the k-th parquet file
    k, real_parquet, seen = int(kill_at[8:]), pd.DataFrame.to_parquet, []
    def to_parquet(self, *a, **kw):
        real_parquet(self, *a, **kw)
        seen.append(1)
        if len(seen) == k:
            die()
    pd.DataFrame.to_parquet = to_parquet
elif kill_at == "commit":  # right after the commit rename
    real_rename = os.rename
    def rename(src, dst):
        real_rename(src, dst)
        die()
    os.rename = rename
elif kill_at.startswith("replace:"):  # while moving files into place: after the k-th
    k, real_replace, seen = int(kill_at[8:]), os.replace, []
    def replace(src, dst):
        real_replace(src, dst)
        seen.append(1)
        if len(seen) == k:
            die()
    os.replace = replace
go = Path(out + ".go")
print("ready", flush=True)
while kill_at == "race" and not go.exists():
    time.sleep(0.01)
for _ in range(int(os.environ.get("REPEAT", "1"))):
    _writer.write_tables(tables, out)
print("done", flush=True)
"""


def _child(n: int, out: Path, kill_at: str = "none", repeat: int = 1) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), REPEAT=str(repeat))
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(n), str(out), kill_at],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _run(n: int, out: Path, kill_at: str = "none") -> int:
    child = _child(n, out, kill_at)
    _, err = child.communicate(timeout=300)
    assert "Traceback" not in err, err
    return child.returncode


def assert_one_complete_set(out: Path, sizes: set[int]) -> int:
    """Check that ``out`` holds one whole set of one of the runs; return its size."""
    tables = read_tables(out)  # completes an interrupted publish, checks the manifest
    lists, commitments = tables["lists"], tables["commitments"]
    n = len(lists)
    assert n in sizes
    assert len(commitments) == MEASURES * n
    assert set(commitments["list_id"]) == set(lists["list_id"])
    assert len(tables["rejects"]) == max(1, n // 100)
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
    csv = pd.read_csv(out / "commitments.csv", dtype=str, usecols=["list_id"])
    assert len(csv) == MEASURES * n
    sheet = CalamineWorkbook.from_path(out / "pacte-resultats.xlsx").get_sheet_by_name("listes")
    assert len(sheet.to_python()) == n + 1
    return n


@pytest.mark.parametrize("kill_at", ["parquet:1", "parquet:2", "commit", "replace:1", "replace:4"])
def test_kill_at_each_step_leaves_one_complete_set(tmp_path: Path, kill_at: str) -> None:
    out = tmp_path / "tables"
    write_tables(fake_tables(300, seed=300), out)
    assert _run(400, out, kill_at) == -signal.SIGKILL
    before_commit = kill_at.startswith("parquet")
    assert assert_one_complete_set(out, {300, 400}) == (300 if before_commit else 400)
    # The next run cleans what the killed one left (staging folder) and publishes.
    write_tables(read_tables(out), out)
    assert [p.name for p in out.iterdir() if p.is_dir()] == []


def test_kill_at_random_moments_leaves_one_complete_set(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    first = _child(1500, out)
    assert first.stdout is not None and first.stdout.readline().strip() == "ready"
    start = time.monotonic()
    first.communicate(timeout=300)
    writing = time.monotonic() - start  # the time the child spends writing
    assert first.returncode == 0
    rng = random.Random(13)
    sizes = {1500}
    for attempt in range(3):
        n = 1600 + 100 * attempt
        sizes.add(n)
        child = _child(n, out)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, writing))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        assert_one_complete_set(out, sizes)


def test_concurrent_runs_and_a_reader_give_one_consistent_set(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    writers = [_child(n, out, "race", repeat=2) for n in (1000, 1200)]
    for child in writers:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    Path(str(out) + ".go").touch()
    reads = 0
    while any(child.poll() is None for child in writers):
        if (out / MANIFEST_NAME).exists():
            tables = read_tables(out)
            assert len(tables["commitments"]) == MEASURES * len(tables["lists"])
            assert set(tables["commitments"]["list_id"]) == set(tables["lists"]["list_id"])
            reads += 1
        time.sleep(0.05)
    for child in writers:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert "Traceback" not in err
    assert assert_one_complete_set(out, {1000, 1200}) in {1000, 1200}
    assert reads > 0
    assert [p.name for p in out.iterdir() if p.is_dir()] == []
