"""The PDF of a signed document: the practice's branding (her handout settings), the text she signed, her
typed name, the time in her own zone, the version and the text's SHA-256. Rendered on demand from the stored
signature, which never changes, so every download shows the same record."""

from __future__ import annotations

from flask import current_app, render_template

from portal.consent.documents import paragraphs
from portal.handouts import rendering
from portal.handouts.handouts import STYLESHEET, settings_for
from portal.models import ConsentSignature, ConsentVersion, User
from portal.timeutil import local_datetime


def filename(signature: ConsentSignature) -> str:
    return f"signed-document-{signature.id}-v{signature.version_number}.pdf"


def signature_pdf(signature: ConsentSignature, version: ConsentVersion, client: User) -> bytes:
    """The signed document as a PDF, branded as the practitioner who published the version brands handouts."""
    settings = settings_for(version.published_by_id)
    html = render_template(
        "pdf/consent.html",
        signature=signature,
        client=client,
        settings=settings,
        paragraphs=paragraphs(signature.text),
        signed_at=local_datetime(signature.signed_at, client.timezone, "EEEE d MMMM y, HH:mm:ss"),
        zone=client.timezone.replace("_", " "),
        stylesheet_href=rendering.STATIC_PREFIX + STYLESHEET,
        logo_href=rendering.LOGO_PATH if settings.logo else None,
    )
    logo = (settings.logo, settings.logo_content_type) if settings.logo else None
    assert current_app.static_folder is not None  # create_app() serves static/
    return rendering.render_pdf(html, rendering.PortalURLFetcher(current_app.static_folder, logo))
