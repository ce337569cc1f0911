"""Voice is off by default: without the speech services' keys the widget offers no
microphone even on a site whose owner turned voice on, the voice API refuses, and the
dashboard names the settings that turn it on."""

import uuid

from dishka import Scope
from litestar import Litestar

from ragsell.application.usage.change_plan import ChangePlan
from tests.http.conftest import Owner
from tests.http.pages import submit
from tests.http.widget_visitor import FROM_SITE, SITE_ORIGIN, Visitor

SETTING_NAMES = ("RAGSELL_DEEPGRAM_API_KEY", "RAGSELL_CARTESIA_API_KEY", "RAGSELL_LIVEKIT_URL")


async def test_without_keys_a_voice_enabled_site_offers_no_voice_and_says_what_turns_it_on(
    app: Litestar, owner: Owner, new_client
) -> None:
    site = await owner.add_site()
    async with app.state.dishka_container(scope=Scope.REQUEST) as request:
        await (await request.get(ChangePlan))("ann@example.com", "starter")
    await owner.client.patch(
        f"/api/sites/{site['id']}", json={"allowedOrigins": [SITE_ORIGIN], "voiceEnabled": True}, headers=owner.csrf
    )
    visitor = Visitor(await new_client(), site["widgetKey"])
    conversation_id = await visitor.start()

    config = (await visitor.client.get(f"/widget/v1/sites/{visitor.key}/config", headers=FROM_SITE)).json()
    turn = await visitor.client.post(
        f"/widget/v1/sites/{visitor.key}/conversations/{conversation_id}/voice-turns",
        content=b"RIFF....WAVE",
        headers={
            **FROM_SITE,
            "content-type": "audio/wav",
            "x-visitor-id": visitor.id,
            "x-client-message-id": str(uuid.uuid4()),
        },
    )
    call = await visitor.client.post(
        f"/widget/v1/sites/{visitor.key}/conversations/{conversation_id}/voice-calls",
        json={"visitorId": visitor.id},
        headers=FROM_SITE,
    )
    page = (await owner.client.get(f"/sites/{site['id']}/settings")).text

    assert (config["voiceEnabled"], config["voiceCalls"]) == (False, False)
    assert (turn.status_code, turn.json()["code"]) == (403, "voice_off")
    assert (call.status_code, call.json()["code"]) == (403, "voice_off")
    assert 'id="voice-off"' in page and all(name in page for name in SETTING_NAMES)


async def test_an_owner_sets_the_sites_voice_in_the_settings_page(owner: Owner) -> None:
    site = await owner.add_site()
    form = {"name": "Acme", "assistantName": "Assistant", "colour": "#2563eb", "greeting": "Hi!"}
    form |= {"position": "bottom-right", "language": "en", "tone": "friendly", "schedule": "weekly"}
    form |= {"voiceEnabled": "on", "voiceId": "694f9389-aac1-45b6-b726-9d9369183238", "voiceModel": "sonic-2"}

    saved = await submit(owner.client, f"/sites/{site['id']}/settings", form)
    refused = await submit(owner.client, f"/sites/{site['id']}/settings", form | {"voiceId": "<b>bad</b>"})

    stored = (await owner.client.get(f"/api/sites/{site['id']}")).json()
    assert saved.status_code == 303, saved.text
    assert refused.status_code == 422 and "Use the id exactly as the speech provider shows it." in refused.text
    assert stored["voiceEnabled"] is True
    assert stored["voice"] == {"voiceId": "694f9389-aac1-45b6-b726-9d9369183238", "model": "sonic-2"}
