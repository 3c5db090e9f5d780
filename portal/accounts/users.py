"""Creating accounts, logging in and changing passwords: the domain behind the accounts views."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from portal.accounts.passwords import hash_password, password_problems, verify_password
from portal.accounts.tokens import ResetTokenError, claim_is_current, read_reset_token
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import Role, User
from portal.models.accounts import new_session_token


class EmailTaken(Exception):
    pass


class WeakPassword(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def create_user(*, role: Role, name: str, email: str, password: str, timezone: str) -> User:
    """Add an account, or raise EmailTaken / WeakPassword and add nothing."""
    email = normalise_email(email)
    problems = password_problems(password, email=email, name=name)
    if problems:
        raise WeakPassword(problems)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    if role == Role.PRACTITIONER and not _has_owner():
        role = Role.OWNER  # the practice's first practitioner owns it (as the team migration decides too)
    user = User(role=role.value, name=name.strip(), email=email, password_hash=hash_password(password), timezone=timezone)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:  # the same address signed up a moment ago, in another request
        db.session.rollback()
        raise EmailTaken(email) from None
    return user


def _has_owner() -> bool:
    return db.session.execute(db.select(User.id).filter_by(role=Role.OWNER).limit(1)).first() is not None


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None; takes as long either way."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active:  # a deactivated team member
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """Change the password, which also ends every logged-in session and every reset link."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise WeakPassword(problems)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Log her out everywhere at once (the caller commits): the one place that knows how sessions end."""
    user.session_token = new_session_token()


def user_for_reset_token(secret: str, token: str, max_age: int) -> User:
    """The user a reset link is for; raises ResetTokenError with a message to show."""
    claim = read_reset_token(secret, token, max_age)
    user = db.session.get(User, claim.user_id)
    if user is None:
        raise ResetTokenError("This reset link is not valid. Ask for a new one below.")
    if not claim_is_current(claim, user.password_hash):
        raise ResetTokenError("This reset link has already been used. Ask for a new one below if you need it.")
    return user
