from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from portal.config import ConfigError, load_config


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config({"PORTAL_ENV": "production", "BASE_URL": "https://portal.example"}, tmp_path)


def test_production_refuses_a_short_secret_key(tmp_path: Path):
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_config({"PORTAL_ENV": "production", "SECRET_KEY": "short", "BASE_URL": "https://x.example"}, tmp_path)


def test_development_generates_a_secret_key_once_into_the_instance_folder(tmp_path: Path):
    first = load_config({}, tmp_path)["SECRET_KEY"]
    second = load_config({}, tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 48
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_defaults_are_sqlite_in_the_instance_folder_and_safe_cookies_in_production(tmp_path: Path):
    dev = load_config({}, tmp_path)
    assert dev["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert dev["SESSION_COOKIE_SECURE"] is False
    prod = load_config(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "k" * 40,
            "BASE_URL": "https://p.example",
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        },
        tmp_path,
    )
    assert prod["SESSION_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True
    assert prod["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_session_settings_default_to_30_idle_minutes_and_5_logins_a_minute_per_account(tmp_path: Path):
    config = load_config({}, tmp_path)
    assert config["IDLE_TIMEOUT"] == 30 and config["PERMANENT_SESSION_LIFETIME"] == 8 * 3600
    assert config["LOGIN_ACCOUNT_RATE_LIMIT"] == "5 per minute;20 per hour"
    assert load_config({"IDLE_TIMEOUT": "15"}, tmp_path)["IDLE_TIMEOUT"] == 15


def test_postgres_urls_are_given_the_psycopg_driver(tmp_path: Path):
    config = load_config({"DATABASE_URL": "postgres://u@db:5432/portal"}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/portal"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV must be one of"),
        ({"PRACTICE_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
        ({"PRACTICE_CURRENCY": "XYZ1"}, "not an ISO 4217 currency"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be"),
        ({"BASE_URL": "portal.example"}, "BASE_URL must start with"),
        ({"MAIL_PORT": "lots"}, "MAIL_PORT must be a whole number"),
        ({"MAIL_PORT": "70000"}, "MAIL_PORT must be between"),
        ({"MAIL_SECURITY": "maybe"}, "MAIL_SECURITY must be one of"),
        ({"IDLE_TIMEOUT": "half an hour"}, "IDLE_TIMEOUT must be a whole number"),
        ({"IDLE_TIMEOUT": "2"}, "IDLE_TIMEOUT must be between 5 and 1440"),
        ({"LOGIN_ACCOUNT_RATE_LIMIT": "lots"}, "LOGIN_ACCOUNT_RATE_LIMIT must be limits like"),
        ({"LOGIN_RATE_LIMIT": "10 per fortnight"}, "LOGIN_RATE_LIMIT must be limits like"),
        ({"EMAIL_CONFIRM_MAX_AGE": "60"}, "EMAIL_CONFIRM_MAX_AGE must be between"),
        ({"CLIENT_INVITATION_MAX_AGE": "60"}, "CLIENT_INVITATION_MAX_AGE must be between"),
    ],
)
def test_invalid_settings_are_refused_with_a_message_naming_them(tmp_path: Path, environ, message):
    with pytest.raises(ConfigError, match=message):
        load_config(environ, tmp_path)


def test_production_needs_an_https_base_url(tmp_path: Path):
    with pytest.raises(ConfigError, match="https"):
        load_config({"PORTAL_ENV": "production", "SECRET_KEY": "k" * 40, "BASE_URL": "http://p.example"}, tmp_path)


STRIPE = {"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_PUBLISHABLE_KEY": "pk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"STRIPE_SECRET_KEY": "pk_wrong"}, "must be a Stripe secret key"),
        ({"STRIPE_PUBLISHABLE_KEY": ""}, "STRIPE_PUBLISHABLE_KEY"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "STRIPE_WEBHOOK_SECRET"),
        ({"STRIPE_API_BASE": "ftp://x"}, "http"),
    ],
)
def test_stripe_settings_are_checked(tmp_path: Path, change, message):
    with pytest.raises(ConfigError, match=message):
        load_config({**STRIPE, **change}, tmp_path)


def test_test_cards_only_against_a_local_stripe_server(tmp_path: Path):
    assert load_config({}, tmp_path)["STRIPE_TEST_CARDS"] is False
    assert load_config(STRIPE, tmp_path)["STRIPE_TEST_CARDS"] is False  # real Stripe
    assert load_config({**STRIPE, "STRIPE_API_BASE": "http://127.0.0.1:8420"}, tmp_path)["STRIPE_TEST_CARDS"] is True
    assert load_config({**STRIPE, "STRIPE_API_BASE": "https://stripe.example"}, tmp_path)["STRIPE_TEST_CARDS"] is False
    with pytest.raises(ConfigError, match="local test server"):
        load_config(
            {
                **STRIPE,
                "STRIPE_API_BASE": "http://127.0.0.1:8420",
                "PORTAL_ENV": "production",
                "SECRET_KEY": "k" * 40,
                "BASE_URL": "https://p.example",
            },
            tmp_path,
        )
