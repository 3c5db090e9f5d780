"""Links that leave the site (e-mails, calendar files, feed addresses), built on BASE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """BASE_URL plus the endpoint's path; works inside a request and in `flask jobs run` alike."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
