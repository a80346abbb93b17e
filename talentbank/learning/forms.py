"""The learning pages' forms: publishing an opportunity (with its taught-skill rows), adding learners
from a list, and marking learners completed or not."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from talentbank.forms import BaseForm
from talentbank.learning.inputs import OpportunityInput, TaughtSkillInput
from talentbank.learning.labels import ELIGIBILITY_LABELS, FORMAT_LABELS, LANGUAGE_LABELS

REQUIRED = DataRequired(_l("入力してください。"))
SKILL_ROWS = 4


class OpportunityForm(BaseForm):
    title = StringField(_l("講座・プログラムの名前"), validators=[REQUIRED, Length(max=140)])
    description = TextAreaField(_l("内容"), validators=[REQUIRED, Length(max=5000)])
    format = RadioField(_l("形式"), choices=[(k.value, v) for k, v in FORMAT_LABELS.items()], default="self_paced")
    language = SelectField(_l("言語"), choices=[(k.value, v) for k, v in LANGUAGE_LABELS.items()])
    municipality_code = SelectField(_l("開催する市町村（対面・ブレンド型は必須）"), validate_choice=False)
    starts_on = DateField(_l("開始日（空欄はいつでも開始）"), validators=[Optional()])
    ends_on = DateField(_l("終了日（任意）"), validators=[Optional()])
    study_hours = IntegerField(
        _l("学習時間（合計）"),
        validators=[
            InputRequired(_l("入力してください。")),
            NumberRange(1, 5000, _l("1〜5000の数字で入力してください。")),
        ],
    )
    cost_yen = IntegerField(_l("受講料（円、無料は0）"), default=0, validators=[Optional()])
    eligibility = SelectField(_l("対象"), choices=[(k.value, v) for k, v in ELIGIBILITY_LABELS.items()])
    capacity = IntegerField(_l("定員（空欄は制限なし）"), validators=[Optional()])
    deadline = DateField(_l("申込締切（任意）"), validators=[Optional()])
    course_url = StringField(_l("講座のURL（任意）"), validators=[Optional(), Length(max=500)])
    achievement_id = SelectField(_l("修了時に発行するバッジ（任意）"), validate_choice=False)
    # The choices (the open projects, and the one it already works on) are set by the view; the service
    # refuses a project that is not open or does not exist, so a stale or forged choice gets its message.
    project_id = SelectField(_l("教材にするプロジェクト（PBL、任意）"), validate_choice=False)

    def to_input(self) -> OpportunityInput:
        skills = []
        for index in range(SKILL_ROWS):
            code = request.form.get(f"skill_{index}", "").strip()
            if not code:
                continue
            try:
                level = int(request.form.get(f"level_{index}", "1"))
            except ValueError:
                level = 0
            skills.append(TaughtSkillInput(code[:16], level))
        project = (self.project_id.data or "").strip()[:64]
        return OpportunityInput(
            title=self.title.data or "", description=self.description.data or "", format=self.format.data or "",
            language=self.language.data or "", municipality_code=self.municipality_code.data or None,
            starts_on=self.starts_on.data, ends_on=self.ends_on.data, study_hours=self.study_hours.data,
            cost_yen=self.cost_yen.data, eligibility=self.eligibility.data or "", capacity=self.capacity.data,
            deadline=self.deadline.data, course_url=self.course_url.data or "", skills=tuple(skills),
            achievement_id=self.achievement_id.data or None, project_id=project or None,
        )  # fmt: skip


class LearnersForm(BaseForm):
    emails = TextAreaField(_l("受講者のメールアドレス（1行に1人）"), validators=[REQUIRED, Length(max=20_000)])


class CompletionForm(BaseForm):
    result = RadioField(
        _l("結果"),
        choices=[("completed", _l("修了（バッジを発行）")), ("not_completed", _l("未修了（発行しない）"))],
        default="completed",
    )
