"""Mail and webhooks through the real app: settings that point at a local SMTP server,
and a worker's turns at the lead notifications."""

from dishka import Scope
from litestar import Litestar

from ragsell.application.notifications.run_notifications import RunNotifications
from ragsell.domain.notifications import LeadNotification
from ragsell.entrypoints.settings import Settings, SmtpTls, load_settings
from tests.http.conftest import BASE_URL
from tests.mail.smtp_server import SmtpServer


def mail_settings(smtp: SmtpServer) -> Settings:
    """The harness's settings, with mail through ``smtp`` and webhooks allowed to 127.0.0.1."""
    return load_settings(
        {},
        public_url=BASE_URL,
        store="memory",
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        smtp_from="ragsell <noreply@testserver.local>",
        smtp_tls=SmtpTls.NONE,
        webhook_allow_loopback=True,
    )


async def send_notifications(app: Litestar) -> list[LeadNotification]:
    """What a worker does with the notifications due now, one turn each."""
    tried = []
    while True:
        async with app.state.dishka_container(scope=Scope.REQUEST) as request:
            sent = await (await request.get(RunNotifications)).run_next("test-worker")
        if sent is None:
            return tried
        tried.append(sent)
