"""Publishing handouts: her branding, the client's progress, the PDF rendered once and stored with its version
and checksum, and reading them back.

For other areas (case file, data export): `published_handouts(client_id)` and `handout_pdf(handout)`.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app, render_template
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import audit
from portal.challenges.effect import since_last_session
from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import rendering
from portal.handouts.protocols import next_booking, protocol_for
from portal.handouts.storage import get_storage
from portal.links import absolute_url
from portal.mail import send_mail
from portal.models import Booking, HandoutSettings, PaperSize, Protocol, PublishedHandout, QuestionnaireResponse, User
from portal.models.handouts import CATEGORY_LABELS
from portal.numbers import format_number
from portal.questionnaires.charts import score_chart
from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.responses import submitted_responses
from portal.questionnaires.scoring import BANDS_BY_CODE, RANGES_BY_CODE
from portal.triggers import loader as trigger_loader
from portal.triggers.words import describe as describe_triggers

PDF_TYPE = "application/pdf"
STYLESHEET = "css/handout.css"


class HandoutError(ValueError):
    """Something about a handout that can't be done; str() says why."""


# Branding ----------------------------------------------------------------------------------------------------


def settings_for(practitioner_id: int) -> HandoutSettings:
    """Her handout settings; defaults (not yet saved) until she changes them."""
    found = db.session.get(HandoutSettings, practitioner_id)
    if found is not None:
        return found
    return HandoutSettings(
        practitioner_id=practitioner_id,
        practice_name=current_app.config["PRACTICE_NAME"],
        accent_colour="#2d6a64",
        disclaimer=DEFAULT_DISCLAIMER,
        paper_size=PaperSize.A4,
        logo=None,
        logo_content_type="",
    )


DEFAULT_DISCLAIMER = (
    "This handout is for you alone and supports, but does not replace, care from your GP. "
    "Please check with your doctor or pharmacist before starting a supplement, especially if "
    "you are pregnant, take regular medication or have a long-term condition."
)
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def save_settings(
    settings: HandoutSettings,
    *,
    practice_name: str,
    accent_colour: str,
    disclaimer: str,
    paper_size: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> HandoutSettings:
    if not COLOUR_RE.match(accent_colour):
        raise HandoutError("Enter the colour as # and six hex digits, for example #2d6a64.")
    if paper_size not in set(PaperSize):
        raise HandoutError("Choose A4 or Letter.")
    content_type = logo_content_type(logo) if logo is not None else ""
    settings.practice_name, settings.accent_colour = practice_name, accent_colour.lower()
    settings.disclaimer, settings.paper_size = disclaimer, paper_size
    if logo is not None:
        settings.logo, settings.logo_content_type, settings.logo_updated_at = logo, content_type, utcnow()
    elif remove_logo:
        settings.logo, settings.logo_content_type, settings.logo_updated_at = None, "", utcnow()
    if settings not in db.session:
        db.session.add(settings)
    db.session.commit()
    return settings


MAX_LOGO_BYTES = 512 * 1024
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)


def logo_content_type(data: bytes) -> str:
    """The MIME type of an acceptable logo (PNG, JPEG or SVG, judged by content), else HandoutError."""
    if not data:
        raise HandoutError("The file is empty. Choose a PNG, JPEG or SVG image.")
    if len(data) > MAX_LOGO_BYTES:
        raise HandoutError(f"The logo is {len(data) // 1024:,} KB; use one of at most {MAX_LOGO_BYTES // 1024} KB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise HandoutError("This image is damaged or incomplete. Please export it again.") from None
        return "image/png" if kind == "PNG" else "image/jpeg"
    _check_svg(data)
    return "image/svg+xml"


def _check_svg(data: bytes) -> None:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not (head.startswith(b"<") and (b"<svg" in data[:4096] or b"<?xml" in head[:6])):
        raise HandoutError("This is not a PNG, JPEG or SVG image. Please choose one of those.")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise HandoutError("SVG logos may not contain a DOCTYPE or entities. Please export it as plain SVG.")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise HandoutError("This SVG could not be read. Please export it again.") from None
    if root.tag != f"{SVG_NS}svg":
        raise HandoutError("This is not a PNG, JPEG or SVG image. Please choose one of those.")
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in ("script", "foreignobject", "iframe", "embed", "object"):
            raise HandoutError("SVG logos may not contain scripts or embedded content.")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise HandoutError("SVG logos may not contain scripts or embedded content.")
            if local == "href" and not value.strip().startswith("#"):
                raise HandoutError("SVG logos may not link to other files or addresses.")
            if local == "style" and _external_css(value):
                raise HandoutError("SVG logos may not link to other files or addresses.")
        if name == "style" and (_external_css(element.text or "") or "@import" in (element.text or "").lower()):
            raise HandoutError("SVG logos may not link to other files or addresses.")


def _external_css(css: str) -> bool:
    return any(not target.startswith("#") for target in _CSS_URL.findall(css))


# The client's progress ---------------------------------------------------------------------------------------

# Which instruments to show, most telling first: one for migraine, one for the gut, mood only if nothing else.
PROGRESS_GROUPS = (("hit6", "midas"), ("ibs_sss", "gsrs"), ("phq9", "gad7"))
MAX_CHARTS = 2
MAX_POINTS = 12


@dataclass(frozen=True)
class Progress:
    code: str
    title: str
    chart: Markup
    latest: float
    latest_band: str
    latest_on: date
    previous: float | None
    previous_on: date | None

    @property
    def change(self) -> str:
        """The change since last time, in plain words (lower is better on every instrument shown)."""
        if self.previous is None or self.previous_on is None:
            return f"{format_number(self.latest)} on {self.latest_on:%-d %B %Y}: the first score, the starting point."
        difference = self.latest - self.previous
        since = f"since {self.previous_on:%-d %B %Y}"
        if difference < 0:
            return (
                f"{format_number(self.latest)}, down {format_number(abs(difference))} from "
                f"{format_number(self.previous)} {since}: better."
            )
        if difference > 0:
            return (
                f"{format_number(self.latest)}, up {format_number(difference)} from {format_number(self.previous)} "
                f"{since}."
            )
        return f"{format_number(self.latest)}, the same as {since}."


def client_progress(client_id: int, tz: str) -> list[Progress]:
    """Her most relevant scores (up to MAX_CHARTS instruments), each with its chart and the change since
    the score before."""
    by_code: dict[str, list[QuestionnaireResponse]] = {}
    for response in submitted_responses(client_id):
        if response.total is not None and response.code in RANGES_BY_CODE:
            by_code.setdefault(response.code, []).append(response)
    chosen = []
    for group in PROGRESS_GROUPS:
        present = [code for code in group if code in by_code]
        if present:
            chosen.append(max(present, key=lambda code: by_code[code][-1].submission_time))
    if len(chosen) > 1 and chosen[-1] in PROGRESS_GROUPS[-1]:
        chosen.pop()  # mood scores only when there is no migraine or gut score to show
    progress = []
    for code in chosen[:MAX_CHARTS]:
        items = by_code[code][-MAX_POINTS:]
        points = [(r.submission_time.astimezone(ZoneInfo(tz)).date(), r.total) for r in items if r.total is not None]
        title = INSTRUMENTS[code].title
        low, high = RANGES_BY_CODE[code]
        chart = score_chart(points, low=low, high=high, bands=BANDS_BY_CODE.get(code, []), title=f"{title} over time")
        previous = points[-2] if len(points) > 1 else (None, None)
        progress.append(
            Progress(code, title, chart, points[-1][1], items[-1].band, points[-1][0], previous[1], previous[0])
        )
    return progress


# The handout document ----------------------------------------------------------------------------------------


def _lines_of(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def handout_context(booking: Booking, protocol: Protocol, settings: HandoutSettings, client: User) -> dict:
    """Everything the handout template shows, worked out here so the template only lays it out."""
    tz = client.timezone
    following = next_booking(booking)
    session_day = booking.starts_at.astimezone(ZoneInfo(tz)).date()
    return {
        "settings": settings,
        "client": client,
        "booking": booking,
        "protocol": protocol,
        "session_date": format_date(session_day, "d MMMM y", locale="en_GB"),
        "session_title": session_title(booking, session_day),
        "focus_points": _lines_of(protocol.focus_points),
        "next_steps": _lines_of(protocol.next_steps),
        "lines": protocol.lines,
        "categories": CATEGORY_LABELS,
        "progress": client_progress(client.id, tz),
        "next_appointment": following
        and format_datetime(following.starts_at, "EEEE d MMMM y 'at' HH:mm", tzinfo=ZoneInfo(tz), locale="en_GB"),
        "next_service": following and following.service.name,
        "client_zone": tz.replace("_", " "),
        # the trigger finder and her cycle as they stand at publication (templates/pdf/_triggers.html)
        "triggers": describe_triggers(
            trigger_loader.trigger_report(client.id, utcnow().astimezone(ZoneInfo(tz)).date())
        ),
        "since_last_session": since_last_session(booking, tz, utcnow().astimezone(ZoneInfo(tz)).date()),
    }


def session_title(booking: Booking, session_day: date) -> str:
    return f"{booking.service.name}, {format_date(session_day, 'd MMMM y', locale='en_GB')}"


def handout_html(context: dict, *, stylesheet_href: str, logo_href: str | None, preview: dict | None = None) -> str:
    return render_template(
        "pdf/handout.html", **context, stylesheet_href=stylesheet_href, logo_href=logo_href, preview=preview
    )


def render_handout(booking: Booking) -> tuple[bytes, dict]:
    """The PDF of the session's handout as it stands now, and the context it was drawn from."""
    protocol = protocol_for(booking)
    loaded = load_session(booking.id)
    assert loaded is not None  # the booking in hand exists
    booking = loaded
    settings = settings_for(booking.practitioner_id)
    context = handout_context(booking, protocol, settings, booking.client)
    html = handout_html(
        context,
        stylesheet_href=rendering.STATIC_PREFIX + STYLESHEET,
        logo_href=rendering.LOGO_PATH if settings.logo else None,
    )
    logo = (settings.logo, settings.logo_content_type) if settings.logo else None
    assert current_app.static_folder is not None  # create_app() serves static/
    return rendering.render_pdf(html, rendering.PortalURLFetcher(current_app.static_folder, logo)), context


def publish_handout(booking: Booking) -> PublishedHandout:
    """Render the handout and store it as the session's next version, and queue the client's "your handout is
    ready" e-mail, in one transaction: if rendering or storing fails, nothing is written and nothing is sent."""
    pdf, context = render_handout(booking)
    version = 1 + (
        db.session.execute(db.select(db.func.max(PublishedHandout.version)).filter_by(booking_id=booking.id)).scalar()
        or 0
    )
    session_day = booking.starts_at.astimezone(ZoneInfo(context["client"].timezone)).date()
    key = f"handouts/{booking.id}/v{version}-{secrets.token_hex(8)}.pdf"
    handout = PublishedHandout(
        booking_id=booking.id,
        client_id=booking.client_id,
        practitioner_id=booking.practitioner_id,
        version=version,
        session_date=session_day,
        session_title=context["session_title"],
        storage_key=key,
        checksum=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        published_at=utcnow(),
    )
    try:
        db.session.add(handout)
        get_storage().put(key, pdf, content_type=PDF_TYPE, client_id=booking.client_id)
        db.session.flush()
        audit.record("create", handout.client_id, "handout", handout.id)
        _queue_ready_email(handout, context["client"], settings_for(booking.practitioner_id).practice_name)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise HandoutError(
            "Another copy of this handout was published at the same moment. "
            "Please look at the versions below before publishing again."
        ) from None
    except Exception:
        db.session.rollback()
        raise
    return handout


def _queue_ready_email(handout: PublishedHandout, client: User, practice_name: str) -> None:
    one_line = " ".join(practice_name.split())  # a name stored with a line break before that was refused
    send_mail(
        client.email,
        f"Your handout from {one_line} is ready",
        "handout_ready",
        recipient=client,
        version=handout.version,
        link=absolute_url("handouts.my_handouts"),
    )


# Reading -----------------------------------------------------------------------------------------------------


def published_handouts(client_id: int) -> list[PublishedHandout]:
    """Every handout version published for this client, newest first."""
    return list(
        db.session.execute(
            db.select(PublishedHandout)
            .filter_by(client_id=client_id)
            .order_by(PublishedHandout.published_at.desc(), PublishedHandout.id.desc())
        ).scalars()
    )


def session_handouts(booking_id: int) -> list[PublishedHandout]:
    return list(
        db.session.execute(
            db.select(PublishedHandout).filter_by(booking_id=booking_id).order_by(PublishedHandout.version.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class SessionHandouts:
    latest: PublishedHandout
    earlier: list[PublishedHandout]


def by_session(handouts: list[PublishedHandout]) -> list[SessionHandouts]:
    """Newest-first handouts grouped per session: the latest version and the earlier ones."""
    groups: dict[int, list[PublishedHandout]] = {}
    for handout in handouts:
        groups.setdefault(handout.booking_id, []).append(handout)
    ordered = sorted(groups.values(), key=lambda versions: max(v.published_at for v in versions), reverse=True)
    return [
        SessionHandouts(v[0], v[1:])
        for v in (sorted(versions, key=lambda h: h.version, reverse=True) for versions in ordered)
    ]


class HandoutDamaged(RuntimeError):
    """The stored file is not the PDF that was published (its size or SHA-256 checksum differs)."""


def handout_pdf(handout: PublishedHandout) -> bytes:
    """The stored bytes of a published handout (never rendered again), checked against the size and checksum
    taken when it was published, so a damaged file is never served as her handout."""
    pdf = get_storage().get(handout.storage_key)
    if len(pdf) != handout.size or hashlib.sha256(pdf).hexdigest() != handout.checksum:
        raise HandoutDamaged(f"stored file of handout {handout.id} does not match its checksum")
    return pdf


def record_download(handout: PublishedHandout) -> None:
    audit.record("download", handout.client_id, "handout", handout.id)
    db.session.commit()


def load_session(booking_id: int, practitioner_id: int | None = None) -> Booking | None:
    """The session with its client and service (None if it is not this practitioner's, when one is given)."""
    query = db.select(Booking).filter_by(id=booking_id)
    if practitioner_id is not None:
        query = query.filter_by(practitioner_id=practitioner_id)
    return db.session.execute(
        query.options(selectinload(Booking.client), selectinload(Booking.service))
    ).scalar_one_or_none()
