from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from talentbank.forms import BaseForm, MultiCheckboxField
from talentbank.models.profiles import PayKind, Visibility, WorkMode
from talentbank.profiles.inputs import PREFECTURES, OutcomeInput, ProfileInput, SkillInput

MAX_BIO = 10_000

LEVEL_LABELS = {
    1: _l("レベル1：知識があり、指導を受けながら取り組める"),
    2: _l("レベル2：定型的な業務を自分で遂行できる"),
    3: _l("レベル3：応用的な課題を自律して解決できる"),
    4: _l("レベル4：専門家として他者を指導し、組織や地域をリードできる"),
}
MOTIVE_LABELS = {
    "learning": _l("学び・スキルアップ"),
    "hometown": _l("ふるさと・地域への貢献"),
    "income": _l("収入"),
    "career_change": _l("キャリアチェンジ"),
}
WORK_MODE_LABELS = {
    WorkMode.REMOTE: _l("リモート"),
    WorkMode.ONSITE: _l("現地"),
    WorkMode.HYBRID: _l("リモートと現地の両方"),
}
PAY_KIND_LABELS = {
    PayKind.HOURLY: _l("時給"),
    PayKind.MONTHLY: _l("月額"),
    PayKind.VOLUNTEER: _l("ボランティア（無償）"),
}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: _l("公開（誰でも見られます）"),
    Visibility.MEMBERS: _l("会員のみ（ログインした人が見られます）"),
    Visibility.PRIVATE: _l("非公開（自分だけ）"),
}

REQUIRED = DataRequired(_l("入力してください。"))


class ProfileForm(BaseForm):
    input_class = ProfileInput

    display_name = StringField(_l("表示名"), validators=[REQUIRED, Length(max=80)])
    furigana = StringField(_l("ふりがな（任意）"), validators=[Optional(), Length(max=80)])
    headline = StringField(_l("ひとことで（見出し）"), validators=[Optional(), Length(max=140)])
    bio = TextAreaField(_l("自己紹介（Markdownが使えます）"), validators=[Optional(), Length(max=MAX_BIO)])
    home = SelectField(_l("拠点"), validators=[REQUIRED], validate_choice=False)
    home_prefecture = SelectField(
        _l("北海道外の場合の都府県"), choices=[("", "—")] + [(p, p) for p in PREFECTURES], validators=[Optional()]
    )
    regions = MultiCheckboxField(_l("関わりたい地域（振興局）"), coerce=str, validate_choice=False)
    motives = MultiCheckboxField(_l("参加の動機"), choices=list(MOTIVE_LABELS.items()))
    side_job_ok = BooleanField(_l("副業として参加できる"))
    hours_per_week = IntegerField(
        _l("1週間に使える時間（時間）"),
        validators=[Optional(), NumberRange(0, 80, _l("0〜80の数字で入力してください。"))],
    )
    earliest_start = DateField(_l("参加できる開始日"), validators=[Optional()])
    work_mode = RadioField(_l("働き方"), choices=[(k.value, v) for k, v in WORK_MODE_LABELS.items()], default="remote")
    max_travel_km = IntegerField(
        _l("現地に行ける距離（km）"),
        validators=[Optional(), NumberRange(0, 1000, _l("0〜1000の数字で入力してください。"))],
    )
    onsite_days_per_month = IntegerField(
        _l("現地に行ける日数（月あたり）"),
        validators=[Optional(), NumberRange(1, 31, _l("1〜31の数字で入力してください。"))],
    )
    pay_kind = SelectField(
        _l("報酬の希望"), choices=[("", _l("指定しない"))] + [(k.value, v) for k, v in PAY_KIND_LABELS.items()]
    )
    pay_yen = IntegerField(
        _l("希望額（円）"), validators=[Optional(), NumberRange(0, 10_000_000, _l("0以上の金額を入力してください。"))]
    )
    open_to_offers = BooleanField(_l("スカウト（オファー）を受け付ける"), default=True)
    visibility = RadioField(
        _l("公開範囲"), choices=[(k.value, v) for k, v in VISIBILITY_LABELS.items()], default="members"
    )
    is_hidden = BooleanField(_l("プロフィールを一時的に隠す（削除はしません）"))
    is_student = BooleanField(_l("学生です（学生限定のインターンシップに応募できます）"))
    school_name = StringField(_l("学校名（任意）"), validators=[Optional(), Length(max=120)])
    shows_learning = BooleanField(_l("修了した学び（講座、提供者、修了日、バッジ）をプロフィールに表示する"))


class SkillForm(BaseForm):
    input_class = SkillInput

    skill_code = SelectField(_l("スキル"), validators=[REQUIRED], validate_choice=False)
    level = RadioField(_l("レベル"), choices=list(LEVEL_LABELS.items()), coerce=int, validators=[REQUIRED])
    years = FloatField(
        _l("経験年数（任意）"), validators=[Optional(), NumberRange(0, 60, _l("0〜60の数字で入力してください。"))]
    )


class OutcomeForm(BaseForm):
    input_class = OutcomeInput

    title = StringField(_l("タイトル"), validators=[REQUIRED, Length(max=140)])
    description = TextAreaField(
        _l("取り組んだこと（Markdownが使えます）"), validators=[Optional(), Length(max=MAX_BIO)]
    )
    role = StringField(_l("あなたの役割"), validators=[Optional(), Length(max=80)])
    started_on = DateField(_l("開始日"), validators=[Optional()])
    ended_on = DateField(_l("終了日"), validators=[Optional()])
    organisation_name = StringField(_l("関わった組織（任意）"), validators=[Optional(), Length(max=120)])
    # Choices (registered organisations) are filled by the view.
    organisation = SelectField(_l("登録されている組織とつなげる（任意）"), validate_choice=False, default="")
    links = TextAreaField(_l("リンク（1行に1つ、最大5件）"), validators=[Optional(), Length(max=2500)])
    skill_codes = MultiCheckboxField(_l("使ったスキル"), coerce=str, validate_choice=False)
    skill_level = RadioField(
        _l("使ったスキルのレベル"), choices=list(LEVEL_LABELS.items()), coerce=int, default=2, validators=[Optional()]
    )


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("確認のためパスワードを入力"), validators=[REQUIRED, Length(max=1024)])
    confirm = BooleanField(_l("アカウントとプロフィールを削除することを理解しました"), validators=[REQUIRED])
