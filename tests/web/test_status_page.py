"""The public status page as a visitor sees it, in headless Chromium (Debian's `chromium`, driven
by Playwright): the platforms, the next reminders due, the feeds; no console error, no chat id.
A screenshot is kept in the test's temporary folder. `CI=true`: a missing browser fails the test."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest

from bot.domain.interfaces import SystemClock
from tests.scheduler.realclock import mock, seed, soon_catalog, start
from tests.web.helpers import free_port, get

NOW = SystemClock().now
FANS = ["555000111", "555000222"]
CHROMIUM = shutil.which("chromium")


def browser_or_skip() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


async def test_the_status_page_shows_the_next_reminders_in_a_real_browser_and_no_chat_id(tmp_path):
    chromium = browser_or_skip()
    from playwright.async_api import async_playwright

    db, port = str(tmp_path / "bot.sqlite3"), free_port()
    airs = (NOW() + timedelta(hours=2)).replace(second=0, microsecond=0)
    await seed(db, "showa", FANS)  # Show A is followed; Show B is not
    process = await start(db, soon_catalog(a=airs, b=airs), {"telegram": mock("telegram"), "discord": mock("discord")},
                          leads=["1h", "0m"], web={"listen": f"127.0.0.1:{port}"})
    try:
        url = f"http://127.0.0.1:{port}/status"
        status, headers, html = await get(url)
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                page = await browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                response = await page.goto(url)
                assert response is not None and response.status == 200
                assert await page.title() == "dramabot status"
                reminders = await page.locator("#reminders li").all_inner_texts()
                assert [" ".join(r.split()) for r in reminders] == [
                    f"Show A episode 1 1h before: due {airs - timedelta(hours=1):%a %d %b %H:%M} UTC",
                    f"Show A episode 1 at air time: due {airs:%a %d %b %H:%M} UTC",
                ]
                platforms = [" ".join(t.split()) for t in await page.locator("#platforms li").all_inner_texts()]
                assert platforms == ["Discord: connected · 0 messages sent in the last hour",
                                     "Telegram: connected · 0 messages sent in the last hour"]
                text = await page.locator("body").inner_text()
                assert "Version 0.1.0" in text and "No news feed is configured." in text
                content = await page.content()
                assert not any(fan in content or fan in html.decode() for fan in FANS)  # no chat id anywhere in the page
                assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone's width
                await page.screenshot(path=str(tmp_path / "status.png"), full_page=True)
                assert errors == []
            finally:
                await browser.close()
        assert (tmp_path / "status.png").stat().st_size > 1000
    finally:
        await process.stop()
