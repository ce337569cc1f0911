"""A real SMTP server on 127.0.0.1 (aiosmtpd, in a thread of its own) that keeps what it
receives, optionally asking for a user name and password."""

import contextlib
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME = "ragsell"
PASSWORD = "mail server secret"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    # Recipients answered with 550.
    unknown: set[str] = field(default_factory=set)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self._server.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or b"", policy=default)
        assert isinstance(message, EmailMessage)
        self._server.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USERNAME.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_server(*, with_auth: bool = False) -> Iterator[SmtpServer]:
    server = SmtpServer(host="127.0.0.1", port=free_port())
    options = {"authenticator": _authenticate, "auth_required": True, "auth_require_tls": False} if with_auth else {}
    controller = Controller(_Handler(server), hostname=server.host, port=server.port, ready_timeout=5, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
