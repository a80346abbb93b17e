"""Column stores of the index: a CSC-like posting list per skill / per term (rows ascending, one byte
each), and the chunked accumulator that builds them without holding Python tuples per row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Postings:
    """A CSC-like column store: rows of column ``c`` are ``rows[indptr[c]:indptr[c + 1]]``."""

    indptr: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int32]
    values: npt.NDArray[np.uint8]

    def column(self, col: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
        """Rows (ascending) and values of one column; empty for unknown columns."""
        if col < 0 or col + 1 >= len(self.indptr):
            return np.empty(0, np.int32), np.empty(0, np.uint8)
        s, e = int(self.indptr[col]), int(self.indptr[col + 1])
        return self.rows[s:e], self.values[s:e]

    def lookup(self, col: int, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.uint8]:
        """Values at (rows, col), 0 where absent."""
        col_rows, col_values = self.column(col)
        out = np.zeros(len(rows), dtype=np.uint8)
        if len(col_rows) == 0:
            return out
        rows = rows.astype(col_rows.dtype)  # mixed dtypes make searchsorted copy the column
        pos = np.searchsorted(col_rows, rows)
        pos_ok = np.minimum(pos, len(col_rows) - 1)
        hit = col_rows[pos_ok] == rows
        out[hit] = col_values[pos_ok[hit]]
        return out


class ColumnChunks:
    """Accumulates (row, column, byte) triples chunk by chunk; assembles :class:`Postings`."""

    def __init__(self) -> None:
        self.chunks: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.uint8]]] = []
        self._rows: list[int] = []
        self._lengths: list[int] = []
        self._cols: list[npt.NDArray[np.int32]] = []
        self._vals: list[npt.NDArray[np.uint8]] = []

    def add(self, row: int, cols: npt.NDArray[np.int32], vals: npt.NDArray[np.uint8]) -> None:
        self._rows.append(row)
        self._lengths.append(len(cols))
        self._cols.append(cols)
        self._vals.append(vals)

    def seal(self) -> None:
        if not self._cols:
            return
        rows = np.repeat(np.array(self._rows, np.int32), self._lengths)
        cols, vals = np.concatenate(self._cols), np.concatenate(self._vals)
        order = np.argsort(cols, kind="stable")
        self.chunks.append((rows[order], cols[order], vals[order]))
        self._rows, self._lengths, self._cols, self._vals = [], [], [], []

    def column_counts(self, n_cols: int) -> npt.NDArray[np.int64]:
        """Postings per column so far (for text: each term's document frequency)."""
        self.seal()
        counts = np.zeros(n_cols, np.int64)
        for _, cols, _ in self.chunks:
            counts += np.bincount(cols, minlength=n_cols)
        return counts

    def assemble(self, n_cols: int, remap: npt.NDArray[np.int32] | None = None) -> Postings:
        """Merge the chunks into one column store; ``remap`` renumbers columns (-1 drops).

        ``remap`` must keep the order of the columns it keeps (as :func:`_fit_terms` does), so
        chunks sorted by old column stay sorted by new column. Chunks are freed as they are
        copied, so peak memory is about the final store plus one chunk.
        """
        self.seal()
        old_cols = n_cols if remap is None else len(remap)
        kept = None if remap is None else remap >= 0
        counts = []
        for _, cols, _ in self.chunks:
            count = np.bincount(cols, minlength=old_cols)
            counts.append(count if kept is None else count[kept])
        total = np.sum(counts, axis=0) if counts else np.zeros(n_cols, np.int64)
        indptr = np.zeros(n_cols + 1, np.int64)
        np.cumsum(total, out=indptr[1:])
        rows_out = np.empty(int(indptr[-1]), np.int32)
        vals_out = np.empty(int(indptr[-1]), np.uint8)
        filled = indptr[:-1].copy()
        chunks, self.chunks = self.chunks, []
        while chunks:
            rows, cols, vals = chunks.pop(0)
            count = counts.pop(0)
            if remap is not None:
                new_cols = remap[cols]
                keep = new_cols >= 0
                rows, cols, vals = rows[keep], new_cols[keep], vals[keep]
            chunk_start = np.zeros(n_cols, np.int64)
            np.cumsum(count[:-1], out=chunk_start[1:])
            dest = filled[cols] + (np.arange(len(cols)) - chunk_start[cols])
            rows_out[dest] = rows
            vals_out[dest] = vals
            filled += count
        return Postings(indptr=indptr, rows=rows_out, values=vals_out)
