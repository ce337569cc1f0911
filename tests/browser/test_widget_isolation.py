"""What the widget does not do: run what a model, a page or a visitor wrote, let the host
page's CSS in or its own out, run on origins the site does not allow, set cookies, read
other storage, or talk to anyone but ragsell. And how an owner's branding shows."""

import json
import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.browser.conftest import (
    ANSWERS,
    INPUT,
    LAUNCHER,
    PANEL,
    Servers,
    Site,
    Visit,
    ask,
    make_site,
    open_widget,
    screenshot,
    stored,
    wait_for,
    widget_state,
)


def test_markup_and_script_links_in_answers_stay_inert(servers: Servers, shop: Site, visit: Visit) -> None:
    open_widget(visit, servers.host_url(shop.key))

    answer = ask(visit, "How much does gift wrapping cost?")

    bubble = visit.page.locator(f"{ANSWERS}:has(.rate)").last
    assert "Gift wrapping costs 5 euros per parcel" in answer
    expect(bubble.locator("strong")).to_have_text("5 euros")
    expect(bubble.locator("code")).to_have_text("cotton ribbon")
    assert bubble.locator("img, script, iframe, [onerror], [onclick]").count() == 0
    links = bubble.locator("a").evaluate_all(
        "links => links.filter(a => !a.closest('.src')).map(a => [a.textContent, a.href, a.target, a.rel])"
    )
    # The javascript: link lost its address; the site link with a quote in it stays a plain link.
    assert links == [
        [
            "on this page",
            f"{servers.site_origin}/wrapping%22onclick=%22window.__pwned='attribute'%22",
            "_blank",
            "noopener noreferrer",
        ]
    ]
    assert visit.pwned() is None
    assert visit.origins() == {servers.site_origin, servers.ragsell}


def layout(visit: Visit) -> list[object]:
    """Where the host page's own elements are, and how its button looks."""
    return visit.page.evaluate(
        """() => [
          ...["h1", "p", "#host-link", "#host-button"].map((s) => {
            const box = document.querySelector(s).getBoundingClientRect();
            return [s, box.x, box.y, box.width, box.height];
          }),
          ["button", ...["backgroundColor", "fontSize", "transform", "padding"].map(
            (p) => getComputedStyle(document.getElementById("host-button"))[p])],
        ]"""
    )


GLOBALS = "Object.getOwnPropertyNames(window).sort()"


def test_host_page_and_widget_leave_each_other_alone(servers: Servers, shop: Site, visit: Visit) -> None:
    page = visit.page
    page.goto(servers.host_url(shop.key, widget=False))
    globals_without, layout_without = page.evaluate(GLOBALS), layout(visit)

    open_widget(visit, servers.host_url(shop.key))
    ask(visit, "When is the shop open?")

    assert page.evaluate(GLOBALS) == globals_without
    assert layout(visit) == layout_without
    # The host's `* { all: unset }`, fonts, colours and custom properties stop at the widget.
    panel = page.locator(PANEL)
    expect(panel).to_have_css("font-size", "15px")
    expect(panel).to_have_css("letter-spacing", "normal")
    expect(panel).to_have_css("text-transform", "none")
    expect(panel).to_have_css("background-color", "rgb(255, 255, 255)")
    expect(page.locator(f"{PANEL} .head")).to_have_css("background-color", "rgb(37, 99, 235)")
    expect(page.locator(f"{PANEL} .ask .send")).to_have_css("transform", "none")
    assert page.locator(f"{PANEL} .icon svg").first.is_visible()
    launcher = page.locator(LAUNCHER).bounding_box()
    assert launcher == {"x": 1280 - 20 - 56, "y": 800 - 20 - 56, "width": 56, "height": 56}


def test_on_an_origin_the_site_does_not_allow_nothing_shows_and_nothing_more_is_sent(
    servers: Servers, shop: Site, context: BrowserContext, visit: Visit
) -> None:
    page = visit.page
    page.goto(servers.host_url(shop.key, origin=servers.other_origin))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)

    assert page.locator("ragsell-widget").count() == 0
    assert visit.paths(servers.ragsell) == ["/widget.js", f"/widget/v1/sites/{shop.key}/config"]
    assert stored(visit) == {}
    assert context.cookies() == []
    assert visit.errors == []


def active_now(site: Site) -> int:
    return site.owner.get(f"/api/sites/{site.id}/active-visitors")["activeNow"]


def test_each_page_load_sends_a_page_view_that_makes_the_visitor_active(
    servers: Servers, shop: Site, visit: Visit
) -> None:
    before = active_now(shop)

    visit.page.goto(servers.host_url(shop.key) + "#pricing", referer=f"{servers.site_origin}/site/?from=mail")
    visit.page.locator(LAUNCHER).wait_for()

    wait_for(lambda: active_now(shop) == before + 1, what="the visitor to be active")
    pings = [r for r in visit.requests if r.url.endswith("/page-views") and r.method == "POST"]
    assert len(pings) == 1
    # The address and referrer without their query strings: those are not even sent.
    assert json.loads(pings[0].post_data or "") == {
        "visitorId": widget_state(visit, shop)["v"],
        "url": f"{servers.site_origin}/host.html",
        "referrer": f"{servers.site_origin}/site/",
    }


# Records every use of localStorage and document.cookie by the page's scripts.
WATCH_STORAGE = """
window.__touched = [];
for (const name of ["getItem", "setItem", "removeItem", "key", "clear"]) {
  const original = Storage.prototype[name];
  Storage.prototype[name] = function (...args) {
    window.__touched.push(name + ":" + (args.length ? args[0] : ""));
    return original.apply(this, args);
  };
}
const cookie = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
Object.defineProperty(Document.prototype, "cookie", {
  get() { window.__touched.push("cookie:get"); return cookie.get.call(this); },
  set(value) { window.__touched.push("cookie:set"); cookie.set.call(this, value); },
});
"""


def test_the_widget_sets_no_cookies_and_uses_only_its_own_storage_key(
    servers: Servers, shop: Site, context: BrowserContext, visit: Visit
) -> None:
    context.add_init_script(WATCH_STORAGE)
    open_widget(visit, servers.host_url(shop.key))
    ask(visit, "When is the shop open?")
    open_widget(visit, servers.host_url(shop.key))
    expect(visit.page.locator(f"{PANEL} .msg.me")).to_have_count(1)

    key = f"ragsell:{shop.key}"
    assert set(visit.page.evaluate("window.__touched")) == {f"getItem:{key}", f"setItem:{key}"}
    assert list(stored(visit)) == [key]
    state = widget_state(visit, shop)
    assert set(state) == {"v", "c"}
    assert uuid.UUID(str(state["v"])).version == 4
    assert context.cookies() == []
    assert visit.origins() == {servers.site_origin, servers.ragsell}


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(value) / 255 for value in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(scope="module")
def branded(servers: Servers) -> Site:
    """A second site, in German, with a pale yellow brand colour, on the left."""
    site = make_site(servers, "bea@acme.example", {"Hours": "Unser Laden ist montags bis freitags geöffnet."})
    site.owner.patch(
        f"/api/sites/{site.id}",
        {
            "branding": {
                "assistantName": "Ada",
                "colour": "#fde047",
                "greeting": "Hallo! Was möchten Sie wissen?",
                "position": "bottom-left",
                "language": "de",
                "tone": "friendly",
                "suggestedQuestions": ["Wann haben Sie geöffnet?"],
                "avatarUrl": f"{servers.site_origin}/site/ada.svg",
                "privacyPolicyUrl": "https://acme.example/datenschutz",
            }
        },
    )
    return site


@pytest.fixture
def dark_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme="dark", reduced_motion="reduce")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_branding_shows_in_the_sites_language_colour_and_corner(
    servers: Servers, branded: Site, dark_context: BrowserContext
) -> None:
    visit = Visit(dark_context.new_page())
    visit.page.goto(servers.host_url(branded.key))
    launcher = visit.page.locator(LAUNCHER)
    expect(launcher).to_have_attribute("aria-label", "Chat öffnen")
    assert launcher.bounding_box() == {"x": 20, "y": 800 - 20 - 56, "width": 56, "height": 56}
    colours = launcher.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
    assert contrast(*colours) >= 4.5, colours

    open_widget(visit, servers.host_url(branded.key))

    page = visit.page
    head = page.locator(f"{PANEL} .head")
    assert contrast(*head.evaluate("h => [getComputedStyle(h).backgroundColor, getComputedStyle(h).color]")) >= 4.5
    expect(page.locator(f"{PANEL} .head img")).to_have_attribute("src", f"{servers.site_origin}/site/ada.svg")
    expect(page.locator(f"{PANEL} h2")).to_have_text("Ada")
    expect(page.locator(ANSWERS).first).to_have_text("Hallo! Was möchten Sie wissen?")
    expect(page.locator(INPUT)).to_have_attribute("placeholder", "Ihre Frage")
    expect(page.locator(f"{PANEL} .privacy")).to_contain_text("Bitte teilen Sie hier keine sensiblen")
    expect(page.locator(f"{PANEL} .privacy a")).to_have_attribute("href", "https://acme.example/datenschutz")
    expect(launcher).to_have_attribute("aria-label", "Chat schließen")
    # Dark mode, and no animation for a visitor who asked for reduced motion.
    expect(page.locator(PANEL)).to_have_css("background-color", "rgb(22, 24, 29)")
    expect(page.locator(PANEL)).to_have_css("animation-name", "none")
    screenshot(page, "widget-dark-de.png")

    page.locator(f"{PANEL} .chip", has_text="Wann haben Sie geöffnet?").click()
    expect(page.locator(f"{PANEL} .msg.me")).to_have_text(["Sie: Wann haben Sie geöffnet?"])
    page.locator(f"{ANSWERS}:has(.rate)").wait_for()
    assert visit.errors == []


def test_auto_open_opens_the_chat_without_taking_the_focus_until_closed(
    servers: Servers, branded: Site, context: BrowserContext, visit: Visit
) -> None:
    site = branded.owner.get(f"/api/sites/{branded.id}")
    branded.owner.patch(f"/api/sites/{branded.id}", {"branding": {**site["branding"], "autoOpen": True}})
    page = visit.page
    try:
        page.goto(servers.host_url(branded.key))
        expect(page.locator(PANEL)).to_be_visible()
        assert page.evaluate("document.activeElement === document.body")

        page.locator(f"{PANEL} button[aria-label='Chat schließen']").click()
        expect(page.locator(PANEL)).to_be_hidden()
        page.reload()
        page.locator(LAUNCHER).wait_for()
        page.wait_for_timeout(300)
        expect(page.locator(PANEL)).to_have_count(0)
    finally:
        branded.owner.patch(f"/api/sites/{branded.id}", {"branding": site["branding"]})
