"""Settings read from the environment, with defaults and validation.

Every setting the portal reads is listed here; nothing else in the code reads os.environ.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies

from portal.database import ANSWER_TIMEOUT_ARG
from portal.inputs import single_line_problem

ENVIRONMENTS = ("development", "production", "testing")
MAIL_SECURITY_MODES = ("starttls", "ssl", "none")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _int(environ: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, not {value}.")
    return value


def _float(environ: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if not lo <= value <= hi:  # also refuses nan
        raise ConfigError(f"{name} must be between {lo} and {hi}, not {raw}.")
    return value


def _rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    """A Flask-Limiter limit such as "5 per minute;20 per hour", checked now rather than at the first login."""
    from limits import parse_many

    raw = environ.get(name, "").strip() or default
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must be limits like '5 per minute;20 per hour', not {raw!r}.") from None
    return raw


def _instance_secret(instance_path: Path) -> str:
    """Read the development secret key from instance/, creating it once."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _encryption_keys(environ: Mapping[str, str], instance_path: Path, production: bool) -> list[str]:
    """Fernet keys for health text at rest, newest first; development keeps one in instance/."""
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in environ.get("ENCRYPTION_KEYS", "").split(",") if key.strip()]
    if not keys:
        if production:
            raise ConfigError(
                "ENCRYPTION_KEYS is not set. In production the portal refuses to start without it: set it to a "
                "Fernet key, e.g. python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())' (several keys: comma-separated, newest first)."
            )
        path = instance_path / "encryption_key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(Fernet.generate_key().decode())
        keys = [path.read_text().strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                f"ENCRYPTION_KEYS: key number {number} is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from None
    return keys


def load_config(environ: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Turn environment variables into Flask settings, refusing anything unsafe or invalid."""
    env = environ.get("PORTAL_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    production = env == "production"

    secret_key = environ.get("SECRET_KEY", "").strip()
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. In production the portal refuses to start without one: "
                "set SECRET_KEY to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
            )
        secret_key = _instance_secret(instance_path)
    elif production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long in production.")

    database_url = environ.get("DATABASE_URL", "").strip() or f"sqlite:///{instance_path / 'portal.db'}"
    if database_url.startswith("postgres://"):  # the form some hosts hand out
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    if not database_url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql:// URL.")

    engine_options = _engine_options(environ, database_url)

    timezone = environ.get("PRACTICE_TIMEZONE", "Europe/London").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PRACTICE_TIMEZONE {timezone!r} is not a known time zone (e.g. Europe/London).") from None

    currency = environ.get("PRACTICE_CURRENCY", "GBP").strip().upper()
    if currency not in list_currencies():
        raise ConfigError(f"PRACTICE_CURRENCY {currency!r} is not an ISO 4217 currency code (e.g. GBP, EUR, USD).")

    base_url = environ.get("BASE_URL", "http://127.0.0.1:5000").strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("BASE_URL must start with http:// or https://.")
    if production and not base_url.startswith("https://"):
        raise ConfigError("BASE_URL must be an https:// address in production.")

    mail_server = environ.get("MAIL_SERVER", "").strip()
    mail_security = environ.get("MAIL_SECURITY", "starttls").strip().lower()
    if mail_security not in MAIL_SECURITY_MODES:
        raise ConfigError(f"MAIL_SECURITY must be one of {', '.join(MAIL_SECURITY_MODES)}.")

    practice_name = environ.get("PRACTICE_NAME", "Migraine & Gut Health Practice").strip()
    mail_from = environ.get("MAIL_FROM", "").strip() or "Practice portal <no-reply@localhost>"
    for name, value in (("PRACTICE_NAME", practice_name), ("MAIL_FROM", mail_from)):
        if single_line_problem(value):  # both end up in e-mail headers
            raise ConfigError(f"{name} must be one line, without control characters.")

    mail_timeout = _int(environ, "MAIL_TIMEOUT", 20, 1, 300)
    stripe = _stripe_settings(environ, production)
    licensed_file = environ.get("LICENSED_CONTENT_FILE", "").strip()

    return {
        **stripe,
        "PORTAL_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": _encryption_keys(environ, instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "PRACTICE_NAME": practice_name,
        "PRACTICE_TIMEZONE": timezone,
        "PRACTICE_CURRENCY": currency,
        "BASE_URL": base_url,
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int(environ, "MAIL_PORT", 465 if mail_security == "ssl" else 587, 1, 65535),
        "MAIL_SECURITY": mail_security,
        "MAIL_USERNAME": environ.get("MAIL_USERNAME", "").strip(),
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": mail_from,
        "MAIL_TIMEOUT": mail_timeout,
        **_outbox_settings(environ, mail_timeout),
        "OUTBOX_DIR": str(instance_path / "outbox"),
        "PASSWORD_RESET_MAX_AGE": _int(environ, "PASSWORD_RESET_MAX_AGE", 3600, 60, 86400),
        "EMAIL_CONFIRM_MAX_AGE": _int(environ, "EMAIL_CONFIRM_MAX_AGE", 86400, 3600, 7 * 86400),
        "CLIENT_INVITATION_MAX_AGE": _int(environ, "CLIENT_INVITATION_MAX_AGE", 7 * 86400, 3600, 30 * 86400),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": environ.get("RATELIMIT_ENABLED", "true").strip().lower() != "false",
        "LOGIN_RATE_LIMIT": _rate_limit(environ, "LOGIN_RATE_LIMIT", "10 per minute;60 per hour"),
        "LOGIN_ACCOUNT_RATE_LIMIT": _rate_limit(environ, "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour"),
        "PROXY_FIX_X_FOR": _int(environ, "PROXY_FIX_X_FOR", 0, 0, 5),
        "MESSAGE_POLL_SECONDS": _int(environ, "MESSAGE_POLL_SECONDS", 15, 2, 300),
        "MAX_CONTENT_LENGTH": _int(environ, "MAX_CONTENT_LENGTH", 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": 200 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "__Host-portal" if production else "portal",
        "PERMANENT_SESSION_LIFETIME": _int(environ, "SESSION_LIFETIME", 8 * 3600, 300, 30 * 86400),
        "IDLE_TIMEOUT": _int(environ, "IDLE_TIMEOUT", 30, 5, 24 * 60),  # minutes, for everyone but clients
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "LICENSED_CONTENT_FILE": licensed_file,
        # LICENSED_CONTENT (the file read and checked) is added by create_app: the questionnaires know its shape.
    }


def _outbox_settings(environ: Mapping[str, str], mail_timeout: int) -> dict[str, int | float]:
    """The outbox (portal/outbox.py) and its worker: tries before a message is dead, the first retry's delay in
    seconds (doubled each time, at most 6 hours), how long a worker's claim on a message lasts, and how long an
    idle worker sleeps between looks at the outbox."""
    lease = _int(environ, "OUTBOX_LEASE_SECONDS", 300, 5, 3600)
    if lease <= 2 * mail_timeout:  # a worker still talking to the mail server must keep its claim
        raise ConfigError(
            f"OUTBOX_LEASE_SECONDS ({lease}) must be more than twice MAIL_TIMEOUT ({mail_timeout}): a message "
            "still being sent would otherwise be taken and sent again by another worker."
        )
    return {
        "OUTBOX_MAX_ATTEMPTS": _int(environ, "OUTBOX_MAX_ATTEMPTS", 8, 1, 50),
        "OUTBOX_RETRY_SECONDS": _int(environ, "OUTBOX_RETRY_SECONDS", 60, 1, 86400),
        "OUTBOX_LEASE_SECONDS": lease,
        "OUTBOX_IDLE_SECONDS": _float(environ, "OUTBOX_IDLE_SECONDS", 1.0, 0.05, 60.0),
    }


def _engine_options(environ: Mapping[str, str], database_url: str) -> dict[str, Any]:
    """How long anything may wait on the database, so an outage answers 503 in seconds instead of hanging.

    PostgreSQL: connecting, a free connection in the pool, a statement and a lock each have a limit, and an
    open connection whose server stops answering altogether is given up a few seconds after the statement
    limit. SQLite: a write waits up to the statement limit for the database lock (its busy timeout).
    Dead pooled connections are noticed before use (pool_pre_ping), so the portal recovers by itself.
    """
    connect = _int(environ, "DATABASE_CONNECT_TIMEOUT", 5, 2, 60)
    pool = _int(environ, "DATABASE_POOL_TIMEOUT", 5, 1, 60)
    statement = _int(environ, "DATABASE_STATEMENT_TIMEOUT", 15, 1, 600)
    lock = _int(environ, "DATABASE_LOCK_TIMEOUT", min(10, statement), 1, 600)
    if lock > statement:
        raise ConfigError(
            f"DATABASE_LOCK_TIMEOUT ({lock} s) must not be longer than DATABASE_STATEMENT_TIMEOUT ({statement} s)."
        )
    options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}  # no data in logs
    if database_url.startswith("sqlite:"):
        options["connect_args"] = {"timeout": statement}
        if ":memory:" not in database_url and database_url not in ("sqlite://", "sqlite:///"):
            options["pool_timeout"] = pool
        return options
    options["pool_timeout"] = pool
    options["connect_args"] = {
        "connect_timeout": connect,
        "options": f"-c statement_timeout={statement * 1000} -c lock_timeout={lock * 1000}",
        ANSWER_TIMEOUT_ARG: statement + 2,
    }
    return options


def _stripe_settings(environ: Mapping[str, str], production: bool) -> dict:
    """Card payments are on when a secret key is set; STRIPE_API_BASE points the SDK at a local
    Stripe-compatible server (localstripe) for tests and the offline demo."""
    secret = environ.get("STRIPE_SECRET_KEY", "").strip()
    publishable = environ.get("STRIPE_PUBLISHABLE_KEY", "").strip()
    webhook_secret = environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
    api_base = environ.get("STRIPE_API_BASE", "").strip().rstrip("/")
    if secret:
        if not secret.startswith(("sk_", "rk_")):
            raise ConfigError("STRIPE_SECRET_KEY must be a Stripe secret key (sk_... or rk_...).")
        if not publishable.startswith("pk_"):
            raise ConfigError("STRIPE_PUBLISHABLE_KEY must be set to the matching pk_... key.")
        if not webhook_secret:
            raise ConfigError("STRIPE_WEBHOOK_SECRET must be set (whsec_... from the webhook endpoint).")
    if api_base and not api_base.startswith(("http://", "https://")):
        raise ConfigError("STRIPE_API_BASE must be an http(s) URL.")
    local = urlsplit(api_base).hostname in ("127.0.0.1", "localhost", "::1") if api_base else False
    if production and api_base and local:
        raise ConfigError("STRIPE_API_BASE points at a local test server; remove it in production.")
    return {
        "STRIPE_SECRET_KEY": secret,
        "STRIPE_PUBLISHABLE_KEY": publishable,
        "STRIPE_WEBHOOK_SECRET": webhook_secret,
        "STRIPE_API_BASE": api_base,
        # The clearly-labelled test-card form exists only against a server on this machine.
        "STRIPE_TEST_CARDS": bool(secret) and local,
    }
