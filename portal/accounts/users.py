"""Creating accounts, signing up, logging in and changing passwords: the domain behind the accounts views."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.accounts import sessions
from portal.accounts.passwords import hash_password, password_problems, verify_password
from portal.accounts.tokens import (
    ConfirmTokenError,
    ResetTokenError,
    claim_is_current,
    make_confirm_token,
    make_reset_token,
    make_welcome_token,
    read_confirm_token,
    read_reset_token,
    read_welcome_token,
)
from portal.db_types import affected_rows, utcnow
from portal.extensions import db
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import BookingRules, Role, User
from portal.timeutil import describe_seconds


ALREADY_CONFIRMED = "Your e-mail address is already confirmed: this link has been used. Log in below."


class EmailTaken(Exception):
    pass


class WeakPassword(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


class BadCredentials(Exception):
    """No account has this e-mail address and password."""


class NotConfirmed(Exception):
    """The password is right but the address was never confirmed; a new link has been sent."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def create_user(*, role: Role, name: str, email: str, password: str, timezone: str) -> User:
    """Add an account made by the practice itself (flask create-practitioner, the demo), already confirmed;
    or raise EmailTaken / WeakPassword and add nothing. Clients sign themselves up with sign_up()."""
    email = normalise_email(email)
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise WeakPassword(problems)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    if role == Role.PRACTITIONER and not _has_owner():
        role = Role.OWNER  # the practice's first practitioner owns it (as the team migration decides too)
    user = User(
        role=role.value,
        name=name.strip(),
        email=email,
        password_hash=hash_password(password),
        timezone=timezone,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same address signed up a moment ago, in another request
        db.session.rollback()
        raise EmailTaken(email) from None
    add_practitioner_defaults(user)
    db.session.commit()
    return user


def invite_client(*, name: str, email: str, timezone: str, invited_by: User) -> User:
    """A client account made by the practice (booking for a new client), in the caller's transaction, with an
    e-mail inviting her to choose her password queued in it. Nobody knows the account's first password, so nobody
    can log in as her until she has used her link (which also confirms the address). Raises EmailTaken."""
    email, name = normalise_email(email), name.strip()
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        role=Role.CLIENT.value,
        name=name,
        email=email,
        password_hash=hash_password(secrets.token_urlsafe(32)),
        timezone=timezone,
    )
    db.session.add(user)
    try:
        db.session.flush()  # the link and the outbox row need her id
    except IntegrityError:  # the same address, registered a moment ago: nothing of this transaction stays
        db.session.rollback()
        raise EmailTaken(email) from None
    config = current_app.config
    token = make_welcome_token(config["SECRET_KEY"], user.id, user.password_hash)
    send_mail(
        user.email,
        "Your account: choose your password",
        "client_invitation",
        recipient=user,
        name=user.name,
        invited_by=invited_by.name,
        link=absolute_url("accounts.welcome", token=token),
        valid_for=describe_seconds(config["CLIENT_INVITATION_MAX_AGE"]),
    )
    return user


def user_for_welcome_token(secret: str, token: str, max_age: int) -> User:
    """The client a welcome link is for; raises ResetTokenError with a message to show."""
    claim = read_welcome_token(secret, token, max_age)
    user = db.session.get(User, claim.user_id)
    if user is None or not user.is_client:
        raise ResetTokenError("This link is not valid. Use “Forgotten your password?” to get a new one.")
    if not claim_is_current(claim, user.password_hash):
        raise ResetTokenError("This link has already been used: log in with the password you chose.")
    return user


def add_practitioner_defaults(user: User) -> None:
    """A practitioner's booking rules start with her account (the defaults, in her own time zone), in the caller's
    transaction, so no page or job has to make them on first read. Nothing for other roles or if she has them."""
    if user.role in (Role.OWNER, Role.PRACTITIONER) and db.session.get(BookingRules, user.id) is None:
        db.session.add(BookingRules(practitioner_id=user.id, timezone=user.timezone))


def sign_up(*, name: str, email: str, password: str, timezone: str, next_path: str | None = None) -> None:
    """A visitor asks for a client account. Whatever the address, the answer is the same and one e-mail goes to it:
    for a new address, an unconfirmed account and a link to confirm it; for an address that has an account, how
    to log in or choose a new password. Raises WeakPassword (which depends only on what was typed)."""
    email = normalise_email(email)
    name = name.strip()
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise WeakPassword(problems)
    # Both branches hash and check a password, so neither answers faster than the other.
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    knows_password = verify_password(existing.password_hash if existing else None, password)
    if existing is None:
        user = User(role=Role.CLIENT.value, name=name, email=email, password_hash=password_hash, timezone=timezone)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:  # the same address signed up a moment ago, in another request
            db.session.rollback()
            existing = find_user_by_email(email)
            assert existing is not None  # the account whose insert beat ours
        else:
            send_confirmation(user, next_path)
            return
    if existing.email_verified_at is None and knows_password:
        send_confirmation(existing, next_path)  # she signed up before and lost the e-mail
    else:
        _send_account_exists(existing, next_path)


def send_confirmation(user: User, next_path: str | None) -> None:
    config = current_app.config
    token = make_confirm_token(config["SECRET_KEY"], user.id, user.password_hash, next_path)
    send_mail(
        user.email,
        "Confirm your e-mail address",
        "confirm_email",
        recipient=user,
        name=user.name,
        link=absolute_url("accounts.confirm_email", token=token),
        valid_for=describe_seconds(config["EMAIL_CONFIRM_MAX_AGE"]),
    )
    db.session.commit()


def send_password_reset(user: User) -> None:
    """Queue the e-mail with her one-time link to choose a new password, and commit it."""
    config = current_app.config
    token = make_reset_token(config["SECRET_KEY"], user.id, user.password_hash)
    send_mail(
        user.email,
        "Reset your password",
        "password_reset",
        recipient=user,
        name=user.name,
        link=absolute_url("accounts.reset_password", token=token),
        minutes=config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    db.session.commit()


def _send_account_exists(user: User, next_path: str | None) -> None:
    """Someone signed up with an address that has an account: tell its owner, not the person at the keyboard.

    A password set by whoever signed up first is never confirmed this way: without knowing it, she chooses her
    own through the reset link, which also confirms the address (so nobody can plant an account for her)."""
    config = current_app.config
    reset = make_reset_token(config["SECRET_KEY"], user.id, user.password_hash)
    send_mail(
        user.email,
        "You already have an account",
        "account_exists",
        recipient=user,
        name=user.name,
        login_link=absolute_url("accounts.login", next=next_path),
        reset_link=absolute_url("accounts.reset_password", token=reset, next=next_path),
        reset_valid_for=describe_seconds(config["PASSWORD_RESET_MAX_AGE"]),
    )
    db.session.commit()


def _has_owner() -> bool:
    return db.session.execute(db.select(User.id).filter_by(role=Role.OWNER).limit(1)).first() is not None


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; takes as long either way."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password) or user is None:  # None never verifies
        return None
    if user.deactivated_at is not None:  # a deactivated team member (unconfirmed accounts are the view's to answer)
        return None
    return user


def log_in(email: str, password: str, *, user_agent: str = "", next_path: str | None = None) -> User:
    """Start a session for whoever these credentials belong to (its token is attached for login_user()).

    Raises BadCredentials, or NotConfirmed after e-mailing a new confirmation link: only someone who knows the
    password learns that the account exists."""
    user = authenticate(email, password)
    if user is None:
        raise BadCredentials()
    if user.email_verified_at is None:
        send_confirmation(user, next_path)
        raise NotConfirmed()
    sessions.start_session(user, user_agent=user_agent)
    return user


def _confirmable(secret: str, token: str, max_age: int) -> tuple[User, str]:
    claim = read_confirm_token(secret, token, max_age)
    user = db.session.get(User, claim.user_id)
    if user is None:
        raise ConfirmTokenError("This confirmation link is not valid. Check that you copied all of it.")
    if user.email_verified_at is not None:
        raise ConfirmTokenError(ALREADY_CONFIRMED)
    if not claim_is_current(claim, user.password_hash):
        raise ConfirmTokenError(
            "This confirmation link is out of date: a newer one was sent. Use the newest, or "
            "log in and we will send you another."
        )
    return user, claim.next_path


def check_confirmation(secret: str, token: str, max_age: int) -> User:
    """The account a confirmation link would confirm; raises ConfirmTokenError with a message to show."""
    return _confirmable(secret, token, max_age)[0]


def confirm_email(secret: str, token: str, max_age: int, *, user_agent: str = "") -> tuple[User, str]:
    """Mark her address confirmed and log her in; returns her and the page she was on when she signed up."""
    user, next_path = _confirmable(secret, token, max_age)
    # Conditional, so that of two clicks at the same moment only one confirms and logs in.
    confirmed = db.session.execute(
        update(User).where(User.id == user.id, User.email_verified_at.is_(None)).values(email_verified_at=utcnow())
    )
    if affected_rows(confirmed) != 1:
        db.session.rollback()
        raise ConfirmTokenError(ALREADY_CONFIRMED)
    db.session.commit()
    sessions.start_session(user, user_agent=user_agent)
    return user, next_path


def set_password(user: User, password: str, *, email_proven: bool = False) -> None:
    """Change the password, which also ends every logged-in session and every reset link.

    email_proven: she came through a link e-mailed to her address, which confirms it if it was not yet."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise WeakPassword(problems)
    now = utcnow()
    user.password_hash = hash_password(password)
    if email_proven and user.email_verified_at is None:
        user.email_verified_at = now
    sessions.end_all_sessions(user, now)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Log her out everywhere at once (the caller commits): every server-side session of hers ends."""
    sessions.end_all_sessions(user)


def user_for_reset_token(secret: str, token: str, max_age: int) -> User:
    """The user a reset link is for; raises ResetTokenError with a message to show."""
    claim = read_reset_token(secret, token, max_age)
    user = db.session.get(User, claim.user_id)
    if user is None:
        raise ResetTokenError("This reset link is not valid. Ask for a new one below.")
    if not claim_is_current(claim, user.password_hash):
        raise ResetTokenError("This reset link has already been used. Ask for a new one below if you need it.")
    return user
