"""Sign up, log in, log out and reset a forgotten password."""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from portal.accounts import users
from portal.accounts.forms import (
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from portal.accounts.tokens import ResetTokenError, make_reset_token
from portal.extensions import limiter
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import Role
from portal.security import safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _home_for(user) -> str:
    return url_for("home.practitioner_home" if user.is_staff else "home.client_home")


def _after_login(user):
    return redirect(safe_next(request.args.get("next")) or _home_for(user))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = SignupForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["PRACTICE_TIMEZONE"]
    if form.validate_on_submit():
        try:
            user = users.create_user(role=Role.CLIENT, name=form.name.data, email=form.email.data,
                                     password=form.password.data, timezone=form.timezone.data)
        except users.EmailTaken:
            form.email.errors.append("There is already an account with this e-mail address. "
                                     "Log in, or reset your password if you have forgotten it.")
        except users.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
        else:
            login_user(user)
            flash(f"Welcome, {user.name}. Your account is ready.", "success")
            return _after_login(user)
    return render_template("accounts/signup.html", form=form, next=safe_next(request.args.get("next")))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return _after_login(user)
        flash("That e-mail address and password don't match an account. Check them and try again.", "error")
    return render_template("accounts/login.html", form=form, next=safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    logout_user()
    flash("You are logged out.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = users.find_user_by_email(form.email.data)
        if user is not None:
            token = make_reset_token(current_app.config["SECRET_KEY"], user.id, user.password_hash)
            link = absolute_url("accounts.reset_password", token=token)
            minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
            send_mail(user.email, "Reset your password", "password_reset", name=user.name, link=link, minutes=minutes)
        # The same answer whether or not the address has an account.
        flash("If there is an account for that address, we have sent it a link to choose a new password. "
              "It works once and expires soon.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = users.user_for_reset_token(current_app.config["SECRET_KEY"], token[:500],
                                          current_app.config["PASSWORD_RESET_MAX_AGE"])
    except ResetTokenError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            users.set_password(user, form.password.data)
        except users.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
        else:
            logout_user()
            flash("Your password has been changed. Log in with your new password.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)
