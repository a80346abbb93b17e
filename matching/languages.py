"""Matches across languages: which glossary pairs made a Japanese text meet an English one.

Text relevance meets Japanese and English through the glossary (:mod:`matching.glossary`): an
English word also stands for the bigrams of its Japanese term. For the reasons, a project's text is
read once (:func:`need_links`) for the pairs that could carry such a match: a Japanese term it writes
that a person could meet with the English word (``"ja_en"``), or an English word it writes that a
person could meet with the Japanese term (``"en_ja"``). A person's side is a test of which terms
their text holds (glossary terms included, as the index stores them): ``ja_en`` needs the English
word; ``en_ja`` needs the Japanese term's bigrams and none of the English words for it (else the
texts met in English already).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from matching.glossary import GLOSSARY
from matching.model import Reason
from matching.text import ACROSS, terms

Direction = Literal["ja_en", "en_ja"]
DIRECTIONS: tuple[Direction, ...] = ("ja_en", "en_ja")
MAX_PAIRS = 8


@dataclass(frozen=True)
class Link:
    """One glossary pair a need could be met through: ``direction`` is (need's language, person's)."""

    word: str
    ja: str
    ja_terms: tuple[str, ...]
    direction: Direction
    synonyms: tuple[str, ...] = ()

    def met(self, has_term: Callable[[str], bool]) -> bool:
        """Whether a person whose text holds the terms ``has_term`` says meets it across languages."""
        if self.direction == "ja_en":
            return has_term(self.word)
        return all(has_term(t) for t in self.ja_terms) and not any(map(has_term, (self.word, *self.synonyms)))


def need_links(text: str) -> tuple[Link, ...]:
    """The glossary pairs through which ``text`` (a need's) could meet a text in the other language."""
    own = set(terms(text, glossary=False))
    words_of: dict[str, list[str]] = {}
    for word, ja in GLOSSARY.items():
        words_of.setdefault(ja, []).append(word)
    links = []
    for word, ja in GLOSSARY.items():
        ja_terms = ACROSS[word]
        if ja.isascii():  # e.g. "PR": the same letters in both languages, nothing crosses
            continue
        has_ja = bool(ja_terms) and set(ja_terms) <= own
        if has_ja and word not in own:
            links.append(Link(word, ja, ja_terms, "ja_en"))
        elif word in own and not has_ja:
            links.append(Link(word, ja, ja_terms, "en_ja", tuple(w for w in words_of[ja] if w != word)))
    return tuple(links)


def link_terms(links: Iterable[Link]) -> set[str]:
    """Every term the links test a person's text for."""
    return {t for link in links for t in (link.word, *link.synonyms, *link.ja_terms)}


def across_reasons(links: Iterable[Link], has_term: Callable[[str], bool]) -> tuple[Reason, ...]:
    """``across_languages`` reasons (one per direction met): subject ``ja_en`` (a Japanese project, an
    English profile) or ``en_ja``; ``terms`` are the pairs met, ``"酪農 = dairy"``, one per Japanese term."""
    pairs: dict[Direction, dict[str, str]] = {d: {} for d in DIRECTIONS}
    for link in links:
        if link.met(has_term):
            pairs[link.direction].setdefault(link.ja, link.word)
    return tuple(
        Reason("across_languages", direction, terms=tuple(f"{ja} = {word}" for ja, word in met.items())[:MAX_PAIRS])
        for direction, met in pairs.items()
        if met
    )
