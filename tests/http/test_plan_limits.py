"""Plan limits reached through the widget: a clear 429, nothing half-done."""

import json
from pathlib import Path

import pytest

from ragsell.entrypoints.settings import Settings, load_settings
from tests.http.conftest import BASE_URL, Owner
from tests.http.test_widget_security import FROM_SITE, Visitor


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    plans = tmp_path / "plans.json"
    plans.write_text(
        json.dumps(
            {
                "default": "tiny",
                "plans": [
                    {"name": "tiny", "sites": 1, "pages": 10, "conversations": 2, "messages": 3, "voice_seconds": 0},
                    {"name": "big", "sites": 5, "pages": 10, "conversations": 50, "messages": 50, "voice_seconds": 0},
                ],
            }
        )
    )
    return load_settings({"RAGSELL_PLANS_FILE": str(plans)}, public_url=BASE_URL, store="memory")


@pytest.fixture
async def visitor(owner: Owner, new_client) -> Visitor:
    site = await owner.add_site()
    await owner.add_snippet(site["id"], "Shipping", "We ship worldwide within 3 business days.")
    return Visitor(await new_client(), site)


async def test_monthly_message_limit_gives_429_quota_exceeded(owner: Owner, visitor: Visitor) -> None:
    conversation_id = await visitor.start()
    statuses = [(await visitor.ask(conversation_id, f"Do you ship to country {n}?")).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await visitor.ask(conversation_id, "Do you ship to Mars?")
    assert refused.json()["code"] == "quota_exceeded"
    assert "messages" in refused.json()["message"]
    history = await visitor.client.get(
        f"{visitor.base}/conversations/{conversation_id}", headers={**FROM_SITE, "x-visitor-id": visitor.id}
    )
    assert len(history.json()["messages"]) == 6
    usage = {
        m["meter"]: (m["used"], m["limit"], m["nearLimit"])
        for m in (await owner.client.get("/api/usage")).json()["meters"]
    }
    assert usage["messages"] == (3, 3, True)


async def test_monthly_conversation_limit_gives_429(visitor: Visitor) -> None:
    await visitor.start()
    await visitor.start()
    response = await visitor.client.post(
        f"{visitor.base}/conversations", json={"visitorId": visitor.id}, headers=FROM_SITE
    )
    assert response.status_code == 429
    assert response.json()["code"] == "quota_exceeded"
