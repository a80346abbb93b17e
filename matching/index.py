"""The candidate index: columnar arrays the ranker scores in bulk.

Layout (one *segment*): skills and text are stored column-wise (CSC: one posting list of rows
per skill / per term), because a need touches only its own handful of skills and terms.
Skill postings carry one byte, ``level | source << 3``; text postings carry the raw term
frequency (one byte) and each row keeps ``1 / norm`` of its TF-IDF vector; the same postings
also form a scipy CSC matrix of normalised TF weights (float32, sharing the rows array), whose
column subset times the query's weights is the cosine. The stored index costs ~5 bytes per
(row, skill) and ~9 per (row, term). Scalars (coordinates in radians, hours, start day,
work modes, pay, regions bitmask, eligibility) are plain arrays.

Freshness: an index is a large immutable *base* segment plus a small *delta* segment.
``index.upsert(candidate)`` tombstones the candidate's old row and puts the new version in the
delta (re-assembled lazily from cached per-candidate rows, O(delta)); ``index.remove(id)``
only tombstones. New text terms in upserted profiles are ignored until the next rebuild, as is
the IDF drift. Rebuild with :func:`build_index` when ``index.delta_size`` grows past a few
thousand or on a schedule; each gunicorn worker keeps its own index and applies upserts for
profiles changed since its last poll (a few seconds), which is what keeps rankings fresh.
Not safe for concurrent writers: one worker thread owns its index.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.model import SKILL_SOURCES, WORK_MODES, Candidate
from matching.scoring import PAY_CODE
from matching.text import MAX_TF, TextModel, idf_from_df, make_text_model, term_counts, tf_weight

CHUNK_ROWS = 50_000
NO_START = np.iinfo(np.int32).min // 2
MODE_BIT = {mode: 1 << i for i, mode in enumerate(WORK_MODES)}
SOURCE_CODE = {source: i for i, source in enumerate(SKILL_SOURCES)}
MAX_REGIONS = 64
# lat, lng, travel_km, hours, start_day, modes, pay_kind, pay_yen, regions, eligible (visible),
# is_open, does_onsite, onsite_days (inf = no limit), is_student
Scalars = tuple[float, float, float, float, int, int, int, float, int, bool, bool, bool, float, bool]


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


@dataclass
class Segment:
    """One block of candidate rows. ``alive`` is mutable (tombstones); all else is fixed."""

    ids: npt.NDArray[np.int64]
    id_order: npt.NDArray[np.intp]
    skills: Postings
    text: Postings
    text_inv_norm: npt.NDArray[np.float32]
    lat: npt.NDArray[np.float32]
    lng: npt.NDArray[np.float32]
    travel_km: npt.NDArray[np.float32]
    hours: npt.NDArray[np.float32]
    start_day: npt.NDArray[np.int32]
    modes: npt.NDArray[np.uint8]
    pay_kind: npt.NDArray[np.uint8]
    pay_yen: npt.NDArray[np.float32]
    regions: npt.NDArray[np.uint64]
    eligible: npt.NDArray[np.bool_]
    is_open: npt.NDArray[np.bool_]
    does_onsite: npt.NDArray[np.bool_]
    onsite_days: npt.NDArray[np.float32]
    is_student: npt.NDArray[np.bool_]
    alive: npt.NDArray[np.bool_]
    cos_lat: npt.NDArray[np.float32]
    half_angles: npt.NDArray[np.float32]
    text_matrix: sp.csc_matrix
    inv_travel: npt.NDArray[np.float32]
    pay_free: npt.NDArray[np.bool_]
    pay_inv_yen: npt.NDArray[np.float32]

    @property
    def size(self) -> int:
        """Rows in the segment, tombstoned ones included."""
        return len(self.ids)

    def rows_of(self, ids: Iterable[int]) -> npt.NDArray[np.intp]:
        """Row numbers of the given candidate ids that are present (alive or not)."""
        wanted = np.fromiter(ids, dtype=np.int64)
        if len(wanted) == 0 or self.size == 0:
            return np.empty(0, np.intp)
        sorted_ids = self.ids[self.id_order]
        # the last row of an id is the live one (build_index keeps the last duplicate)
        pos = np.maximum(np.searchsorted(sorted_ids, wanted, side="right") - 1, 0)
        hit = sorted_ids[pos] == wanted
        return np.asarray(self.id_order[pos[hit]], dtype=np.intp)


@dataclass(frozen=True)
class EncodedRow:
    """One candidate encoded against the vocabularies (kept for delta rows only)."""

    id: int
    skill_cols: npt.NDArray[np.int32]
    skill_values: npt.NDArray[np.uint8]
    term_ids: npt.NDArray[np.int32]
    term_tfs: npt.NDArray[np.uint8]
    scalars: Scalars


def encode_skills(
    candidate: Candidate, skill_columns: Mapping[str, int]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """Skill columns (ascending) and ``level | source << 3`` bytes; unknown codes are skipped."""
    pairs = sorted(
        (skill_columns[code], max(1, min(claim.level, 4)) | SOURCE_CODE[claim.source] << 3)
        for code, claim in candidate.skills.items()
        if code in skill_columns
    )
    return (
        np.fromiter((p[0] for p in pairs), np.int32, len(pairs)),
        np.fromiter((p[1] for p in pairs), np.uint8, len(pairs)),
    )


def region_mask(regions: Iterable[str], region_bits: dict[str, int], *, grow: bool) -> int:
    """Bitmask of regions; with ``grow`` unseen region codes get the next free bit."""
    mask = 0
    for region in regions:
        if region not in region_bits:
            if not grow:
                continue
            if len(region_bits) >= MAX_REGIONS:
                raise ValueError(f"more than {MAX_REGIONS} region codes")
            region_bits[region] = len(region_bits)
        mask |= 1 << region_bits[region]
    return mask


def encode_scalars(candidate: Candidate, region_bits: dict[str, int]) -> Scalars:
    """The per-row scalar fields, in :class:`Segment` order (lat/lng in radians, NaN = unknown)."""
    lat = lng = math.nan
    if candidate.lat is not None and candidate.lng is not None:
        lat, lng = math.radians(candidate.lat), math.radians(candidate.lng)
    start = candidate.earliest_start.toordinal() if candidate.earliest_start else NO_START
    modes = sum(MODE_BIT[m] for m in set(candidate.work_modes))
    return (
        float(lat),
        float(lng),
        float(candidate.travel_km),
        float(candidate.hours_per_week),
        int(start),
        modes,
        PAY_CODE[candidate.pay.kind],
        float(candidate.pay.yen),
        region_mask(candidate.regions, region_bits, grow=True),
        bool(candidate.visible),
        bool(candidate.open_to_offers),
        candidate.does_onsite,
        math.inf if candidate.onsite_days_per_month is None else float(candidate.onsite_days_per_month),
        bool(candidate.is_student),
    )


class _ColumnChunks:
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


def _scalar_arrays(
    scalars: list[Scalars],
) -> dict[str, np.ndarray]:
    n = len(scalars)
    cols = list(zip(*scalars, strict=True)) if n else [()] * 14
    return {
        "lat": np.array(cols[0], np.float32),
        "lng": np.array(cols[1], np.float32),
        "travel_km": np.array(cols[2], np.float32),
        "hours": np.array(cols[3], np.float32),
        "start_day": np.array(cols[4], np.int32),
        "modes": np.array(cols[5], np.uint8),
        "pay_kind": np.array(cols[6], np.uint8),
        "pay_yen": np.array(cols[7], np.float32),
        "regions": np.array(cols[8], np.uint64),
        "eligible": np.array(cols[9], np.bool_),
        "is_open": np.array(cols[10], np.bool_),
        "does_onsite": np.array(cols[11], np.bool_),
        "onsite_days": np.array(cols[12], np.float32),
        "is_student": np.array(cols[13], np.bool_),
    }


def _inv_norms(text: Postings, idf: npt.NDArray[np.float32], n_rows: int) -> npt.NDArray[np.float32]:
    """1 / L2 norm of each row's TF-IDF vector (0 for empty rows), ~1M postings at a time."""
    sq = np.zeros(n_rows, np.float64)
    n_cols = len(text.indptr) - 1
    budget = 1 << 20
    c0 = 0
    while c0 < n_cols:
        c1 = int(np.searchsorted(text.indptr, text.indptr[c0] + budget, side="right")) - 1
        c1 = min(max(c1, c0 + 1), n_cols)
        s, e = int(text.indptr[c0]), int(text.indptr[c1])
        col_of = np.repeat(np.arange(c0, c1, dtype=np.int32), np.diff(text.indptr[c0 : c1 + 1]))
        w = tf_weight(text.values[s:e]) * idf[col_of]
        sq += np.bincount(text.rows[s:e], weights=w * w, minlength=n_rows)
        c0 = c1
    norm = np.sqrt(sq)
    return np.where(norm > 0, 1.0 / np.maximum(norm, 1e-12), 0.0).astype(np.float32)


def _text_matrix(text: Postings, inv_norm: npt.NDArray[np.float32]) -> sp.csc_matrix:
    """Rows × terms, value = the row's normalised TF weight: a column subset times the query's
    IDF weights is the cosine. Shares the posting rows with ``text`` (4 more bytes a posting)."""
    data = tf_weight(text.values) * inv_norm[text.rows]
    return sp.csc_matrix((data, text.rows, text.indptr), shape=(len(inv_norm), len(text.indptr) - 1))


def _segment(
    ids: list[int] | npt.NDArray[np.int64],
    skills: Postings,
    text: Postings,
    inv_norm: npt.NDArray[np.float32],
    scalars: dict[str, np.ndarray],
) -> Segment:
    id_arr = np.array(ids, np.int64)
    travel, yen = scalars["travel_km"], scalars["pay_yen"]
    with np.errstate(divide="ignore"):
        inv_travel = np.where(travel > 0, 1.0 / travel, np.inf).astype(np.float32)
    half_lat, half_lng = scalars["lat"] * np.float32(0.5), scalars["lng"] * np.float32(0.5)
    return Segment(
        ids=id_arr,
        id_order=np.argsort(id_arr, kind="stable"),
        skills=skills,
        text=text,
        text_inv_norm=inv_norm,
        alive=np.ones(len(ids), np.bool_),
        cos_lat=np.cos(scalars["lat"]).astype(np.float32),
        half_angles=np.stack([np.sin(half_lat), np.cos(half_lat), np.sin(half_lng), np.cos(half_lng)]),
        text_matrix=_text_matrix(text, inv_norm),
        inv_travel=inv_travel,
        pay_free=(scalars["pay_kind"] == PAY_CODE["volunteer"]) | (yen <= 0),
        pay_inv_yen=(1.0 / np.maximum(yen, 1.0)).astype(np.float32),
        **scalars,
    )


class CandidateIndex:
    """Candidates ready for :func:`matching.rank`: a base segment, a delta and tombstones.

    Build with :func:`build_index`; keep fresh with :meth:`upsert` / :meth:`remove`.
    """

    def __init__(
        self,
        skill_columns: Mapping[str, int],
        text_model: TextModel,
        region_bits: dict[str, int],
        base: Segment,
    ) -> None:
        self.skill_columns = skill_columns
        self.text_model = text_model
        self.region_bits = region_bits
        self.base = base
        self._delta_rows: dict[int, EncodedRow] = {}
        self._delta: Segment | None = None

    def __len__(self) -> int:
        alive = int(self.base.alive.sum())
        return alive + len(self._delta_rows)

    def ids(self) -> set[int]:
        """The ids of every live candidate (base rows not tombstoned, and the delta)."""
        return set(self.base.ids[self.base.alive].tolist()) | self._delta_rows.keys()

    @property
    def delta_size(self) -> int:
        """Candidates held in the delta segment (rebuild when this grows large)."""
        return len(self._delta_rows)

    def segments(self) -> list[Segment]:
        """The segments to score: base, then the delta if it has rows."""
        if self._delta is None and self._delta_rows:
            self._delta = _assemble_rows(list(self._delta_rows.values()), self)
        return [self.base] + ([self._delta] if self._delta is not None else [])

    def upsert(self, candidate: Candidate) -> None:
        """Insert or replace one candidate; visible in the next ranking. O(delta)."""
        self._tombstone_base(candidate.id)
        skill_cols, skill_values = encode_skills(candidate, self.skill_columns)
        term_ids, term_tfs = self.text_model.encode(candidate.text)
        self._delta_rows[candidate.id] = EncodedRow(
            candidate.id,
            skill_cols,
            skill_values,
            term_ids,
            term_tfs,
            encode_scalars(candidate, self.region_bits),
        )
        self._delta = None

    def remove(self, candidate_id: int) -> None:
        """Drop a candidate (deleted profile); unknown ids are ignored."""
        self._tombstone_base(candidate_id)
        if self._delta_rows.pop(candidate_id, None) is not None:
            self._delta = None

    def _tombstone_base(self, candidate_id: int) -> None:
        self.base.alive[self.base.rows_of([candidate_id])] = False


def _assemble_rows(rows: Sequence[EncodedRow], index: CandidateIndex) -> Segment:
    skills, text = _ColumnChunks(), _ColumnChunks()
    for i, row in enumerate(rows):
        skills.add(i, row.skill_cols, row.skill_values)
        text.add(i, row.term_ids, row.term_tfs)
    text_postings = text.assemble(len(index.text_model.idf))
    return _segment(
        [r.id for r in rows],
        skills.assemble(len(index.skill_columns)),
        text_postings,
        _inv_norms(text_postings, index.text_model.idf, len(rows)),
        _scalar_arrays([r.scalars for r in rows]),
    )


def build_index(
    candidates: Iterable[Candidate],
    vocabulary: Sequence[str],
    *,
    text_model: TextModel | None = None,
    max_df: float = 0.4,
    min_docs_for_max_df: int = 50,
) -> CandidateIndex:
    """Index candidates (any iterable, consumed once, in chunks) against a skill vocabulary.

    ``vocabulary`` lists the skill codes in column order (e.g. the DSS codes); claims of codes
    outside it are ignored. Unless ``text_model`` is given, a TF-IDF model is fitted on the
    candidates' texts; terms found in more than ``max_df`` (0–1) of the texts are dropped once
    there are ``min_docs_for_max_df`` texts. Duplicate ids: the last one wins.
    Memory: ~5 bytes per (row, skill), ~9 per (row, term), ~90 per row.
    """
    skill_columns = {code: i for i, code in enumerate(vocabulary)}
    region_bits: dict[str, int] = {}
    terms_seen: dict[str, int] = {}
    skills, text = _ColumnChunks(), _ColumnChunks()
    ids: list[int] = []
    scalars: list[Scalars] = []
    scalar_chunks: list[dict[str, np.ndarray]] = []
    id_chunks: list[npt.NDArray[np.int64]] = []
    for row, candidate in enumerate(candidates):
        ids.append(candidate.id)
        skills.add(row, *encode_skills(candidate, skill_columns))
        if text_model is None:
            text.add(row, *_encode_growing(candidate.text, terms_seen))
        else:
            text.add(row, *text_model.encode(candidate.text))
        scalars.append(encode_scalars(candidate, region_bits))
        if (row + 1) % CHUNK_ROWS == 0:
            # seal the chunk into compact arrays: Python tuples cost ~400 bytes a row
            skills.seal()
            text.seal()
            scalar_chunks.append(_scalar_arrays(scalars))
            id_chunks.append(np.array(ids, np.int64))
            scalars, ids = [], []
    scalar_chunks.append(_scalar_arrays(scalars))
    id_chunks.append(np.array(ids, np.int64))
    all_ids = np.concatenate(id_chunks)
    n = len(all_ids)
    remap = None
    if text_model is None:
        df = text.column_counts(len(terms_seen)).astype(np.float64)
        text_model, remap = _fit_terms(terms_seen, df, n, max_df, min_docs_for_max_df)
    text_postings = text.assemble(len(text_model.idf), remap)
    base = _segment(
        all_ids,
        skills.assemble(len(skill_columns)),
        text_postings,
        _inv_norms(text_postings, text_model.idf, n),
        {key: np.concatenate([c[key] for c in scalar_chunks]) for key in scalar_chunks[0]},
    )
    index = CandidateIndex(skill_columns, text_model, region_bits, base)
    _drop_duplicate_ids(index)
    return index


def _encode_growing(text: str, terms_seen: dict[str, int]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """Term ids (new terms get the next id) and capped frequencies; not sorted by id."""
    counts = term_counts(text)
    ids = np.array([terms_seen.setdefault(t, len(terms_seen)) for t in counts], np.int32)
    tfs = np.minimum(np.array(list(counts.values()), np.int64), MAX_TF)
    return ids, tfs.astype(np.uint8)


def _fit_terms(
    terms_seen: dict[str, int], df: npt.NDArray[np.float64], n_docs: int, max_df: float, min_docs: int
) -> tuple[TextModel, npt.NDArray[np.int32]]:
    limit = max_df * n_docs if n_docs >= min_docs else np.inf
    keep = df <= limit
    remap = np.full(len(df), -1, np.int32)
    remap[keep] = np.arange(int(keep.sum()), dtype=np.int32)
    by_id = np.empty(len(terms_seen), dtype=object)
    for term, i in terms_seen.items():
        by_id[i] = term
    return make_text_model(by_id[keep].tolist(), idf_from_df(df[keep], n_docs)), remap


def _drop_duplicate_ids(index: CandidateIndex) -> None:
    """Tombstone all but the last row of each repeated id (``id_order`` is a stable sort)."""
    ordered = index.base.id_order
    if len(ordered) < 2:
        return
    ids_ordered = index.base.ids[ordered]
    is_last = np.append(ids_ordered[1:] != ids_ordered[:-1], True)
    index.base.alive[ordered[~is_last]] = False
