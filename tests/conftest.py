"""Fixtures for every test: an app on a migrated database, a clean slate per test, real services.

The database is SQLite unless TEST_DATABASE_URL names another (the PostgreSQL run sets it).
The schema is built once per run by the Alembic migrations, exactly as `flask db upgrade` does, connected as
the URL given (the owner). On PostgreSQL the app under test then connects as a role that owns nothing, with the
rights of scripts/postgres-app-role.sql, as in production; migration tests use `owner_app`.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import stripe
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, make_url, text
from werkzeug.serving import make_server

from portal import create_app, outbox
from portal.accounts import users
from portal.booking import bookings
from portal.db_types import utcnow
from portal.extensions import db, limiter
from portal.models import (
    BUILTIN_TAGS,
    Booking,
    BookingRules,
    Payment,
    QuestionnaireResponse,
    Role,
    Service,
    TriggerTag,
    User,
)
from portal.payments.localstripe_server import LocalStripe
from portal.practice import settings
from tests import factories

TEST_PASSWORD = "quiet-morning-walk"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-anything-0123456789"
# One Fernet key for every app in a run (several apps stand for several hosts sharing one database).
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA="
APP_ROLE_SQL = Path(__file__).resolve().parents[1] / "scripts" / "postgres-app-role.sql"
# The app's role on PostgreSQL. Roles are shared by every database of the server, so several test runs may
# create it at once: creating it is idempotent, and its rights are granted per database.
TEST_APP_ROLE = "portal_app_test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def owner_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database as the owner of its tables: migrations and the clean-up between tests use it."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    engine = create_engine(url)
    with engine.begin() as conn:  # start from nothing, so the migrations alone build the schema
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def base_environ(database_url: str, instance_path: Path) -> dict[str, str]:
    return {
        "PORTAL_ENV": "testing",
        "SECRET_KEY": TEST_SECRET,
        "ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": str(instance_path),
        "BASE_URL": "http://portal.test",
        "PRACTICE_TIMEZONE": "Europe/London",
        "PRACTICE_CURRENCY": "GBP",
    }


@pytest.fixture(scope="session")
def migrated_database(owner_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL the app under test connects with, once the migrations have run as the owner: on PostgreSQL the
    app's role, which may read and write rows but not alter anything; on SQLite (no roles) the same file."""
    app = create_app(base_environ(owner_database_url, tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    if make_url(owner_database_url).get_backend_name() != "postgresql":
        return owner_database_url
    return _grant_app_role(owner_database_url, TEST_APP_ROLE)


def _grant_app_role(owner_url: str, role: str) -> str:
    """Create the role if missing and give it the production role's rights; the URL that logs in as it."""
    grants = re.sub(r"\bportal_app\b", role, APP_ROLE_SQL.read_text())
    engine = create_engine(owner_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"""
            DO $$
            BEGIN
                CREATE ROLE {role} LOGIN;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- there already, perhaps made a moment ago by a run on another database
            END $$""")
        conn.exec_driver_sql(grants)
    engine.dispose()
    return make_url(owner_url).set(username=role, password=None).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def owner_engine(owner_database_url: str) -> Iterator[Engine]:
    engine = create_engine(owner_database_url)
    yield engine
    engine.dispose()


def _empty_all_tables(owner_engine: Engine) -> None:
    """Empty every table, as the owner. On PostgreSQL the audit table refuses TRUNCATE, even to its owner: the
    clean-up switches that one trigger off inside its own transaction, so it is back on at commit and a failure
    rolls the switch back too. (Disabling a trigger needs only ownership; `session_replication_role` would need
    a superuser and would silence every trigger and foreign key.)"""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with owner_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_truncate"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_truncate"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
        _restore_builtin_tags(conn)


def _restore_builtin_tags(conn) -> None:
    """Put back the trigger list the journal migration writes, so every test starts as a migrated database."""
    conn.execute(
        TriggerTag.__table__.insert(),
        [
            {
                "code": code,
                "label": label,
                "tag_group": group,
                "position": position,
                "builtin": True,
                "created_at": utcnow(),
            }
            for position, (code, label, group) in enumerate(BUILTIN_TAGS)
        ],
    )


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    Without this, a request made while the test holds an app context would share the test's `g`
    and database session, hiding bugs (and leaking one client's login into another's request).
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app_factory(
    migrated_database: str, owner_engine: Engine, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with extra settings; each is cleaned up after the test. An app sending
    to the test's `smtp_server` is linked to it (see SmtpServer.messages)."""
    made: list[Flask] = []

    def make(**settings: str) -> Flask:
        app = create_app({**base_environ(migrated_database, tmp_path / "instance"), **settings})
        app.test_client_class = IsolatedClient
        made.append(app)
        if "smtp_server" in request.fixturenames:
            request.getfixturevalue("smtp_server").link(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            limiter.reset()
            db.engine.dispose()
    if made:
        _empty_all_tables(owner_engine)


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Iterator[Flask]:
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def owner_app(app_factory: Callable[..., Flask], owner_database_url: str) -> Iterator[Flask]:
    """The app connected as the owner of the tables, for what only the owner may do: run migrations. A test
    module that migrates overrides `app` with it."""
    app = app_factory(DATABASE_URL=owner_database_url)
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# Factories -------------------------------------------------------------------------------------


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.CLIENT,
        *,
        email: str | None = None,
        name: str | None = None,
        password: str = TEST_PASSWORD,
        timezone: str = "Europe/London",
    ) -> User:
        n = next(counter)
        return users.create_user(
            role=role,
            name=name or f"Person {n}",
            email=email or f"person{n}@example.com",
            password=password,
            timezone=timezone,
        )

    return make


@pytest.fixture
def make_booking(app: Flask, request: pytest.FixtureRequest) -> Callable[..., Booking]:
    """make_booking(client, service=None, *, start=None, in_days=None, status="confirmed", reason=""): a booking
    made through the booking rules and moved to its status by the domain (see tests/factories.py: book).
    Without a service, the `practice` fixture's follow-up."""

    def make(client: User, service: Service | None = None, **options) -> Booking:
        if service is None:
            service = request.getfixturevalue("practice").follow_up
        return factories.book(client, service, **options)

    return make


@pytest.fixture
def make_payment(app: Flask) -> Callable[..., Payment]:
    """make_payment(booking, amount_minor=None, *, method="cash", status="succeeded", refunded_minor=0, note="",
    at=None): a payment taken by the ledger or the card path (see tests/factories.py: pay)."""
    return factories.pay


@pytest.fixture
def make_response(app: Flask) -> Callable[..., QuestionnaireResponse]:
    """make_response(client, code, *, answers=None, total=None, days_ago=0, submitted_at=None, assignment=None):
    a response answered and submitted, so scored, by the questionnaire domain (see tests/factories.py: respond)."""
    return factories.respond


placeholder_wording = factories.placeholder_wording  # re-exported for tests that import it from here


@pytest.fixture
def licensed_wording(app: Flask) -> Iterator[dict[str, dict]]:
    """The app as at a practice that has loaded the licensed wording of MIDAS, HIT-6, IBS-SSS and GSRS."""
    before = app.config["LICENSED_CONTENT"]
    app.config["LICENSED_CONTENT"] = factories.placeholder_wording()
    yield app.config["LICENSED_CONTENT"]
    app.config["LICENSED_CONTENT"] = before


@pytest.fixture
def count_queries(app: Flask) -> Callable[..., AbstractContextManager[factories.Queries]]:
    """`with count_queries() as queries:` counts the SQL statements run inside the block (queries.count)."""
    return factories.count_queries


@pytest.fixture
def client_user(make_user) -> User:
    return make_user(Role.CLIENT, email="client@example.com", name="Clara Client")


@pytest.fixture
def practitioner(make_user) -> User:
    return make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Practitioner")


# Helpers for driving forms with their real CSRF tokens -------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def submit_form(
    client: FlaskClient, url: str, data: dict, *, follow_redirects: bool = False, form_url: str | None = None
):
    """GET the page holding the form (form_url, or url itself), then POST to url with its CSRF token."""
    page = client.get(form_url or url)
    return client.post(
        url,
        data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
        follow_redirects=follow_redirects,
    )


def log_in(client: FlaskClient, email: str, password: str = TEST_PASSWORD):
    return submit_form(client, "/account/login", {"email": email, "password": password})


def mailed_path(message: email.message.EmailMessage, prefix: str) -> str:
    """The path and query of the first link in a message's plain text that starts with BASE_URL + prefix."""
    plain = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://portal\.test(" + re.escape(prefix) + r"\S*)", plain)
    assert match, plain
    return match.group(1)


def deliver_outbox(app: Flask) -> int:
    """Send what is due in the outbox table, as `flask jobs worker` would, in a fresh app context of its own (so
    only committed messages go, as in production); how many were sent."""
    with app.app_context():
        sent = outbox.deliver_due(limit=10_000)
        db.session.remove()
    return sent


def outbox_messages(app: Flask) -> list[email.message.EmailMessage]:
    """What an app without MAIL_SERVER wrote to its outbox folder, oldest first. The committed messages due in
    the outbox table are delivered first (deliver_outbox), as the worker would have by then."""
    deliver_outbox(app)
    files = sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"), key=lambda path: path.stat().st_mtime_ns)
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default) for path in files]


# Real services -----------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """A loopback SMTP server's handler and what it received.

    `messages` is what the server has received once the outbox is delivered: reading it first runs
    deliver_outbox() for the apps that send to this server (every app the test's `app_factory` makes with its
    MAIL_SERVER and MAIL_PORT is linked, `mail_app` included), so a test reads what a worker would have sent by
    then. Only committed messages go. `received` is the raw list, without delivering anything.
    """

    host: str
    port: int
    received: list[email.message.EmailMessage] = field(default_factory=list)
    apps: list[Flask] = field(default_factory=list)

    def link(self, app: Flask) -> None:
        if (app.config["MAIL_SERVER"], app.config["MAIL_PORT"]) == (self.host, self.port):
            self.apps.append(app)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        for app in self.apps:
            deliver_outbox(app)
        return self.received

    def handler(self) -> _SmtpHandler:
        """What aiosmtpd calls. Not this object itself: aiosmtpd looks through its handler's attributes, and
        reading `messages` from its own thread would deliver the outbox to itself and hang."""
        return _SmtpHandler(self.received)


@dataclass
class _SmtpHandler:
    received: list[email.message.EmailMessage]

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that keeps what it receives."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(server.handler(), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture
def mail_app(app_factory, smtp_server: SmtpServer) -> Iterator[Flask]:
    """The app, sending its mail to the loopback SMTP server; reading `smtp_server.messages` delivers its
    outbox first (see SmtpServer)."""
    app = app_factory(MAIL_SERVER=smtp_server.host, MAIL_PORT=str(smtp_server.port), MAIL_SECURITY="none")
    with app.app_context():
        yield app


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on loopback, for the browser tests."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


# A practice ready to take bookings ---------------------------------------------------------------

PRACTICE_TZ = "Europe/London"


@dataclass
class Practice:
    practitioner: User
    discovery: Service  # 15 minutes, free
    follow_up: Service  # 45 minutes, £85
    rules: BookingRules

    def free(self, service: Service, now: datetime | None = None) -> list[datetime]:
        now = now or utcnow()
        availability = bookings.load_availability(self.practitioner.id, now)
        return availability.free(timedelta(minutes=service.duration_minutes), now)


@pytest.fixture
def practice(app, make_user) -> Practice:
    maya = make_user(Role.PRACTITIONER, email="maya@example.com", name="Maya Practitioner")
    discovery = settings.save_service(
        None,
        maya,
        name="Discovery call",
        description="A free first chat.",
        duration_minutes=15,
        price_minor=0,
        currency="GBP",
        active=True,
    )
    follow_up = settings.save_service(
        None, maya, name="Follow-up", description="", duration_minutes=45, price_minor=8500, currency="GBP", active=True
    )
    for weekday in range(7):
        settings.add_working_range(maya, weekday, time(9), time(17))
    rules = bookings.rules_for(maya.id)
    db.session.commit()
    return Practice(maya, discovery, follow_up, rules)


# localstripe: a real Stripe-compatible server in this process, shared by every test that pays ----------

WEBHOOK_SECRET = "whsec_test_portal_secret"


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    server = LocalStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_settings(localstripe) -> dict[str, str]:
    localstripe.flush()
    return {
        "STRIPE_SECRET_KEY": "sk_test_portal",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_portal",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": localstripe.url,
    }


@pytest.fixture
def stripe_api(localstripe) -> stripe.StripeClient:
    """A direct line to localstripe, to check what the portal asked of it."""
    return stripe.StripeClient("sk_test_portal", base_addresses={"api": localstripe.url}, max_network_retries=0)


@pytest.fixture
def webhooks_to_portal(localstripe, live_server) -> str:
    """localstripe signs and sends its events to the portal served on loopback, as Stripe would."""
    localstripe.register_webhook("portal", f"{live_server}/stripe/webhook", WEBHOOK_SECRET)
    yield live_server
    localstripe.register_webhook("portal", "http://127.0.0.1:9/nowhere", WEBHOOK_SECRET)
