"""How learning opportunities and enrolments are named on the pages (Japanese msgids, translated at
display time)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from talentbank.models import EnrolmentStatus, LearnerEligibility, LearningFormat, LearningLanguage, OpportunityStatus

FORMAT_LABELS = {
    LearningFormat.SELF_PACED: _l("オンライン（自分のペースで）"),
    LearningFormat.LIVE_ONLINE: _l("オンライン（ライブ）"),
    LearningFormat.ONSITE: _l("対面"),
    LearningFormat.BLENDED: _l("オンラインと対面"),
    LearningFormat.PBL: _l("地域の課題に取り組むPBL"),
}
LANGUAGE_LABELS = {
    LearningLanguage.JA: _l("日本語"),
    LearningLanguage.EN: _l("英語"),
    LearningLanguage.BOTH: _l("日本語と英語"),
}
ELIGIBILITY_LABELS = {
    LearnerEligibility.ANYONE: _l("どなたでも"),
    LearnerEligibility.STUDENTS: _l("学生"),
    LearnerEligibility.WORKING_ADULTS: _l("社会人"),
}
OPPORTUNITY_STATUS_LABELS = {
    OpportunityStatus.OPEN: _l("受付中"),
    OpportunityStatus.CLOSED: _l("受付終了"),
}
ENROLMENT_LABELS = {
    EnrolmentStatus.ENROLLED: _l("受講中"),
    EnrolmentStatus.COMPLETED: _l("修了"),
    EnrolmentStatus.NOT_COMPLETED: _l("未修了"),
    EnrolmentStatus.WITHDRAWN: _l("取り消し"),
}
LABELS = {
    "formats": FORMAT_LABELS,
    "languages": LANGUAGE_LABELS,
    "eligibility": ELIGIBILITY_LABELS,
    "status": OPPORTUNITY_STATUS_LABELS,
    "enrolments": ENROLMENT_LABELS,
}
