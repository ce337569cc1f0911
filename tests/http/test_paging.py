"""Dashboard lists page by (time, id), so items sharing a time are neither lost nor repeated."""

import uuid

from tests.http.conftest import Owner


async def test_conversations_with_the_same_time_page_through_one_by_one(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    visitor = await new_client()
    base = f"/widget/v1/sites/{site['widgetKey']}"
    started = {
        (
            await visitor.post(
                f"{base}/conversations",
                json={"visitorId": str(uuid.uuid4())},
                headers={"origin": "https://acme.example"},
            )
        ).json()["conversationId"]
        for _ in range(3)
    }
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 1}
    while page := (await owner.client.get(f"/api/sites/{site['id']}/conversations", params=params)).json():
        seen.extend(item["id"] for item in page)
        params = {"limit": 1, "before": page[-1]["lastMessageAt"], "beforeId": page[-1]["id"]}
    assert sorted(seen) == sorted(started)
