"""Open a local HTML file in headless Chromium with the network cut off (Playwright)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    if CHROMIUM is None:
        pytest.skip("chromium not found: install the Debian package chromium (make test does this)")


def open_offline(
    path: Path,
    screenshot: Path | None = None,
    script: str | None = None,
    viewport: tuple[int, int] = (1400, 1000),
) -> dict:
    """Load ``path`` with every non-local request blocked; report what happened.

    Returns a dict with ``external`` (URLs the page tried to fetch off the machine),
    ``failed`` (requests that failed), ``dialogs`` (alert/confirm messages), ``errors``
    (uncaught page errors) and ``result`` (the value of ``script`` evaluated in the page).
    """
    from playwright.sync_api import sync_playwright

    report = {"external": [], "failed": [], "dialogs": [], "errors": [], "result": None}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})

        def route(request_route):
            url = request_route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                request_route.continue_()
            else:
                report["external"].append(url)
                request_route.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda r: report["failed"].append(r.url))
        page.on("pageerror", lambda e: report["errors"].append(str(e)))

        def on_dialog(dialog):
            report["dialogs"].append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        if script:
            report["result"] = page.evaluate(script)
        if screenshot:
            page.screenshot(path=str(screenshot))
        browser.close()
    return report
