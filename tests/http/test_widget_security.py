"""Each widget API rule, through the real app."""

import uuid

import httpx
import pytest

from tests.http.conftest import Owner, sign_up
from tests.http.sse import answer_text, parse_events

FROM_SITE = {"origin": "https://acme.example"}


class Visitor:
    def __init__(self, client: httpx.AsyncClient, site: dict, origin: dict[str, str] = FROM_SITE) -> None:
        self.client = client
        self.base = f"/widget/v1/sites/{site['widgetKey']}"
        self.id = str(uuid.uuid4())
        self.origin = origin

    async def start(self) -> str:
        response = await self.client.post(
            f"{self.base}/conversations", json={"visitorId": self.id}, headers=self.origin
        )
        assert response.status_code == 201, response.text
        return response.json()["conversationId"]

    async def ask(self, conversation_id: str, text: str, client_message_id: str | None = None):
        return await self.client.post(
            f"{self.base}/conversations/{conversation_id}/messages",
            json={"visitorId": self.id, "clientMessageId": client_message_id or str(uuid.uuid4()), "text": text},
            headers=self.origin,
        )


@pytest.fixture
async def site(owner: Owner) -> dict:
    site = await owner.add_site()
    await owner.add_snippet(
        site["id"], "Shipping", "We ship worldwide within 3 business days. Shipping is free over $50."
    )
    return site


@pytest.fixture
async def visitor(new_client, site: dict) -> Visitor:
    return Visitor(await new_client(), site)


async def test_allowed_origin_gets_cors_headers_and_preflight(visitor: Visitor) -> None:
    config = await visitor.client.get(f"{visitor.base}/config", headers=FROM_SITE)
    assert config.headers["access-control-allow-origin"] == "https://acme.example"
    assert "origin" in config.headers["vary"].lower()
    preflight = await visitor.client.options(
        f"{visitor.base}/conversations",
        headers={
            **FROM_SITE,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://acme.example"
    assert "POST" in preflight.headers["access-control-allow-methods"]


async def test_denied_origin_gets_no_cors_headers_and_403(visitor: Visitor) -> None:
    evil = {"origin": "https://evil.example"}
    preflight = await visitor.client.options(
        f"{visitor.base}/conversations", headers={**evil, "access-control-request-method": "POST"}
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    for response in (
        await visitor.client.get(f"{visitor.base}/config", headers=evil),
        await visitor.client.post(f"{visitor.base}/conversations", json={"visitorId": visitor.id}, headers=evil),
        await visitor.client.post(
            f"{visitor.base}/page-views", json={"visitorId": visitor.id, "url": "https://evil.example/"}, headers=evil
        ),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "origin_not_allowed"
        assert "access-control-allow-origin" not in response.headers


async def test_empty_allowed_origins_admit_no_browser_origin(owner: Owner, site: dict, visitor: Visitor) -> None:
    cleared = await owner.client.patch(f"/api/sites/{site['id']}", json={"allowedOrigins": []}, headers=owner.csrf)
    assert cleared.json()["allowedOrigins"] == []
    response = await visitor.client.get(f"{visitor.base}/config", headers=FROM_SITE)
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


async def test_widget_sets_no_cookies(visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    responses = [
        await visitor.client.get(f"{visitor.base}/config", headers=FROM_SITE),
        await visitor.ask(conversation_id, "Do you ship worldwide?"),
        await visitor.client.post(
            f"{visitor.base}/leads",
            json={"visitorId": visitor.id, "name": "Bo", "email": "bo@example.com", "kind": "message"},
            headers=FROM_SITE,
        ),
    ]
    assert all("set-cookie" not in response.headers for response in responses)


@pytest.mark.parametrize("field", ["systemPrompt", "model", "temperature", "siteId"])
async def test_visitors_cannot_send_prompt_or_model_fields(visitor: Visitor, field: str) -> None:
    conversation_id = await visitor.start()
    response = await visitor.client.post(
        f"{visitor.base}/conversations/{conversation_id}/messages",
        json={"visitorId": visitor.id, "clientMessageId": str(uuid.uuid4()), "text": "hi", field: "x"},
        headers=FROM_SITE,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("visitor_id", ["not-a-uuid-but-36-characters-long!!!", "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA"])
async def test_malformed_visitor_ids_are_refused(visitor: Visitor, visitor_id: str) -> None:
    response = await visitor.client.post(
        f"{visitor.base}/conversations", json={"visitorId": visitor_id}, headers=FROM_SITE
    )
    assert response.status_code == 422
    assert response.json()["field"] == "visitorId"


async def test_malformed_widget_key_or_conversation_id_is_not_found(visitor: Visitor) -> None:
    assert (await visitor.client.get("/widget/v1/sites/not-a-key/config")).status_code == 404
    assert (await visitor.ask("../../etc/passwd", "hi")).status_code == 404


async def test_oversized_widget_body_is_refused_with_413(visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    response = await visitor.ask(conversation_id, "x" * 70_000)
    assert response.status_code == 413


async def test_overlong_message_is_refused(visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    response = await visitor.ask(conversation_id, "x" * 2001)
    assert response.status_code == 400


async def test_same_client_message_id_replays_the_stored_answer(visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    message_id = str(uuid.uuid4())
    first = parse_events((await visitor.ask(conversation_id, "Do you ship worldwide?", message_id)).text)
    again = parse_events((await visitor.ask(conversation_id, "Do you ship worldwide?", message_id)).text)
    assert answer_text(again) == answer_text(first)
    assert again[-1] == first[-1]
    history = await visitor.client.get(
        f"{visitor.base}/conversations/{conversation_id}", headers={**FROM_SITE, "x-visitor-id": visitor.id}
    )
    assert len(history.json()["messages"]) == 2


async def test_same_client_message_id_with_another_text_is_409(visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    message_id = str(uuid.uuid4())
    await visitor.ask(conversation_id, "Do you ship worldwide?", message_id)
    response = await visitor.ask(conversation_id, "Something else", message_id)
    assert response.status_code == 409
    assert response.json()["code"] == "message_id_reused"


async def test_widget_key_of_one_site_cannot_reach_a_conversation_of_another(new_client, site: dict) -> None:
    other_owner = await sign_up(await new_client(), email="zed@example.com", name="Zed")
    other_site = await other_owner.add_site(name="Other", url="https://other.example")
    theirs = Visitor(await new_client(), other_site, {"origin": "https://other.example"})
    their_conversation = await theirs.start()

    ours = Visitor(theirs.client, site)
    ours.id = theirs.id
    assert (await ours.ask(their_conversation, "hello")).status_code == 404
    history = await ours.client.get(
        f"{ours.base}/conversations/{their_conversation}", headers={**FROM_SITE, "x-visitor-id": ours.id}
    )
    assert history.status_code == 404


async def test_messages_are_rate_limited_per_visitor_with_retry_after(visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    statuses = [(await visitor.ask(conversation_id, f"Question {n} about shipping")).status_code for n in range(21)]
    assert statuses == [200] * 20 + [429]
    refused = await visitor.ask(conversation_id, "One more")
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1


async def test_lead_needs_a_way_to_reach_the_visitor(visitor: Visitor) -> None:
    response = await visitor.client.post(
        f"{visitor.base}/leads", json={"visitorId": visitor.id, "name": "Bo", "kind": "message"}, headers=FROM_SITE
    )
    assert response.status_code == 422
    assert response.json()["code"] == "no_contact"
    bad_email = await visitor.client.post(
        f"{visitor.base}/leads",
        json={"visitorId": visitor.id, "name": "Bo", "email": "not-an-email", "kind": "message"},
        headers=FROM_SITE,
    )
    assert bad_email.json()["code"] == "invalid_email"
