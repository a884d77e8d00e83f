"""``python -m benchmarks``: run the cases of issues 6 and 12 and write ``benchmarks/RESULTS.md``.

Options::

    python -m benchmarks                 # every case, 5 repetitions → benchmarks/RESULTS.md
    python -m benchmarks --cases 1,3     # some cases only
    python -m benchmarks --repeat 3
    python -m benchmarks --smoke         # tiny data, 1 repetition, report in a temp folder

Generated inputs are cached in ``benchmarks/_work/`` (``--work`` to change it); a
smoke run uses a fresh temporary folder for everything unless ``--work`` is given.
A JSON copy of the results is written next to the report (``--json`` to change it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import time
import warnings
from pathlib import Path

from benchmarks.cases import CASES, run_case
from benchmarks.core import Context
from benchmarks.report import render

HERE = Path(__file__).resolve().parent


def _cases(text: str) -> list[int]:
    try:
        numbers = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected numbers like 1,3: {text!r}") from exc
    unknown = [n for n in numbers if n not in CASES]
    if unknown or not numbers:
        raise argparse.ArgumentTypeError(f"cases are 1–{len(CASES)}: {text!r}")
    return numbers


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Ours against the naive way (issue 6)."
    )
    parser.add_argument("--cases", type=_cases, default=sorted(CASES), help="e.g. 1,3")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--smoke", action="store_true", help="tiny data, 1 repetition")
    parser.add_argument("--out", type=Path, help="report path (default benchmarks/RESULTS.md)")
    parser.add_argument("--json", type=Path, help="JSON results (default next to the report)")
    parser.add_argument("--work", type=Path, help="cache of generated inputs")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> Path:
    """Run the harness; returns the report path."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    warnings.filterwarnings("ignore", category=UserWarning, module="geopandas")
    repeat = 1 if args.smoke else args.repeat
    if args.smoke:
        base = Path(tempfile.mkdtemp(prefix="pacte-bench-smoke-"))
        work = args.work or base / "work"
        out = args.out or base / "RESULTS.md"
    else:
        base = HERE / "_work"
        work = args.work or base
        out = args.out or HERE / "RESULTS.md"
    scratch = (work if args.smoke else base) / "outputs"
    for folder in (work, scratch, out.parent):
        folder.mkdir(parents=True, exist_ok=True)
    json_path = args.json or (
        out.with_suffix(".json") if args.smoke or args.out else base / "results.json"
    )
    ctx = Context(work=work, scratch=scratch, repeat=repeat, smoke=args.smoke)
    started, start = dt.datetime.now(), time.perf_counter()
    results = []
    for number in args.cases:
        print(f"case {number}…", file=sys.stderr, flush=True)
        result = run_case(number, ctx)
        status = f"error: {result.error}" if result.error else f"{result.seconds:.0f} s"
        print(f"case {number}: {status}", file=sys.stderr, flush=True)
        results.append(result)
    command = "python -m benchmarks" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    text = render(
        results,
        command=command,
        repeat=repeat,
        smoke=args.smoke,
        started=started,
        elapsed=time.perf_counter() - start,
    )
    out.write_text(text, encoding="utf-8")
    json_path.write_text(
        json.dumps(
            {
                "smoke": args.smoke,
                "repeat": repeat,
                "started": started.isoformat(timespec="seconds"),
                "cases": [r.to_dict() for r in results],
            },
            indent=1,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"report: {out}\njson: {json_path}", file=sys.stderr)
    return out


if __name__ == "__main__":
    main()
