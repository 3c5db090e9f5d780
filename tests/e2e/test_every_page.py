"""Every page the portal serves, as a visitor, a client and the practitioner: none is wider
than a 375 px phone, and axe-core finds nothing serious or critical at 375 or at 1280 px.

The pages are the app's GET routes (tests/fuzzing.py's routes_of), filled with the real ids of the fuzzer's
world of records, so a new page is visited without anyone listing it. Files (PDF, calendar feeds, downloads)
and JSON are not pages and are left out."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

from portal.models import Role
from tests.e2e.conftest import DESKTOP, PHONE, check_accessibility, wait_for_check
from tests.fuzzing import PASSWORD, build_world, routes_of

NOT_PAGES = (".pdf", ".ics", "download", "updates", "healthz", "logo")
# Unfinished: these two staff tables still widen the page on a phone although they sit in a scrolling
# .table-wrap (not yet understood); remove them from here once fixed.
KNOWN_TOO_WIDE: set[str] = set()  # none: a page listed here is skipped by the width check only


def _pages(app, world) -> list[str]:
    urls = []
    for route in routes_of(app):
        if route.method != "GET" or any(part in route.rule.rule for part in NOT_PAGES):
            continue
        values = {name: (accepted or world.ids.get(name) or ["1"])[0] for name, _c, accepted in route.arguments()}
        urls.append(route.path(values))
    return urls


@pytest.mark.parametrize("role", [None, Role.CLIENT, Role.OWNER], ids=lambda r: r or "visitor")
def test_every_page_fits_a_phone_and_passes_axe(new_page, app, make_user, role):
    world = build_world(make_user, app.config["SECRET_KEY"])
    page = new_page(PHONE)
    if role is not None:
        page.goto("/account/login")
        page.get_by_label("E-mail address").fill(world.people[role].email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/account/login" not in url)
    problems, visited = [], 0
    for url in _pages(app, world):
        if role is not None and url.startswith(("/account/reset/", "/account/confirm/", "/team/join/")):
            continue  # links for visitors: following one logged in would end her session
        page.set_viewport_size(PHONE["viewport"])
        try:
            response = page.goto(url)
        except Error:  # a download, not a page
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375 and url not in KNOWN_TOO_WIDE:
            problems.append(f"{page.url}: {width} px wide on a 375 px phone")
        wait_for_check(page)  # the check every page gets as it loads, at 375 px (reported by new_page)
        page.set_viewport_size(DESKTOP["viewport"])
        try:
            check_accessibility(page)
        except AssertionError as failure:
            problems.append(str(failure))
    assert visited >= 5, f"only {visited} pages reached"
    assert not problems, "\n".join(problems)
