from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from talentbank import db
from talentbank.accounts import services, tokens
from talentbank.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
)
from talentbank.errors import Invalid
from talentbank.extensions import csrf, limiter
from talentbank.lookup import parse_public_id
from talentbank.web import (
    LOCALE_COOKIE,
    LOCALES,
    current_actor,
    is_safe_next,
    password_hasher,
    protect_from_other_sites,
    select_locale,
)

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def _email_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _login_failed(response) -> bool:
    # Only failed attempts count towards the login throttle; a successful login redirects.
    return response.status_code != 302


def _start_session(user) -> None:
    session.clear()  # rotate: nothing from the anonymous session survives the login
    login_user(user)
    session.permanent = True
    session["login_at"] = datetime.now(UTC).timestamp()


@bp.get("/register")
def register():
    return render_template("accounts/register.html", form=RegistrationForm())


@bp.post("/register")
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
def register_post():
    form = RegistrationForm()
    if not form.validate_on_submit():
        return render_template("accounts/register.html", form=form), 422
    try:
        services.register_user(
            db.session,
            form.to_input(),
            hasher=password_hasher(),
            base_url=current_app.config["BASE_URL"],
            locale=select_locale(),
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except Invalid as error:
        form.set_errors(error.fields)
        return render_template("accounts/register.html", form=form), 422
    db.session.commit()
    return redirect(url_for("accounts.check_mail"))


@bp.get("/register/sent")
def check_mail():
    return render_template("accounts/check_mail.html")


@bp.get("/confirm/<token>")
def confirm(token: str):
    services.check_token(db.session, token, services.VERIFY_EMAIL)
    return render_template("accounts/confirm.html", form=ConfirmForm(), token=token)


@bp.post("/confirm/<token>")
def confirm_post(token: str):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.confirm", token=token))
    user = services.confirm_email(db.session, token)
    db.session.commit()
    _start_session(user)
    flash(_("メールアドレスを確認しました。ようこそ！"), "success")
    return redirect(url_for("main.dashboard"))


@bp.get("/login")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("accounts/login.html", form=LoginForm(), next=request.args.get("next", ""))


@bp.post("/login")
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_login_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key, deduct_when=_login_failed)
def login_post():
    form = LoginForm()
    next_url = request.form.get("next", "")
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form, next=next_url), 422
    user = services.authenticate(db.session, form.email.data, form.password.data, hasher=password_hasher())
    if user is not None and user.email_verified_at is None:
        services.resend_confirmation(db.session, user, base_url=current_app.config["BASE_URL"])
        db.session.commit()
        form.form_errors.append(_("メールアドレスの確認が済んでいません。確認メールを再送しました。"))
        return render_template("accounts/login.html", form=form, next=next_url), 422
    db.session.commit()
    if user is None:
        form.form_errors.append(_("メールアドレスまたはパスワードが正しくありません。"))
        return render_template("accounts/login.html", form=form, next=next_url), 422
    _start_session(user)
    flash(_("ログインしました。"), "success")
    return redirect(next_url if is_safe_next(next_url) else url_for("main.dashboard"))


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        services.end_sessions(db.session, current_actor())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("main.index"))


@bp.get("/forgot")
def forgot():
    return render_template("accounts/forgot.html", form=ForgotPasswordForm())


@bp.post("/forgot")
@limiter.limit(lambda: current_app.config["RESET_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMIT"], methods=["POST"], key_func=_email_key)
def forgot_post():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/forgot.html", form=form), 422
    services.request_password_reset(db.session, form.email.data, base_url=current_app.config["BASE_URL"])
    db.session.commit()
    return redirect(url_for("accounts.check_mail", reason="reset"))


@bp.get("/reset/<token>")
def reset(token: str):
    services.check_token(db.session, token, services.RESET_PASSWORD)
    return render_template("accounts/reset.html", form=ResetPasswordForm(), token=token)


@bp.post("/reset/<token>")
@limiter.limit(lambda: current_app.config["RESET_LIMIT"], methods=["POST"])
def reset_post(token: str):
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        services.check_token(db.session, token, services.RESET_PASSWORD)
        return render_template("accounts/reset.html", form=form, token=token), 422
    try:
        services.reset_password(
            db.session,
            token,
            form.password.data,
            hasher=password_hasher(),
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except Invalid as error:
        form.set_errors(error.fields)
        return render_template("accounts/reset.html", form=form, token=token), 422
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("パスワードを変更しました。新しいパスワードでログインしてください。"), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/settings/password")
@login_required
def change_password():
    return render_template("accounts/change_password.html", form=ChangePasswordForm())


@bp.post("/settings/password")
@login_required
def change_password_post():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return render_template("accounts/change_password.html", form=form), 422
    user = current_actor()
    try:
        services.change_password(
            db.session,
            user,
            form.to_input(),
            hasher=password_hasher(),
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except Invalid as error:
        form.set_errors(error.fields)
        return render_template("accounts/change_password.html", form=form), 422
    db.session.commit()
    _start_session(user)  # this session carries on under the new session version; all others end
    flash(_("パスワードを変更しました。他の端末のログインは終了しました。"), "success")
    return redirect(url_for("main.dashboard"))


@bp.get("/settings/tokens")
@login_required
def api_tokens():
    return _tokens_page(ApiTokenForm())


def _tokens_page(form: ApiTokenForm, *, secret: str | None = None, status: int = 200):
    return (
        render_template(
            "accounts/tokens.html",
            form=form,
            tokens=tokens.active_tokens(db.session, current_actor()),
            secret=secret,
            scope_labels=tokens.SCOPE_LABELS,
            confirm=ConfirmForm(),
        ),
        status,
    )


@bp.post("/settings/tokens")
@login_required
@limiter.limit(lambda: current_app.config["TOKEN_LIMIT"])
def api_tokens_post():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=422)
    try:
        _token, secret = tokens.create_token(
            db.session, current_actor(), name=form.name.data, scopes=form.scopes.data or [], days=form.days.data
        )
    except Invalid as error:
        form.set_errors(error.fields)
        return _tokens_page(form, status=422)
    db.session.commit()
    # Shown once, on this response only (never stored in clear, never in a redirect or the session).
    return _tokens_page(ApiTokenForm(formdata=None), secret=secret)


@bp.post("/settings/tokens/<public_id>/revoke")
@login_required
def api_token_revoke(public_id: str):
    if ConfirmForm().validate_on_submit():
        token = tokens.revoke_token(db.session, current_actor(), parse_public_id(public_id))
        db.session.commit()
        flash(_("トークン「%(name)s」を取り消しました。", name=token.name), "success")
    return redirect(url_for("accounts.api_tokens"))


@bp.post("/locale")
@csrf.exempt  # protected by where it comes from instead (web.protect_from_other_sites)
def set_locale():
    protect_from_other_sites()
    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        return redirect(url_for("main.index"))
    if current_user.is_authenticated:
        services.set_locale(db.session, current_actor(), locale)
        db.session.commit()
    next_url = request.form.get("next", "")
    response = make_response(redirect(next_url if is_safe_next(next_url) else url_for("main.index")))
    response.set_cookie(
        LOCALE_COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config["SECURE_COOKIES"],
        httponly=True,
    )
    return response
