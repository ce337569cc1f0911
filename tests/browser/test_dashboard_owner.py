"""An owner runs a site through the dashboard pages, in headless Chromium against
``ragsell serve``: sign up, connect the local test site, crawl it, try a question, read
a visitor's conversation and lead, change settings, all at desktop and phone width."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Servers, wait_for
from tests.browser.dashboard import Owner, Visitor, add_site, log_in, owner_factory, sign_up

__all__ = ["owner_factory"]

EMAIL = "olga@tea.example"


@dataclass(frozen=True)
class Shop:
    owner: Owner
    id: str
    key: str


@pytest.fixture(scope="module")
def shop(owner_factory, servers: Servers) -> Shop:
    owner = owner_factory()
    sign_up(owner, "Olga", EMAIL)
    expect(owner.page.locator(".notice")).to_contain_text("Welcome")
    expect(owner.page.locator(".empty")).to_contain_text("No sites yet")
    owner.shot("dashboard-sites-empty.png")
    site_id = add_site(owner, "Olga's tea", f"{servers.site_origin}/site/")
    key = owner.page.request.get(f"{servers.ragsell}/api/sites/{site_id}").json()["widgetKey"]
    return Shop(owner=owner, id=site_id, key=key)


def crawl_finished(shop: Shop) -> None:
    def done() -> bool:
        job = shop.owner.page.request.get(f"{shop.owner.base}/api/sites/{shop.id}/crawls/latest").json()
        return bool(job) and job["state"] == "done"

    wait_for(done, what="the crawl")


def test_crawl_now_shows_live_progress_up_to_100_and_then_every_page(shop: Shop) -> None:
    page = shop.owner.go(f"/sites/{shop.id}/knowledge")
    expect(page.locator("#pages .empty")).to_contain_text("No pages yet")
    page.get_by_role("button", name="Crawl now").click()
    page.wait_for_url("**/knowledge?notice=crawl-started#crawl")
    progress = page.locator("#crawl-progress")
    expect(progress).to_be_visible()
    # The bar follows the crawl (polling the API) and reaches 100%; the page then shows the pages.
    expect(progress).to_have_attribute("value", "100", timeout=30_000)
    expect(page.locator("#pages table")).to_contain_text("/site/shipping", timeout=10_000)
    expect(page.locator("#pages table")).to_contain_text("indexed")
    expect(page.locator(".crawl-status")).to_contain_text("Last crawl finished")
    shop.owner.shot("dashboard-knowledge.png")
    shop.owner.inert()
    assert shop.owner.errors == []


def test_try_it_shows_the_answer_and_the_passages_it_used(shop: Shop) -> None:
    crawl_finished(shop)
    page = shop.owner.go(f"/sites/{shop.id}/knowledge")
    page.get_by_label("Question to try").fill("How long does shipping take?")
    page.get_by_role("button", name="Ask").click()
    tried = page.locator("#tried")
    expect(tried.locator(".answer")).to_contain_text("We ship worldwide within 3 business days")
    expect(tried).to_contain_text("answered")
    expect(tried.locator(".passages li.used").first).to_contain_text("score")
    # The crawled page's title is hostile markup: shown as text.
    expect(tried.locator(".sources a").first).to_contain_text("<img src=x onerror=")
    expect(page.get_by_label("Question to try")).to_have_value("How long does shipping take?")
    page.locator("#try").scroll_into_view_if_needed()
    shop.owner.shot("dashboard-try-it.png")
    shop.owner.inert()


def test_snippets_are_added_with_errors_in_words_and_input_kept(shop: Shop) -> None:
    page = shop.owner.go(f"/sites/{shop.id}/knowledge")
    form = page.locator("#snippets form").last
    form.get_by_label("Question and answer").check()
    form.get_by_label("Title").fill("Returns")
    form.get_by_label("Question (for Q&A)").fill("Can I return tea?")
    form.get_by_role("button", name="Add").click()
    # No answer given: the error says so, and what was typed stays.
    expect(page.locator("#snippets .alert")).to_contain_text("characters")
    expect(page.locator("#snippets").get_by_label("Title")).to_have_value("Returns")
    expect(page.locator("#snippets").get_by_label("Question and answer")).to_be_checked()
    page.locator("#snippets").get_by_label("Text or answer").fill("Unopened tea within 30 days.")
    page.locator("#snippets form").last.get_by_role("button", name="Add").click()
    expect(page.locator(".notice")).to_have_text("Added to the knowledge base.")
    expect(page.locator(".snippets")).to_contain_text("Can I return tea?")


def test_a_visitors_conversation_and_lead_show_with_citations_and_page_views(shop: Shop, servers: Servers) -> None:
    crawl_finished(shop)
    visitor = Visitor(servers, shop.key)
    visitor.view(f"{servers.site_origin}/site/shipping", "https://search.example/results")
    conversation = visitor.start()
    visitor.say(conversation, "How long does shipping take?")
    visitor.say(conversation, "Do you sell gift vouchers?")
    visitor.leave_lead(conversation, name="Vera", email="vera@example.org", message="Please call me about wholesale.")

    page = shop.owner.go(f"/sites/{shop.id}/conversations")
    page.get_by_role("link", name="Read transcript").first.click()
    expect(page.locator(".msg.visitor").first).to_contain_text("How long does shipping take?")
    expect(page.locator(".msg.assistant .answer").first).to_contain_text("3 business days")
    source = page.locator(".msg.assistant .sources a").first
    expect(source).to_have_attribute("href", f"{servers.site_origin}/site/shipping")
    views = page.locator("[aria-label='Pages viewed']")
    expect(views).to_contain_text(f"{servers.site_origin}/site/shipping")
    expect(views).to_contain_text("https://search.example/results")
    shop.owner.shot("dashboard-transcript.png")

    page = shop.owner.go(f"/sites/{shop.id}/leads")
    row = page.locator("tbody tr", has_text="Vera")
    expect(row).to_contain_text("vera@example.org")
    expect(row).to_contain_text("Please call me about wholesale.")
    row.get_by_label("Status").select_option("contacted")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".notice")).to_have_text("Lead status saved.")
    expect(page.locator("tbody tr", has_text="Vera").get_by_label("Status")).to_have_value("contacted")
    leads = shop.owner.page.request.get(f"{shop.owner.base}/api/sites/{shop.id}/leads").json()
    assert [lead["status"] for lead in leads] == ["contacted"]
    shop.owner.shot("dashboard-leads.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("created_at,name,email")
    assert "Vera,vera@example.org" in exported and ",contacted," in exported
    shop.owner.inert()


def test_branding_preview_follows_the_form_and_settings_save(shop: Shop) -> None:
    page = shop.owner.go(f"/sites/{shop.id}/settings")
    page.get_by_label("Assistant name").fill("Tilda")
    page.get_by_label("Greeting").fill("Hello, tea lover!")
    page.get_by_label("Suggested question 1").fill("Which green tea?")
    page.get_by_label("Colour").evaluate("(el) => { el.value = '#0f766e'; el.dispatchEvent(new Event('input')); }")
    page.get_by_label("Position").select_option("bottom-left")
    preview = page.locator("[data-preview]")
    expect(preview.locator("[data-preview-name]")).to_have_text("Tilda")
    expect(preview.locator("[data-preview-greeting]")).to_have_text("Hello, tea lover!")
    expect(preview.locator("[data-preview-suggestions] span")).to_have_text(["Which green tea?"])
    expect(preview.locator("[data-preview-launcher]")).to_have_class("preview-launcher left")
    colour = preview.locator(".preview-head").evaluate("(el) => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(15, 118, 110)"
    shop.owner.shot("dashboard-settings.png")

    # A bad value: the error in words, at the field, and the rest of the form as typed.
    page.get_by_label("Keep conversations for (days)").fill("5000")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".alert").first).to_contain_text("Keep conversations 1 to")
    expect(page.get_by_label("Keep conversations for (days)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Assistant name")).to_have_value("Tilda")
    page.get_by_label("Keep conversations for (days)").fill("90")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".notice")).to_have_text("Settings saved.")
    site = shop.owner.page.request.get(f"{shop.owner.base}/api/sites/{shop.id}").json()
    assert site["branding"]["assistantName"] == "Tilda"
    assert site["branding"]["colour"] == "#0f766e"
    assert site["retentionDays"] == 90


def test_install_usage_and_analytics_pages(shop: Shop) -> None:
    page = shop.owner.go(f"/sites/{shop.id}/install")
    expect(page.locator("#install-snippet")).to_contain_text(f'data-site="{shop.key}"')
    # The visitor's page view came from the site's own origin: the widget counts as seen there.
    expect(page.locator(".notice")).to_contain_text("Installed.")
    shop.owner.shot("dashboard-install.png")
    page = shop.owner.go(f"/sites/{shop.id}/analytics")
    expect(page.locator("[data-active-count]")).to_have_text("1")
    expect(page.locator(".ranked")).to_contain_text("How long does shipping take?")
    expect(page.locator(".chart svg rect")).to_have_count(3 * 30)
    shop.owner.shot("dashboard-analytics.png")
    # An unanswered question becomes a Q&A pair from here.
    page.get_by_role("link", name="Add an answer").first.click()
    form = page.locator("#snippets form").last
    expect(form.get_by_label("Question and answer")).to_be_checked()
    expect(form.get_by_label("Question (for Q&A)")).to_have_value("Do you sell gift vouchers?")
    form.get_by_label("Text or answer").fill("Yes: vouchers from 10 euros, by email.")
    form.get_by_role("button", name="Add").click()
    expect(page.locator(".snippets")).to_contain_text("Do you sell gift vouchers?")
    page = shop.owner.go(f"/sites/{shop.id}/notifications")
    # No mail server in the tests: the page says so; the lead still has its log entry or none at all.
    expect(page.locator("h1")).to_have_text("Lead notifications")
    page.get_by_label("Webhook address").fill("ftp://not-a-web-address")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator(".alert")).to_be_visible()
    expect(page.get_by_label("Webhook address")).to_have_value("ftp://not-a-web-address")
    shop.owner.shot("dashboard-notifications.png")
    page = shop.owner.go("/usage")
    expect(page.locator(".meters")).to_contain_text("Messages")
    shop.owner.shot("dashboard-usage.png")
    shop.owner.inert()


def test_pages_work_at_phone_width(owner_factory, shop: Shop) -> None:
    phone = owner_factory(width=390, height=844)
    log_in(phone, EMAIL)
    for path, name in (
        ("/sites", "dashboard-phone-sites.png"),
        (f"/sites/{shop.id}/knowledge", "dashboard-phone-knowledge.png"),
        (f"/sites/{shop.id}/leads", "dashboard-phone-leads.png"),
    ):
        page = phone.go(path)
        # Nothing but tables (which scroll in their own box) is wider than the screen.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
        phone.shot(name, full=False)
    phone.inert()


def test_the_owner_ends_another_session_from_the_account_page(owner_factory, shop: Shop) -> None:
    laptop = owner_factory()
    log_in(laptop, EMAIL)
    page = shop.owner.go("/account")
    rows = page.locator("#sessions tbody tr")
    expect(rows.filter(has_text="this device")).to_have_count(1)
    assert rows.count() >= 2
    shop.owner.shot("dashboard-account.png")
    rows.filter(has_not_text="this device").first.get_by_role("button", name="End").click()
    expect(page.locator(".notice")).to_have_text("The session is ended: that device is logged out.")
    # Ending sessions one by one: every other device is logged out, this one stays.
    while (others := page.locator("#sessions tbody tr").filter(has_not_text="this device")).count():
        others.first.get_by_role("button", name="End").click()
        expect(page.locator(".notice")).to_be_visible()
    laptop.page.goto(f"{laptop.base}/sites")
    expect(laptop.page).to_have_url(f"{laptop.base}/login?next=%2Fsites")
    assert shop.owner.go("/sites").url.endswith("/sites")


def test_another_owner_gets_not_found_on_every_page_of_the_site(owner_factory, shop: Shop) -> None:
    stranger = owner_factory()
    sign_up(stranger, "Eve", "eve@tea.example")
    for section in ("knowledge", "settings", "install", "conversations", "leads", "analytics", "privacy"):
        response = stranger.page.goto(f"{stranger.base}/sites/{shop.id}/{section}")
        assert response is not None and response.status == 404, section
        expect(stranger.page.locator("h1")).to_have_text("Not found")
        assert "Olga" not in stranger.page.content()


def test_the_owner_exports_then_erases_a_visitor_from_the_privacy_page(shop: Shop, servers: Servers) -> None:
    visitor = Visitor(servers, shop.key)
    conversation = visitor.start()
    visitor.say(conversation, "Please forget me afterwards.")
    visitor.leave_lead(conversation, name="Ida", email="ida@example.org", message="Call me")
    page = shop.owner.go(f"/sites/{shop.id}/privacy")
    page.get_by_label("Find the visitor by").select_option("email")
    page.get_by_label("Visitor id, email or phone").fill("ida@example.org")
    page.get_by_role("button", name="Show their data").click()
    expect(page.locator("#export")).to_contain_text("Ida (ida@example.org)")
    expect(page.locator("#export")).to_contain_text(visitor.id)

    page.get_by_role("button", name="Erase their data").click()
    expect(page.locator(".alert")).to_contain_text("Tick the box to confirm")
    expect(page.get_by_label("Visitor id, email or phone")).to_have_value("ida@example.org")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Erase their data").click()
    expect(page.locator(".notice")).to_contain_text("Erased 1 conversation, 2 messages, 1 lead")
    expect(page.locator("tbody tr")).to_have_count(2)
    shop.owner.shot("dashboard-privacy.png")
    leads = shop.owner.page.request.get(f"{shop.owner.base}/api/sites/{shop.id}/leads").json()
    assert "Ida" not in [lead["name"] for lead in leads]
    transcript = shop.owner.page.request.get(f"{shop.owner.base}/api/sites/{shop.id}/conversations/{conversation}")
    assert transcript.status == 404


def test_the_owner_deletes_the_account_after_giving_the_password_again(shop: Shop) -> None:
    page = shop.owner.go("/account")
    form = page.locator("#delete form")
    form.get_by_label("Your password, to confirm").fill("not my password")
    form.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete .alert")).to_contain_text("Your password is wrong.")
    form = page.locator("#delete form")
    form.get_by_label("Your password, to confirm").fill(PASSWORD)
    form.get_by_label("Delete all my data now").check()
    form.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".notice")).to_contain_text("Your account is closed")
    assert shop.owner.page.request.get(f"{shop.owner.base}/api/session").status == 401
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".alert")).to_contain_text("The email or password is wrong.")
    shop.owner.inert()
