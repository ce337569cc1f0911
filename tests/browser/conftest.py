"""The widget in real headless Chromium, on an owner's page served from another origin,
against a real ``ragsell serve`` process.

- ragsell: ``ragsell serve`` on 127.0.0.1 (in-memory store, crawl worker in the process,
  loopback crawling allowed so it can crawl the local site below).
- The owner's site: a small HTTP server on another port of 127.0.0.1. Its pages carry
  hostile global CSS, and ``http://localhost:<same port>`` is a second, disallowed origin.
- Chromium: Debian's /usr/bin/chromium through Playwright, one browser per test module.
"""

import html
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Request, sync_playwright

from tests.fakes.cartesia import FakeCartesia
from tests.fakes.deepgram import FakeDeepgram
from tests.fakes.livekit import FakeLiveKit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RAGSELL = Path(sys.executable).parent / "ragsell"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery staple"
START_TIMEOUT = 60

# Global CSS an owner's theme might have, at its worst: none of it may reach the widget.
HOSTILE_CSS = """
* { all: unset !important; box-sizing: content-box !important; }
:root { --brand: red; --ink: red; --line: red; --soft: red; --muted: red; --focus: red; }
html, body { display: block !important; }
head { display: none !important; }
body { font: 40px/3 "Comic Sans MS", cursive !important; color: #c00 !important; background: #fffbe6 !important;
       letter-spacing: 6px !important; text-transform: uppercase !important; }
main, p, h1, a, button { display: block !important; margin: 8px !important; }
div { display: none !important; }
button { background: lime !important; transform: rotate(10deg) !important; padding: 30px !important; }
svg { display: none !important; }
img { width: 300px !important; height: 300px !important; }
"""

# Its title is hostile markup, written so that the text of the title is the markup.
SHIPPING_PAGE = """<!doctype html><html><head>
<title>&lt;img src=x onerror="window.__pwned='citation'"&gt; Shipping</title></head><body><main>
<h1>&lt;img src=x onerror="window.__pwned='citation'"&gt; Shipping</h1>
<p>We ship worldwide within 3 business days. Shipping is free on orders over 50 euros.</p>
<p>Parcels are tracked from our warehouse to your door.</p>
</main></body></html>"""
SITE_INDEX = """<!doctype html><html><head><title>Acme</title></head><body><main>
<h1>Acme tea</h1><p>Fine teas from small gardens.</p><a href="/site/shipping">Shipping</a>
</main></body></html>"""

AVATAR = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36"><circle cx="18" cy="18" r="18" fill="#7c3aed"/>'
    '<circle cx="18" cy="14" r="6" fill="#fff"/><path d="M6 31a12 9 0 0 1 24 0z" fill="#fff"/></svg>'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def host_page(key: str, *, widget: bool, ragsell: str) -> str:
    script = f'<script async src="{ragsell}/widget.js" data-site="{html.escape(key)}"></script>' if widget else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme tea</title>
<style>{HOSTILE_CSS}</style></head><body>
<main><h1>Acme tea</h1><p>Fine teas from small gardens, shipped worldwide.</p>
<a id="host-link" href="#top">Our teas</a><button id="host-button" type="button">Host button</button></main>
{script}</body></html>"""


class _OwnersSite(BaseHTTPRequestHandler):
    ragsell = ""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/host.html":
            body = host_page(query["key"][0], widget="nowidget" not in query, ragsell=self.ragsell)
        elif url.path == "/site/":
            body = SITE_INDEX
        elif url.path == "/site/shipping":
            body = SHIPPING_PAGE
        elif url.path == "/site/ada.svg":
            self._send(AVATAR.encode(), "image/svg+xml")
            return
        else:
            self.send_error(404)
            return
        self._send(body.encode(), "text/html; charset=utf-8")

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Servers:
    ragsell: str
    site_port: int

    @property
    def site_origin(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"

    @property
    def other_origin(self) -> str:
        """The same server under another name: an origin no site allows."""
        return f"http://localhost:{self.site_port}"

    def host_url(self, key: str, *, origin: str | None = None, widget: bool = True) -> str:
        return f"{origin or self.site_origin}/host.html?key={key}" + ("" if widget else "&nowidget=1")


@contextmanager
def owners_site(ragsell: str) -> Iterator[Servers]:
    """The owner's site, embedding the widget of the ragsell at ``ragsell``."""
    site = ThreadingHTTPServer(("127.0.0.1", 0), type("OwnersSite", (_OwnersSite,), {"ragsell": ragsell}))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield Servers(ragsell=ragsell, site_port=site.server_address[1])
    finally:
        site.shutdown()
        site.server_close()


@contextmanager
def ragsell_serve(port: int, data_dir: Path, **settings: str) -> Iterator[None]:
    """``ragsell serve`` on ``port`` with the browser tests' settings and ``settings``
    (environment variables), ready when this yields."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAGSELL_")}
    env.update(
        RAGSELL_STORE="memory",
        RAGSELL_WORKER_IN_PROCESS="true",
        RAGSELL_CRAWL_ALLOW_LOOPBACK="true",
        RAGSELL_LOG_LEVEL="WARNING",
        **settings,
    )
    process = subprocess.Popen(
        [RAGSELL, "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}")
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed: scripts/test installs it (apt-get install chromium).")


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    _need_chromium()
    port = free_port()
    with (
        owners_site(f"http://127.0.0.1:{port}") as servers,
        ragsell_serve(port, tmp_path_factory.mktemp("ragsell-browser")),
    ):
        yield servers


@dataclass(frozen=True)
class VoiceServers:
    """A ragsell offering voice, on the local fakes of its speech services and LiveKit."""

    servers: Servers
    deepgram: FakeDeepgram
    cartesia: FakeCartesia
    livekit: FakeLiveKit


# Every account is on a plan with voice seconds (an in-memory ragsell cannot be
# reached by `ragsell admin set-plan`, which runs in a process of its own).
VOICE_PLANS = {
    "default": "voice",
    "plans": [
        {"name": "voice", "sites": 3, "pages": 100, "conversations": 100, "messages": 500, "voice_seconds": 3600}
    ],
}


# Module-scoped: its server's worker sweep asks the fake LiveKit for rooms every minute,
# which has no place in other modules' tests.
@pytest.fixture(scope="module")
def voice_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoiceServers]:
    _need_chromium()
    port = free_port()
    data_dir = tmp_path_factory.mktemp("ragsell-voice")
    plans = data_dir / "plans.json"
    plans.write_text(json.dumps(VOICE_PLANS))
    with (
        FakeDeepgram() as deepgram,
        FakeCartesia() as cartesia,
        FakeLiveKit() as livekit,
        owners_site(f"http://127.0.0.1:{port}") as servers,
        ragsell_serve(
            port,
            data_dir,
            RAGSELL_PLANS_FILE=str(plans),
            RAGSELL_DEEPGRAM_API_KEY=deepgram.api_key,
            RAGSELL_DEEPGRAM_BASE_URL=deepgram.url,
            RAGSELL_CARTESIA_API_KEY=cartesia.api_key,
            RAGSELL_CARTESIA_BASE_URL=cartesia.url,
            RAGSELL_LIVEKIT_URL=livekit.url,
            RAGSELL_LIVEKIT_API_KEY=livekit.api_key,
            RAGSELL_LIVEKIT_API_SECRET=livekit.api_secret,
            RAGSELL_VOICE_ALLOW_LOOPBACK="true",
        ),
    ):
        yield VoiceServers(servers=servers, deepgram=deepgram, cartesia=cartesia, livekit=livekit)


def _wait_ready(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ragsell exited: {process.stdout.read()}")
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("ragsell did not become ready")


class Owner:
    """An owner using the dashboard API: their session cookie and CSRF token."""

    def __init__(self, base: str, email: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=10)
        signed_up = self.http.post(
            "/api/accounts", json={"name": "Ann", "email": email, "password": PASSWORD, "confirmsMinimumAge": True}
        )
        assert signed_up.status_code == 201, signed_up.text
        self.csrf = {"x-csrf-token": signed_up.json()["csrfToken"]}

    def post(self, path: str, body: dict) -> dict:
        response = self.http.post(path, json=body, headers=self.csrf)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def patch(self, path: str, body: dict) -> dict:
        response = self.http.patch(path, json=body, headers=self.csrf)
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path: str) -> dict | list:
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        return response.json()


@dataclass(frozen=True)
class Site:
    owner: Owner
    id: str
    key: str


def make_site(servers: Servers, email: str, snippets: dict[str, str]) -> Site:
    """A site on the owner's local server, allowed on its 127.0.0.1 origin only."""
    owner = Owner(servers.ragsell, email)
    site = owner.post("/api/sites", {"name": "Acme tea", "url": f"{servers.site_origin}/site/"})
    assert site["allowedOrigins"] == [servers.site_origin]
    for title, text in snippets.items():
        owner.post(f"/api/sites/{site['id']}/snippets", {"kind": "text", "title": title, "text": text})
    return Site(owner=owner, id=site["id"], key=site["widgetKey"])


# One sentence, so that the quoting answerer gives all of it back.
GIFT_WRAPPING = (
    "Gift wrapping costs **5 euros** per parcel, tied with `cotton ribbon` "
    '<img src=x onerror="window.__pwned=\'img\'"><script>window.__pwned="script"</script>'
    ' and you can read about it [in our guide](javascript:window.__pwned="link") or '
    '[on this page](/wrapping"onclick="window.__pwned=\'attribute\'")'
)
SNIPPETS = {
    "Opening hours": "Our shop is open Monday to Friday from 9am to 5pm. We close on public holidays.",
    "Gift wrapping": GIFT_WRAPPING,
}


@pytest.fixture(scope="session")
def shop(servers: Servers) -> Site:
    """The owner's site: snippets, and a crawl of the local site started at once (it takes
    a few seconds, one polite request a second)."""
    site = make_site(servers, "ann@acme.example", SNIPPETS)
    site.owner.post(f"/api/sites/{site.id}/crawls", {})
    return site


def crawled(site: Site) -> None:
    """Waits for the site's crawl to end, and checks it went well."""

    def finished() -> dict | None:
        job = site.owner.get(f"/api/sites/{site.id}/crawls/latest")
        return job if job and job["state"] in ("done", "failed") else None

    job = wait_for(finished, what="the crawl")
    assert job["state"] == "done", job


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (its own storage): a new visitor."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    yield context
    context.close()


class Visit:
    """A page in the browser and every request it made."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[Request] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def origins(self) -> set[str]:
        return {"{0.scheme}://{0.netloc}".format(urlsplit(request.url)) for request in self.requests}

    def paths(self, origin: str) -> list[str]:
        """The paths of the requests made to ``origin``, in order."""
        return [urlsplit(r.url).path for r in self.requests if r.url.startswith(origin + "/")]

    def pwned(self) -> object:
        return self.page.evaluate("window.__pwned")


@pytest.fixture
def visit(context: BrowserContext) -> Visit:
    return Visit(context.new_page())


# Reaching into the widget: Playwright's CSS locators pierce open shadow roots.
LAUNCHER = "ragsell-widget .launcher"
PANEL = "ragsell-widget .panel"
INPUT = "ragsell-widget .ask textarea"
ANSWERS = "ragsell-widget .log .msg.bot"
LEAD = "ragsell-widget .lead"


def open_widget(visit: Visit, url: str) -> None:
    visit.page.goto(url)
    visit.page.locator(LAUNCHER).click()
    visit.page.locator(PANEL).wait_for(state="visible")


def ask(visit: Visit, question: str) -> str:
    """Sends ``question`` and waits for its whole answer (rating buttons appear when it is done)."""
    answers = visit.page.locator(f"{ANSWERS}:has(.rate)")
    before = answers.count()
    visit.page.locator(INPUT).fill(question)
    visit.page.locator(INPUT).press("Enter")
    answers.nth(before).wait_for()
    return answers.nth(before).inner_text()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def stored(visit: Visit) -> dict[str, str]:
    """Everything in the host page's localStorage."""
    return json.loads(visit.page.evaluate("JSON.stringify(Object.assign({}, localStorage))"))


def widget_state(visit: Visit, site: Site) -> dict[str, object]:
    """What the widget keeps in its one localStorage key."""
    return json.loads(stored(visit)[f"ragsell:{site.key}"])


def wait_for(check, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
