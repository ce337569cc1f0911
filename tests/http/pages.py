"""Helpers for the dashboard pages' HTTP tests: form posts as a browser makes them, and a
visitor planting text through the widget API."""

import re
import uuid

import httpx

from tests.http.conftest import BASE_URL, Owner

# What Chromium sends with a form post from one of ragsell's own pages.
SAME_ORIGIN = {"origin": BASE_URL, "sec-fetch-site": "same-origin"}
FROM_SITE = {"origin": "https://acme.example"}
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


async def page_token(client: httpx.AsyncClient, path: str = "/sites") -> str:
    """The CSRF token a page puts into its forms."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    match = _CSRF_FIELD.search(page.text)
    assert match is not None
    return match.group(1)


async def submit(
    client: httpx.AsyncClient, path: str, data: dict, *, headers: dict | None = None, token: str | None = None
) -> httpx.Response:
    """Posts a form the way a page of ragsell's would, with its CSRF field."""
    fields = {"csrf_token": token if token is not None else await page_token(client), **data}
    return await client.post(path, data=fields, headers=SAME_ORIGIN if headers is None else headers)


class PlantingVisitor:
    """A visitor writing through the widget API on the site https://acme.example."""

    def __init__(self, client: httpx.AsyncClient, widget_key: str) -> None:
        self.client = client
        self.base = f"/widget/v1/sites/{widget_key}"
        self.id = str(uuid.uuid4())

    async def view(self, url: str, referrer: str | None) -> httpx.Response:
        body = {"visitorId": self.id, "url": url, "referrer": referrer}
        return await self.client.post(f"{self.base}/page-views", json=body, headers=FROM_SITE)

    async def converse(self, text: str) -> str:
        started = await self.client.post(f"{self.base}/conversations", json={"visitorId": self.id}, headers=FROM_SITE)
        conversation_id = started.json()["conversationId"]
        body = {"visitorId": self.id, "clientMessageId": str(uuid.uuid4()), "text": text}
        answered = await self.client.post(
            f"{self.base}/conversations/{conversation_id}/messages", json=body, headers=FROM_SITE
        )
        assert answered.status_code == 200, answered.text
        return conversation_id

    async def leave_lead(self, conversation_id: str | None, **details: str) -> httpx.Response:
        body = {"visitorId": self.id, "conversationId": conversation_id, "kind": "message", **details}
        return await self.client.post(f"{self.base}/leads", json=body, headers=FROM_SITE)


async def site_of(owner: Owner) -> dict:
    return await owner.add_site()
