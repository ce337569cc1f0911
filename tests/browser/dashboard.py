"""Driving the owner's dashboard pages in Chromium, and a visitor through the widget API."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page

from tests.browser.conftest import ARTIFACTS, PASSWORD, Servers

# Payloads planted where visitors write: each would set window.__pwned or open a dialog if it ran.
XSS = "<img src=x onerror=\"window.__pwned='{0}'\"><script>window.__pwned='{0}';alert('{0}')</script>"
XSS_LINK = "[click me](javascript:window.__pwned='{0}')"


@dataclass
class Owner:
    """An owner's browser profile with one page open, and every dialog any script opened."""

    context: BrowserContext
    page: Page
    base: str
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> Page:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, (path, response and response.status)
        return self.page

    def inert(self) -> None:
        """No planted script ran on the page open now."""
        assert self.page.evaluate("window.__pwned") is None
        assert self.dialogs == []

    def shot(self, name: str, *, full: bool = True) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=full)


def open_owner(browser: Browser, base: str, *, width: int = 1280, height: int = 860) -> Owner:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    owner = Owner(context=context, page=page, base=base)

    def on_dialog(dialog: Dialog) -> None:
        owner.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: owner.errors.append(str(error)))
    return owner


def sign_up(owner: Owner, name: str, email: str) -> None:
    page = owner.go("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("or older").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/sites?notice=signed-up")


def log_in(owner: Owner, email: str) -> None:
    page = owner.go("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/sites")


def add_site(owner: Owner, name: str, url: str) -> str:
    """Connects a site through the sites page; returns its id."""
    page = owner.go("/sites")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Address").fill(url)
    page.get_by_role("button", name="Connect site").click()
    page.wait_for_url("**/knowledge?notice=site-added")
    return page.url.split("/sites/")[1].split("/")[0]


class Visitor:
    """A visitor's widget talking to the widget API from the owner's site."""

    def __init__(self, servers: Servers, widget_key: str) -> None:
        self.id = str(uuid.uuid4())
        self.http = httpx.Client(
            base_url=f"{servers.ragsell}/widget/v1/sites/{widget_key}",
            headers={"origin": servers.site_origin},
            timeout=20,
        )

    def view(self, url: str, referrer: str | None) -> None:
        response = self.http.post("/page-views", json={"visitorId": self.id, "url": url, "referrer": referrer})
        assert response.status_code == 204, response.text

    def start(self) -> str:
        response = self.http.post("/conversations", json={"visitorId": self.id})
        assert response.status_code == 201, response.text
        return response.json()["conversationId"]

    def say(self, conversation_id: str, text: str) -> None:
        body = {"visitorId": self.id, "clientMessageId": str(uuid.uuid4()), "text": text}
        response = self.http.post(f"/conversations/{conversation_id}/messages", json=body)
        assert response.status_code == 200 and "event: done" in response.text, response.text

    def leave_lead(self, conversation_id: str, **details: str) -> None:
        body = {"visitorId": self.id, "conversationId": conversation_id, "kind": "message", **details}
        response = self.http.post("/leads", json=body)
        assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def owner_factory(browser: Browser, servers: Servers) -> Iterator:
    opened: list[Owner] = []

    def make(**size: int) -> Owner:
        owner = open_owner(browser, servers.ragsell, **size)
        opened.append(owner)
        return owner

    yield make
    for owner in opened:
        owner.context.close()
