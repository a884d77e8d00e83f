"""Load an HTML file in headless Chromium and report what happened (tests, benchmarks).

Uses Playwright's Python package (its wheel ships the driver) with Debian's
``chromium`` (never ``playwright install``). Every request that is not the page
itself or a ``data:`` URI is recorded and aborted, so a page that needs the
network shows it at once, and nothing leaves the machine.

    >>> from tests.browser import load_page  # doctest: +SKIP
    >>> result = load_page("carte.html")  # doctest: +SKIP
    >>> result.console_errors, result.external_requests, result.load_time_s  # doctest: +SKIP
    ([], [], 0.9)

``PACTE_CHROMIUM`` overrides the browser path (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("PACTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

# Resolves once the page has painted twice after its `load` event; gives the time
# since navigation start (ms). Same measure for any page, ours or explore()'s.
_READY_JS = """
async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now();
}
"""


def browser_available() -> bool:
    """Whether Chromium and the Playwright package are both installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def skip_browser() -> bool:
    """``PACTE_SKIP_BROWSER=1`` lets a machine without Chromium skip browser tests."""
    return os.environ.get("PACTE_SKIP_BROWSER", "") == "1"


@dataclass
class PageLoad:
    """What loading one page did."""

    url: str
    load_time_s: float  # navigation start → two frames painted after `load`
    wall_time_s: float  # goto() call → same point, as seen from Python
    console_errors: list[str] = field(default_factory=list)
    console_messages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL asked for
    external_requests: list[str] = field(default_factory=list)  # not the page, not data:
    failed_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # alert()/confirm() texts
    evaluated: Any = None  # value of `evaluate`, if given
    size_bytes: int = 0


def load_page(
    path: str | os.PathLike[str],
    *,
    serve: Mapping[str, str | os.PathLike[str]] | None = None,
    evaluate: str | None = None,
    actions: Callable[[Any], Any] | None = None,
    screenshot: str | os.PathLike[str] | None = None,
    viewport: tuple[int, int] = (1280, 900),
    timeout_s: float = 120.0,
    touch: bool = False,
) -> PageLoad:
    """Open ``path`` in headless Chromium and collect errors, requests and timing.

    Parameters
    ----------
    path : path-like
        The HTML file.
    serve : mapping of str to path-like, optional
        URL substring → local file answered instead of the network (to load a page
        that links Leaflet from a CDN, e.g. ``explore()``'s, for a fair timing). Such
        requests are still listed in ``external_requests``.
    evaluate : str, optional
        A JavaScript function run after the page is ready; its value is returned
        in ``PageLoad.evaluated``.
    actions : callable, optional
        Called with the Playwright ``Page`` after the page is ready (clicks…); its
        return value replaces ``evaluated`` when ``evaluate`` is not given.
    screenshot : path-like, optional
        Save a PNG of the page at the end.
    touch : bool, default False
        Emulate a touch screen (``page.touchscreen.tap`` in ``actions``).
    """
    from playwright.sync_api import sync_playwright

    file = Path(path).resolve()
    url = file.as_uri()
    result = PageLoad(url=url, load_time_s=float("nan"), wall_time_s=float("nan"))
    result.size_bytes = file.stat().st_size
    served = {k: Path(v) for k, v in (serve or {}).items()}

    def on_route(route: Any) -> None:
        req_url = route.request.url
        if req_url == url or req_url.startswith("data:"):
            route.continue_()
            return
        for needle, local in served.items():
            if needle in req_url:
                ctype = "text/css" if local.suffix == ".css" else "application/javascript"
                route.fulfill(status=200, body=local.read_bytes(), content_type=ctype)
                return
        route.abort()

    with (
        tempfile.TemporaryDirectory(prefix="pacte-chromium-") as profile,
        sync_playwright() as pw,
    ):
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]},
            has_touch=touch,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(timeout_s * 1000)
            page.on(
                "console",
                lambda msg: (
                    result.console_messages.append(f"{msg.type}: {msg.text}"),
                    result.console_errors.append(msg.text) if msg.type == "error" else None,
                ),
            )
            page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
            page.on("request", lambda req: result.requests.append(req.url))
            page.on("requestfailed", lambda req: result.failed_requests.append(req.url))

            def on_dialog(dialog: Any) -> None:
                result.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            context.route("**/*", on_route)
            start = time.perf_counter()
            page.goto(url, wait_until="load")
            ready_ms = page.evaluate(_READY_JS)
            result.wall_time_s = time.perf_counter() - start
            result.load_time_s = float(ready_ms) / 1000
            if evaluate is not None:
                result.evaluated = page.evaluate(evaluate)
            if actions is not None:
                value = actions(page)
                if evaluate is None:
                    result.evaluated = value
            if screenshot is not None:
                page.screenshot(path=str(screenshot))
        finally:
            context.close()
    result.external_requests = [
        u for u in result.requests if u != url and not u.startswith("data:")
    ]
    return result
