"""A visitor talking to the widget in headless Chromium, whose fake microphone (a beep)
is lent without asking, against a ragsell whose speech services and LiveKit are the
local fakes."""

import json
from collections.abc import Iterator
from itertools import pairwise

import numpy as np
import pytest
from playwright.sync_api import Browser, Playwright, expect

from tests.browser.conftest import (
    ANSWERS,
    CHROMIUM,
    CHROMIUM_ARGS,
    INPUT,
    PANEL,
    SNIPPETS,
    Servers,
    Site,
    Visit,
    VoiceServers,
    ask,
    make_site,
    open_widget,
)
from tests.fakes.cartesia import tone
from tests.fakes.deepgram import FakeDeepgram, looks_like_audio

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
MIC = f"{PANEL} button[aria-label='Ask by voice']"
CALL = f"{PANEL} button[aria-label='Call the assistant']"
NOTES = f"{PANEL} .note"
SDK_PATH = "/widget/livekit-client-2.23.0.mjs"

# Before any of the page's scripts: notes each microphone asked for and each piece of
# sound scheduled (when, how long, its first samples, and the context's time then).
WATCH = """
window.__microphones = [];
window.__sounds = [];
const getUserMedia = MediaDevices.prototype.getUserMedia;
MediaDevices.prototype.getUserMedia = function (constraints) {
  const asked = getUserMedia.call(this, constraints);
  window.__microphones.push(asked);
  return asked;
};
const start = AudioBufferSourceNode.prototype.start;
AudioBufferSourceNode.prototype.start = function (when) {
  window.__sounds.push({
    when, now: this.context.currentTime, duration: this.buffer.duration, rate: this.buffer.sampleRate,
    head: Array.from(this.buffer.getChannelData(0).slice(0, 8)),
  });
  return start.apply(this, arguments);
};
"""
# A host page with RequireJS (Magento, many WordPress themes): a UMD script would hand
# itself to this define instead of setting its global. Notes each call.
REQUIREJS = """
window.__defined = [];
window.define = function () { window.__defined.push(arguments.length); };
window.define.amd = {};
"""
MICROPHONES_ASKED = "window.__microphones.length"
# True once every microphone the page was given has been stopped.
MICROPHONES_RELEASED = """async () => (await Promise.all(window.__microphones.map((asked) => asked.catch(() => null))))
  .every((stream) => !stream || stream.getTracks().every((track) => track.readyState === "ended"))"""


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA], headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def talking_shop(voice_servers: VoiceServers) -> Site:
    site = make_site(voice_servers.servers, "val@acme.example", SNIPPETS)
    site.owner.patch(f"/api/sites/{site.id}", {"voiceEnabled": True})
    return site


@pytest.fixture
def deepgram(voice_servers: VoiceServers) -> Iterator[FakeDeepgram]:
    """The fake Deepgram, with no requests yet, put back as it was after the test."""
    fake = voice_servers.deepgram
    fake.requests.clear()
    knobs = (fake.transcript, fake.status, fake.failures)
    yield fake
    fake.transcript, fake.status, fake.failures = knobs


def open_talking_widget(visit: Visit, servers: Servers, site: Site) -> None:
    visit.page.add_init_script(WATCH)
    open_widget(visit, servers.host_url(site.key))


def record(visit: Visit) -> None:
    """Records a second of the fake microphone and sends it."""
    mic = visit.page.locator(MIC)
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "true")
    expect(mic).to_contain_text("0:01")
    mic.click()
    expect(mic).to_have_attribute("aria-pressed", "false")


def test_without_voice_there_is_no_microphone_and_none_is_asked_for(servers: Servers, visit: Visit) -> None:
    site = make_site(servers, "quiet@acme.example", {})
    open_talking_widget(visit, servers, site)

    expect(visit.page.locator(INPUT)).to_be_visible()
    expect(visit.page.locator(MIC)).to_be_hidden()
    expect(visit.page.locator(CALL)).to_be_hidden()
    assert visit.page.evaluate(MICROPHONES_ASKED) == 0
    assert not any(path.endswith(SDK_PATH) for path in visit.paths(servers.ragsell))


def test_visitor_asks_by_voice_and_hears_the_answer_while_reading_it(
    voice_servers: VoiceServers, talking_shop: Site, deepgram: FakeDeepgram, visit: Visit
) -> None:
    servers = voice_servers.servers
    deepgram.transcript = "When is the shop open?"
    open_talking_widget(visit, servers, talking_shop)
    page = visit.page
    expect(page.locator(MIC)).to_be_visible()
    assert page.evaluate(MICROPHONES_ASKED) == 0

    with page.expect_request(lambda request: request.url.endswith("/voice-turns")) as sent:
        record(visit)

    upload = sent.value
    assert upload.headers["content-type"].startswith("audio/webm")
    assert upload.headers["x-visitor-id"] and upload.headers["x-client-message-id"]
    expect(page.locator(f"{PANEL} .msg.me")).to_have_text(["You: When is the shop open?"])
    # Chromium does not show Playwright a recording's bytes: Deepgram's fake has them.
    # Streamed to Deepgram's live API while it uploaded.
    [heard] = deepgram.requests
    assert heard.kind == "stream" and looks_like_audio(heard.body)
    answer = page.locator(f"{ANSWERS}:has(.rate)")
    expect(answer).to_contain_text("Monday to Friday from 9am to 5pm")
    assert page.evaluate(MICROPHONES_ASKED) == 1
    assert page.evaluate(MICROPHONES_RELEASED)

    # The speech, all sent before the answer's end: Cartesia's 16-bit PCM decoded, and
    # played piece after piece, each as soon as the one before it ends.
    sounds = page.evaluate("window.__sounds")
    assert len(sounds) > 1
    assert {sound["rate"] for sound in sounds} == {24000}
    assert sounds[0]["head"] == pytest.approx((np.frombuffer(tone(8, 24000), "<i2") / 32768).tolist(), abs=1e-6)
    for before, after in pairwise(sounds):
        assert after["when"] == pytest.approx(max(before["when"] + before["duration"], after["now"]), abs=1e-6)
    assert visit.errors == []


def test_visitor_records_with_the_keyboard_and_escape_cancels_without_sending(
    voice_servers: VoiceServers, talking_shop: Site, deepgram: FakeDeepgram, visit: Visit
) -> None:
    open_talking_widget(visit, voice_servers.servers, talking_shop)
    page = visit.page
    mic = page.locator(MIC)
    page.locator(INPUT).press("Tab")
    expect(mic).to_be_focused()
    page.keyboard.press("Space")
    expect(mic).to_have_attribute("aria-pressed", "true")
    hint = page.locator(NOTES, has_text="Listening… press the microphone again to send, or Esc to cancel.")
    expect(hint).to_be_visible()

    page.keyboard.press("Escape")

    expect(mic).to_have_attribute("aria-pressed", "false")
    expect(page.locator(PANEL)).to_be_visible()
    expect(hint).to_have_count(0)
    assert page.evaluate(MICROPHONES_RELEASED)
    page.keyboard.press("Tab")
    expect(page.locator(CALL)).to_be_focused()
    assert not any(path.endswith("/voice-turns") for path in visit.paths(voice_servers.servers.ragsell))
    assert deepgram.requests == []


def test_a_refused_microphone_is_explained_and_typing_still_works(
    playwright: Playwright, voice_servers: VoiceServers, talking_shop: Site
) -> None:
    # Without --use-fake-ui-for-media-stream, headless Chromium refuses the microphone.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, FAKE_MEDIA[0]], headless=True)
    try:
        context = browser.new_context()
        context.set_default_timeout(10_000)
        visit = Visit(context.new_page())
        open_talking_widget(visit, voice_servers.servers, talking_shop)
        page = visit.page
        refusal = page.locator(f"{NOTES}[role=alert]", has_text="The microphone is not available.")

        page.locator(MIC).click()
        expect(refusal).to_have_count(1)
        expect(page.locator(MIC)).to_have_attribute("aria-pressed", "false")
        page.locator(CALL).click()
        expect(refusal).to_have_count(2)
        expect(page.locator(CALL)).to_have_attribute("aria-pressed", "false")

        assert "Monday to Friday" in ask(visit, "When is the shop open?")
        assert not any(path.endswith("/voice-calls") for path in visit.paths(voice_servers.servers.ragsell))
    finally:
        browser.close()


def test_a_recording_nothing_was_heard_in_gets_the_assistants_word_for_it(
    voice_servers: VoiceServers, talking_shop: Site, deepgram: FakeDeepgram, visit: Visit
) -> None:
    deepgram.transcript = ""
    open_talking_widget(visit, voice_servers.servers, talking_shop)

    record(visit)

    expect(visit.page.locator(ANSWERS).last).to_contain_text(
        "Sorry, I didn't catch that. Please try again, a little closer to the microphone."
    )
    expect(visit.page.locator(f"{PANEL} .msg.me")).to_have_count(0)


def test_when_voice_is_down_the_visitor_is_told_and_can_still_type(
    voice_servers: VoiceServers, talking_shop: Site, deepgram: FakeDeepgram, visit: Visit
) -> None:
    deepgram.status = 500
    open_talking_widget(visit, voice_servers.servers, talking_shop)
    page = visit.page

    with page.expect_response(lambda response: response.url.endswith("/voice-turns")) as refused:
        record(visit)

    assert refused.value.status == 503
    problem = json.loads(refused.value.body())
    assert problem["code"] == "voice_unavailable"
    expect(page.locator(f"{NOTES}[role=alert]")).to_have_text(problem["message"])
    expect(page.locator(f"{NOTES} button")).to_have_count(0)
    assert "Monday to Friday" in ask(visit, "When is the shop open?")
    assert page.evaluate(MICROPHONES_RELEASED)


@pytest.mark.parametrize("requirejs", [False, True], ids=["plain-page", "page-with-requirejs"])
def test_a_call_that_cannot_connect_says_so_and_lets_the_microphone_go(
    voice_servers: VoiceServers, talking_shop: Site, visit: Visit, requirejs: bool
) -> None:
    servers = voice_servers.servers
    rooms_before = len(voice_servers.livekit.rooms)
    if requirejs:
        visit.page.add_init_script(REQUIREJS)
    open_talking_widget(visit, servers, talking_shop)
    page = visit.page
    call = page.locator(CALL)
    expect(call).to_be_visible()
    # LiveKit's SDK is not fetched until the visitor calls.
    assert not any(path.endswith(SDK_PATH) for path in visit.paths(servers.ragsell))

    with (
        page.expect_response(lambda response: response.url.endswith(SDK_PATH)) as sdk,
        page.expect_response(lambda response: response.url.endswith("/voice-calls")) as ticket,
        # The SDK ran: its room tried the fake LiveKit, which takes no connections.
        page.expect_websocket(lambda socket: "/rtc" in socket.url) as connection,
    ):
        call.click()

    assert ticket.value.status == 201
    assert set(json.loads(ticket.value.body())) == {"url", "token", "room", "endsAt"}
    assert sdk.value.ok
    assert connection.value.url.startswith(json.loads(ticket.value.body())["url"].replace("http", "ws", 1))
    expect(page.locator(f"{NOTES}[role=alert]")).to_have_text(
        "The call could not be connected. Please try again later, or type your question.", timeout=30_000
    )
    expect(call).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(MICROPHONES_ASKED) == 1
    assert page.evaluate(MICROPHONES_RELEASED)
    assert len(voice_servers.livekit.rooms) == rooms_before + 1
    assert visit.errors == []
    # The SDK is imported as a module: it puts no global on the page and leaves its define alone.
    assert page.evaluate("'LivekitClient' in window") is False
    if requirejs:
        assert page.evaluate("window.__defined") == []
