"""The first file's safety checks run in a forked child (issue 12), never changing their outcome.

``pacte validate`` in its own process forks a child that inflates and bounds the
first workbook while the parent imports pandas (:class:`_prefetch.ChildInspection`).
What a user gets must be exactly what the checks in the reader give: the same
report for a good file and for a hostile one, a fresh check when the file changed
after the child looked at it or when the child failed, no child left behind, and
no fork at all beside other threads.

The forking cases run in a new interpreter (a test worker has threads of its own,
and a fork beside them is what the code refuses to do).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from pacte_analysis import cli
from pacte_analysis.ingest import _prefetch

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ("billion_laughs.xlsx", "sparse_far_cell.xlsx", "zip_bomb_lying.xlsx")


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


def _script(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a new interpreter; it prints one JSON object as its last line."""
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, cwd=ROOT, env=_env(), check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


# what the reader runs, counted, and whether the parent got the child's verdict
_HARNESS = """
    import json, os, sys, time
    from pathlib import Path
    from pacte_analysis.ingest import _prefetch, _readers
    from pacte_analysis.ingest._safety import FileProblem

    parent = os.getpid()
    checks = []
    real = _readers.inspect_workbook

    def counted(path, kind):
        if os.getpid() == parent:
            checks.append(kind)
        elif os.environ.get("CHILD_FAILS"):
            raise RuntimeError("the child breaks")
        return real(path, kind)

    _readers.inspect_workbook = counted
    path = Path(sys.argv[1])
    inspection = _prefetch.ChildInspection.fork(path)
    forked = inspection is not None
    if forked:
        inspection.verdict()
        if os.environ.get("CHANGE_FILE"):
            data = path.read_bytes()
            path.write_bytes(data)  # same bytes, a new modification time
            os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    outcome = None
    try:
        data = _readers.read_file(path, inspect=inspection)
        outcome = ["read", [len(s.rows) for s in data.sheets]]
    except FileProblem as problem:
        outcome = ["refused", problem.code, problem.message]
    try:
        os.waitpid(-1, os.WNOHANG)
        left = True
    except ChildProcessError:
        left = False
    print(json.dumps({"forked": forked, "checks": checks, "outcome": outcome, "left": left}))
"""


def test_validate_in_its_own_process_gives_the_report_of_the_checks(fixtures_dir: Path) -> None:
    """The ``pacte`` process (a child checks the first file) prints, for good and
    hostile workbooks alike, exactly what ``main()`` called from Python prints (no child)."""
    for name in ("mel_34_measures.xlsx", "libreoffice.ods", *HOSTILE):
        path = str(fixtures_dir / name)
        expected = subprocess.run(
            [sys.executable, "-c",
             "import sys; from pacte_analysis.cli import main; sys.exit(main(sys.argv[1:]))",
             "validate", path],
            capture_output=True, text=True, cwd=ROOT, env=_env(), check=False,
        )  # fmt: skip
        run = subprocess.run(
            [sys.executable, "-m", "pacte_analysis", "validate", path],
            capture_output=True, text=True, cwd=ROOT, env=_env(), check=False,
        )  # fmt: skip
        assert (run.returncode, run.stdout, run.stderr) == (
            expected.returncode,
            expected.stdout,
            expected.stderr,
        ), name
        if name in HOSTILE:
            assert "TOO_LARGE" in run.stdout or "UNREADABLE_FILE" in run.stdout, name


def test_the_child_s_verdict_replaces_the_check_and_its_refusal_is_raised(
    fixtures_dir: Path,
) -> None:
    good = _script(_HARNESS, str(fixtures_dir / "mel_34_measures.xlsx"))
    assert good["forked"] and good["checks"] == []  # checked once, in the child
    assert good["outcome"][0] == "read" and good["outcome"][1][0] > 2
    assert good["left"] is False  # the child was collected
    for name, code in (("sparse_far_cell.xlsx", "TOO_LARGE"), ("zip_bomb.xlsx", "TOO_LARGE")):
        bad = _script(_HARNESS, str(fixtures_dir / name))
        assert bad["forked"] and bad["checks"] == []
        assert bad["outcome"][:2] == ["refused", code], name
        direct = _script(
            """
            import json, sys
            from pathlib import Path
            from pacte_analysis.ingest import _readers
            from pacte_analysis.ingest._safety import FileProblem
            try:
                _readers.read_file(Path(sys.argv[1]))
            except FileProblem as problem:
                print(json.dumps({"message": problem.message}))
            """,
            str(fixtures_dir / name),
        )
        assert bad["outcome"][2] == direct["message"]  # the same French message


def test_a_file_changed_after_the_child_s_look_is_checked_again(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "suivi.xlsx"
    copy.write_bytes((fixtures_dir / "mel_34_measures.xlsx").read_bytes())
    env = dict(_env(), CHANGE_FILE="1")
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_HARNESS), str(copy)],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["forked"] and found["checks"] == ["xlsx"]  # the reader checked it itself
    assert found["outcome"][0] == "read"


def test_a_child_that_fails_otherwise_leaves_the_check_to_the_reader(fixtures_dir: Path) -> None:
    env = dict(_env(), CHILD_FAILS="1")
    for name, outcome in (("mel_34_measures.xlsx", "read"), ("sparse_far_cell.xlsx", "refused")):
        run = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(_HARNESS), str(fixtures_dir / name)],
            capture_output=True, text=True, cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        found = json.loads(run.stdout.strip().splitlines()[-1])
        assert found["forked"] and found["checks"] == ["xlsx"], name
        assert found["outcome"][0] == outcome, name
        assert found["left"] is False


def test_a_verdict_on_another_kind_or_file_is_not_used(fixtures_dir: Path) -> None:
    found = _script(
        """
        import json, sys
        from pathlib import Path
        from pacte_analysis.ingest import _prefetch, _readers
        checks = []
        real = _readers.inspect_workbook
        _readers.inspect_workbook = lambda path, kind: (checks.append(kind), real(path, kind))
        a, b = Path(sys.argv[1]), Path(sys.argv[2])
        inspection = _prefetch.ChildInspection.fork(a)
        inspection.verdict()
        inspection(a, "ods")  # the reader saw another kind of workbook
        inspection(b, "xlsx")  # another file
        inspection(a, "xlsx")  # the one the child checked: no check here
        print(json.dumps({"checks": checks}))
        """,
        str(fixtures_dir / "mel_34_measures.xlsx"),
        str(fixtures_dir / "header_variants.xlsx"),
    )
    assert found["checks"] == ["ods", "xlsx"]


def test_no_fork_beside_other_threads_or_off_linux(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fixtures_dir / "mel_34_measures.xlsx"
    release = threading.Event()
    other = threading.Thread(target=release.wait, daemon=True)
    other.start()
    try:
        assert _prefetch.ChildInspection.fork(path) is None
    finally:
        release.set()
        other.join()
    monkeypatch.setattr(_prefetch, "FORK_INSPECTION", False)
    assert _prefetch.ChildInspection.fork(path) is None


def test_python_callers_never_fork(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main([...])`` from Python (a notebook, a test) reads without a child process."""
    forks: list[Path] = []
    monkeypatch.setattr(
        _prefetch.ChildInspection, "fork", classmethod(lambda cls, path: forks.append(path))
    )
    cli.main(["validate", str(fixtures_dir / "mel_34_measures.xlsx")])
    assert forks == []
    assert "mel_34_measures.xlsx" in capsys.readouterr().out


def test_the_child_does_not_hold_the_parent_s_output_open(fixtures_dir: Path) -> None:
    """A pipeline reading ``pacte validate``'s output ends with the parent: the child's
    standard streams are not the parent's pipe."""
    found = _script(
        """
        import json, os, sys, time
        from pathlib import Path
        from pacte_analysis.ingest import _prefetch, _readers
        real = _readers.inspect_workbook
        _readers.inspect_workbook = lambda path, kind: (time.sleep(2), real(path, kind))
        inspection = _prefetch.ChildInspection.fork(Path(sys.argv[1]))
        time.sleep(0.5)
        pid = inspection._pid
        streams = [os.readlink(f"/proc/{pid}/fd/{n}") for n in (0, 1, 2)]
        mine = os.readlink("/proc/self/fd/1")
        inspection.close()
        print(json.dumps({"streams": streams, "mine": mine}))
        """,
        str(fixtures_dir / "mel_34_measures.xlsx"),
    )
    assert found["mine"].startswith("pipe:")
    assert found["streams"] == [os.devnull] * 3
