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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from matching.encoding import EncodedRow, Scalars, encode_scalars, encode_skills, scalar_arrays
from matching.model import Candidate
from matching.postings import ColumnChunks, Postings
from matching.scoring import PAY_CODE
from matching.text import MAX_TF, TextModel, idf_from_df, make_text_model, term_counts, tf_weight

CHUNK_ROWS = 50_000


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
    skills, text = ColumnChunks(), ColumnChunks()
    for i, row in enumerate(rows):
        skills.add(i, row.skill_cols, row.skill_values)
        text.add(i, row.term_ids, row.term_tfs)
    text_postings = text.assemble(len(index.text_model.idf))
    return _segment(
        [r.id for r in rows],
        skills.assemble(len(index.skill_columns)),
        text_postings,
        _inv_norms(text_postings, index.text_model.idf, len(rows)),
        scalar_arrays([r.scalars for r in rows]),
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
    skills, text = ColumnChunks(), ColumnChunks()
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
            scalar_chunks.append(scalar_arrays(scalars))
            id_chunks.append(np.array(ids, np.int64))
            scalars, ids = [], []
    scalar_chunks.append(scalar_arrays(scalars))
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
    known = list(map(terms_seen.get, counts))  # most terms are known after the first few thousand texts
    if None in known:
        known = [terms_seen.setdefault(t, len(terms_seen)) for t in counts]
    tfs = counts.values()
    if max(tfs, default=0) > MAX_TF:
        tfs = [min(tf, MAX_TF) for tf in tfs]  # type: ignore[assignment]
    return np.fromiter(known, np.int32, len(known)), np.fromiter(tfs, np.uint8, len(known))


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
