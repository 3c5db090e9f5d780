"""HTML to PDF with WeasyPrint, without ever touching the network.

The only URLs a handout may load are the portal's own static files and the practice's logo (from the
database). They are addressed under a private origin that resolves nowhere; every other URL is refused at
once, before any connection is tried. Fonts come from the machine (fontconfig), never from a URL.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per step is noise in the app's log

# A made-up origin (".invalid" never resolves) under which the handout's assets are addressed.
ASSET_BASE = "https://handout.invalid/"
STATIC_PREFIX = "/static/"
LOGO_PATH = "/logo"


class RefusedURL(ValueError):
    """A URL the handout may not load."""


class PortalURLFetcher(URLFetcher):
    """Serves static files from `static_folder` and the logo bytes; refuses everything else."""

    def __init__(self, static_folder: str | Path, logo: tuple[bytes, str] | None = None):
        super().__init__(allowed_protocols=())
        self.static_folder = Path(static_folder).resolve()
        self.logo = logo

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}/" != ASSET_BASE or parts.query or parts.fragment:
            raise RefusedURL("handouts load only the portal's own files")
        path = unquote(parts.path)
        if path == LOGO_PATH and self.logo is not None:
            content, content_type = self.logo
            return URLFetcherResponse(url, content, {"Content-Type": content_type})
        if path.startswith(STATIC_PREFIX):
            file = (self.static_folder / path.removeprefix(STATIC_PREFIX)).resolve()
            if file.is_relative_to(self.static_folder) and file.is_file():
                content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": content_type})
        raise RefusedURL("handouts load only the portal's own files")


def render_pdf(html: str, fetcher: PortalURLFetcher) -> bytes:
    """The PDF of a whole HTML document whose asset links are relative to ASSET_BASE."""
    return HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).write_pdf()
