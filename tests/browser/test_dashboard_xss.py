"""Hostile text planted by visitors (messages, lead fields, page addresses, referrers) and
by crawled pages stays inert on every dashboard page, in real Chromium: no planted script
runs (window.__pwned stays unset) and no dialog opens."""

import pytest

from tests.browser.conftest import Servers
from tests.browser.dashboard import XSS, XSS_LINK, Owner, Visitor, add_site, owner_factory, sign_up

__all__ = ["owner_factory"]


@pytest.fixture(scope="module")
def planted(owner_factory, servers: Servers) -> tuple[Owner, str]:
    owner = owner_factory()
    sign_up(owner, "Pat", "pat@tea.example")
    site_id = add_site(owner, "Pat's tea", f"{servers.site_origin}/site/")
    key = owner.page.request.get(f"{servers.ragsell}/api/sites/{site_id}").json()["widgetKey"]
    snippet = owner.page.request.post(
        f"{servers.ragsell}/api/sites/{site_id}/snippets",
        data={"kind": "text", "title": XSS.format("title"), "text": "Gift wrapping costs 5 euros. " + XSS.format("kb")},
        headers={"x-csrf-token": csrf(owner)},
    )
    assert snippet.ok, snippet.text()
    visitor = Visitor(servers, key)
    visitor.view(f"{servers.site_origin}/site/{XSS.format('url')}", f"https://evil.example/{XSS.format('referrer')}")
    conversation = visitor.start()
    visitor.say(conversation, f"How much is gift wrapping? {XSS.format('message')} {XSS_LINK.format('link')}")
    visitor.leave_lead(
        conversation,
        name=XSS.format("name")[:100],
        email="mallory@example.org",
        phone="+44 20 7946 0958",
        message=XSS.format("lead") + XSS_LINK.format("lead-link"),
        pageUrl=f"{servers.site_origin}/site/{XSS.format('page')}",
    )
    return owner, site_id


def csrf(owner: Owner) -> str:
    return owner.page.request.get(f"{owner.base}/api/session").json()["csrfToken"]


def test_planted_payloads_stay_inert_on_every_page(planted: tuple[Owner, str]) -> None:
    owner, site_id = planted
    conversation = owner.page.request.get(f"{owner.base}/api/sites/{site_id}/conversations").json()[0]["id"]
    for path in (
        "/sites",
        f"/sites/{site_id}/knowledge",
        f"/sites/{site_id}/conversations",
        f"/sites/{site_id}/conversations/{conversation}",
        f"/sites/{site_id}/leads",
        f"/sites/{site_id}/settings",
        f"/sites/{site_id}/install",
        f"/sites/{site_id}/analytics",
        f"/sites/{site_id}/privacy",
    ):
        page = owner.go(path)
        page.wait_for_load_state("networkidle")
        owner.inert()
    page = owner.go(f"/sites/{site_id}/conversations/{conversation}")
    # The payloads are there, as text.
    assert "<script>window.__pwned='message'" in page.locator(".msg.visitor").inner_text()
    # Addresses are stored percent-encoded; what is left of the payload is shown as text.
    assert "window.__pwned='referrer'" in page.locator("[aria-label='Pages viewed']").inner_text()
    assert page.locator(".transcript a[href^='javascript:']").count() == 0
    page = owner.go(f"/sites/{site_id}/leads")
    assert "<script>window.__pwned='lead'" in page.locator("tbody").inner_text()
    owner.shot("dashboard-xss-leads.png")
    # The try-it box answers from the hostile snippet: its markup is text there too.
    page = owner.go(f"/sites/{site_id}/knowledge")
    page.get_by_label("Question to try").fill("How much is gift wrapping?")
    page.get_by_role("button", name="Ask").click()
    page.locator("#tried").wait_for()
    assert "5 euros" in page.locator("#tried .answer").inner_text()
    owner.inert()
    assert owner.errors == []
