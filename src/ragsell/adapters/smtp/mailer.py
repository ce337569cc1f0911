"""Email through an SMTP server (smtplib, in worker threads so the event loop never waits)."""

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from enum import StrEnum

import msgspec

from ragsell.application.ports.mail import DeliveryFailed, Mailer, OutgoingEmail


class SmtpSecurity(StrEnum):
    # Plain SMTP, upgraded to TLS with STARTTLS before anything else is said (port 587).
    STARTTLS = "starttls"
    # TLS from the first byte (port 465).
    SSL = "ssl"
    # No encryption: only for a mail server on the same machine or network.
    NONE = "none"


class SmtpConfig(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int
    # The From header: an address, or a name and an address ("ragsell <noreply@example.com>").
    sender: str
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    username: str = ""
    password: str = ""
    # For each step of the conversation (connect, each command).
    timeout_seconds: float = 20.0


class SmtpMailer(Mailer):
    enabled = True

    def __init__(self, config: SmtpConfig, *, connections: int = 4) -> None:
        self._config = config
        self._slots = asyncio.Semaphore(connections)
        self._tls = ssl.create_default_context()
        self._domain = parseaddr(config.sender)[1].rpartition("@")[2] or None

    async def send(self, email: OutgoingEmail) -> None:
        message = self._message(email)
        async with self._slots:
            await asyncio.to_thread(self._deliver, message)

    def _message(self, email: OutgoingEmail) -> EmailMessage:
        message = EmailMessage(policy=SMTP)
        try:
            message["From"] = self._config.sender
            message["To"] = email.to
            message["Subject"] = email.subject
        except ValueError:
            raise DeliveryFailed("The message has a header that cannot be sent.", permanent=True) from None
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._domain)
        # Tells mail servers and auto-responders that no person sent this (RFC 3834).
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(email.text)
        return message

    def _connect(self) -> smtplib.SMTP:
        config = self._config
        if config.security is SmtpSecurity.SSL:
            return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout_seconds, context=self._tls)
        return smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)

    def _deliver(self, message: EmailMessage) -> None:
        config = self._config
        try:
            with self._connect() as smtp:
                if config.security is SmtpSecurity.STARTTLS:
                    smtp.starttls(context=self._tls)
                if config.username:
                    smtp.login(config.username, config.password)
                smtp.send_message(message)
        except smtplib.SMTPNotSupportedError:
            raise DeliveryFailed("The mail server does not offer STARTTLS (RAGSELL_SMTP_TLS).") from None
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryFailed(f"The mail server refused the user name or password ({error.smtp_code}).") from None
        except smtplib.SMTPRecipientsRefused:
            raise DeliveryFailed("The mail server refused the recipient's address.", permanent=True) from None
        except smtplib.SMTPResponseException as error:
            # A 5xx answer to the message itself will not change; others (4xx, a refused sender) may.
            permanent = isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600
            raise DeliveryFailed(f"The mail server answered {error.smtp_code}.", permanent=permanent) from None
        except ssl.SSLError:
            raise DeliveryFailed("The TLS connection to the mail server failed.") from None
        except (TimeoutError, smtplib.SMTPServerDisconnected):
            # smtplib reports a read that timed out as a disconnection.
            raise DeliveryFailed(
                f"The mail server closed the connection or did not answer within {config.timeout_seconds:g} s."
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"Could not talk to the mail server ({type(error).__name__}).") from None


class DisabledMailer(Mailer):
    """No mail server is configured: nothing is sent, and features that need mail say so."""

    enabled = False

    async def send(self, email: OutgoingEmail) -> None:
        raise DeliveryFailed("No mail server is configured.", permanent=True)
