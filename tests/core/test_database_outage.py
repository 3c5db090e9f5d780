"""When the database fails: the timeouts, the 503 page, /healthz, recovery, quiet logs, and a change that
committed answered as saved.

The outages are real: the app reaches PostgreSQL through a TCP proxy in this process that can be CUT (every
connection closed, new ones refused) or HUNG (connections accepted and held, nothing forwarded either way).
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from flask import Flask, has_request_context, request
from sqlalchemy import event, make_url, text
from sqlalchemy.orm import Session

from portal.booking import bookings
from portal.booking.pages import iso
from portal.config import ConfigError, load_config
from portal.database import migration_connection
from portal.db_types import utcnow
from portal.extensions import db
from tests.conftest import csrf_token_from, free_port, log_in, submit_form

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


class DatabaseProxy:
    """Forwards 127.0.0.1:<port> to the database server, until it is cut or hung."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "open"
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._stopped = False

    # control

    def start(self) -> DatabaseProxy:
        self._listen()
        return self

    def cut(self) -> None:
        """Close every connection and refuse new ones, as a dead server or a severed network does."""
        self.mode = "cut"
        self._close_listener()
        self._close_connections()

    def hang(self) -> None:
        """Accept connections and hold them; forward nothing on open ones: a server that stopped answering."""
        self.mode = "hang"

    def restore(self) -> None:
        held_open = self.mode == "hang"
        self.mode = "open"
        if held_open:
            self._close_connections()  # what was held is lost, as when a frozen server is restarted
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        self._stopped = True
        self._close_listener()
        self._close_connections()

    # machinery

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _close_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
            if self.mode == "hang":
                continue  # held: accepted, never answered
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.append(server)
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        try:
            while True:
                if self.mode == "hang":
                    time.sleep(0.05)
                    continue
                readable, _, _ = select.select(list(peers), [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            client.close()
            server.close()


@pytest.fixture
def postgres_url(migrated_database: str) -> str:
    if make_url(migrated_database).get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    return migrated_database


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[DatabaseProxy]:
    url = make_url(postgres_url)
    server = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    yield server
    server.stop()


# Short limits, so each test waits a few seconds at most.
TIMEOUTS = {
    "DATABASE_CONNECT_TIMEOUT": "2",
    "DATABASE_POOL_TIMEOUT": "2",
    "DATABASE_STATEMENT_TIMEOUT": "2",
    "DATABASE_LOCK_TIMEOUT": "1",
}


@pytest.fixture
def proxied_app(app_factory: Callable[..., Flask], postgres_url: str, proxy: DatabaseProxy) -> Flask:
    """The portal reaching PostgreSQL only through the proxy."""
    url = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    return app_factory(DATABASE_URL=url.render_as_string(hide_password=False), **TIMEOUTS)


@pytest.fixture
def logged_in(proxied_app: Flask, client_user):
    client = proxied_app.test_client()
    assert log_in(client, client_user.email).status_code == 302
    assert client.get("/").status_code in (200, 302)
    return client


def timed(call: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    for header in SECURITY_HEADERS:
        assert response.headers.get(header), header
    assert response.headers["Cache-Control"] == "no-store"
    assert "The portal is briefly unavailable" in response.get_data(as_text=True)


# The 503 page ---------------------------------------------------------------------------------------------


def test_a_cut_database_answers_503_with_retry_after_and_security_headers_at_once(logged_in, proxy):
    proxy.cut()
    response, seconds = timed(lambda: logged_in.get("/"))
    assert_unavailable_page(response)
    assert seconds < 3


def test_a_cut_database_answers_a_form_post_with_503_too(logged_in, proxy):
    token = csrf_token_from(logged_in.get("/account/").get_data(as_text=True))
    proxy.cut()
    response = logged_in.post("/account/logout-everywhere", data={"csrf_token": token})
    assert_unavailable_page(response)


def test_a_hung_database_answers_503_within_the_timeouts(logged_in, proxy):
    proxy.hang()
    # The pooled connection waits for an answer (statement limit + 5 s), then a new one fails to connect (2 s).
    response, seconds = timed(lambda: logged_in.get("/"))
    assert_unavailable_page(response)
    assert seconds < 12
    # With the dead connection gone, the next request only waits to connect.
    response, seconds = timed(lambda: logged_in.get("/"))
    assert_unavailable_page(response)
    assert seconds < 5


def test_a_slow_statement_is_stopped_by_the_statement_timeout(proxied_app):
    with proxied_app.app_context(), pytest.raises(Exception) as raised:
        db.session.execute(text("SELECT pg_sleep(10)"))
    assert "statement timeout" in str(raised.value)


def test_a_failure_while_the_response_is_being_finished_answers_503(proxied_app, proxy, caplog):
    finishing = []

    @proxied_app.after_request
    def _reads_the_database(response):  # an after_request hook that needs the database, once
        if not finishing:
            finishing.append(True)
            db.session.execute(text("SELECT 1"))
        return response

    proxied_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production (testing re-raises what hooks raise)
    anonymous = proxied_app.test_client()
    proxy.cut()
    caplog.set_level(logging.INFO)
    assert_unavailable_page(anonymous.get("/account/login"))
    assert finishing and len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


def test_json_callers_get_a_json_503(logged_in, proxy):
    proxy.cut()
    response = logged_in.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json["ok"] is False and response.json["saved"] is False


def test_a_write_that_waits_too_long_for_a_lock_answers_503_on_either_database(app_factory, client_user, owner_engine):
    app = app_factory(DATABASE_STATEMENT_TIMEOUT="2", DATABASE_LOCK_TIMEOUT="1")
    client = app.test_client()
    log_in(client, client_user.email)
    token = csrf_token_from(client.get("/account/").get_data(as_text=True))
    with owner_engine.connect() as holder:  # another transaction holds the lock she needs to log out everywhere
        if holder.dialect.name == "postgresql":
            holder.exec_driver_sql("LOCK TABLE user_sessions IN EXCLUSIVE MODE")
        else:
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        response, seconds = timed(lambda: client.post("/account/logout-everywhere", data={"csrf_token": token}))
        holder.rollback()
    assert_unavailable_page(response)
    assert seconds < 5
    assert client.get("/account/").status_code == 200  # nothing was ended: she is still logged in


# /healthz and recovery ---------------------------------------------------------------------------------------


def test_healthz_follows_the_database_and_the_portal_recovers_by_itself(logged_in, proxied_app, proxy):
    anonymous = proxied_app.test_client()
    response = anonymous.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}

    proxy.cut()
    response, seconds = timed(lambda: anonymous.get("/healthz"))
    assert response.status_code == 503 and response.json == {"status": "unavailable"}
    assert seconds < 3
    assert logged_in.get("/").status_code == 503

    proxy.restore()  # no restart of the app: dead pooled connections are noticed and replaced
    assert anonymous.get("/healthz").status_code == 200
    assert logged_in.get("/account/").status_code == 200


def test_healthz_answers_503_quickly_when_the_database_hangs(proxied_app, proxy):
    anonymous = proxied_app.test_client()
    assert anonymous.get("/healthz").status_code == 200
    proxy.hang()
    response, seconds = timed(lambda: anonymous.get("/healthz"))
    assert response.status_code == 503
    assert seconds < 7  # the pooled connection's ping, then a new connection: 2 s each
    proxy.restore()
    assert anonymous.get("/healthz").status_code == 200


def test_healthz_needs_no_session_and_is_not_rate_limited(proxied_app, logged_in, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(30):
        response = logged_in.get("/healthz")
        assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not [r for r in caplog.records if r.name.startswith("portal")]  # nothing logged per call


# Quiet logs ----------------------------------------------------------------------------------------------------


def test_an_outage_writes_one_line_per_failing_request_and_no_traceback(logged_in, proxy, caplog):
    proxy.cut()
    caplog.clear()
    caplog.set_level(logging.INFO)
    for path in ("/", "/me/payments/", "/account/"):
        assert logged_in.get(path).status_code == 503
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(noisy) == 3, [r.getMessage() for r in noisy]
    assert not [r for r in caplog.records if r.exc_info]
    first = noisy[0].getMessage()
    assert first.startswith("database unavailable: GET / (home.index) OperationalError")


# A change that committed -----------------------------------------------------------------------------------------


def test_a_booking_that_committed_before_the_database_went_away_is_answered_as_saved(
    proxied_app, practice, client_user, proxy, owner_engine, caplog
):
    client = proxied_app.test_client()
    log_in(client, client_user.email)
    start = [s for s in practice.free(practice.follow_up) if s > utcnow()][0]
    url = f"/book/{practice.follow_up.id}/confirm"
    page = client.get(f"{url}?start={quote(iso(start))}")
    assert page.status_code == 200

    def cut_after_the_booking_commits(session: Session) -> None:
        if has_request_context() and request.method == "POST" and proxy.mode == "open":
            proxy.cut()  # the booking is in the database; everything after this fails

    event.listen(Session, "after_commit", cut_after_the_booking_commits)
    try:
        caplog.set_level(logging.INFO)
        response = submit_form(client, url, {"start": iso(start)}, form_url=f"{url}?start={quote(iso(start))}")
    finally:
        event.remove(Session, "after_commit", cut_after_the_booking_commits)

    assert proxy.mode == "cut"
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "has been saved" in body and "You don&#39;t need to send it again" in body
    assert "went wrong" not in body and "unavailable" in body
    for header in SECURITY_HEADERS:
        assert response.headers.get(header), header
    with owner_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM bookings")).scalar() == 1
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "portal.outage"]) == 1

    proxy.restore()
    assert len(bookings.client_bookings(client_user.id, utcnow())[0]) == 1


def test_a_failure_before_anything_committed_is_not_called_saved(logged_in, proxy):
    """Loading her session commits its own touch; that is not the change, so a failing POST is a 503."""
    token = csrf_token_from(logged_in.get("/account/").get_data(as_text=True))
    proxy.cut()
    response = logged_in.post("/account/logout-everywhere", data={"csrf_token": token})
    assert response.status_code == 503 and "has been saved" not in response.get_data(as_text=True)


# Settings and migrations -------------------------------------------------------------------------------------------


def test_the_app_connection_has_the_timeouts_and_the_migration_connection_has_none(proxied_app):
    with proxied_app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "2s"
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "1s"
        with migration_connection(db.engine) as connection:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
            assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
            connection.exec_driver_sql("SELECT pg_sleep(2.5)")  # longer than the request limit
        with db.engine.connect() as connection:  # the unbounded connection did not go back to the pool
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "2s"


def test_the_timeouts_are_settings_with_defaults(tmp_path):
    base = {"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, "ENCRYPTION_KEYS": "", "DATABASE_URL": ""}
    pg = load_config({**base, "DATABASE_URL": "postgresql://portal@db/portal"}, tmp_path)
    options = pg["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] and options["pool_timeout"] == 5
    assert options["connect_args"]["connect_timeout"] == 5
    assert options["connect_args"]["options"] == "-c statement_timeout=15000 -c lock_timeout=10000"
    sqlite = load_config(base, tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert sqlite["connect_args"] == {"timeout": 15}
    tuned = load_config({**base, "DATABASE_URL": "postgresql://db/p", **TIMEOUTS}, tmp_path)
    assert tuned["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 2


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"DATABASE_CONNECT_TIMEOUT": "soon"}, "DATABASE_CONNECT_TIMEOUT must be a whole number"),
        ({"DATABASE_STATEMENT_TIMEOUT": "0"}, "DATABASE_STATEMENT_TIMEOUT must be between"),
        ({"DATABASE_STATEMENT_TIMEOUT": "5", "DATABASE_LOCK_TIMEOUT": "9"}, "must not be longer than"),
    ],
)
def test_wrong_timeouts_are_refused_at_start_up(tmp_path, settings, problem):
    base = {"PORTAL_ENV": "testing", "SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/p"}
    with pytest.raises(ConfigError, match=problem):
        load_config({**base, **settings}, tmp_path)


def test_healthz_answers_ok_on_any_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Content-Security-Policy"]
