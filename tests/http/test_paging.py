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


async def test_owners_find_conversations_by_what_was_said(owner: Owner, new_client) -> None:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Returns", "You can return any item within 30 days for a full refund.")
    visitor = await new_client()
    base = f"/widget/v1/sites/{site['widgetKey']}"
    origin = {"origin": "https://acme.example"}
    asked = {}
    for question in ("Can I get a refund?", "Do you deliver on Sundays?"):
        visitor_id = str(uuid.uuid4())
        started = await visitor.post(f"{base}/conversations", json={"visitorId": visitor_id}, headers=origin)
        conversation_id = started.json()["conversationId"]
        await visitor.post(
            f"{base}/conversations/{conversation_id}/messages",
            json={"visitorId": visitor_id, "clientMessageId": str(uuid.uuid4()), "text": question},
            headers=origin,
        )
        asked[question] = conversation_id

    found = await owner.client.get(f"/api/sites/{site['id']}/conversations", params={"q": "REFUND"})
    assert [item["id"] for item in found.json()] == [asked["Can I get a refund?"]]
    page = await owner.client.get(f"/sites/{site['id']}/conversations", params={"q": "refund"})
    assert page.status_code == 200
    assert asked["Can I get a refund?"] in page.text
    assert asked["Do you deliver on Sundays?"] not in page.text
    too_short = await owner.client.get(f"/api/sites/{site['id']}/conversations", params={"q": "r"})
    assert (too_short.status_code, too_short.json()["field"]) == (422, "q")
