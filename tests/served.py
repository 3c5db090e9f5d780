"""The portal served by gunicorn in a process of its own, and a plain HTTP client with a cookie jar for it: for
tests that need real requests at the same moment on a real server (see tests/packages/test_races_over_http.py).

The client is urllib with a cookie jar (no dependency beyond the standard library) and follows no redirects, so
a test sees each answer as the server gave it.
"""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import TEST_PASSWORD, csrf_token_from, free_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    location: str  # the Location header of a redirect, else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect comes back as the answer (urllib raises it as an HTTPError)


class Browser:
    """One browser: its own cookies (so its own session), no redirects followed."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def get(self, path: str) -> Answer:
        return self._open(path, None)

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        return self._open(path, urllib.parse.urlencode(fields).encode())

    def _open(self, path: str, data: bytes | None) -> Answer:
        try:
            with self._opener.open(self.base_url + path, data=data, timeout=60) as response:
                return Answer(response.status, response.read().decode(), "")
        except urllib.error.HTTPError as error:  # a redirect or an error status: still an answer
            with error:
                return Answer(error.code, error.read().decode(errors="replace"), error.headers.get("Location", ""))

    def log_in(self, email: str, password: str = TEST_PASSWORD) -> None:
        page = self.get("/account/login")
        answer = self.post(
            "/account/login", {"email": email, "password": password, "csrf_token": csrf_token_from(page.body)}
        )
        assert answer.status == 302 and "/account/login" not in answer.location, (email, answer.status)


def all_at_once(calls: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every call in a thread of its own, all released at the same moment by a barrier; their answers in
    order. A call that raised fails the test here, with its error."""
    barrier = threading.Barrier(len(calls))
    results: list[Answer | BaseException | None] = [None] * len(calls)

    def run(index: int, call: Callable[[], Answer]) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 - reported below, in the test's thread
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    failed = [result for result in results if not isinstance(result, Answer)]
    assert not failed, failed[:3]
    return [result for result in results if isinstance(result, Answer)]


@contextmanager
def gunicorn(environ: dict[str, str], log_path: Path, *, workers: int, threads: int) -> Iterator[str]:
    """`gunicorn wsgi:app` on a free loopback port with these settings (and the environment's), `workers` processes
    of `threads` threads each; its base URL once it answers /healthz. Stopped on leaving, whatever happened. Its
    output (warnings and tracebacks) goes to `log_path`."""
    port = free_port()
    command = [str(GUNICORN), "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}"]
    # --preload: the app is imported once and the workers forked from it (it opens no connection at import), which
    # halves the start on a busy machine. --no-control-socket: gunicorn's control socket is one path per user
    # (~/.gunicorn/gunicorn.ctl), which servers started at once by parallel test runs would take from each other.
    command += ["--preload", "--no-control-socket", "--timeout", "60", "--log-level", "warning"]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, "wsgi:app"],
            cwd=ROOT,
            env={**os.environ, **environ},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_answering(base_url, server, log_path)
            yield base_url
        finally:
            server.terminate()  # a graceful stop: every request has been answered by now
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_answering(base_url: str, server: subprocess.Popen, log_path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped (exit {server.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer within {seconds} s:\n{log_path.read_text()[-3000:]}")
