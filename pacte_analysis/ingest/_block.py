"""The commitments of a wide sheet kept as columns, from the cells to the tables.

A wide sheet (one row per list, one column per measure) whose every measure
column is read without a problem gives each of its entries the same number of
commitments, one per column. Instead of one dictionary of tuples per entry
(640,000 tuples for 20,000 lists × 32 measures), :class:`CommitmentBlock` keeps
the parsed columns as they are, and each entry's ``commitments`` is a
:class:`BlockCommitments` view of its row. The engine then builds the tables
from the columns (:meth:`CommitmentBlock.columns`), without a Python object per
commitment.

A view behaves as the dictionary it stands for (same items, same order:
the sheet's column order); a write to it copies its row into a dictionary of
its own first, and the engine then reads that entry as any other.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BlockColumns", "BlockCommitments", "CommitmentBlock", "ParsedColumn"]

#: ``(committed, level, raw text, 1-based row number, column letter)``.
Commitment = tuple[bool, int | None, str | None, int, str]

#: Flat columns of some rows of a block, row after row, measures ascending:
#: measures, committed flags, levels (0 where none is given), whether a level is
#: given, and the number of commitments of each row.
BlockColumns = tuple[list[int], "np.ndarray", "np.ndarray", "np.ndarray", list[int]]


class ParsedColumn(list[Any]):
    """The items of a column parsed once per distinct value (a list), knowing them.

    Parameters
    ----------
    memo : dict
        Each distinct key of the column and its parsed item.
    keys : list
        The key of every cell of the column.
    """

    __slots__ = ("_codes", "_keys", "_memo")

    def __init__(self, memo: dict[Any, Any], keys: list[Any]) -> None:
        super().__init__(map(memo.__getitem__, keys))
        self._memo = memo
        self._keys = keys
        self._codes: tuple[list[Any], np.ndarray] | None = None

    def codes(self) -> tuple[list[Any], np.ndarray]:
        """The distinct parsed items, and for each cell the position of its item among them."""
        if self._codes is None:
            import numpy as np

            index = {key: i for i, key in enumerate(self._memo)}
            codes = np.fromiter(map(index.__getitem__, self._keys), np.intp, len(self._keys))
            self._codes = (list(self._memo.values()), codes)
        return self._codes


def _int_level(cell: tuple[Any, ...]) -> int:
    """The level of a parsed cell as an int (0 for none); ``TypeError`` if it is not one."""
    level = cell[1]
    if level is None:
        return 0
    if type(level) is not int:
        raise TypeError("a level that is not an int")
    return level


class CommitmentBlock:
    """Parsed measure columns of one sheet, one item per entry of the sheet.

    Parameters
    ----------
    numbers : sequence of int
        The measure of each column, in the sheet's column order (all distinct).
    cells : sequence of list
        For each column, ``(committed, level, raw text)`` of every entry.
    rows : sequence of list of int
        For each column, the row number of every entry's cell.
    letters : sequence of list of str
        For each column, the column letter of every entry's cell.
    """

    __slots__ = ("_cells", "_letters", "_order", "_rows", "numbers", "size")

    def __init__(
        self,
        numbers: Sequence[int],
        cells: Sequence[list[tuple[bool, int | None, str | None]]],
        rows: Sequence[list[int]],
        letters: Sequence[list[str]],
    ) -> None:
        if len(set(numbers)) != len(numbers):
            raise ValueError("a block holds each measure once")
        self.numbers = list(numbers)
        self._cells = list(cells)
        self._rows = list(rows)
        self._letters = list(letters)
        self.size = len(self._cells[0]) if self._cells else 0
        #: column positions by ascending measure (the order of the tables)
        self._order = sorted(range(len(self.numbers)), key=self.numbers.__getitem__)

    def commitment(self, k: int, i: int) -> Commitment:
        """The commitment of column ``k`` for entry ``i``."""
        committed, level, raw = self._cells[k][i]
        return (committed, level, raw, self._rows[k][i], self._letters[k][i])

    def row(self, i: int) -> dict[int, Commitment]:
        """Entry ``i``'s commitments as a dictionary, in column order."""
        return {number: self.commitment(k, i) for k, number in enumerate(self.numbers)}

    def views(self) -> list[BlockCommitments]:
        """One view per entry, in entry order."""
        positions = {number: k for k, number in enumerate(self.numbers)}
        return [BlockCommitments(self, i, positions) for i in range(self.size)]

    def _matrix(self, field: int, indices: Sequence[int]) -> np.ndarray:
        """Item ``field`` of every cell of rows ``indices``, row after row, measures ascending."""
        import numpy as np

        get = itemgetter(field)
        table = np.empty((len(self._order), self.size), dtype=object)
        for j, k in enumerate(self._order):
            table[j] = list(map(get, self._cells[k])) if field < 3 else self._place(field, k)
        return table[:, np.asarray(indices, dtype=np.intp)].T.ravel()

    def _place(self, field: int, k: int) -> list[Any]:
        return self._rows[k] if field == 3 else self._letters[k]

    def _coded(self, indices: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Committed flags, levels (0 for none) and whether a level is given, for every
        cell of rows ``indices`` (order of :meth:`_matrix`), from each column's few
        distinct cells; ``LookupError`` when a column does not know them, ``TypeError``
        for a level that is not an int."""
        import numpy as np

        rows = np.asarray(indices, dtype=np.intp)
        shape = (len(self._order), len(rows))
        committed = np.empty(shape, dtype=bool)
        levels = np.empty(shape, dtype=np.int64)
        given = np.empty(shape, dtype=bool)
        for j, k in enumerate(self._order):
            cells = self._cells[k]
            if not isinstance(cells, ParsedColumn):
                raise LookupError("a column without its distinct items")
            distinct, codes = cells.codes()
            at = codes[rows]
            committed[j] = np.array([bool(d[0]) for d in distinct], dtype=bool)[at]
            levels[j] = np.array([_int_level(d) for d in distinct], dtype=np.int64)[at]
            given[j] = np.array([d[1] is not None for d in distinct], dtype=bool)[at]
        return committed.T.ravel(), levels.T.ravel(), given.T.ravel()

    def columns(self, indices: Sequence[int]) -> BlockColumns:
        """Measures, committed flags, levels and counts of rows ``indices``, as flat columns."""
        import numpy as np

        measures = [self.numbers[k] for k in self._order] * len(indices)
        counts = [len(self._order)] * len(indices)
        try:  # each column's few distinct cells, spread by numpy
            committed, levels, given = self._coded(indices)
        except (LookupError, TypeError):  # cell by cell
            committed = np.asarray(self._matrix(0, indices), dtype=bool)
            level_of = self._matrix(1, indices)
            given = np.array([lv is not None for lv in level_of], dtype=bool)
            levels = np.array([lv if lv is not None else 0 for lv in level_of], dtype=np.float64)
        return measures, committed, levels, given, counts

    def levels(self, indices: Sequence[int]) -> list[Any]:
        """The level (or ``None``) of every cell of rows ``indices`` (order of :meth:`columns`)."""
        return self._matrix(1, indices).tolist()

    def details(self, indices: Sequence[int]) -> tuple[list[Any], list[Any], list[Any]]:
        """Raw texts, row numbers and column letters of rows ``indices`` (order of :meth:`columns`)."""
        return (
            self._matrix(2, indices).tolist(),
            self._matrix(3, indices).tolist(),
            self._matrix(4, indices).tolist(),
        )


class BlockCommitments(MutableMapping[int, Commitment]):
    """The commitments of one entry of a :class:`CommitmentBlock`, as a mapping.

    Reads come from the block; the first write copies the row into a
    dictionary owned by the view (:attr:`block` is then ``None``).
    """

    __slots__ = ("_block", "_index", "_own", "_positions")

    def __init__(self, block: CommitmentBlock, index: int, positions: dict[int, int]) -> None:
        self._block = block
        self._index = index
        self._positions = positions
        self._own: dict[int, Commitment] | None = None

    @property
    def block(self) -> CommitmentBlock | None:
        """The block this row is still read from (``None`` once written to)."""
        return self._block if self._own is None else None

    @property
    def index(self) -> int:
        """The entry's position in its block."""
        return self._index

    def _owned(self) -> dict[int, Commitment]:
        if self._own is None:
            self._own = self._block.row(self._index)
        return self._own

    def __getitem__(self, number: int) -> Commitment:
        if self._own is not None:
            return self._own[number]
        return self._block.commitment(self._positions[number], self._index)

    def __setitem__(self, number: int, value: Commitment) -> None:
        self._owned()[number] = value

    def __delitem__(self, number: int) -> None:
        del self._owned()[number]

    def __iter__(self) -> Iterator[int]:
        return iter(self._own if self._own is not None else self._block.numbers)

    def __len__(self) -> int:
        return len(self._own if self._own is not None else self._block.numbers)

    def __contains__(self, number: object) -> bool:
        if self._own is not None:
            return number in self._own
        return number in self._positions

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.items()),))  # a pickled entry carries a plain dictionary
