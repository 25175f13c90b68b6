"""The shared pages in a real browser: navigation, sign-in link, friendly error pages."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.worker
def test_landing_and_not_found_pages(live_service, browser_page, screenshots):
    page = browser_page
    page.goto(live_service.url + "/")
    assert page.locator("nav[aria-label=Main]").is_visible()
    assert page.locator("#sign-in").is_visible()
    screenshots.take(page, "landing")
    response = page.goto(live_service.url + "/no-such-page")
    assert response.status == 404
    screenshots.take(page, "not-found")
