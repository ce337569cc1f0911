"""A visitor who typed their address or number into the chat, and left no lead, is found
by it for an export and an erasure, through the real app on both stores."""

import uuid

import httpx

from tests.http.conftest import Owner
from tests.http.sse import parse_events

SITE_ORIGIN = "https://acme.example"


class ChatVisitor:
    """A visitor who only chats: no lead."""

    def __init__(self, client: httpx.AsyncClient, site: dict) -> None:
        self.client = client
        self.base = f"/widget/v1/sites/{site['widgetKey']}"
        self.id = str(uuid.uuid4())

    async def say(self, text: str) -> str:
        conversation_id = (await self.post("/conversations", {})).json()["conversationId"]
        answer = await self.post(
            f"/conversations/{conversation_id}/messages", {"clientMessageId": str(uuid.uuid4()), "text": text}
        )
        assert parse_events(answer.text)[-1][0] == "done", answer.text
        return conversation_id

    async def post(self, path: str, body: dict) -> httpx.Response:
        response = await self.client.post(
            f"{self.base}{path}", json={"visitorId": self.id, **body}, headers={"origin": SITE_ORIGIN}
        )
        assert response.status_code < 300, response.text
        return response


async def test_an_erasure_by_email_removes_the_conversation_of_a_visitor_who_only_typed_it(
    owner: Owner, new_client
) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    typist = ChatVisitor(await new_client(), site)
    await typist.say("Can I return an item? Write to Bob.Stone@Example.com")
    bystander = ChatVisitor(await new_client(), site)
    await bystander.say("Can I return an item? I am joe.bob.stone@example.com")

    exported = await owner.client.post(
        "/api/privacy/visitors/export", json={"email": "bob.stone@example.com"}, headers=owner.csrf
    )
    erased = await owner.client.post(
        "/api/privacy/visitors/erase", json={"email": "bob.stone@example.com"}, headers=owner.csrf
    )

    assert [found["visitorIds"] for found in exported.json()["sites"]] == [[typist.id]]
    assert erased.status_code == 200, erased.text
    assert (erased.json()["sites"], erased.json()["erased"]["conversations"], erased.json()["erased"]["leads"]) == (
        1,
        1,
        0,
    )
    conversations = (await owner.client.get(f"/api/sites/{site['id']}/conversations")).json()
    assert [c["visitorId"] for c in conversations] == [bystander.id]
    again = await owner.client.post(
        "/api/privacy/visitors/export", json={"email": "bob.stone@example.com"}, headers=owner.csrf
    )
    assert again.json()["sites"] == []
