from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import EmailField, IntegerField, RadioField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from talentbank.credentials.inputs import AchievementInput, AwardInput, LearnerRecordInput
from talentbank.forms import BaseForm, MultiCheckboxField
from talentbank.models import ProofFormat

REQUIRED = DataRequired(_l("入力してください。"))
CREDENTIAL_FILE_EXTENSIONS = ["png", "svg", "json", "jsonld", "jwt", "jws"]
FORMAT_LABELS = {
    ProofFormat.JWT: _l("VC-JWT（軽量、多くのウォレットが対応）"),
    ProofFormat.DATA_INTEGRITY: _l("Data Integrity eddsa-rdfc-2022（1EdTech認証の形式）"),
}


def _level_field(label):
    return SelectField(label, choices=[(n, str(n)) for n in (1, 2, 3, 4)], coerce=int, default=2)


class AchievementForm(BaseForm):
    input_class = AchievementInput

    name = StringField(_l("バッジの名前"), validators=[REQUIRED, Length(max=120)])
    description = TextAreaField(_l("説明"), validators=[REQUIRED, Length(max=2000)])
    criteria = TextAreaField(_l("取得条件"), validators=[REQUIRED, Length(max=4000)])
    tags = StringField(_l("タグ（カンマ区切り、任意）"), validators=[Optional(), Length(max=300)])
    expiry_months = IntegerField(
        _l("有効期間（か月、空欄なら無期限）"),
        validators=[Optional(), NumberRange(1, 120, _l("1〜120の数字で入力してください。"))],
    )
    proof_format = RadioField(
        _l("署名の形式"), choices=[(k.value, v) for k, v in FORMAT_LABELS.items()], default=ProofFormat.JWT.value
    )
    # Choices (DSS skills) are filled by the view.
    skill_code = SelectField(_l("証明するスキル"), validators=[REQUIRED], validate_choice=False)
    skill_level = _level_field(_l("証明するレベル"))
    image = FileField(
        _l("バッジの画像（PNGかSVG、1MBまで。空欄なら自動で作ります）"),
        validators=[FileAllowed(["png", "svg"], _l("PNGかSVGの画像を選んでください。"))],
    )
    skill_code_2 = SelectField(_l("証明するスキル（2つ目、任意）"), validate_choice=False, default="")
    skill_level_2 = _level_field(_l("2つ目のレベル"))


class AwardForm(BaseForm):
    input_class = AwardInput

    email = EmailField(
        _l("受け取る人のメールアドレス"),
        validators=[REQUIRED, Length(max=254), Email(_l("メールアドレスの形式が正しくありません。"))],
    )
    name = StringField(_l("受け取る人の名前"), validators=[REQUIRED, Length(max=80)])
    evidence_url = URLField(
        _l("根拠のURL（任意）"),
        validators=[Optional(), Length(max=500), URL(require_tld=True, message=_l("URLの形式が正しくありません。"))],
    )
    narrative = TextAreaField(_l("評価のコメント（任意）"), validators=[Optional(), Length(max=2000)])


class ProfileAwardForm(BaseForm):
    """Award to someone in the talent bank, picked by their profile's link; their e-mail stays hidden."""

    profile = StringField(_l("受け取る人のプロフィール（URLまたはID）"), validators=[REQUIRED, Length(max=300)])
    evidence_url = URLField(
        _l("根拠のURL（任意）"),
        validators=[Optional(), Length(max=500), URL(require_tld=True, message=_l("URLの形式が正しくありません。"))],
    )
    narrative = TextAreaField(_l("評価のコメント（任意）"), validators=[Optional(), Length(max=2000)])


class RevokeForm(BaseForm):
    reason = StringField(_l("取り消しの理由"), validators=[REQUIRED, Length(max=300)])


class VerifyForm(BaseForm):
    credential = TextAreaField(_l("証明書（JSONまたはJWT）を貼り付け"), validators=[Optional(), Length(max=512 * 1024)])
    # The field keeps its name `image` (pages and the API's multipart field); the content decides what it is.
    image = FileField(
        _l("またはファイルを選ぶ（バッジ画像 PNG・SVG、credential.json、credential.jwt）"),
        validators=[
            FileAllowed(
                CREDENTIAL_FILE_EXTENSIONS,
                _l("バッジ画像（PNG・SVG）か、証明書のファイル（JSON・JWT）を選んでください。"),
            )
        ],
    )


class ImportForm(VerifyForm):
    """The import page: a credential or badge pasted or as a file (OB 3.0, or OB 2.0 baked or signed), or the
    address of a hosted Open Badges 2.0 assertion."""

    assertion_url = URLField(
        _l("または Open Badges 2.0 のバッジのURL（https://…）"),
        validators=[
            Optional(),
            Length(max=2000),
            URL(require_tld=False, message=_l("URLの形式が正しくありません。")),
        ],
    )


class LearnerRecordForm(BaseForm):
    """Issue a Comprehensive Learner Record: whose, which of the organisation's badges, optionally as a track."""

    input_class = LearnerRecordInput

    email = EmailField(
        _l("学習者のメールアドレス（バッジを発行したアドレス）"),
        validators=[REQUIRED, Length(max=254), Email(_l("メールアドレスの形式が正しくありません。"))],
    )
    name = StringField(_l("記録の名前（任意）"), validators=[Optional(), Length(max=200)])
    # Choices (the organisation's achievements) are filled by the view.
    achievement_ids = MultiCheckboxField(
        _l("記録に入れるバッジ"), validators=[DataRequired(_l("記録に入れるバッジを選んでください。"))]
    )
    track_name = StringField(_l("トラック（履修の道筋）の名前（任意）"), validators=[Optional(), Length(max=120)])
    track_description = TextAreaField(_l("トラックの説明（任意）"), validators=[Optional(), Length(max=2000)])
    proof_format = RadioField(
        _l("署名の形式"),
        choices=[(k.value, v) for k, v in FORMAT_LABELS.items()],
        default=ProofFormat.DATA_INTEGRITY.value,
    )

    def to_input(self) -> LearnerRecordInput:
        return LearnerRecordInput(
            email=self.email.data or "",
            name=self.name.data or "",
            achievement_ids=tuple(self.achievement_ids.data or ()),
            proof_format=self.proof_format.data,
            track_name=self.track_name.data or "",
            track_description=self.track_description.data or "",
        )


class VerifyPageForm(ImportForm):
    """The public verify page takes what the import page takes: an OB 3.0 credential or a learner record
    (pasted or as a file), or an Open Badges 2.0 badge (its hosted URL, JSON, JWS or baked image)."""
