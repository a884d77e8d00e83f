"""Files read one ahead in a background thread (issue 12), without changing what is read.

``pacte validate`` parses the first tracker while pandas and the commune resolver
load; a folder's next file is parsed while the sheets of the current one are read.
What a user sees must not change: the same tables, the same problems in the same
order, never more than one file read ahead (memory), and nothing left running that
changes what an import returns.
"""

from __future__ import annotations

import gc
import importlib
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pacte_analysis.cli import main
from pacte_analysis.ingest import _prefetch, ingest
from pacte_analysis.ingest._readers import FileData, SheetData
from pacte_analysis.ingest._safety import FileProblem

HEADER = ["Commune", "Code INSEE", "Liste", "Principe A", "Principe B", "Principe C"] + [
    f"Mesure {n}" for n in range(1, 11)
]


def _tracker(path: Path, commune: str, code: str) -> Path:
    path.write_text(
        ";".join(HEADER)
        + "\n"
        + ";".join([commune, code, "Liste " + commune] + ["oui"] * 13)
        + "\n",
        encoding="utf-8",
    )
    return path


def test_reads_run_one_file_ahead_and_raise_in_file_order(tmp_path: Path) -> None:
    started: list[str] = []
    release = threading.Event()

    def read(path: Path) -> FileData:
        started.append(path.name)
        if path.name == "b.csv":
            raise FileProblem("UNREADABLE_FILE", "abîmé")
        release.wait(5)
        return FileData([SheetData("s", [[path.name]])], "csv")

    paths = [tmp_path / name for name in ("a.csv", "b.csv", "c.csv")]
    reads = _prefetch.FileReads(paths, read)
    time.sleep(0.1)
    assert started == ["a.csv"]  # only the first file before anyone asks
    release.set()
    assert reads.get(0).sheets[0].rows == [["a.csv"]]
    time.sleep(0.1)
    assert started == ["a.csv", "b.csv"]  # the next one, and no further
    with pytest.raises(FileProblem, match="abîmé"):
        reads.get(1)
    assert reads.get(2).sheets[0].rows == [["c.csv"]]
    reads.close()


def test_a_started_read_is_used_only_for_the_same_files(tmp_path: Path) -> None:
    calls: list[str] = []

    def read(path: Path) -> FileData:
        calls.append(path.name)
        return FileData([], "csv")

    a, b = (
        _tracker(tmp_path / "a.csv", "Rennes", "35238"),
        _tracker(tmp_path / "b.csv", "Brest", "29019"),
    )
    _prefetch.start([a], read)
    reused = _prefetch.started_for([a], read)
    reused.get(0)
    assert calls == ["a.csv"]
    _prefetch.start([a], read)
    other = _prefetch.started_for([b], read)  # another import: its own reads
    other.get(0)
    assert "b.csv" in calls
    assert _prefetch._started is None  # taken once, never reused by a later import


def test_folder_import_is_the_same_with_reads_ahead(
    tmp_path: Path, commune_resolver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "suivis"
    folder.mkdir()
    _tracker(folder / "1-rennes.csv", "Rennes", "35238")
    (folder / "2-casse.xlsx").write_bytes(b"PK\x03\x04 pas un classeur")
    _tracker(folder / "3-brest.csv", "Brest", "29019")
    ahead = ingest([folder], resolver=commune_resolver)

    class OneByOne(_prefetch.FileReads):
        def _ahead(self, i: int) -> None:  # no read ahead: each file when it is asked for
            pass

        def get(self, i: int) -> FileData:
            return self._read(self.paths[i])

    engine = importlib.import_module("pacte_analysis.ingest._engine")
    monkeypatch.setattr(engine, "started_for", lambda paths, read: OneByOne(paths, read))
    plain = ingest([folder], resolver=commune_resolver)
    assert (
        list(ahead.lists["commune_code"]) == list(plain.lists["commune_code"]) == ["35238", "29019"]
    )
    assert ahead.rejects.equals(plain.rejects)
    assert list(ahead.rejects["source_file"]).count(str(folder / "2-casse.xlsx")) == 1
    assert ahead.commitments.equals(plain.commitments)
    assert ahead.report() == plain.report()


def test_commitments_table_is_built_once_when_first_read(
    tmp_path: Path, commune_resolver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = importlib.import_module("pacte_analysis.ingest._engine")
    built: list[str] = []
    real = engine.build_table

    def counting(name: str, columns: Any) -> Any:
        built.append(name)
        return real(name, columns)

    monkeypatch.setattr(engine, "build_table", counting)
    result = ingest([_tracker(tmp_path / "a.csv", "Rennes", "35238")], resolver=commune_resolver)
    assert "1 liste importée" in result.report()
    assert built == ["lists", "rejects"]  # the report needs no commitments table
    first = result.commitments
    assert len(first) == 10 and first["committed"].all()
    assert result.commitments is first
    assert built == ["lists", "rejects", "commitments"]


def test_cli_called_from_python_leaves_the_garbage_collector_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the ``pacte`` process itself pauses it (a notebook or test process must not)."""
    path = _tracker(tmp_path / "a.csv", "Rennes", "35238")
    assert gc.isenabled()
    main(["validate", str(path)])
    assert gc.isenabled()
    assert "1 liste importée" in capsys.readouterr().out


def test_a_read_the_cli_started_is_dropped_when_the_import_stops_early(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown edition stops ``pacte validate`` before it reads: nothing stays behind
    for a later import of the same path (which could have changed meanwhile)."""
    path = _tracker(tmp_path / "a.csv", "Rennes", "35238")
    assert main(["validate", str(path), "--edition", "pacte-1999"]) == 2
    assert "pacte-1999" in capsys.readouterr().err
    assert _prefetch._started is None


def test_a_result_pickles_with_its_commitments(tmp_path: Path, commune_resolver: Any) -> None:
    import pickle

    result = ingest([_tracker(tmp_path / "a.csv", "Rennes", "35238")], resolver=commune_resolver)
    again = pickle.loads(pickle.dumps(result))
    assert again.commitments.equals(result.commitments) and len(again.commitments) == 10
    assert again.report() == result.report()
