from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from talentbank.forms import BaseForm
from talentbank.models import MembershipRole, OrganisationKind
from talentbank.organisations.inputs import InvitationInput, OrganisationInput

KIND_LABELS = {
    OrganisationKind.MUNICIPALITY: _l("自治体"),
    OrganisationKind.COMPANY: _l("企業"),
    OrganisationKind.SCHOOL: _l("教育機関（高専・大学・研修機関）"),
    OrganisationKind.PREFECTURE: _l("道庁"),
    OrganisationKind.NPO: _l("NPO・団体"),
}
ROLE_LABELS = {MembershipRole.OWNER: _l("管理者"), MembershipRole.MEMBER: _l("メンバー")}


class OrganisationForm(BaseForm):
    input_class = OrganisationInput

    name = StringField(_l("名称"), validators=[DataRequired(_l("入力してください。")), Length(max=120)])
    name_en = StringField(_l("英語名（任意）"), validators=[Optional(), Length(max=120)])
    kind = SelectField(
        _l("種別"),
        choices=[(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired(_l("選んでください。"))],
    )
    # Choices (179 municipalities grouped by 振興局) are filled by the view from the database.
    municipality_code = SelectField(
        _l("所在地（市町村）"), validators=[DataRequired(_l("選んでください。"))], validate_choice=False
    )
    description = TextAreaField(_l("紹介"), validators=[Optional(), Length(max=4000)])
    website = URLField(
        _l("ウェブサイト（任意）"),
        validators=[Optional(), Length(max=300), URL(require_tld=True, message=_l("URLの形式が正しくありません。"))],
    )


class InvitationForm(BaseForm):
    input_class = InvitationInput

    email = EmailField(
        _l("招待するメールアドレス"),
        validators=[
            DataRequired(_l("入力してください。")),
            Length(max=254),
            Email(_l("メールアドレスの形式が正しくありません。")),
        ],
    )
    role = SelectField(_l("役割"), choices=[(role.value, label) for role, label in ROLE_LABELS.items()])


class RoleForm(BaseForm):
    role = SelectField(_l("役割"), choices=[(role.value, label) for role, label in ROLE_LABELS.items()])
