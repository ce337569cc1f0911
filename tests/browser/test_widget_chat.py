"""A visitor chatting with the widget on an owner's page, in headless Chromium."""

import json
import re

from playwright.sync_api import Browser, Route, expect

from tests.browser.conftest import (
    ANSWERS,
    INPUT,
    LAUNCHER,
    LEAD,
    PANEL,
    Servers,
    Site,
    Visit,
    ask,
    crawled,
    open_widget,
    screenshot,
    wait_for,
    widget_state,
)

# Notes in the page whether the typing indicator appeared in the chat.
TYPING_WATCH = """log => new MutationObserver((changes) => {
  if (changes.some((c) => [...c.addedNodes].some((n) => n.classList && n.classList.contains("typing"))))
    window.__sawTyping = true;
}).observe(log, {childList: true})"""


def transcript(site: Site, visit: Visit) -> dict:
    conversation_id = widget_state(visit, site)["c"]
    return site.owner.get(f"/api/sites/{site.id}/conversations/{conversation_id}")


def test_visitor_asks_and_reads_the_answer_with_its_source(servers: Servers, shop: Site, visit: Visit) -> None:
    crawled(shop)
    open_widget(visit, servers.host_url(shop.key))
    page = visit.page
    expect(page.locator(f"{PANEL} h2")).to_have_text("Acme tea assistant")
    # Before the first message: the greeting, and a word on sensitive data with the privacy policy.
    expect(page.locator(f"{ANSWERS}").first).to_have_text("Hi! Ask me anything about this site.")
    notice = page.locator(f"{PANEL} .privacy")
    expect(notice).to_contain_text("don't share sensitive personal information")
    expect(notice.locator("a")).to_have_attribute("href", f"{servers.ragsell}/privacy")

    page.locator(f"{PANEL} .log").evaluate(TYPING_WATCH)

    answer = ask(visit, "How long does shipping take?")

    assert page.evaluate("window.__sawTyping") is True
    assert "We ship worldwide within 3 business days." in answer
    expect(notice).to_have_count(0)
    source = page.locator(f"{ANSWERS} .src a")
    expect(source).to_have_attribute("href", f"{servers.site_origin}/site/shipping")
    expect(source).to_have_attribute("rel", "noopener noreferrer")
    # The page title was hostile markup: it is shown as text.
    expect(source).to_contain_text("<img src=x onerror=")
    screenshot(page, "widget-desktop.png")

    page.locator(f"{ANSWERS} .rate button[aria-label=Helpful]").click()
    expect(page.locator(f"{ANSWERS} .rate button[aria-label=Helpful]")).to_have_attribute("aria-pressed", "true")
    wait_for(lambda: transcript(shop, visit)["messages"][1]["feedback"] == "up", what="the rating")
    assert visit.pwned() is None
    assert visit.errors == []


def test_the_conversation_is_there_again_after_a_reload(servers: Servers, shop: Site, visit: Visit) -> None:
    open_widget(visit, servers.host_url(shop.key))
    ask(visit, "When is the shop open?")
    visit.page.locator(f"{ANSWERS} .rate button[aria-label='Not helpful']").click()
    wait_for(lambda: transcript(shop, visit)["messages"][1]["feedback"] == "down", what="the rating")

    open_widget(visit, servers.host_url(shop.key))

    page = visit.page
    expect(page.locator(f"{PANEL} .msg.me")).to_have_text(["You: When is the shop open?"])
    expect(page.locator(f"{ANSWERS}").nth(1)).to_contain_text("Monday to Friday from 9am to 5pm")
    expect(page.locator(f"{ANSWERS} .rate button[aria-label='Not helpful']")).to_have_attribute("aria-pressed", "true")
    # A new conversation starts empty, with the greeting again.
    page.locator(f"{PANEL} button[aria-label='Start a new conversation']").click()
    expect(page.locator(f"{PANEL} .msg")).to_have_count(1)
    assert "c" not in widget_state(visit, shop)


def test_visitor_leaves_contact_details_checked_in_the_browser_and_on_the_server(
    servers: Servers, shop: Site, visit: Visit
) -> None:
    open_widget(visit, servers.host_url(shop.key))
    page = visit.page
    page.locator(f"{PANEL} button[aria-label='Contact the team']").click()
    lead = page.locator(LEAD)
    expect(lead).to_be_visible()
    expect(page.locator(f"{PANEL} .log")).to_be_hidden()
    expect(lead.locator("small")).to_contain_text("By sending this form you agree that Acme tea may contact you")
    expect(lead.locator("small")).to_contain_text("don't share sensitive personal information")
    expect(lead.locator("small a")).to_have_attribute("href", f"{servers.ragsell}/privacy")

    # Checked in the browser first.
    lead.locator("button[type=submit]").click()
    expect(lead.locator("#rs-name")).to_be_focused()
    expect(lead.locator("#rs-name")).to_have_attribute("aria-invalid", "true")
    expect(lead.locator("#rs-name-error")).to_have_text("Please enter your name.")
    expect(lead.locator("#rs-email-error")).to_have_text("Please enter an email address or a phone number.")
    name = "<img src=x onerror=\"window.__pwned='lead'\"> Bob"
    lead.locator("#rs-name").fill(name)
    lead.locator("#rs-email").fill("bob@")
    lead.get_by_label("Call me back").check()
    lead.locator("button[type=submit]").click()
    expect(lead.locator("#rs-email-error")).to_have_text("Please enter an email address like name@example.com.")
    expect(lead.locator("#rs-phone-error")).to_have_text("Please enter a phone number so we can call you back.")
    screenshot(page, "widget-lead-form.png")

    # Then on the server: this number looks right but does not exist.
    lead.locator("#rs-email").fill("bob@example.com")
    lead.locator("#rs-phone").fill("+1 000 000 0000")
    lead.locator("button[type=submit]").click()
    expect(lead.locator("#rs-phone-error")).to_contain_text("phone number")
    expect(lead.locator("#rs-phone")).to_be_focused()
    assert visit.paths(servers.ragsell)[-1] == f"/widget/v1/sites/{shop.key}/leads"

    lead.locator("#rs-phone").fill("+1 415 555 0123")
    lead.locator("#rs-message").fill("<script>window.__pwned='message'</script>Call me after 5pm")
    lead.locator("button[type=submit]").click()

    expect(lead).to_be_hidden()
    expect(page.locator(f"{PANEL} .note").last).to_have_text(f"Thank you, {name}! The team will get back to you soon.")
    leads = shop.owner.get(f"/api/sites/{shop.id}/leads")
    assert [(x["name"], x["phone"], x["kind"]) for x in leads if x["email"] == "bob@example.com"] == [
        (name, "+14155550123", "callback")
    ]
    assert visit.pwned() is None


def test_a_question_the_site_cannot_answer_offers_the_contact_form(servers: Servers, shop: Site, visit: Visit) -> None:
    open_widget(visit, servers.host_url(shop.key))
    page = visit.page

    answer = ask(visit, "Do you sell submarines?")

    assert "couldn't find that" in answer
    offer = page.locator(f"{PANEL} .note button", has_text="Leave your details")
    expect(offer).to_have_count(1)
    # Asking for a person offers it too, even when the question is answered.
    ask(visit, "Can I talk to a person about your opening hours?")
    expect(offer).to_have_count(2)
    offer.last.click()
    expect(page.locator(LEAD)).to_be_visible()
    expect(page.locator(f"{LEAD} #rs-name")).to_be_focused()
    page.locator(f"{LEAD} button", has_text="Back to chat").click()
    expect(page.locator(LEAD)).to_be_hidden()
    expect(page.locator(INPUT)).to_be_focused()


def focus_in_widget(visit: Visit) -> str:
    """Where the keyboard focus is: a widget element's class, or the host element's id."""
    return visit.page.evaluate(
        """() => {
          const active = document.activeElement;
          if (!active || active.tagName !== "RAGSELL-WIDGET") return "host:" + (active && active.id);
          const inner = active.shadowRoot.activeElement;
          if (!inner) return "widget";
          return (inner.closest(".panel") ? "panel:" : "outside:") + (inner.className || inner.tagName);
        }"""
    )


def test_the_chat_works_from_the_keyboard_alone(servers: Servers, shop: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(servers.host_url(shop.key))
    page.locator(LAUNCHER).wait_for()
    # Tab through the host page (its link and button) to the launcher.
    stops = [focus_in_widget(visit)]
    while stops[-1] != "outside:launcher" and len(stops) < 6:
        page.keyboard.press("Tab")
        stops.append(focus_in_widget(visit))
    assert stops[-1] == "outside:launcher", stops
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    expect(page.locator(INPUT)).to_be_focused()
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "true")
    page.keyboard.type("When is the shop open?")
    page.keyboard.press("Enter")
    page.locator(f"{ANSWERS}:has(.rate)").wait_for()

    # Focus stays inside the open chat, both ways round.
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert focus_in_widget(visit).startswith("panel:"), key

    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    assert focus_in_widget(visit) == "outside:launcher"
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-expanded", "false")
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-label", "Open chat")


def test_a_message_that_could_not_be_sent_is_retried_with_the_same_id(
    servers: Servers, shop: Site, visit: Visit
) -> None:
    open_widget(visit, servers.host_url(shop.key))
    page = visit.page
    sent: list[dict] = []

    def drop_the_first(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        if len(sent) == 1:
            route.abort()
        else:
            route.continue_()

    page.route(re.compile(r".*/messages$"), drop_the_first)
    page.locator(INPUT).fill("When is the shop open?")
    page.locator(INPUT).press("Enter")
    expect(page.locator(f"{PANEL} .note.warn")).to_contain_text("The message could not be sent.")

    page.locator(f"{PANEL} .note button", has_text="Try again").click()

    expect(page.locator(f"{ANSWERS}:has(.rate)")).to_contain_text("Monday to Friday")
    assert len(sent) == 2
    assert sent[0]["clientMessageId"] == sent[1]["clientMessageId"]
    expect(page.locator(f"{PANEL} .msg.me")).to_have_count(1)
    expect(page.locator(f"{PANEL} .note.warn")).to_have_count(0)


def test_rate_and_plan_limits_are_explained_and_the_plan_limit_offers_contact_once(
    servers: Servers, shop: Site, visit: Visit
) -> None:
    open_widget(visit, servers.host_url(shop.key))
    page = visit.page
    refusals = iter(
        [
            {"code": "rate_limited", "message": "Too many requests; please wait a moment and try again."},
            {"code": "quota_exceeded", "message": "This site has used its messages.", "field": "messages"},
        ]
    )
    page.route(
        re.compile(r".*/messages$"),
        lambda route: route.fulfill(
            status=429, json=next(refusals), headers={"access-control-allow-origin": servers.site_origin}
        ),
    )

    page.locator(INPUT).fill("When is the shop open?")
    page.locator(INPUT).press("Enter")
    expect(page.locator(f"{PANEL} .note.warn")).to_have_text(
        "You are sending messages very quickly. Please wait a moment, then try again."
    )
    page.locator(INPUT).fill("And on Saturday?")
    page.locator(INPUT).press("Enter")
    quota = page.locator(f"{PANEL} .note.warn").last
    expect(quota).to_contain_text(
        "The assistant can't take more questions right now. Leave your details and the team will get back to you."
    )
    # It asks once: the button is in the message, with no second prompt after it.
    expect(quota.locator("button")).to_have_text(["Leave your details"])
    expect(page.locator(f"{PANEL} .note button", has_text="Leave your details")).to_have_count(1)
    expect(page.locator(f"{PANEL} .log")).not_to_contain_text("Would you like someone from the team")


def test_on_a_small_screen_the_chat_fills_the_screen(servers: Servers, shop: Site, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        visit = Visit(context.new_page())
        open_widget(visit, servers.host_url(shop.key))
        ask(visit, "How much does gift wrapping cost?")
        screenshot(visit.page, "widget-mobile.png")
        # It covers the whole screen (the hostile page is a little wider than the screen).
        box = visit.page.locator(PANEL).bounding_box()
        assert box is not None
        assert box["x"] <= 0 and box["y"] <= 0
        assert box["x"] + box["width"] >= 390 and box["y"] + box["height"] >= 844
        expect(visit.page.locator(PANEL)).to_have_css("border-radius", "0px")
    finally:
        context.close()


def test_the_demo_page_runs_the_widget_on_ragsells_own_origin(servers: Servers, shop: Site, visit: Visit) -> None:
    open_widget(visit, f"{servers.ragsell}/demo/{shop.key}")

    answer = ask(visit, "When is the shop open?")

    assert "Monday to Friday from 9am to 5pm" in answer
    assert visit.origins() == {servers.ragsell}
    assert visit.errors == []
