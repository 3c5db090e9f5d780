"""Sign up and confirm the address, log in, log out (here or everywhere), the account page, and reset a
forgotten password."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import sessions, users
from portal.accounts.forms import (
    ConfirmEmailForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from portal.accounts.tokens import ConfirmTokenError, ResetTokenError
from portal.booking.pages import choice_in_next
from portal.consent.documents import current_version_of_kind, paragraphs
from portal.extensions import limiter
from portal.models import DocumentKind, User
from portal.security import safe_next
from portal.timeutil import describe_seconds

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The limiter's key for the typed address, whether or not it has an account (so a limit reveals nothing).
    Hashed: the limiter's storage never holds an e-mail address."""
    email = users.normalise_email(request.form.get("email", "")[:300])
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _home_for(user) -> str:
    return url_for("home.practitioner_home" if user.is_staff else "home.client_home")


def _next() -> str | None:
    return safe_next(request.args.get("next"))


def _end_current_session() -> None:
    sessions.end_session(session.get("_user_id", ""))
    logout_user()


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("10 per hour", key_func=_account_key, methods=["POST"])  # e-mails to one address
def signup():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = SignupForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["PRACTICE_TIMEZONE"]
    if form.validate_on_submit():
        try:
            users.sign_up(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                timezone=form.timezone.data,
                next_path=_next(),
            )
        except users.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
        else:
            return redirect(url_for("accounts.check_email"))
    return render_template(
        "accounts/signup.html",
        form=form,
        next=_next(),
        choice=choice_in_next(_next()),
        privacy=current_version_of_kind(DocumentKind.PRIVACY),
        paragraphs=paragraphs,
    )


@bp.get("/signup/check-your-email")
def check_email():
    valid_for = describe_seconds(current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    return render_template("accounts/check_email.html", valid_for=valid_for)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def confirm_email(token: str):
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["EMAIL_CONFIRM_MAX_AGE"]
    form = ConfirmEmailForm()
    try:
        if form.validate_on_submit():
            users.check_confirmation(secret, token[:1000], max_age)  # a bad link logs nobody out
            if current_user.is_authenticated:  # someone else was logged in on this browser
                _end_current_session()
            user, next_path = users.confirm_email(secret, token[:1000], max_age, user_agent=request.user_agent.string)
            login_user(user)
            flash(f"Thank you, {user.name}: your e-mail address is confirmed and your account is ready.", "success")
            return redirect(safe_next(next_path) or _home_for(user))
        user = users.check_confirmation(secret, token[:1000], max_age)
    except ConfirmTokenError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/confirm_email.html", form=form, name=user.name)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = users.log_in(
                form.email.data, form.password.data, user_agent=request.user_agent.string, next_path=_next()
            )
        except users.BadCredentials:
            flash("That e-mail address and password don't match an account. Check them and try again.", "error")
        except users.NotConfirmed:
            flash(
                "Please confirm your e-mail address first. We have just sent you a new link: open it to finish "
                "setting up your account.",
                "info",
            )
        else:
            login_user(user)
            return redirect(_next() or _home_for(user))
    return render_template("accounts/login.html", form=form, next=_next(), choice=choice_in_next(_next()))


@bp.post("/logout")
def logout():
    _end_current_session()
    flash("You are logged out.", "success")
    return redirect(url_for("accounts.login"))


@bp.get("/")
@login_required
def account():
    rules = sessions.SessionRules.from_config(current_app.config)
    here = sessions.current_session(current_user)
    return render_template(
        "accounts/account.html",
        open_sessions=sessions.open_sessions(current_user, rules),
        current_session_id=here.id if here else None,
        lifetime=describe_seconds(current_app.config["PERMANENT_SESSION_LIFETIME"]),
        idle_minutes=current_app.config["IDLE_TIMEOUT"],
    )


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    sessions.log_out_everywhere(current_user)
    logout_user()
    flash("You are logged out on every device, this one included.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = users.find_user_by_email(form.email.data)
        if user is not None:
            users.send_password_reset(user)
        # The same answer whether or not the address has an account.
        flash(
            "If there is an account for that address, we have sent it a link to choose a new password. "
            "It works once and expires soon.",
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        user = users.user_for_reset_token(
            current_app.config["SECRET_KEY"], token[:500], current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except ResetTokenError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.reset_request"))
    return _choose_password(
        user, "Your password has been changed. Log in with your new password.", "accounts/reset_password.html"
    )


def _choose_password(user: User, done: str, template: str):
    """The page of an e-mailed link where she chooses a password (which confirms her address and makes the link
    stale); then she logs in."""
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            users.set_password(user, form.password.data, email_proven=True)
        except users.WeakPassword as weak:
            form.password.errors.extend(weak.problems)
        else:
            logout_user()
            flash(done, "success")
            return redirect(url_for("accounts.login", next=_next()))
    return render_template(template, form=form, user=user), 422 if form.errors else 200


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    """A client the practice made an account for (booking her first session) chooses her password."""
    try:
        user = users.user_for_welcome_token(
            current_app.config["SECRET_KEY"], token[:500], current_app.config["CLIENT_INVITATION_MAX_AGE"]
        )
    except ResetTokenError as error:
        flash(str(error), "error")
        return redirect(url_for("accounts.login"))
    return _choose_password(
        user, "Your password is saved. Log in with your e-mail address and your new password.", "accounts/welcome.html"
    )
