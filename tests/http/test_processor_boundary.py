"""Data goes only to the processors that are configured: a whole conversation (sign-up,
site, knowledge, widget, page view, answer, lead) runs in-process on MongoDB while every
outbound connection and name lookup the process attempts is recorded (a Python audit
hook); only the store, and the configured providers' endpoints, may be contacted."""

import contextlib
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
from dishka import Provider, Scope, provide

from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.usage.change_plan import ChangePlan
from ragsell.entrypoints.di import make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.settings import Embeddings, Settings, Store, load_settings
from ragsell.entrypoints.store import store_provider
from tests.embeddings.openai_server import FakeOpenAI, serving
from tests.fakes.cartesia import FakeCartesia
from tests.fakes.deepgram import FakeDeepgram
from tests.http.conftest import BASE_URL, browser, sign_up
from tests.http.sse import answer_text, parse_events
from tests.http.test_widget_voice import recording

SITE_ORIGIN = "https://acme.example"
FROM_SITE = {"origin": SITE_ORIGIN}

# Audit hooks cannot be removed: the hook is installed once and records only while a
# test has put a list here.
_attempts: list[tuple[str, Any]] | None = None
_installed = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _attempts is None:
        return
    if event == "socket.connect":
        _attempts.append(("connect", args[1]))
    elif event == "socket.getaddrinfo":
        _attempts.append(("lookup", (args[0], args[1])))


@contextlib.contextmanager
def outbound_attempts() -> Iterator[list[tuple[str, Any]]]:
    global _attempts, _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    _attempts = []
    try:
        yield _attempts
    finally:
        _attempts = None


class QuickHasher(Provider):
    scope = Scope.APP

    @provide
    async def hasher(self) -> AsyncIterator[PasswordHasher]:
        hasher = Argon2PasswordHasher(memory_kib=1024, time_cost=1)
        yield hasher
        hasher.close()


def _endpoint(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return str(parts.hostname), int(parts.port or 0)


async def _conversation(settings: Settings, mongo_uri: str, *, voice: bool = False) -> str:
    """Everything a site's owner and visitor do (with ``voice``, a question asked by voice
    too); returns the answer the visitor got."""
    mongo = msgspec.structs.replace(settings, mongodb_database=f"boundary_{uuid.uuid4().hex}", store=Store.MONGO)
    container = make_container(mongo, store=store_provider(mongo, mongo_uri), overrides=[QuickHasher()])
    app = create_app(mongo, container)
    try:
        async with browser(app) as owner_client, browser(app) as visitor_client:
            owner = await sign_up(owner_client)
            site = await owner.add_site()
            await owner.add_snippet(site["id"], "Hours", "We are open Monday to Friday from 9am to 5pm.")
            base = f"/widget/v1/sites/{site['widgetKey']}"
            visitor = str(uuid.uuid4())
            assert (await visitor_client.get(f"{base}/config", headers=FROM_SITE)).status_code == 200
            view = {"visitorId": visitor, "url": f"{SITE_ORIGIN}/pricing", "referrer": None}
            assert (await visitor_client.post(f"{base}/page-views", json=view, headers=FROM_SITE)).status_code == 204
            started = await visitor_client.post(f"{base}/conversations", json={"visitorId": visitor}, headers=FROM_SITE)
            conversation = started.json()["conversationId"]
            question = {"visitorId": visitor, "clientMessageId": str(uuid.uuid4()), "text": "When are you open?"}
            answer = await visitor_client.post(
                f"{base}/conversations/{conversation}/messages", json=question, headers=FROM_SITE
            )
            lead = {"visitorId": visitor, "name": "Bob", "email": "bob@example.com", "kind": "message", "message": "Hi"}
            assert (await visitor_client.post(f"{base}/leads", json=lead, headers=FROM_SITE)).status_code == 201
            if voice:
                async with container(scope=Scope.REQUEST) as request:
                    await (await request.get(ChangePlan))("ann@example.com", "starter")
                await owner.client.patch(f"/api/sites/{site['id']}", json={"voiceEnabled": True}, headers=owner.csrf)
                spoken = await visitor_client.post(
                    f"{base}/conversations/{conversation}/voice-turns",
                    content=recording(),
                    headers={
                        **FROM_SITE,
                        "content-type": "audio/wav",
                        "x-visitor-id": visitor,
                        "x-client-message-id": str(uuid.uuid4()),
                    },
                )
                return answer_text(parse_events(spoken.text))
            return answer_text(parse_events(answer.text))
    finally:
        await container.close()


def _contacted(attempts: list[tuple[str, Any]]) -> set[tuple[str, int]]:
    return {(str(address[0]), int(address[1])) for kind, address in attempts if isinstance(address, tuple)}


async def test_with_the_offline_defaults_nothing_but_the_store_is_contacted(mongo_uri: str) -> None:
    settings = load_settings({}, public_url=BASE_URL)

    with outbound_attempts() as attempts:
        answer = await _conversation(settings, mongo_uri)

    assert answer.startswith("We are open Monday to Friday")
    store = _endpoint(mongo_uri)
    assert _contacted(attempts) - {(store[0], 0)} == {store}


async def test_with_cloud_embeddings_only_their_endpoint_and_the_store_are_contacted(mongo_uri: str) -> None:
    with serving(FakeOpenAI()) as fake:
        cloud = {"embeddings": Embeddings.OPENAI, "openai_api_key": "sk-test", "openai_embedding_dimensions": 64}
        settings = load_settings({}, public_url=BASE_URL, openai_base_url=fake.base_url, **cloud)

        with outbound_attempts() as attempts:
            await _conversation(settings, mongo_uri)

        assert fake.requests, "the embeddings provider was used"
    store, provider = _endpoint(mongo_uri), _endpoint(fake.base_url)
    assert _contacted(attempts) - {(store[0], 0), (provider[0], 0)} == {store, provider}


async def test_with_voice_only_the_speech_services_and_the_store_are_contacted(mongo_uri: str) -> None:
    with FakeDeepgram() as deepgram, FakeCartesia() as cartesia:
        deepgram.transcript = "When are you open?"
        speech = {"deepgram_api_key": deepgram.api_key, "cartesia_api_key": cartesia.api_key}
        settings = load_settings(
            {},
            public_url=BASE_URL,
            deepgram_base_url=deepgram.url,
            cartesia_base_url=cartesia.url,
            voice_allow_loopback=True,
            **speech,
        )

        with outbound_attempts() as attempts:
            answer = await _conversation(settings, mongo_uri, voice=True)

        assert deepgram.requests and cartesia.requests, "the speech services were used"
    assert answer.startswith("We are open Monday to Friday")
    endpoints = {_endpoint(mongo_uri), _endpoint(deepgram.url), _endpoint(cartesia.url)}
    assert _contacted(attempts) - {(host, 0) for host, _ in endpoints} == endpoints


@pytest.mark.parametrize("event", ["socket.connect", "socket.getaddrinfo"])
def test_the_recorder_sees_connections_and_lookups(event: str) -> None:
    with outbound_attempts() as attempts, socket.socket() as probe:
        probe.settimeout(0.2)
        with contextlib.suppress(OSError):
            if event == "socket.connect":
                probe.connect(("127.0.0.1", 9))
            else:
                socket.getaddrinfo("localhost", 9)

    assert attempts, event
