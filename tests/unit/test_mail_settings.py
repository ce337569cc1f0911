"""Mail settings: none means mail is off; a host needs a sender, and a password never
travels unencrypted to another machine."""

import pytest

from ragsell.adapters.smtp.mailer import DisabledMailer, SmtpMailer
from ragsell.application.ports.mail import Mailer
from ragsell.entrypoints.di import MailProvider
from ragsell.entrypoints.settings import Settings, SettingsError, SmtpTls, load_settings

SMTP = {"RAGSELL_SMTP_HOST": "mail.example.com", "RAGSELL_SMTP_FROM": "ragsell <noreply@example.com>"}


def mailer_for(settings: Settings) -> Mailer:
    return MailProvider(settings).mailer()


def test_without_a_host_mail_is_off() -> None:
    settings = load_settings({})

    assert settings.smtp_host == "" and not settings.webhook_allow_loopback
    assert isinstance(mailer_for(settings), DisabledMailer) and not mailer_for(settings).enabled


def test_the_port_follows_the_tls_mode_unless_given() -> None:
    assert load_settings(SMTP).smtp_port_or_default == 587
    assert load_settings({**SMTP, "RAGSELL_SMTP_TLS": "ssl"}).smtp_port_or_default == 465
    assert load_settings({**SMTP, "RAGSELL_SMTP_TLS": "none"}).smtp_port_or_default == 25
    assert load_settings({**SMTP, "RAGSELL_SMTP_PORT": "2525"}).smtp_port_or_default == 2525


def test_a_configured_host_gives_an_smtp_mailer() -> None:
    settings = load_settings({**SMTP, "RAGSELL_SMTP_USERNAME": "u", "RAGSELL_SMTP_PASSWORD": "p"})

    assert settings.smtp_tls is SmtpTls.STARTTLS
    assert isinstance(mailer_for(settings), SmtpMailer) and mailer_for(settings).enabled


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"RAGSELL_SMTP_HOST": "mail.example.com"}, "RAGSELL_SMTP_FROM"),
        ({**SMTP, "RAGSELL_SMTP_FROM": "not an address"}, "RAGSELL_SMTP_FROM"),
        ({**SMTP, "RAGSELL_SMTP_USERNAME": "u"}, "RAGSELL_SMTP_PASSWORD"),
        ({**SMTP, "RAGSELL_SMTP_PASSWORD": "p"}, "RAGSELL_SMTP_USERNAME"),
        ({**SMTP, "RAGSELL_SMTP_TLS": "maybe"}, "RAGSELL_SMTP_TLS"),
        ({**SMTP, "RAGSELL_SMTP_PORT": "99999"}, "RAGSELL_SMTP_PORT"),
        (
            {**SMTP, "RAGSELL_SMTP_TLS": "none", "RAGSELL_SMTP_USERNAME": "u", "RAGSELL_SMTP_PASSWORD": "secret"},
            "RAGSELL_SMTP_TLS",
        ),
    ],
)
def test_bad_mail_settings_stop_start_up_naming_the_variable(environment: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(environment)

    assert named in str(error.value)
    assert "secret" not in str(error.value)


def test_a_password_may_go_unencrypted_to_a_server_on_this_machine() -> None:
    settings = load_settings(
        {
            **SMTP,
            "RAGSELL_SMTP_HOST": "127.0.0.1",
            "RAGSELL_SMTP_TLS": "none",
            "RAGSELL_SMTP_USERNAME": "u",
            "RAGSELL_SMTP_PASSWORD": "p",
        }
    )

    assert settings.smtp_tls is SmtpTls.NONE
