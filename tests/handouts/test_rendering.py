"""Rendering never touches the network: the URL fetcher serves the portal's own files and the logo, nothing else."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest

from portal.handouts.rendering import ASSET_BASE, PortalURLFetcher, RefusedURL, render_pdf

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logo.png",
        "http://127.0.0.1:5000/static/css/portal.css",
        "file:///etc/passwd",
        "ftp://example.com/x",
        ASSET_BASE + "static/../portal/config.py",
        ASSET_BASE + "static/%2e%2e/portal/config.py",
        ASSET_BASE + "static/css/missing.css",
        ASSET_BASE + "logo",  # no logo set
        "https://handout.invalid.example.com/static/css/handout.css",
    ],
)
def test_the_fetcher_refuses_everything_but_the_portals_own_files(url):
    with pytest.raises(RefusedURL):
        PortalURLFetcher(STATIC).fetch(url)


def test_the_fetcher_serves_static_files_and_the_logo():
    fetcher = PortalURLFetcher(STATIC, logo=(b"\x89PNG...", "image/png"))
    css = fetcher.fetch(ASSET_BASE + "static/css/handout.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    logo = fetcher.fetch(ASSET_BASE + "logo")
    assert logo.read() == b"\x89PNG..." and logo.content_type == "image/png"


def test_rendering_never_connects_to_an_outside_address_and_does_not_wait():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections = []

    def accept():
        with contextlib.suppress(OSError):
            connections.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    html = (
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">'
        f"<style>@font-face {{ font-family: X; src: url(http://127.0.0.1:{port}/font.woff2); }}</style>"
        f'<p style="font-family: X">Hello</p><img src="http://127.0.0.1:{port}/track.png">'
    )
    started = time.perf_counter()
    pdf = render_pdf(html, PortalURLFetcher(STATIC))
    elapsed = time.perf_counter() - started
    thread.join()
    listener.close()
    assert pdf.startswith(b"%PDF")
    assert connections == []
    assert elapsed < 5
