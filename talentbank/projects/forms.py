from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from talentbank.forms import BaseForm, MultiCheckboxField
from talentbank.projects.inputs import NeedInput, ProjectInput
from talentbank.projects.labels import PAY_LABELS, STATUS_LABELS, THEME_LABELS, WORK_MODE_LABELS

REQUIRED = DataRequired(_l("入力してください。"))
# The start slack a project that leaves the field blank gets (matching.feasibility's default too).
DEFAULT_START_SLACK_DAYS = 30
NEED_ROWS = 5

LEVEL_CHOICES = [(n, str(n)) for n in (1, 2, 3, 4)]


@dataclass(frozen=True)
class FieldGuide:
    """What the guided project form says beside a field: how to fill it in, and an example."""

    hint: str
    example: str


# The guided form (#5): vague requirements are the main cause of failed regional side jobs, so every field
# a small town office fills in says how to make it concrete and shows an example of a well-scoped project.
GUIDES = {
    "title": FieldGuide(
        _l("何をするプロジェクトか、一目でわかる名前にしましょう。"),
        _l("除雪の問い合わせをWebで受け付けたい"),
    ),
    "problem": FieldGuide(
        _l(
            "「何を作りたいか」より「何に困っているか」を、ふだんの言葉で書きましょう。誰が、いつ、どれくらい困っているかを数字で書くと伝わります。"
        ),
        _l(
            "冬になると除雪の問い合わせ電話が1日100件ほど来て、建設課の職員2人が半日以上対応に追われている。どの道路がいつ除雪されるかを、住民が自分で確かめる方法がない。"
        ),
    ),
    "expected_outcome": FieldGuide(
        _l(
            "終わったときの状態を、確かめられる形で書きましょう。作るもの（成果物）と、それで何が変わるかを分けて書くと、範囲がはっきりします。"
        ),
        _l(
            "除雪の予定と進み具合を町のWebページで見られるようにし、問い合わせ電話を半分にする。職員が自分で更新できる手順書も残す。"
        ),
    ),
    "needs": FieldGuide(
        _l(
            "必須スキルは2〜3個に絞り、最低レベルは低めから。迷ったら「歓迎」にしましょう。レベル1は指導を受けながら、レベル2は定型的な作業を一人でできる目安です。"
        ),
        _l("データの可視化 レベル2以上（必須）、Webサイトの制作 レベル1以上（歓迎）"),
    ),
    "work_mode": FieldGuide(
        _l(
            "リモートにすると、道外の人も含めて多くの人が応募できます。現地でしかできない作業があるときは「ハイブリッド」にして、その日数だけ来てもらいましょう。"
        ),
        _l("ハイブリッド：キックオフと成果報告の日は役場に来てほしい。ほかはオンライン会議とチャットで進める。"),
    ),
    "onsite_days_per_month": FieldGuide(
        _l("ハイブリッドの場合は必ず入力してください（月1〜31日）。少ないほど遠くの人も参加しやすくなります。"),
        _l("2（月初の打ち合わせと月末の報告）"),
    ),
    "hours_per_week": FieldGuide(
        _l("副業の人は週5〜10時間が目安です。平日の夜や週末の時間で収まる量にしましょう。"),
        _l("6（週1回1時間の打ち合わせと、作業5時間）"),
    ),
    "start_slack_days": FieldGuide(
        _l(
            "開始日からこの日数までに参加できる人を候補に出します（0〜365日、空欄は30日）。"
            "これより遅くなる人は候補に出さず、あと一歩の人として分けて示します。"
        ),
        _l("30（1か月までなら開始を待てる）"),
    ),
    "pay_kind": FieldGuide(
        _l("時給か、プロジェクト全体の固定額かを選びます。無償ならボランティア、学生向けならインターンシップです。"),
        _l("時給（打ち合わせの時間も含めて支払う）"),
    ),
    "pay_yen": FieldGuide(
        _l(
            "時給・固定額の場合は必須です。インターンシップは手当の額を、無給なら0を入れます。"
            "専門スキルの相場より低すぎると、応募が集まりにくくなります。"
        ),
        _l("時給3,000円、または固定額300,000円（3か月）"),
    ),
    "seats": FieldGuide(
        _l("1つの役割に1人が基本です。役割が違うなら、プロジェクトを分けるか、必要なスキルで書き分けましょう。"),
        _l("1人（データの整理とWebページづくりを1人にお願いする）"),
    ),
    "deadline": FieldGuide(
        _l("開始日までの日付にします。面談や打ち合わせに1〜2週間かかることを見込みましょう。"),
        _l("開始日の2週間前"),
    ),
}


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
    start_slack_days = IntegerField(
        _l("開始の遅れを待てる日数"),
        default=DEFAULT_START_SLACK_DAYS,
        validators=[Optional(), NumberRange(0, 365, _l("0〜365の数字で入力してください。"))],
    )
    ends_on = DateField(_l("終了日（任意）"), validators=[Optional()])
    pay_kind = SelectField(_l("報酬"), choices=[(k.value, v) for k, v in PAY_LABELS.items()])
    pay_yen = IntegerField(_l("金額（円）"), validators=[Optional()])
    travel_covered = BooleanField(_l("交通費を支給する"))
    seats = IntegerField(
        _l("募集人数"), default=1, validators=[REQUIRED, NumberRange(1, 50, _l("1〜50の数字で入力してください。"))]
    )
    deadline = DateField(_l("応募締切（任意）"), validators=[Optional()])
    is_internship = BooleanField(_l("インターンシップ（学生向け）"))
    is_students_only = BooleanField(_l("学生限定（プロフィールで学生と登録した人だけが応募できます）"))
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
        slack = self.start_slack_days.data
        return ProjectInput(
            title=self.title.data, problem=self.problem.data, expected_outcome=self.expected_outcome.data,
            theme=self.theme.data, municipality_code=self.municipality_code.data, work_mode=self.work_mode.data,
            onsite_days_per_month=self.onsite_days_per_month.data, hours_per_week=self.hours_per_week.data,
            starts_on=self.starts_on.data, ends_on=self.ends_on.data, pay_kind=self.pay_kind.data,
            pay_yen=self.pay_yen.data, travel_covered=self.travel_covered.data, seats=self.seats.data,
            deadline=self.deadline.data, is_internship=self.is_internship.data, eligibility=self.eligibility.data or "",
            needs=tuple(needs), is_students_only=self.is_students_only.data,
            start_slack_days=DEFAULT_START_SLACK_DAYS if slack is None else slack,
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
