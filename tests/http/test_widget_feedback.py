"""Thumbs up or down on an answer, through the real app: kept with the reply, shown to the
owner, and only ever set by the visitor who got the answer."""

import uuid

import httpx
import pytest

from tests.http.conftest import Owner, sign_up
from tests.http.sse import parse_events

SITE_ORIGIN = "https://acme.example"
FROM_SITE = {"origin": SITE_ORIGIN}


class Visitor:
    def __init__(self, client: httpx.AsyncClient, site: dict) -> None:
        self.client = client
        self.base = f"/widget/v1/sites/{site['widgetKey']}"
        self.id = str(uuid.uuid4())

    async def ask(self, text: str) -> tuple[str, str]:
        """A new conversation with one question: its id and the answer's message id."""
        started = await self.client.post(f"{self.base}/conversations", json={"visitorId": self.id}, headers=FROM_SITE)
        conversation_id = started.json()["conversationId"]
        answer = await self.client.post(
            f"{self.base}/conversations/{conversation_id}/messages",
            json={"visitorId": self.id, "clientMessageId": str(uuid.uuid4()), "text": text},
            headers=FROM_SITE,
        )
        return conversation_id, parse_events(answer.text)[-1][1]["messageId"]

    async def rate(self, conversation_id: str, message_id: str, rating: str, *, base: str | None = None):
        return await self.client.post(
            f"{base or self.base}/conversations/{conversation_id}/messages/{message_id}/feedback",
            json={"visitorId": self.id, "rating": rating},
            headers=FROM_SITE,
        )

    async def history(self, conversation_id: str) -> list[dict]:
        response = await self.client.get(
            f"{self.base}/conversations/{conversation_id}", headers={**FROM_SITE, "x-visitor-id": self.id}
        )
        return response.json()["messages"]


@pytest.fixture
async def site(owner: Owner) -> dict:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    return site


async def test_a_visitor_rates_an_answer_and_may_change_their_mind(owner: Owner, site: dict, new_client) -> None:
    visitor = Visitor(await new_client(), site)
    conversation_id, answer_id = await visitor.ask("Can I return an item?")

    assert (await visitor.rate(conversation_id, answer_id, "up")).status_code == 204
    assert (await visitor.rate(conversation_id, answer_id, "down")).status_code == 204

    assert [m["feedback"] for m in await visitor.history(conversation_id)] == [None, "down"]
    transcript = await owner.client.get(f"/api/sites/{site['id']}/conversations/{conversation_id}")
    assert [(m["role"], m["feedback"]) for m in transcript.json()["messages"]] == [
        ("visitor", None),
        ("assistant", "down"),
    ]


async def test_only_the_visitor_who_got_the_answer_can_rate_it(site: dict, new_client) -> None:
    visitor = Visitor(await new_client(), site)
    conversation_id, answer_id = await visitor.ask("Can I return an item?")
    stranger = Visitor(await new_client(), site)

    refused = await stranger.rate(conversation_id, answer_id, "down")

    assert refused.status_code == 404
    assert [m["feedback"] for m in await visitor.history(conversation_id)] == [None, None]


async def test_a_visitors_own_message_cannot_be_rated(site: dict, new_client) -> None:
    visitor = Visitor(await new_client(), site)
    conversation_id, _ = await visitor.ask("Can I return an item?")
    question_id = (await visitor.history(conversation_id))[0]["id"]

    assert (await visitor.rate(conversation_id, question_id, "up")).status_code == 404


async def test_an_answer_cannot_be_rated_through_another_sites_widget(site: dict, new_client) -> None:
    # Another owner's site on the same origin: its widget key must not reach this conversation.
    other = await (await sign_up(await new_client(), email="bo@example.com")).add_site(name="Other")
    visitor = Visitor(await new_client(), site)
    conversation_id, answer_id = await visitor.ask("Can I return an item?")

    response = await visitor.rate(conversation_id, answer_id, "up", base=f"/widget/v1/sites/{other['widgetKey']}")

    assert response.status_code == 404
    assert [m["feedback"] for m in await visitor.history(conversation_id)] == [None, None]


async def test_a_rating_is_up_or_down(site: dict, new_client) -> None:
    visitor = Visitor(await new_client(), site)
    conversation_id, answer_id = await visitor.ask("Can I return an item?")

    assert (await visitor.rate(conversation_id, answer_id, "meh")).status_code == 400
