"""An SMTP server whose behaviour a test controls: accepting, refusing, or hanging until released."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

from tests.conftest import free_port


@dataclass
class ControlledSmtp:
    """`mode` is "accept", "refuse" (a 451 for every message) or "hang" (the message is received, then the
    answer waits until `release()` or 30 s). Every message that reached the DATA stage is in `received`, so a
    message whose sender died waiting for the answer is counted too."""

    host: str
    port: int
    mode: str = "accept"
    received: list[email.message.EmailMessage] = field(default_factory=list)
    refused: int = 0
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.mode = "accept"
        self.released.set()

    def ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.received]

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(self.received) >= count

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        if self.mode == "refuse":
            self.refused += 1
            return "451 Requested action aborted: try again later"
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        if self.mode == "hang":
            deadline = time.monotonic() + 30
            while not self.released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@pytest.fixture
def controlled_smtp() -> Iterator[ControlledSmtp]:
    server = ControlledSmtp("127.0.0.1", free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    yield server
    server.release()
    controller.stop()


def smtp_settings(server: ControlledSmtp, **extra: str) -> dict[str, str]:
    return {
        "MAIL_SERVER": server.host,
        "MAIL_PORT": str(server.port),
        "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": "5",
        "OUTBOX_MAX_ATTEMPTS": "3",
        "OUTBOX_RETRY_SECONDS": "60",
        **extra,
    }


@pytest.fixture
def app(app_factory, controlled_smtp) -> Iterator[Flask]:
    """Here the app every factory uses sends to the controlled server."""
    app = app_factory(**smtp_settings(controlled_smtp))
    with app.app_context():
        yield app


@pytest.fixture
def outbox_app(app: Flask) -> Flask:
    return app
