"""The worker loop (run by ``ragsell worker`` and inside ``ragsell serve``) sends lead
notifications beside the crawls."""

import asyncio
from collections.abc import Iterator

import pytest
from litestar import Litestar

from ragsell.entrypoints.settings import Settings
from ragsell.entrypoints.worker import run_worker, stop_worker
from tests.http.conftest import Owner
from tests.http.outbound import mail_settings
from tests.http.widget_visitor import Visitor
from tests.mail.smtp_server import SmtpServer, smtp_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def settings(smtp: SmtpServer) -> Settings:
    return mail_settings(smtp)


async def test_the_worker_loop_emails_the_owner_about_a_new_lead(
    app: Litestar, owner: Owner, new_client, smtp: SmtpServer
) -> None:
    site = await owner.add_site()
    await Visitor(await new_client(), site["widgetKey"]).leave_lead(name="Bob Stone")
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(app.state.dishka_container, stop, name="test-worker"))
    try:
        for _ in range(200):
            if smtp.received:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await stop_worker(worker)

    assert [r.message["Subject"] for r in smtp.received] == ["New lead on Acme: Bob Stone"]
    log = (await owner.client.get(f"/api/sites/{site['id']}/notifications")).json()
    assert [(d["channel"], d["state"]) for d in log["deliveries"]] == [("email", "delivered")]
