"""The widget in headless Chromium when the site's language model fails: ``ragsell serve``
answers with OpenAI chat completions from the local fake of tests/chat, told to fail
before answering or to stall part-way through an answer."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ANSWERS,
    INPUT,
    LEAD,
    PANEL,
    SNIPPETS,
    Servers,
    Site,
    Visit,
    ask,
    free_port,
    make_site,
    open_widget,
    owners_site,
    ragsell_serve,
    wait_for,
    widget_state,
)
from tests.chat.openai_chat_server import Failure, FakeOpenAIChat, Stall, serving

QUESTION = "When is the shop open?"
APOLOGY = "Sorry, I can't answer right now. Please try again in a moment, or leave your contact details."
# The OpenAI SDK tries three times (it retries a 500 twice) before the model counts as unavailable.
DOWN = [Failure(status=500)] * 3
WARNING = f"{PANEL} .note.warn"
LEAVE_DETAILS = f"{PANEL} .note button:has-text('Leave your details')"
TRY_AGAIN = f"{WARNING} button:has-text('Try again')"
OFFER = "Would you like someone from the team to contact you?"
UNANSWERED = "This question was not answered."


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeOpenAIChat]:
    with serving(FakeOpenAIChat()) as fake:
        yield fake


@pytest.fixture(scope="module")
def model_servers(fake_model: FakeOpenAIChat, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A ragsell answering with the fake model, for which a second of silence mid-answer is a failure."""
    port = free_port()
    with (
        owners_site(f"http://127.0.0.1:{port}") as servers,
        ragsell_serve(
            port,
            tmp_path_factory.mktemp("ragsell-model-failure"),
            RAGSELL_ANSWERS="openai",
            OPENAI_API_KEY="test",
            RAGSELL_OPENAI_BASE_URL=fake_model.base_url,
            RAGSELL_ANSWER_DEADLINE_SECONDS="5",
            RAGSELL_ANSWER_STALL_SECONDS="1",
        ),
    ):
        yield servers


@pytest.fixture(scope="module")
def site(model_servers: Servers) -> Site:
    return make_site(model_servers, "mo@acme.example", SNIPPETS)


@pytest.fixture
def model(fake_model: FakeOpenAIChat) -> Iterator[FakeOpenAIChat]:
    """The fake model, healthy and with no requests yet, put back as it was after the test."""
    fake_model.requests.clear()
    fake_model.hung_up.clear()
    pieces = fake_model.pieces
    yield fake_model
    fake_model.script.clear()
    fake_model.pieces = pieces


def ask_without_waiting(visit: Visit, question: str) -> None:
    visit.page.locator(INPUT).fill(question)
    visit.page.locator(INPUT).press("Enter")


def stored_messages(site: Site, visit: Visit) -> list[tuple[str, str]]:
    conversation_id = widget_state(visit, site)["c"]
    transcript = site.owner.get(f"/api/sites/{site.id}/conversations/{conversation_id}")
    return [(message["role"], message["text"]) for message in transcript["messages"]]


def test_when_the_model_fails_the_visitor_is_told_and_can_leave_their_details(
    model_servers: Servers, site: Site, model: FakeOpenAIChat, visit: Visit
) -> None:
    model.script = list(DOWN)
    open_widget(visit, model_servers.host_url(site.key))
    page = visit.page

    ask_without_waiting(visit, QUESTION)

    expect(page.locator(WARNING)).to_contain_text(APOLOGY)
    expect(page.locator(TRY_AGAIN)).to_be_visible()
    expect(page.locator(ANSWERS)).to_have_count(1)  # the greeting, and no answer
    # One offer: the apology itself, with both of its actions; no second prompt.
    expect(page.locator(f"{PANEL} .note")).to_have_count(1)
    expect(page.locator(f"{WARNING} button")).to_have_text(["Try again", "Leave your details"])
    expect(page.locator(f"{PANEL} .log")).not_to_contain_text(OFFER)
    assert len(model.requests) == 3
    page.locator(LEAVE_DETAILS).click()
    lead = page.locator(LEAD)
    expect(lead.locator("#rs-name")).to_be_focused()
    lead.locator("#rs-name").fill("Mia")
    lead.locator("#rs-email").fill("mia@example.com")
    lead.locator("button[type=submit]").click()

    expect(lead).to_be_hidden()
    expect(page.locator(f"{PANEL} .note").last).to_have_text("Thank you, Mia! The team will get back to you soon.")
    leads = site.owner.get(f"/api/sites/{site.id}/leads")
    assert [(x["name"], x["conversationId"]) for x in leads if x["email"] == "mia@example.com"] == [
        ("Mia", widget_state(visit, site)["c"])
    ]
    assert visit.errors == []


def test_an_answer_that_stalls_part_way_is_withdrawn_and_not_stored(
    model_servers: Servers, site: Site, model: FakeOpenAIChat, visit: Visit
) -> None:
    model.script = [Stall(pieces=["We open Monday to Friday ", "from"])]
    open_widget(visit, model_servers.host_url(site.key))
    page = visit.page

    ask_without_waiting(visit, QUESTION)

    # The beginning shows while it streams, with a sign that more is coming (still, when the visitor
    # asks for less motion) and kept from screen readers until it ends; then it gives way to the
    # apology when the model goes quiet.
    streaming = page.locator(ANSWERS).nth(1)
    writing = streaming.locator(".typing")
    expect(streaming).to_contain_text("We open Monday to Friday")
    expect(streaming).to_have_attribute("aria-busy", "true")
    expect(writing).to_be_visible()
    expect(writing).to_have_attribute("aria-hidden", "true")
    expect(writing.locator("i").first).to_have_css("animation-name", "rs-dot")
    page.emulate_media(reduced_motion="reduce")
    expect(writing.locator("i").first).to_have_css("animation-name", "none")
    expect(page.locator(WARNING)).to_contain_text(APOLOGY)
    expect(page.locator(f"{PANEL} .log")).not_to_contain_text("We open Monday to Friday")
    expect(page.locator(ANSWERS)).to_have_count(1)
    expect(page.locator(TRY_AGAIN)).to_be_visible()
    expect(page.locator(LEAVE_DETAILS)).to_be_visible()
    assert model.hung_up.wait(5), "ragsell kept the stalled stream open"
    assert stored_messages(site, visit) == [("visitor", QUESTION)]
    assert visit.errors == []


def test_trying_again_once_the_model_is_back_gives_the_answer_and_no_offer_is_left(
    model_servers: Servers, site: Site, model: FakeOpenAIChat, visit: Visit
) -> None:
    model.script = DOWN * 2
    model.pieces = ["We open Monday to Friday, ", "from 9am to 5pm."]
    open_widget(visit, model_servers.host_url(site.key))
    page = visit.page
    ask_without_waiting(visit, QUESTION)
    expect(page.locator(WARNING)).to_contain_text(APOLOGY)

    # Still down: the second apology takes the place of the first, offers and all.
    page.locator(TRY_AGAIN).click()
    expect(page.locator(WARNING)).to_contain_text(APOLOGY)
    wait_for(lambda: len(model.requests) == 6, what="the second try")
    expect(page.locator(WARNING)).to_have_count(1)
    expect(page.locator(LEAVE_DETAILS)).to_have_count(1)

    page.locator(TRY_AGAIN).click()

    answer = page.locator(f"{ANSWERS}:has(.rate)")
    expect(answer).to_contain_text("We open Monday to Friday, from 9am to 5pm.")
    expect(page.locator(f"{PANEL} .note")).to_have_count(0)
    expect(page.locator(f"{PANEL} .msg.me")).to_have_count(1)
    # Once the answer is done, nothing says more is coming and screen readers may read it.
    expect(page.locator(f"{PANEL} .typing")).to_have_count(0)
    expect(answer).not_to_have_attribute("aria-busy", "true")
    assert len(model.requests) == 7
    assert stored_messages(site, visit) == [
        ("visitor", QUESTION),
        ("assistant", "We open Monday to Friday, from 9am to 5pm."),
    ]
    assert visit.errors == []


def test_after_a_reload_an_unanswered_question_can_be_asked_again(
    model_servers: Servers, site: Site, model: FakeOpenAIChat, visit: Visit
) -> None:
    model.script = list(DOWN)
    model.pieces = ["We open Monday to Friday, ", "from 9am to 5pm."]
    open_widget(visit, model_servers.host_url(site.key))
    page = visit.page
    ask_without_waiting(visit, QUESTION)
    expect(page.locator(WARNING)).to_contain_text(APOLOGY)

    open_widget(visit, model_servers.host_url(site.key))

    # The apology was not kept: a short note says what happened, with the same two actions.
    expect(page.locator(f"{PANEL} .msg.me")).to_have_text([f"You: {QUESTION}"])
    expect(page.locator(WARNING)).to_have_count(1)
    expect(page.locator(WARNING)).to_contain_text(UNANSWERED)
    expect(page.locator(f"{WARNING} button")).to_have_text(["Try again", "Leave your details"])
    expect(page.locator(f"{PANEL} .log")).not_to_contain_text(OFFER)
    page.locator(TRY_AGAIN).click()

    expect(page.locator(f"{ANSWERS}:has(.rate)")).to_contain_text("We open Monday to Friday, from 9am to 5pm.")
    expect(page.locator(f"{PANEL} .msg.me")).to_have_count(1)
    expect(page.locator(f"{PANEL} .note")).to_have_count(0)
    # Asked again under its first id, the stored question is answered, not stored twice.
    answer = ("assistant", "We open Monday to Friday, from 9am to 5pm.")
    assert stored_messages(site, visit) == [("visitor", QUESTION), answer]

    # Asked again and answered, the question shows once, with its answer.
    open_widget(visit, model_servers.host_url(site.key))
    expect(page.locator(f"{ANSWERS}:has(.rate)")).to_contain_text("We open Monday to Friday, from 9am to 5pm.")
    expect(page.locator(f"{PANEL} .msg.me")).to_have_text([f"You: {QUESTION}"])
    expect(page.locator(f"{PANEL} .note")).to_have_count(0)
    assert visit.errors == []


def test_a_failed_question_the_visitor_moves_on_from_keeps_a_note_without_offers(
    model_servers: Servers, site: Site, model: FakeOpenAIChat, visit: Visit
) -> None:
    model.script = list(DOWN)
    model.pieces = ["Gift wrapping costs 5 euros."]
    open_widget(visit, model_servers.host_url(site.key))
    page = visit.page
    ask_without_waiting(visit, QUESTION)
    expect(page.locator(WARNING)).to_contain_text(APOLOGY)

    ask(visit, "How much does gift wrapping cost?")

    # Its actions belonged to the latest exchange: the apology stays, the offers go.
    expect(page.locator(WARNING)).to_have_text(APOLOGY)
    expect(page.locator(f"{PANEL} .note button")).to_have_count(0)
    expect(page.locator(f"{PANEL} .log")).not_to_contain_text(OFFER)

    open_widget(visit, model_servers.host_url(site.key))
    expect(page.locator(f"{PANEL} .msg.me")).to_have_count(2)
    expect(page.locator(f"{PANEL} .note")).to_have_text([UNANSWERED])
    expect(page.locator(f"{PANEL} .note button")).to_have_count(0)
    # The note sits under the question it is about.
    expect(page.locator(f"{PANEL} .msg.me + .note")).to_have_text([UNANSWERED])
    assert visit.errors == []
