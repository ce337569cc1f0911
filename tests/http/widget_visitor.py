"""A visitor on an owner's site, through the widget API: page views, questions, leads."""

import uuid

import httpx

from tests.http.sse import parse_events

SITE_ORIGIN = "https://acme.example"
FROM_SITE = {"origin": SITE_ORIGIN}


class Visitor:
    def __init__(self, client: httpx.AsyncClient, widget_key: str) -> None:
        self.client = client
        self.key = widget_key
        self.id = str(uuid.uuid4())

    async def view(self, url: str, *, origin: str = SITE_ORIGIN) -> None:
        response = await self.client.post(
            f"/widget/v1/sites/{self.key}/page-views",
            json={"visitorId": self.id, "url": url, "referrer": None},
            headers={"origin": origin},
        )
        assert response.status_code == 204, response.text

    async def start(self) -> str:
        response = await self.client.post(
            f"/widget/v1/sites/{self.key}/conversations", json={"visitorId": self.id}, headers=FROM_SITE
        )
        assert response.status_code == 201, response.text
        return str(response.json()["conversationId"])

    async def ask(self, conversation_id: str, text: str) -> dict:
        """The answer's done event: {messageId, answered}."""
        response = await self.client.post(
            f"/widget/v1/sites/{self.key}/conversations/{conversation_id}/messages",
            json={"visitorId": self.id, "clientMessageId": str(uuid.uuid4()), "text": text},
            headers=FROM_SITE,
        )
        name, done = parse_events(response.text)[-1]
        assert name == "done", response.text
        return done

    async def rate(self, conversation_id: str, message_id: str, rating: str) -> None:
        response = await self.client.post(
            f"/widget/v1/sites/{self.key}/conversations/{conversation_id}/messages/{message_id}/feedback",
            json={"visitorId": self.id, "rating": rating},
            headers=FROM_SITE,
        )
        assert response.status_code == 204, response.text

    async def leave_lead(self, conversation_id: str | None = None, **fields: str) -> dict:
        body = {
            "visitorId": self.id,
            "conversationId": conversation_id,
            "name": "Bob Stone",
            "email": "bob@example.com",
            "kind": "message",
            "message": "Please write to me.",
            "pageUrl": f"{SITE_ORIGIN}/pricing",
            **fields,
        }
        response = await self.client.post(f"/widget/v1/sites/{self.key}/leads", json=body, headers=FROM_SITE)
        assert response.status_code == 201, response.text
        return response.json()
