"""The « shapes » corpus (issue 9): trackers as groups really kept them, and what they expect.

Each fixture of ``tests/fixtures/ingest/shapes/`` (written by ``make_shapes.py``)
comes with the lists, measures, levels, principles, signatory status and rejects
that a member of the group who kept it expects (``expected.json``). Two kinds of
tests:

- one per fixture: every expected list imported exactly, every expected reject
  present and no other, the reconciliation figures counted by hand;
- one over the whole corpus: each expected list is ``exact``, ``reported`` (it
  differs, but a reject is on its row), or ``silent`` (it differs and nothing says
  so); imported lists nobody expected are ``extra``. The aim of issue 9:
  ``silent == 0``, ``extra == 0``, at least 85 % ``exact``.

Imported lists are matched to expected ones by commune and normalised list name
(or head of list when the name is not given). The comparison itself is tested at
the end of this file on imports built from the expectations (accepted as they
are; each kind of mistake made on purpose is caught), so that these tests can
pass, and can fail, independently of the state of the import.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from pacte_analysis.ingest import FileSummary, IngestResult, Reconciliation, SheetSummary, ingest

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "shapes"
EXPECTED: dict[str, dict[str, Any]] = json.loads(
    (SHAPES / "expected.json").read_text(encoding="utf-8")
)
FIELDS = (
    "commune_code",
    "list_name",
    "list_head",
    "principles",
    "measures",
    "n_measures",
    "signatory",
    "signatory_source",
    "n_measures_declared",
    "elected",
)
NEW_FIELDS = ("signatory_source", "n_measures_declared")  # added to the contract by issue 9
EXACT_SHARE = 0.85
_MISSING = "(colonne absente)"
_CIVILITIES = {"m", "mr", "mme", "mlle", "madame", "monsieur", "dr", "me", "pr"}
_ENGINE_TEXT = re.compile(
    r"(?i)\b(error|exception|traceback|invalid|not an|unsupported)\b|\\x[0-9a-f]{2}"
)
_RESULTS: dict[str, IngestResult] = {}


# ---------------------------------------------------------------- helpers
def _norm(text: Any) -> str:
    """Lower case, no accents, words separated by one space."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    plain = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def _person(text: Any) -> frozenset[str]:
    """A head of list as a set of words, civilities removed (« Mme X Y » = « Y X »)."""
    return frozenset(_norm(text).split()) - _CIVILITIES


def _value(row: pd.Series, column: str) -> Any:
    if column not in row.index:
        return _MISSING
    value = row[column]
    if value is None or (not isinstance(value, list | dict | str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if hasattr(value, "item"):
        return value.item()
    return value


def _file_of(path: Any) -> str:
    return Path(str(path)).name


@dataclass
class Got:
    """One imported list, as the comparison sees it."""

    file: str
    sheet: str
    source_row: int | None
    values: dict[str, Any]


@dataclass
class Outcome:
    """How one fixture compares with its expectation."""

    fixture: str
    problems: list[str] = field(default_factory=list)
    classes: list[tuple[str, str]] = field(default_factory=list)  # (class, description)


def _run(fixture: str, resolver: Any, mayors: pd.DataFrame) -> IngestResult:
    if fixture not in _RESULTS:
        _RESULTS[fixture] = ingest(SHAPES / fixture, resolver=resolver, mayors=mayors)
    return _RESULTS[fixture]


def _imported(result: IngestResult) -> list[Got]:
    com = result.commitments
    committed = com[com["committed"].astype(bool)]
    measures: dict[str, dict[int, int | None]] = {}
    for list_id, measure, level in zip(
        committed["list_id"], committed["measure"], committed["level"], strict=True
    ):
        measures.setdefault(list_id, {})[int(measure)] = None if pd.isna(level) else int(level)
    out = []
    for _, row in result.lists.iterrows():
        values = {c: _value(row, c) for c in FIELDS if c != "measures"}
        values["measures"] = measures.get(row["list_id"], {})
        if values["principles"] is None:
            values["principles"] = ""
        source_row = _value(row, "source_row")
        out.append(
            Got(
                _file_of(row["source_file"]),
                _value(row, "source_sheet") or "",
                None if source_row is None else int(source_row),
                values,
            )
        )
    return out


def _wanted(spec: dict[str, Any]) -> dict[str, Any]:
    values = {c: spec[c] for c in FIELDS if c in spec and c != "measures"}
    values["measures"] = {int(k): v for k, v in spec["measures"].items()}
    values["n_measures"] = len(values["measures"])
    return values


def _diff(spec: dict[str, Any], got: Got, ignore: frozenset[str] = frozenset()) -> list[str]:
    wanted = _wanted(spec)
    out = []
    for column, value in wanted.items():
        if column in ignore:
            continue
        have = got.values.get(column, _MISSING)
        if column == "list_head" and value is not None and have not in (None, _MISSING):
            same = str(have).strip() == value
        else:
            same = have == value
        if same:
            continue
        if column == "measures":
            out.append("mesures : " + _measure_diff(value, have))
        else:
            out.append(f"{column} attendu {value!r}, importé {have!r}")
    return out


def _measure_diff(wanted: dict[int, int | None], have: dict[int, int | None]) -> str:
    """What differs between two ``{measure: level}`` maps, in words."""
    parts = []
    if missing := sorted(set(wanted) - set(have)):
        parts.append(f"manquantes {missing}")
    if phantom := sorted(set(have) - set(wanted)):
        parts.append(f"en trop {phantom}")
    levels = {m: (wanted[m], have[m]) for m in sorted(set(wanted) & set(have))}
    if changed := {m: pair for m, pair in levels.items() if pair[0] != pair[1]}:
        parts.append(
            "niveaux (attendu, importé) "
            + ", ".join(f"{m} : {a}/{b}" for m, (a, b) in changed.items())
        )
    return " ; ".join(parts)


def _describe(spec: dict[str, Any]) -> str:
    where = spec["file"] or ""
    if spec["sheet"]:
        where += f" feuille « {spec['sheet']} »"
    if spec["source_row"] is not None:
        where += f" ligne {spec['source_row']}"
    if spec["source_column"]:
        where += f" colonne {spec['source_column']}"
    who = spec["list_name"] or spec["list_head"] or "(sans nom)"
    return f"{who} ({spec['commune_code']},{where})"


def _same_identity(spec: dict[str, Any], got: Got) -> bool:
    if got.values["commune_code"] != spec["commune_code"]:
        return False
    if spec["list_name"]:
        return _norm(got.values["list_name"]) == _norm(spec["list_name"])
    if spec["list_head"]:
        return _person(got.values["list_head"]) == _person(spec["list_head"])
    return True


def _match(
    specs: list[dict[str, Any]], imported: list[Got], ignore: frozenset[str] = frozenset()
) -> tuple[list[tuple[dict[str, Any], Got | None]], list[Got]]:
    """Pair each expected list with the closest imported list of the same identity."""
    remaining = list(imported)
    pairs: list[tuple[dict[str, Any], Got | None]] = []
    for spec in specs:
        candidates = [g for g in remaining if _same_identity(spec, g)]
        if not candidates:
            pairs.append((spec, None))
            continue
        best = min(
            candidates,
            key=lambda g: (
                len(_diff(spec, g, ignore)),
                spec["file"] is not None and g.file != spec["file"],
                g.source_row != spec["source_row"],
            ),
        )
        remaining.remove(best)
        pairs.append((spec, best))
    return pairs, remaining


def _rejects(result: IngestResult) -> list[dict[str, Any]]:
    out = []
    for _, row in result.rejects.iterrows():
        source_row = _value(row, "source_row")
        out.append(
            {
                "file": _file_of(row["source_file"]),
                "sheet": _value(row, "source_sheet") or "",
                "source_row": None if source_row is None else int(source_row),
                "source_column": _value(row, "source_column"),
                "code": row["code"],
                "message": str(row["message"]),
            }
        )
    return out


def _reject_fits(spec: dict[str, Any], rej: dict[str, Any]) -> bool:
    code = spec["code"]
    if code != "*" and rej["code"] != code and not (isinstance(code, list) and rej["code"] in code):
        return False
    if spec.get("file") and rej["file"] != spec["file"]:
        return False
    if spec.get("sheet") and rej["sheet"] != spec["sheet"]:
        return False
    if spec["source_row"] != rej["source_row"]:
        return False
    return spec["source_column"] == "*" or spec["source_column"] == rej["source_column"]


def _covers(rej: dict[str, Any], spec: dict[str, Any], got: Got | None) -> bool:
    """Whether a reject is « on the row » of a list (or on its column, when transposed)."""
    if spec["file"] and rej["file"] != spec["file"]:
        return False
    if spec["sheet"] and rej["sheet"] not in ("", spec["sheet"]):
        return False
    if rej["source_row"] is None and rej["source_column"] is None:
        return True  # the whole file or sheet was refused
    rows = {spec["source_row"], got.source_row if got else None} - {None}
    if rej["source_row"] is not None and rej["source_row"] in rows:
        return True
    return bool(spec["source_column"]) and rej["source_column"] == spec["source_column"]


def _alternative_reject(spec: dict[str, Any], rejects: list[dict[str, Any]]) -> bool:
    code = spec.get("or_reject")
    return bool(code) and any(
        r["code"] == code and r["source_row"] == spec["source_row"] for r in rejects
    )


def _compare(fixture: str, result: IngestResult, ignore: frozenset[str] = frozenset()) -> Outcome:
    """Everything a group member would check on ``fixture``, in French.

    ``ignore``: list fields left out of the comparison (only to measure an import
    that predates them; the tests never pass it for their assertions).
    """
    expected = EXPECTED[fixture]
    outcome = Outcome(fixture)
    problems = outcome.problems
    rejects = _rejects(result)
    imported = _imported(result)
    refusal = expected["refusal"]
    refused = (
        refusal is not None
        and not imported
        and any(r["code"] == refusal["code"] and r["source_row"] is None for r in rejects)
    )
    for rej in rejects:
        if not rej["message"].strip() or _ENGINE_TEXT.search(rej["message"]):
            problems.append(
                f"message de rejet vide ou technique ({rej['code']}) : {rej['message']}"
            )
        if re.match(r"(?i)^([^:]{4,}) : \1", rej["message"]):
            problems.append(f"préfixe répété dans le message : {rej['message']}")
    if refused:
        assert refusal is not None
        message = " ".join(r["message"] for r in rejects if r["code"] == refusal["code"])
        if refusal["message_contains"] not in message.lower():
            problems.append(
                f"refus sans dire ce qu'est le fichier (« {refusal['message_contains']} » "
                f"absent) : {message}"
            )
        outcome.classes += [("reported", _describe(s)) for s in expected["lists"]]
        if len(rejects) != 1:
            problems.append(f"un seul rejet attendu pour un fichier refusé, {len(rejects)} reçus")
        rec = result.reconciliation
        if (rec.rows_read, rec.lists) != (0, 0):
            problems.append(f"fichier refusé : réconciliation attendue à 0, reçue {rec.line()}")
        return outcome

    pairs, extra = _match(expected["lists"], imported, ignore)
    present = 0
    used_alternatives: list[dict[str, Any]] = []
    for spec, got in pairs:
        label = _describe(spec)
        covered = any(_covers(r, spec, got) for r in rejects)
        if got is None:
            if _alternative_reject(spec, rejects):
                used_alternatives.append(spec)
                outcome.classes.append(("reported", label))
                continue
            problems.append(f"liste attendue absente : {label}")
            outcome.classes.append(("reported" if covered else "silent", label))
            continue
        present += 1
        diffs = _diff(spec, got, ignore)
        if spec["file"] and got.file != spec["file"]:
            diffs.append(f"importée depuis {got.file} au lieu de {spec['file']}")
        if spec["sheet"] and got.sheet != spec["sheet"]:
            diffs.append(
                f"importée depuis la feuille « {got.sheet} » au lieu de « {spec['sheet']} »"
            )
        if spec["source_row"] is not None and got.source_row != spec["source_row"]:
            diffs.append(f"source_row attendu {spec['source_row']}, importé {got.source_row}")
        if diffs:
            problems.append(f"{label} : " + " ; ".join(diffs))
            outcome.classes.append(("reported" if covered else "silent", f"{label} : {diffs}"))
        else:
            outcome.classes.append(("exact", label))
    for got in extra:
        label = (
            f"{got.values['list_name'] or got.values['list_head'] or '(sans nom)'} "
            f"({got.values['commune_code']}, {got.file} {got.sheet} ligne {got.source_row})"
        )
        problems.append(f"liste importée que personne n'attendait : {label}")
        outcome.classes.append(("extra", label))

    # rejects: every expected one present, and nothing else
    allowed = expected["rejects"] + expected["tolerated"]
    for spec in expected["rejects"]:
        if not any(_reject_fits(spec, r) for r in rejects):
            problems.append(
                f"rejet attendu absent : {spec['code']} ligne {spec['source_row']} "
                f"colonne {spec['source_column']}" + (f" ({spec['file']})" if spec["file"] else "")
            )
    for rej in rejects:
        alternative = any(
            rej["code"] == s.get("or_reject") and rej["source_row"] == s["source_row"]
            for s in used_alternatives
        )
        if not alternative and not any(_reject_fits(s, rej) for s in allowed):
            problems.append(
                f"rejet inattendu : {rej['code']} ({rej['file']} « {rej['sheet']} » ligne "
                f"{rej['source_row']} colonne {rej['source_column']}) : {rej['message']}"
            )

    # reconciliation, counted by hand: rows read = non-empty data rows
    rec = result.reconciliation
    rows_read = expected["rows_read"]
    lists = len(expected["lists"]) - len(used_alternatives)
    wanted = (rows_read, lists, rows_read - lists)
    have = (rec.rows_read, rec.lists, rec.rejected_rows)
    if have != wanted or rec.lists != len(result.lists):
        problems.append(
            f"réconciliation attendue « lues {wanted[0]} = listes {wanted[1]} + rejetées "
            f"{wanted[2]} », reçue « {rec.line()} » ({len(result.lists)} lignes dans lists)"
        )
    if expected["sheets"] is not None:
        per_sheet = {s.source_sheet: s for f in result.files for s in f.sheets}
        for name, summary in per_sheet.items():
            want_rows = expected["sheets"].get(name, 0)
            want_lists = sum(1 for s in expected["lists"] if s["sheet"] == name)
            if (summary.rows_read, summary.lists) != (want_rows, want_lists):
                problems.append(
                    f"feuille « {name} » : attendu {want_rows} lignes lues et {want_lists} "
                    f"listes, reçu {summary.rows_read} et {summary.lists}"
                )
        for name in set(expected["sheets"]) - set(per_sheet):
            problems.append(f"feuille « {name} » absente du rapport")
    if expected["layout"]:
        layouts = {s.layout for f in result.files for s in f.sheets}
        if not all(expected["layout"] in str(layout) for layout in layouts):
            problems.append(f"disposition attendue « {expected['layout']} », reçue {layouts}")
    return outcome


# ---------------------------------------------------------------- the tests
@pytest.fixture
def run(commune_resolver: Any, rne_mayors: pd.DataFrame):  # type: ignore[no-untyped-def]
    return lambda fixture: _run(fixture, commune_resolver, rne_mayors)


def test_every_fixture_has_an_expectation() -> None:
    on_disk = {
        p.name
        for p in SHAPES.iterdir()
        if p.name not in {"expected.json", "make_shapes.py", "README.md", "__pycache__"}
    }
    assert on_disk == set(EXPECTED)
    shapes = {spec["shape"].split()[0] for spec in EXPECTED.values()}
    assert shapes == {str(n) for n in range(1, 14)}  # every shape of issue 9


def test_fixtures_share_a_list_only_when_identical() -> None:
    """Read together (the whole fixtures folder), two fixtures never hold two versions of one
    list: a head or a list name appears in two fixtures of one commune only in twin files."""
    seen: dict[tuple[str, str, Any], tuple[str, str]] = {}
    for fixture, spec in sorted(EXPECTED.items()):
        for exp in spec["lists"]:
            content = json.dumps([exp["principles"], exp["measures"], exp["signatory"]])
            keys: list[tuple[str, str, Any]] = [
                ("tête", exp["commune_code"], _person(exp["list_head"]))
            ]
            keys.append(("nom", exp["commune_code"], _norm(exp["list_name"])))
            for key in keys:
                if not key[2]:
                    continue
                other = seen.setdefault(key, (fixture, content))
                assert other[0] == fixture or other[1] == content, (key, fixture, other[0])


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_shape(run: Any, fixture: str) -> None:
    result = run(fixture)
    outcome = _compare(fixture, result)
    if outcome.problems:
        pytest.fail(
            f"{fixture} — {EXPECTED[fixture]['shape']} :\n  "
            + "\n  ".join(outcome.problems)
            + "\n\nRapport d'import :\n"
            + result.report(),
            pytrace=False,
        )


def test_layout_stable_with_and_without_a_local_measure_column(run: Any) -> None:
    """Shape 12: removing a 33rd-measure column changes nothing but that column's reject."""
    plain, extended = run("12_compact.xlsx"), run("12_compact_with_33.xlsx")
    for table in ("lists", "commitments"):
        a = getattr(plain, table).drop(columns=["source_file"])
        b = getattr(extended, table).drop(columns=["source_file"])
        pd.testing.assert_frame_equal(a, b, obj=table)
    layouts = {s.layout for r in (plain, extended) for f in r.files for s in f.sheets}
    assert len(layouts) == 1, layouts


def _tally_line(tally: Counter[str]) -> str:
    """``exact N / reported N / silent N / extra N`` (the words of issue 9)."""
    return " / ".join(f"{kind} {tally[kind]}" for kind in ("exact", "reported", "silent", "extra"))


def test_corpus_tally(commune_resolver: Any, rne_mayors: pd.DataFrame) -> None:
    """Over the whole corpus: no silently wrong list, no phantom list, ≥ 85 % exact."""
    tally: Counter[str] = Counter()
    details: list[str] = []
    for fixture in sorted(EXPECTED):
        outcome = _compare(fixture, _run(fixture, commune_resolver, rne_mayors))
        for kind, label in outcome.classes:
            tally[kind] += 1
            if kind in ("silent", "extra"):
                details.append(f"  {kind} — {fixture} : {label}")
    expected_lists = sum(len(spec["lists"]) for spec in EXPECTED.values())
    line = (
        f"Corpus « shapes » ({len(EXPECTED)} fichiers, {expected_lists} listes attendues) : "
        + _tally_line(tally)
    )
    print(line)
    missing = frozenset(NEW_FIELDS) - set(
        _run(sorted(EXPECTED)[0], commune_resolver, rne_mayors).lists
    )
    if missing:  # an import from before issue 9: also say how it does on the other fields
        old: Counter[str] = Counter()
        for fixture in sorted(EXPECTED):
            result = _run(fixture, commune_resolver, rne_mayors)
            old.update(kind for kind, _ in _compare(fixture, result, missing).classes)
        print(f"  sans les colonnes absentes ({', '.join(sorted(missing))}) : {_tally_line(old)}")
    assert tally["exact"] + tally["reported"] + tally["silent"] == expected_lists
    message = line + "\n" + "\n".join(details)
    if tally["silent"] or tally["extra"] or tally["exact"] < EXACT_SHARE * expected_lists:
        pytest.fail(message, pytrace=False)


# ---------------------------------------------------------------- the comparison itself
def _as_expected(fixture: str) -> Any:
    """The import a group member expects for ``fixture``, built from its expectation.

    Used to check the comparison: it must find nothing wrong with it, and it must
    notice each kind of mistake made on purpose below.
    """
    spec = EXPECTED[fixture]
    lists, commitments = [], []
    for i, exp in enumerate(spec["lists"]):
        list_id = f"{fixture}#{i}"
        lists.append(
            {
                "list_id": list_id,
                "commune_code": exp["commune_code"],
                "list_name": exp["list_name"],
                "list_head": exp["list_head"],
                "principles": exp["principles"],
                "n_measures": len(exp["measures"]),
                "signatory": exp["signatory"],
                "signatory_source": exp["signatory_source"],
                "n_measures_declared": exp["n_measures_declared"],
                "elected": exp.get("elected"),
                "source_file": f"{fixture}/{exp['file']}" if exp["file"] else fixture,
                "source_sheet": exp["sheet"] or "",
                "source_row": exp["source_row"],
            }
        )
        commitments += [
            {"list_id": list_id, "measure": int(m), "committed": True, "level": level}
            for m, level in exp["measures"].items()
        ]
    rejects = []
    for rej in spec["rejects"]:
        code = rej["code"]
        rejects.append(
            {
                "source_file": f"{fixture}/{rej['file']}" if rej["file"] else fixture,
                "source_sheet": rej.get("sheet") or "",
                "source_row": rej["source_row"],
                "source_column": None if rej["source_column"] == "*" else rej["source_column"],
                "code": code[0]
                if isinstance(code, list)
                else "INVALID_VALUE"
                if code == "*"
                else code,
                "message": "Valeur non reconnue dans cette cellule.",
            }
        )
    n = len(lists)
    layout = spec["layout"] or "wide"
    if spec["sheets"] is None:
        sheets = [SheetSummary(fixture, "", layout, rows_read=spec["rows_read"], lists=n)]
    else:
        sheets = [
            SheetSummary(
                fixture,
                name,
                layout,
                rows_read=rows,
                lists=sum(1 for s in spec["lists"] if s["sheet"] == name),
            )
            for name, rows in spec["sheets"].items()
        ]
    return SimpleNamespace(
        lists=pd.DataFrame(lists),
        commitments=pd.DataFrame(
            commitments, columns=["list_id", "measure", "committed", "level"]
        ).astype({"level": object}),
        rejects=pd.DataFrame(
            rejects,
            columns=[
                "source_file",
                "source_sheet",
                "source_row",
                "source_column",
                "code",
                "message",
            ],
        ),
        reconciliation=Reconciliation(spec["rows_read"], n, spec["rows_read"] - n),
        files=[FileSummary(fixture, sheets=sheets)],
        report=lambda: "(rapport)",
    )


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_comparison_accepts_the_expected_import(fixture: str) -> None:
    outcome = _compare(fixture, _as_expected(fixture))
    assert outcome.problems == []
    assert {kind for kind, _ in outcome.classes} == {"exact"}
    assert len(outcome.classes) == len(EXPECTED[fixture]["lists"])


def _kinds(outcome: Outcome) -> Counter[str]:
    return Counter(kind for kind, _ in outcome.classes)


def test_comparison_notices_each_kind_of_mistake() -> None:
    fixture = "02_level_words.xlsx"  # Toulouse row 2, Montpellier row 3 (a reject in I3), Bordeaux

    wrong_level = _as_expected(fixture)
    com = wrong_level.commitments
    com.loc[(com["list_id"] == f"{fixture}#0") & (com["measure"] == 1), "level"] = 2
    outcome = _compare(fixture, wrong_level)
    assert _kinds(outcome) == {"exact": 2, "silent": 1}
    assert any(
        "Toulouse" in p and "niveaux (attendu, importé) 1 : 3/2" in p for p in outcome.problems
    )

    reported = _as_expected(fixture)
    reported.commitments.loc[0, "level"] = 2
    extra_reject = {"source_file": fixture, "source_sheet": "", "source_row": 2}
    extra_reject |= {"source_column": "H", "code": "INVALID_VALUE", "message": "Niveau douteux."}
    reported.rejects = pd.concat([reported.rejects, pd.DataFrame([extra_reject])])
    outcome = _compare(fixture, reported)
    assert _kinds(outcome) == {"exact": 2, "reported": 1}
    assert any(p.startswith("rejet inattendu : INVALID_VALUE") for p in outcome.problems)

    phantom = _as_expected(fixture)
    ghost = phantom.lists.iloc[[0]].assign(list_id="ghost", list_name="Liste fantôme")
    phantom.lists = pd.concat([phantom.lists, ghost], ignore_index=True)
    outcome = _compare(fixture, phantom)
    assert _kinds(outcome) == {"exact": 3, "extra": 1}
    assert any("réconciliation" in p for p in outcome.problems)  # 4 rows in lists, 3 counted

    missing = _as_expected(fixture)
    missing.lists = missing.lists.iloc[1:]
    assert _kinds(_compare(fixture, missing)) == {"exact": 2, "silent": 1}

    no_reject = _as_expected(fixture)
    no_reject.rejects = no_reject.rejects.iloc[0:0]
    outcome = _compare(fixture, no_reject)
    assert outcome.problems == ["rejet attendu absent : INVALID_VALUE ligne 3 colonne I"]

    miscounted = _as_expected(fixture)
    miscounted.reconciliation = Reconciliation(4, 3, 1)
    assert any("réconciliation" in p for p in _compare(fixture, miscounted).problems)

    old_contract = _as_expected(fixture)
    old_contract.lists = old_contract.lists.drop(columns=["signatory_source"])
    outcome = _compare(fixture, old_contract)
    assert _kinds(outcome) == {"silent": 2, "reported": 1}  # Montpellier has a reject
    assert _kinds(_compare(fixture, old_contract, frozenset(NEW_FIELDS))) == {"exact": 3}

    technical = _as_expected(fixture)
    technical.rejects.loc[0, "message"] = "Fichier illisible : fichier illisible : Cfb error"
    assert len(_compare(fixture, technical).problems) == 2


def test_comparison_matches_lists_by_commune_and_identity() -> None:
    """« Paris en commun » twice in 75056: told apart by their rows and measures."""
    fixture = "13_same_list_twice"
    swapped = _as_expected(fixture)
    swapped.lists = swapped.lists.iloc[::-1].reset_index(drop=True)
    assert _compare(fixture, swapped).problems == []
    renamed = _as_expected(fixture)
    renamed.lists.loc[0, "list_head"] = "CAMILLE EXEMPLE"  # same person, not as written
    outcome = _compare(fixture, renamed)
    assert _kinds(outcome) == {"exact": len(EXPECTED[fixture]["lists"]) - 1, "silent": 1}
    assert any("list_head attendu 'Mme Camille Exemple'" in p for p in outcome.problems)
    other = _as_expected("02_level_words.xlsx")
    other.lists.loc[0, "list_name"] = "Toulouse Autrement"  # not the list that was expected
    assert _kinds(_compare("02_level_words.xlsx", other)) == {"exact": 2, "silent": 1, "extra": 1}
    moved = _as_expected("02_level_words.xlsx")
    moved.lists.loc[0, "commune_code"] = "31069"  # another commune: not the same list
    assert _kinds(_compare("02_level_words.xlsx", moved)) == {"exact": 2, "silent": 1, "extra": 1}


def test_refused_html_export_counts_as_reported() -> None:
    """The Framaforms « .xls »: refusing it with a French message naming HTML is accepted."""
    fixture = "08_framaforms.xls"
    refused = _as_expected(fixture)
    refused.lists = refused.lists.iloc[0:0]
    refused.commitments = refused.commitments.iloc[0:0]
    message = (
        "Fichier illisible : ce fichier « .xls » est une page web (HTML) exportée par un "
        "formulaire ; ouvrez-le dans un tableur et enregistrez-le en .xlsx ou .csv."
    )
    refused.rejects = pd.DataFrame(
        [
            {
                "source_file": fixture,
                "source_sheet": "",
                "source_row": None,
                "source_column": None,
                "code": "UNREADABLE_FILE",
                "message": message,
            }
        ]
    )
    refused.reconciliation = Reconciliation(0, 0, 0, 1)
    outcome = _compare(fixture, refused)
    assert outcome.problems == []
    assert _kinds(outcome) == {"reported": 2}
    refused.rejects.loc[0, "message"] = "Fichier illisible : format inconnu."
    assert len(_compare(fixture, refused).problems) == 1
