"""search phrases: every three-to-eight-character substring of a kanji/katakana run is an index term

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 21:00:00+00:00

#18. A search for a word longer than two kanji/katakana characters (データ分析: four bigrams) summed
four ranges of the index per profile: at 100,000 profiles barely faster than a LIKE scan. The index
now also holds each such substring of a profile's runs (`matching.text.phrases`) as one term, its
weight the summed weight of its bigrams in the profile, so the search is one range like a
two-character word. No schema change: this fills the phrase rows of the existing profiles from their
texts (what `index_terms` reads) and the weights of their bigram rows already stored, with the rows'
audience and updated_at. Downgrade deletes the phrase rows (non-Latin terms of three characters or more).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from matching.text import phrase_bigrams, phrases

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
TERMS = sa.table(
    "profile_search_terms",
    sa.column("profile_id", sa.Integer),
    sa.column("term", sa.String),
    sa.column("weight", sa.Float),
    sa.column("audience", sa.SmallInteger),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
TEXTS = """
SELECT id, display_name, furigana, headline, bio FROM profiles WHERE id BETWEEN :low AND :high
UNION ALL
SELECT ps.profile_id, s.name_ja, s.name_en, NULL, NULL FROM profile_skills ps JOIN skills s ON s.code = ps.skill_code
 WHERE ps.profile_id BETWEEN :low AND :high
UNION ALL
SELECT profile_id, title, description, role, organisation_name FROM outcomes
 WHERE NOT is_hidden AND profile_id BETWEEN :low AND :high
"""


def upgrade() -> None:
    connection = op.get_bind()
    top = connection.execute(sa.text("SELECT max(id) FROM profiles")).scalar() or 0
    for low in range(0, top + 1, BATCH):
        bounds = {"low": low, "high": low + BATCH - 1}
        found: dict[int, set[str]] = defaultdict(set)
        for profile_id, *texts in connection.execute(sa.text(TEXTS), bounds):
            for text in texts:
                found[profile_id].update(phrases(text or ""))
        rows = connection.execute(
            sa.select(TERMS).where(TERMS.c.profile_id.between(low, low + BATCH - 1), sa.func.length(TERMS.c.term) == 2)
        ).all()
        weights = {(row.profile_id, row.term): row.weight for row in rows}
        stamps = {row.profile_id: (row.audience, row.updated_at) for row in rows}
        inserts = [
            {"profile_id": profile_id, "term": phrase, "audience": stamps[profile_id][0],
             "updated_at": stamps[profile_id][1],
             "weight": sum(weights.get((profile_id, bigram), 0.0) for bigram in phrase_bigrams(phrase))}
            for profile_id, held in found.items() if profile_id in stamps
            for phrase in held
        ]  # fmt: skip
        if inserts:
            connection.execute(TERMS.insert(), inserts)


def downgrade() -> None:
    connection = op.get_bind()
    long_terms = connection.execute(
        sa.select(TERMS.c.term).where(sa.func.length(TERMS.c.term) >= 3).distinct()
    ).scalars()
    phrase_terms = [term for term in long_terms if not term[0].isascii()]
    for start in range(0, len(phrase_terms), BATCH):
        connection.execute(TERMS.delete().where(TERMS.c.term.in_(phrase_terms[start : start + BATCH])))
