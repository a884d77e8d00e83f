"""`pacte demo` on several processes: the same files, the same French errors, no orphan."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from trees import file_tree

from pacte_analysis import cli, pipeline
from pacte_analysis._files import OutputError
from pacte_analysis.pipeline import run_demo

ROOT = Path(__file__).resolve().parents[1]


def test_two_processes_write_the_same_bytes_as_one(
    small_demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1593475200")
    caplog.set_level(logging.INFO)  # each task logs its process (the workers on stderr)
    one = run_demo(tmp_path / "un", trackers=small_demo, progress=False, jobs=1)
    two = run_demo(tmp_path / "deux", trackers=small_demo, progress=False, jobs=2)
    a, b = file_tree(one.out_dir), file_tree(two.out_dir)
    assert sorted(a) == sorted(b)
    assert [n for n in a if a[n] != b[n]] == []
    assert [p.relative_to(one.out_dir) for p in one.files] == [
        p.relative_to(two.out_dir) for p in two.files
    ]
    assert one.figures == two.figures and one.report == two.report
    # the second run did share the work: some task ran in another process
    logged = capfd.readouterr().err + "\n".join(r.getMessage() for r in caplog.records)
    pids = {int(p) for p in re.findall(r"de calcul, processus (\d+)\)", logged)}
    assert os.getpid() in pids and len(pids) == 2
    assert multiprocessing.active_children() == []


def test_jobs_default_to_the_usable_processors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PACTE_DEMO_JOBS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert pipeline.demo_jobs() == 1  # a 1-core machine: everything in this process
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert pipeline.demo_jobs() == pipeline.MAX_DEMO_JOBS
    monkeypatch.setenv("PACTE_DEMO_JOBS", "1")
    assert pipeline.demo_jobs() == 1
    monkeypatch.setenv("PACTE_DEMO_JOBS", "deux")
    with pytest.raises(OutputError, match="PACTE_DEMO_JOBS"):
        pipeline.demo_jobs()


# Tasks run by a worker process are pickled by name: module-level functions.
def _fails_in_a_worker(inputs: object, main_pid: int, how: str) -> list[Path]:
    if os.getpid() == main_pid:
        time.sleep(0.3)  # leaves the other tasks to the worker once it has started
        return []
    if how == "exit":
        os._exit(3)
    raise OutputError("Écriture impossible dans « cartes/carte.png » : disque plein.")


def _failing_tasks(how: str) -> list[pipeline._Task]:
    return [
        pipeline._Task(f"tâche {i}", 1.0, _fails_in_a_worker, (os.getpid(), how)) for i in range(60)
    ]


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("raise", "disque plein"),
        ("exit", "s'est arrêté avant la fin (code de sortie 3)"),
    ],
)
def test_a_failing_worker_is_the_french_error_of_the_command(
    small_demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    how: str,
    message: str,
) -> None:
    monkeypatch.setattr(pipeline, "_demo_tasks", lambda: _failing_tasks(how))
    real = pipeline.run_demo
    monkeypatch.setattr(
        pipeline,
        "run_demo",
        lambda out, progress: real(out, trackers=small_demo, progress=progress, jobs=2),
    )
    started = time.monotonic()
    assert cli.main(["demo", "--out", str(tmp_path / "sortie"), "--quiet"]) == 1
    err = capfd.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert time.monotonic() - started < 60  # no hang: the 60 tasks of 0.3 s were not all run
    assert multiprocessing.active_children() == []


_INTERRUPTED = """
import sys
import pacte_analysis.pipeline as pipeline
from pacte_analysis.cli import main

real = pipeline.run_demo
pipeline.run_demo = lambda out, progress: real(
    out, trackers=sys.argv[2], progress=progress, jobs=2
)
sys.exit(main(["demo", "--out", sys.argv[1], "--quiet"]))
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "zombie" not in status


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    except OSError:
        return []
    return [int(c) for c in text.split()]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "sigint-to-main"])
def test_ctrl_c_stops_every_process_and_leaves_no_temporary_file(
    small_demo: Path, tmp_path: Path, whole_group: bool
) -> None:
    out = tmp_path / "sortie"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_INTERRUPTED), str(out), str(small_demo)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 120
        # interrupted while the maps are being drawn: the tables are written, a worker runs
        while not ((out / "lists.parquet").exists() and _children(proc.pid)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        workers = _children(proc.pid)
        time.sleep(0.5)
        if whole_group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Interrompu." in err
    assert "Traceback" not in err
    # no orphan: the worker (and multiprocessing's resource tracker) end with the command
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in workers if _running(pid)] == []
    assert [p for p in out.rglob("*.tmp")] == []
