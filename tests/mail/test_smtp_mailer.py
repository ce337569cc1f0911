"""The SMTP mailer against a real SMTP server on 127.0.0.1."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from ragsell.adapters.smtp.mailer import DisabledMailer, SmtpConfig, SmtpMailer, SmtpSecurity
from ragsell.application.ports.mail import DeliveryFailed, OutgoingEmail
from tests.mail.smtp_server import PASSWORD, USERNAME, SmtpServer, free_port, smtp_server

HELLO = OutgoingEmail(to="ann@example.com", subject="New lead on Café Ünïcode", text="Grüße from Zoë.\nBye.\n")


def mailer(server: SmtpServer, **options: object) -> SmtpMailer:
    settings: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "sender": "Acme assistant <noreply@acme.example>",
        "security": SmtpSecurity.NONE,
        **options,
    }
    return SmtpMailer(SmtpConfig(**settings))  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


async def test_a_message_arrives_with_its_headers_and_text(server: SmtpServer) -> None:
    await mailer(server).send(HELLO)

    (received,) = server.received
    message = received.message
    assert (received.sender, received.recipients) == ("noreply@acme.example", ["ann@example.com"])
    assert message["From"] == "Acme assistant <noreply@acme.example>"
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "New lead on Café Ünïcode"
    assert message.get_content().replace("\r\n", "\n") == "Grüße from Zoë.\nBye.\n"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@acme.example>")
    assert message["Date"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_a_user_name_and_password_are_sent_when_configured() -> None:
    with smtp_server(with_auth=True) as server:
        with pytest.raises(DeliveryFailed) as refused:
            await mailer(server).send(HELLO)
        with pytest.raises(DeliveryFailed) as wrong:
            await mailer(server, username=USERNAME, password="wrong").send(HELLO)
        await mailer(server, username=USERNAME, password=PASSWORD).send(HELLO)

    assert len(server.received) == 1
    assert not refused.value.permanent
    assert "user name or password" in wrong.value.reason and not wrong.value.permanent


async def test_starttls_that_the_server_does_not_offer_is_not_skipped(server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(server, security=SmtpSecurity.STARTTLS).send(HELLO)

    assert "STARTTLS" in failed.value.reason and not failed.value.permanent
    assert server.received == []


async def test_a_refused_recipient_is_a_permanent_failure(server: SmtpServer) -> None:
    server.unknown.add("ann@example.com")

    with pytest.raises(DeliveryFailed) as failed:
        await mailer(server).send(HELLO)

    assert failed.value.permanent and "recipient" in failed.value.reason


async def test_a_header_that_would_inject_another_is_refused_before_connecting(server: SmtpServer) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await mailer(server).send(OutgoingEmail(to="ann@example.com", subject="Hi\r\nBcc: eve@evil.example", text="x"))

    assert failed.value.permanent and server.received == []


async def test_no_server_listening_is_a_failure_to_retry() -> None:
    closed = SmtpServer(host="127.0.0.1", port=free_port())

    with pytest.raises(DeliveryFailed) as failed:
        await mailer(closed).send(HELLO)

    assert not failed.value.permanent


@contextlib.contextmanager
def silent_server() -> Iterator[SmtpServer]:
    """Accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield SmtpServer(host="127.0.0.1", port=listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for connection in [*held, listener]:
            connection.close()


async def test_a_server_that_does_not_answer_times_out() -> None:
    with silent_server() as server:
        started = time.monotonic()
        with pytest.raises(DeliveryFailed) as failed:
            await mailer(server, timeout_seconds=0.3).send(HELLO)

    assert time.monotonic() - started < 3
    assert "did not answer within 0.3 s" in failed.value.reason and not failed.value.permanent


async def test_without_a_mail_server_nothing_is_sent() -> None:
    disabled = DisabledMailer()

    with pytest.raises(DeliveryFailed) as failed:
        await disabled.send(HELLO)

    assert disabled.enabled is False and failed.value.permanent
