"""Bulk issuance worker for the kill -9 test (SC-20), run in a subprocess by tests/test_bulk_kill.py.

Usage:  python tests/bulk_worker.py <database url> <achievement public id> <csv path> <instance dir> [batch]

Does what `credentials.views.bulk_post` does on "issue": parse the CSV, derive each row's idempotency
key, skip the keys already used, issue the rest with `issuing.issue_credentials` in batches and
commit after each batch. Protocol on stdout (one line each, flushed):

    start <already issued> <pending>
    begin <batch number> <batch size>     before a batch is built
    progress <issued in total>            after the batch was committed
    done <issued in total>
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Run as a script, tests/ comes first on sys.path; the project root must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

BASE_URL = "http://localhost"
DEFAULT_BATCH = 50


def say(*words: object) -> None:
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


def worker_app(database_url: str, instance_dir: str):
    """The app both processes build: same instance folder, hence the same key-encryption key."""
    os.environ["TALENTBANK_INSTANCE_PATH"] = instance_dir
    from talentbank import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "BASE_URL": BASE_URL,
            "SECURE_COOKIES": False,
            "PASSWORD_HASH": "fast",
            "SERVER_NAME": None,
        }
    )


def main(argv: list[str]) -> int:
    database_url, achievement_id, csv_path, instance_dir = argv[:4]
    batch = int(argv[4]) if len(argv) > 4 else DEFAULT_BATCH
    app = worker_app(database_url, instance_dir)

    from talentbank import db
    from talentbank.credentials import achievements, bulk, issuing
    from talentbank.credentials.context import issuer_context
    from talentbank.models import Membership, MembershipRole, User

    with app.test_request_context():
        achievement = achievements.get_achievement(db.session, achievement_id)
        actor = db.session.scalar(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == achievement.organisation_id,
                Membership.role == MembershipRole.OWNER,
            )
        )
        rows = bulk.parse_award_csv(Path(csv_path).read_text(encoding="utf-8"))
        # From here on, exactly the "issue" branch of bulk_post (with a smaller batch).
        key_of = {row.line: row.idempotency_key(str(achievement.public_id)) for row in rows}
        already = issuing.issued_keys(db.session, achievement, [key_of[r.line] for r in rows if r.is_valid])
        pending = [(row.award, key_of[row.line]) for row in rows if row.is_valid and key_of[row.line] not in already]
        say("start", len(already), len(pending))
        done = len(already)
        context = issuer_context()
        for number, start in enumerate(range(0, len(pending), batch), start=1):
            chunk = pending[start : start + batch]
            say("begin", number, len(chunk))
            issuing.issue_credentials(db.session, actor, achievement, chunk, context)
            db.session.commit()
            done += len(chunk)
            say("progress", done)
        say("done", done)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
