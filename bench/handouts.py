"""How fast a handout is published, against WeasyPrint alone on the same HTML, and how fast it downloads.

    .venv/bin/python -m bench.handouts                # SQLite in a temporary folder
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.handouts   # wipes it

A realistic handout: 12 protocol items and a HIT-6 chart of 12 points. Prints the median time to publish
(build the page, render, checksum, store the PDF and the row in one transaction), the median time WeasyPrint
alone takes to render the same HTML (the floor), their ratio (target: at most 1.3), and the median time to
download the stored PDF over HTTP.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from flask import current_app
from weasyprint import HTML

from bench._setup import environ, fresh_app, seed_practice
from bench.progress import log_in
from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import handouts, protocols, rendering
from portal.handouts.examples import EXAMPLE_ITEMS, past_session
from portal.models import QuestionnaireResponse

RUNS = 9
DOWNLOADS = 30


def prepare(maya, service, client) -> int:
    """A past session with a 12-item protocol and 12 HIT-6 scores before it; returns the booking id."""
    booking = past_session(maya.id, client.id, service, utcnow() - timedelta(days=1))
    items = [protocols.save_item(None, maya, text) for text in EXAMPLE_ITEMS * 2]
    for n in range(12):
        db.session.add(
            QuestionnaireResponse(
                client_id=client.id,
                code="hit6",
                version="1",
                status="submitted",
                answers={},
                total=66 - n,
                band="",
                submitted_at=utcnow() - timedelta(days=7 * (12 - n)),
            )
        )
    db.session.commit()
    protocols.save_protocol(
        protocols.protocol_for(booking),
        summary="We looked at your diary together. " * 4,
        focus_points="Sleep\nWater\nFibre",
        next_steps="Diary every day\nHIT-6 in 4 weeks",
        lines=[],
        add_items=items,
    )
    return booking.id


def weasyprint_alone(booking) -> float:
    """Seconds WeasyPrint takes for the handout's own HTML, with the same fetcher for its stylesheet."""
    settings = handouts.settings_for(booking.practitioner_id)
    context = handouts.handout_context(booking, protocols.protocol_for(booking), settings, booking.client)
    html = handouts.handout_html(context, stylesheet_href=rendering.STATIC_PREFIX + handouts.STYLESHEET, logo_href=None)
    fetcher = rendering.PortalURLFetcher(current_app.static_folder)
    started = time.perf_counter()
    HTML(string=html, base_url=rendering.ASSET_BASE, url_fetcher=fetcher).write_pdf()
    return time.perf_counter() - started


def main() -> None:
    app = fresh_app(environ())
    with app.app_context():
        maya, service, (client,) = seed_practice(clients=1)
        booking_id, client_email = prepare(maya, service, client), client.email
        handouts.publish_handout(handouts.load_session(booking_id))  # warm up fonts and caches
        publish_times, floor_times = [], []
        for _ in range(RUNS):  # interleaved, so both see the same machine load
            booking = handouts.load_session(booking_id)
            floor_times.append(weasyprint_alone(booking))
            db.session.remove()
            started = time.perf_counter()
            handout = handouts.publish_handout(handouts.load_session(booking_id))
            publish_times.append(time.perf_counter() - started)
            handout_id, size = handout.id, handout.size
            db.session.remove()
    http = app.test_client()
    log_in(http, client_email)
    download_times = []
    for _ in range(DOWNLOADS):
        started = time.perf_counter()
        response = http.get(f"/handouts/{handout_id}/download")
        download_times.append(time.perf_counter() - started)
        assert response.status_code == 200 and len(response.data) == size
    publish, floor = statistics.median(publish_times), statistics.median(floor_times)
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':', 1)[0]}")
    print(f"handout: 12 protocol items, a 12-point HIT-6 chart, {size / 1024:.0f} KB PDF")
    print(f"publish: {publish * 1000:.0f} ms median of {RUNS}")
    print(f"WeasyPrint alone on the same HTML: {floor * 1000:.0f} ms median of {RUNS}")
    print(f"ratio publish / WeasyPrint: {publish / floor:.2f} (target <= 1.3)")
    print(f"download of the stored PDF: {statistics.median(download_times) * 1000:.1f} ms median of {DOWNLOADS}")


if __name__ == "__main__":
    main()
