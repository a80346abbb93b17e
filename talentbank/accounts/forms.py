from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from talentbank.accounts.inputs import PasswordChangeInput, RegistrationInput
from talentbank.accounts.tokens import LIFETIMES_DAYS, SCOPE_LABELS
from talentbank.forms import BaseForm, MultiCheckboxField

EMAIL_VALIDATORS = [
    DataRequired(_l("入力してください。")),
    Length(max=254),
    Email(_l("メールアドレスの形式が正しくありません。")),
]


class RegistrationForm(BaseForm):
    input_class = RegistrationInput

    email = EmailField(_l("メールアドレス"), validators=EMAIL_VALIDATORS)
    display_name = StringField(_l("表示名"), validators=[DataRequired(_l("入力してください。")), Length(max=80)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(_l("入力してください。"))])
    password_confirm = PasswordField(
        _l("パスワード（確認）"),
        validators=[DataRequired(_l("入力してください。")), EqualTo("password", _l("パスワードが一致しません。"))],
    )
    accept_terms = BooleanField(
        _l("利用規約とプライバシーポリシーに同意します"), validators=[DataRequired(_l("同意が必要です。"))]
    )


class LoginForm(BaseForm):
    email = EmailField(_l("メールアドレス"), validators=EMAIL_VALIDATORS)
    password = PasswordField(_l("パスワード"), validators=[DataRequired(_l("入力してください。")), Length(max=1024)])


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("メールアドレス"), validators=EMAIL_VALIDATORS)


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("新しいパスワード"), validators=[DataRequired(_l("入力してください。"))])
    password_confirm = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[DataRequired(_l("入力してください。")), EqualTo("password", _l("パスワードが一致しません。"))],
    )


class ChangePasswordForm(ResetPasswordForm):
    input_class = PasswordChangeInput

    current_password = PasswordField(_l("現在のパスワード"), validators=[DataRequired(_l("入力してください。"))])


class ConfirmForm(BaseForm):
    """A form with only the CSRF token: confirms an action that a link led to."""


class ApiTokenForm(BaseForm):
    name = StringField(_l("名前（用途）"), validators=[DataRequired(_l("入力してください。")), Length(max=80)])
    scopes = MultiCheckboxField(_l("権限"))
    days = SelectField(_l("有効期間"), coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = [(scope, label) for scope, label in SCOPE_LABELS.items()]
        self.days.choices = [(days, _l("%(days)s日", days=days)) for days in LIFETIMES_DAYS]
        if self.days.data is None:
            self.days.data = 90
