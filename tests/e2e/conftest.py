"""Browser journeys in Debian's Chromium, driven by Playwright against the app served on loopback.

Every page a journey opens is checked with axe-core (tests/e2e/package.json, installed by `make test`):
each context gets axe as an init script that runs it when a top-level page of the portal has loaded and
reports to the test through a binding. A serious or critical violation fails the test when its pages close
(with the page, the width, the rule, its help text and the elements' selectors). A page the journey leaves
before its check has finished (a few hundred ms) goes unchecked there;
tests/e2e/test_every_page.py opens every page of the portal, checked at 375 and at 1280 px.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
FAILING_IMPACTS = ("serious", "critical")

if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (make test installs it)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright  # noqa: E402

# Runs in every HTML document of the portal once it has loaded (not in a photo or PDF opened on its own, which
# the browser wraps in a viewer page of its own); `window.__axeCheck` settles when the check is done.
_RUN_ON_LOAD = """
if (window.top === window && /^https?:$/.test(location.protocol) && document.contentType === "text/html") {
  window.__axeCheck = new Promise((resolve) => {
    if (document.readyState === "complete") resolve(); else window.addEventListener("load", resolve);
  }).then(() => axe.run(document, {resultTypes: ["violations"]}))
    .then((results) => window.__axeReport(JSON.stringify({
      url: location.pathname + location.search, width: window.innerWidth, violations: results.violations,
    })))
    .catch((error) => window.__axeReport(JSON.stringify({url: location.href, error: String(error)})));
}
"""
# Waits for the page's check (at most 15 s: a page that never loads is not waited for forever).
_AWAIT_CHECK = "() => Promise.race([window.__axeCheck || null, new Promise((r) => setTimeout(r, 15000))])"


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci --no-audit --no-fund` in tests/e2e (make test does)")
    return AXE.read_text()


def serious_violations(report: dict) -> list[str]:
    """One readable line per serious or critical violation in an axe report of a page."""
    where = f"{report['url']} at {report.get('width', '?')} px"
    if "error" in report:
        return [f"{where}: axe could not run: {report['error']}"]
    lines = []
    for violation in report["violations"]:
        if violation.get("impact") in FAILING_IMPACTS:
            targets = ", ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
            lines.append(f"{where}: {violation['impact']} {violation['id']}: {violation['help']} [{targets}]")
    return lines


def check_accessibility(page: Page) -> None:
    """Runs axe-core on the page as it is now and fails on any serious or critical violation (for pages no
    navigation brought, such as page.set_content, and for checking again after a change of width)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    report = {"url": page.url, "width": page.viewport_size["width"] if page.viewport_size else "?", **results}
    problems = serious_violations(report)
    assert not problems, "accessibility (axe-core):\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def wait_for_check(page: Page) -> None:
    with contextlib.suppress(Error):  # the page is gone or is not one of the portal's
        page.evaluate(_AWAIT_CHECK)


def _watch_accessibility(context: BrowserContext, reports: list[dict]) -> None:
    """axe-core in every page of the context, reporting to `reports` when the page has loaded."""
    context.expose_binding("__axeReport", lambda _source, payload: reports.append(json.loads(payload)))
    context.add_init_script(script=axe_source() + _RUN_ON_LOAD)


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Pages in fresh browser contexts (a person each), pointed at the live server, each page checked with
    axe-core when it loads."""
    contexts: list[BrowserContext] = []
    reports: list[dict] = []

    def make(device: dict = DESKTOP, timezone_id: str = "Europe/London") -> Page:
        context = browser.new_context(base_url=live_server, timezone_id=timezone_id, locale="en-GB", **device)
        context.set_default_timeout(10_000)
        _watch_accessibility(context, reports)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        for page in context.pages:
            wait_for_check(page)
        context.close()
    problems = [line for report in reports for line in serious_violations(report)]
    assert not problems, "accessibility (axe-core) on pages this test visited:\n" + "\n".join(dict.fromkeys(problems))


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in test-artifacts/screenshots/, to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_menu(page: Page) -> None:
    """On a phone the practice's menu is folded: open it, as she taps "Menu", before following one of its links."""
    menu = page.locator("details.nav-menu")
    if menu.count() and menu.get_attribute("open") is None:
        menu.locator("summary").click()


def assert_fits_phone(page: Page) -> None:
    """Nothing on the page makes a 375 px phone scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
