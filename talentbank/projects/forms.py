from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from talentbank.forms import BaseForm, MultiCheckboxField
from talentbank.models import ApplicationStatus, ProjectPay, ProjectStatus, ProjectWorkMode, Theme

REQUIRED = DataRequired(_l("入力してください。"))
NEED_ROWS = 5

THEME_LABELS = {
    Theme.AGRICULTURE: _l("農林水産業"),
    Theme.TOURISM: _l("観光"),
    Theme.HEALTHCARE: _l("医療・福祉"),
    Theme.EDUCATION: _l("教育"),
    Theme.DISASTER: _l("防災"),
    Theme.TRANSPORT: _l("交通・物流"),
    Theme.ADMIN_DX: _l("行政DX"),
    Theme.ENERGY: _l("エネルギー・環境"),
    Theme.RETAIL: _l("地域商業・中小企業"),
    Theme.OTHER: _l("その他"),
}
WORK_MODE_LABELS = {
    ProjectWorkMode.REMOTE: _l("リモート"),
    ProjectWorkMode.ONSITE: _l("現地"),
    ProjectWorkMode.HYBRID: _l("ハイブリッド"),
}
PAY_LABELS = {
    ProjectPay.HOURLY: _l("時給"),
    ProjectPay.FIXED: _l("固定額（プロジェクト全体）"),
    ProjectPay.VOLUNTEER: _l("ボランティア（無償）"),
    ProjectPay.INTERNSHIP: _l("インターンシップ（手当の額、無給なら0）"),
}
STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("下書き"),
    ProjectStatus.OPEN: _l("募集中"),
    ProjectStatus.CLOSED: _l("募集終了"),
    ProjectStatus.IN_PROGRESS: _l("進行中"),
    ProjectStatus.COMPLETED: _l("完了"),
    ProjectStatus.CANCELLED: _l("中止"),
}
APPLICATION_LABELS = {
    ApplicationStatus.PENDING: _l("返事待ち"),
    ApplicationStatus.ACCEPTED: _l("承諾"),
    ApplicationStatus.DECLINED: _l("辞退"),
    ApplicationStatus.WITHDRAWN: _l("取り下げ"),
    ApplicationStatus.COMPLETED: _l("完了"),
    ApplicationStatus.CLOSED: _l("終了（プロジェクト中止）"),
}
LEVEL_CHOICES = [(n, str(n)) for n in (1, 2, 3, 4)]


@dataclass(frozen=True)
class NeedInput:
    skill_code: str
    min_level: int
    is_must: bool


@dataclass(frozen=True)
class ProjectInput:
    title: str
    problem: str
    expected_outcome: str
    theme: str
    municipality_code: str
    work_mode: str
    onsite_days_per_month: int | None
    hours_per_week: int | None
    starts_on: date | None
    ends_on: date | None
    pay_kind: str
    pay_yen: int | None
    travel_covered: bool
    seats: int | None
    deadline: date | None
    is_internship: bool
    eligibility: str
    needs: tuple[NeedInput, ...]


class ProjectForm(BaseForm):
    title = StringField(_l("プロジェクト名"), validators=[REQUIRED, Length(max=140)])
    problem = TextAreaField(_l("困っていること（ふだんの言葉で）"), validators=[REQUIRED, Length(max=5000)])
    expected_outcome = TextAreaField(_l("終わったときにできていてほしいこと"), validators=[REQUIRED, Length(max=3000)])
    theme = SelectField(_l("テーマ"), choices=[(k.value, v) for k, v in THEME_LABELS.items()])
    municipality_code = SelectField(_l("場所（市町村）"), validators=[REQUIRED], validate_choice=False)
    work_mode = RadioField(_l("働き方"), choices=[(k.value, v) for k, v in WORK_MODE_LABELS.items()], default="remote")
    onsite_days_per_month = IntegerField(
        _l("現地に来てほしい日数（月あたり、ハイブリッドの場合）"),
        validators=[Optional(), NumberRange(0, 31, _l("0〜31の数字で入力してください。"))],
    )
    hours_per_week = IntegerField(
        _l("1週間に必要な時間"), validators=[REQUIRED, NumberRange(1, 60, _l("1〜60の数字で入力してください。"))]
    )
    starts_on = DateField(_l("開始日"), validators=[REQUIRED])
    ends_on = DateField(_l("終了日（任意）"), validators=[Optional()])
    pay_kind = SelectField(_l("報酬"), choices=[(k.value, v) for k, v in PAY_LABELS.items()])
    pay_yen = IntegerField(_l("金額（円）"), validators=[Optional()])
    travel_covered = BooleanField(_l("交通費を支給する"))
    seats = IntegerField(
        _l("募集人数"), default=1, validators=[REQUIRED, NumberRange(1, 50, _l("1〜50の数字で入力してください。"))]
    )
    deadline = DateField(_l("応募締切（任意）"), validators=[Optional()])
    is_internship = BooleanField(_l("インターンシップ（学生向け）"))
    eligibility = StringField(_l("応募できる人（任意）"), validators=[Optional(), Length(max=300)])

    def to_input(self) -> ProjectInput:
        from flask import request

        needs = []
        for index in range(NEED_ROWS):
            code = request.form.get(f"need_skill_{index}", "").strip()
            if not code:
                continue
            try:
                level = int(request.form.get(f"need_level_{index}", "1"))
            except ValueError:
                level = 0
            needs.append(NeedInput(code[:16], level, request.form.get(f"need_must_{index}") == "must"))
        return ProjectInput(
            title=self.title.data, problem=self.problem.data, expected_outcome=self.expected_outcome.data,
            theme=self.theme.data, municipality_code=self.municipality_code.data, work_mode=self.work_mode.data,
            onsite_days_per_month=self.onsite_days_per_month.data, hours_per_week=self.hours_per_week.data,
            starts_on=self.starts_on.data, ends_on=self.ends_on.data, pay_kind=self.pay_kind.data,
            pay_yen=self.pay_yen.data, travel_covered=self.travel_covered.data, seats=self.seats.data,
            deadline=self.deadline.data, is_internship=self.is_internship.data, eligibility=self.eligibility.data or "",
            needs=tuple(needs),
        )  # fmt: skip


class MessageForm(BaseForm):
    message = TextAreaField(_l("メッセージ"), validators=[Optional(), Length(max=2000)])


class CompletionForm(BaseForm):
    summary = TextAreaField(_l("成果のまとめ"), validators=[REQUIRED, Length(max=3000)])


class StatusForm(BaseForm):
    status = SelectField(_l("状態"), choices=[(k.value, v) for k, v in STATUS_LABELS.items()])


METHOD_LABELS = {
    "stable": _l("安定マッチング（学生の希望を優先し、入れ替えたい組がない配属）"),
    "max_score": _l("合計スコア最大（全体のマッチ度の合計が最も高い配属）"),
}


class AllocationRoundForm(BaseForm):
    name = StringField(_l("配属の名前"), validators=[REQUIRED, Length(max=120)])
    projects = MultiCheckboxField(_l("対象のインターンシップ"), validate_choice=False)
    method = RadioField(_l("配属の方法"), choices=list(METHOD_LABELS.items()), default="stable")
    message = TextAreaField(_l("招待に添えるメッセージ"), validators=[Optional(), Length(max=2000)])


class AllocationMethodForm(BaseForm):
    method = RadioField(_l("配属の方法"), choices=list(METHOD_LABELS.items()))
