"""Japanese-aware text terms and the TF-IDF model used for text relevance.

Terms: after NFKC normalisation, runs of kanji/katakana become character bigrams (a single
character run stays a unigram) and Latin/digit runs become lowercase words. Hiragana runs are
skipped: in profile and project texts they are mostly particles and inflections. This needs no
dictionary (SudachiPy would be better at word boundaries, but bigrams match 酪農/データ/防災
well enough and cost nothing to ship).
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.glossary import GLOSSARY, THEMES

# a kanji/katakana run (iteration mark and long-vowel mark included), or a Latin/digit word
_TOKEN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\u30a0-\u30ff\u3005\u30fc]+|[a-z0-9][a-z0-9+#]*")
_STOPWORDS = frozenset(
    [
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "i", "in"),
        *("is", "it", "of", "on", "or", "our", "the", "this", "to", "we", "with", "was", "were"),
        *("will", "you", "your", "my", "me"),
    ]
)
MAX_TF = 255


@functools.lru_cache(maxsize=1 << 16)
def _own_terms(token: str) -> tuple[str, ...]:
    """A token's terms: the character bigrams of a kanji/katakana run (one character stays a unigram),
    or the Latin word itself unless it is a stopword or a single letter. Cached: tokens are words, and
    words recur across texts."""
    if token[0].isascii():
        return () if token in _STOPWORDS or len(token) == 1 else (token,)
    return (token,) if len(token) == 1 else tuple(map(operator.add, token, token[1:]))


@functools.lru_cache(maxsize=1 << 16)
def _theme_terms(token: str) -> tuple[str, ...]:
    """The terms of the domain words (:data:`matching.glossary.THEMES`) a kanji/katakana run speaks of
    without writing them: 牛群検定 gives 酪農."""
    if token[0].isascii():
        return ()
    return tuple(
        t for domain, words in THEMES.items() if domain not in token and any(w in token for w in words)
        for t in _own_terms(domain)
    )  # fmt: skip


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


# English glossary words → the terms of their Japanese equivalents (matching/glossary.py)
ACROSS: dict[str, tuple[str, ...]] = {
    word: tuple(itertools.chain.from_iterable(map(_own_terms, _tokens(ja)))) for word, ja in GLOSSARY.items()
}
# ... and of the domain their Japanese equivalent speaks of (tsunami → 津波 → 防災)
_ACROSS_THEMES: dict[str, tuple[str, ...]] = {
    word: tuple(itertools.chain.from_iterable(map(_theme_terms, _tokens(ja)))) for word, ja in GLOSSARY.items()
}


@functools.lru_cache(maxsize=1 << 16)
def _terms_across(token: str) -> tuple[str, ...]:
    """A token's terms and its domain's (:func:`_theme_terms`); for an English glossary word the
    terms of its Japanese equivalent and of that one's domain too."""
    own = _own_terms(token)
    if own and token in ACROSS:
        return own + ACROSS[token] + _ACROSS_THEMES[token]
    return own + _theme_terms(token) if own else own


def terms(text: str, *, glossary: bool = True) -> list[str]:
    """Split a text into terms (CJK bigrams and lowercase Latin words), in order, with repeats; an
    English word of the bilingual glossary also gives the terms of its Japanese equivalent, and a
    Japanese word of a domain the domain's terms (unless ``glossary`` is false: the text's own terms
    only)."""
    return list(itertools.chain.from_iterable(map(_terms_across if glossary else _own_terms, _tokens(text))))


# Phrases: the longest substring of a kanji/katakana run that is indexed as one search term.
MAX_PHRASE = 8

# English glossary words → the kanji/katakana runs of their Japanese equivalents
RUNS_ACROSS: dict[str, tuple[str, ...]] = {
    word: tuple(t for t in _tokens(ja) if not t[0].isascii()) for word, ja in GLOSSARY.items()
}


def is_phrase(token: str) -> bool:
    """A kanji/katakana token of three to MAX_PHRASE characters: searched as one phrase term."""
    return 3 <= len(token) <= MAX_PHRASE and not token[0].isascii()


@functools.lru_cache(maxsize=1 << 16)
def _run_phrases(token: str) -> tuple[str, ...]:
    """Every substring of three to MAX_PHRASE characters of a kanji/katakana run; none of a Latin word."""
    if token[0].isascii():
        return ()
    return tuple(
        token[start : start + size] for size in range(3, min(len(token), MAX_PHRASE) + 1)
        for start in range(len(token) - size + 1)
    )  # fmt: skip


def phrases(text: str) -> set[str]:
    """The phrases of a text (the substrings of three to MAX_PHRASE characters of its kanji/katakana
    runs, and of the runs an English glossary word brings with it, as `terms` does): a search for a
    word of that length is one lookup instead of an intersection of its bigrams."""
    found: set[str] = set()
    for token in _tokens(text):
        if token[0].isascii():
            for run in RUNS_ACROSS.get(token, ()) if _own_terms(token) else ():
                found.update(_run_phrases(run))
        else:
            found.update(_run_phrases(token))
    return found


def phrase_bigrams(phrase: str) -> tuple[str, ...]:
    """The distinct terms (bigrams) a phrase stands for, in order."""
    return tuple(dict.fromkeys(_own_terms(phrase)))


def token_terms(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each token of a text with the terms `terms` gives it (a glossary word's included), in order."""
    return [(token, _terms_across(token)) for token in _tokens(text)]


def term_counts(text: str) -> Counter[str]:
    """Term frequencies of a text."""
    return Counter(terms(text))


@dataclass(frozen=True)
class TextModel:
    """A fitted term vocabulary with inverse document frequencies.

    ``idf[t] = ln((1 + N) / (1 + df[t])) + 1`` over the N texts it was fitted on; terms in more
    than ``max_df`` of the texts are dropped (they carry no signal and make posting lists long).
    Term weight in a text is ``(1 + ln tf) * idf``; vectors are L2-normalised, so the dot product
    of two vectors is their cosine (0–1). Build it with :func:`make_text_model`.
    """

    vocabulary: Mapping[str, int]
    terms: tuple[str, ...]
    idf: npt.NDArray[np.float32]

    def encode(self, text: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
        """Known term ids (ascending) and their capped term frequencies in ``text``."""
        counts = term_counts(text)
        pairs = sorted((self.vocabulary[t], c) for t, c in counts.items() if t in self.vocabulary)
        ids = np.fromiter((p[0] for p in pairs), dtype=np.int32, count=len(pairs))
        tfs = np.fromiter((min(p[1], MAX_TF) for p in pairs), dtype=np.uint8, count=len(pairs))
        return ids, tfs

    def vector(self, text: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """L2-normalised TF-IDF vector of ``text`` as (term ids, weights)."""
        ids, tfs = self.encode(text)
        weights = tf_weight(tfs) * self.idf[ids]
        norm = float(np.sqrt(np.dot(weights, weights)))
        return ids, (weights / norm if norm > 0 else weights).astype(np.float32)


def make_text_model(terms_in_order: Iterable[str], idf: npt.ArrayLike) -> TextModel:
    """A :class:`TextModel` whose term ids are positions in ``terms_in_order``."""
    ordered = tuple(terms_in_order)
    return TextModel(
        vocabulary={t: i for i, t in enumerate(ordered)},
        terms=ordered,
        idf=np.asarray(idf, dtype=np.float32),
    )


_TF_LUT = np.array([0.0] + [1.0 + math.log(tf) for tf in range(1, MAX_TF + 1)], dtype=np.float32)


def tf_weight(tfs: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Sublinear term-frequency weight 1 + ln(tf) (0 for tf = 0)."""
    return _TF_LUT[tfs]


def fit_text_model(
    counts: Iterable[Mapping[str, int]], *, max_df: float = 0.4, min_docs_for_max_df: int = 50
) -> TextModel:
    """Fit a :class:`TextModel` on term counts of a corpus (one mapping per text).

    ``max_df`` (0–1) only applies once the corpus has ``min_docs_for_max_df`` texts; small
    corpora keep every term.
    """
    df: Counter[str] = Counter()
    n_docs = 0
    for c in counts:
        df.update(c.keys())
        n_docs += 1
    limit = max_df * n_docs if n_docs >= min_docs_for_max_df else float("inf")
    kept = sorted(t for t, d in df.items() if d <= limit)
    df_arr = np.array([df[t] for t in kept], dtype=np.float64)
    return make_text_model(kept, idf_from_df(df_arr, n_docs))


def idf_from_df(df: npt.NDArray[np.float64], n_docs: int) -> npt.NDArray[np.float32]:
    """Smoothed inverse document frequency ln((1 + N) / (1 + df)) + 1 (always ≥ 1)."""
    return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)


def flat_text_model(texts: Iterable[str]) -> TextModel:
    """A model with idf = 1 for every term of ``texts``: plain TF cosine, for one-off pairs."""
    vocab: dict[str, None] = {}
    for text in texts:
        vocab.update(dict.fromkeys(terms(text)))
    return make_text_model(vocab, np.ones(len(vocab), dtype=np.float32))
