"""Errors a use case raises when a request cannot be carried out as asked."""

from ragsell.domain.errors import DomainError


class ApplicationError(DomainError):
    pass


class NotFound(ApplicationError):
    code = "not_found"


class NotAuthenticated(ApplicationError):
    code = "not_authenticated"


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"


class EmailTaken(ApplicationError):
    code = "email_taken"


class MessageIdReused(ApplicationError):
    code = "message_id_reused"


class OriginNotAllowed(ApplicationError):
    code = "origin_not_allowed"


class QuotaExceeded(ApplicationError):
    code = "quota_exceeded"

    def __init__(self, message: str, *, meter: str, limit: int) -> None:
        super().__init__(message, field=meter)
        self.meter = meter
        self.limit = limit


class RateLimited(ApplicationError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MessageInProgress(ApplicationError):
    code = "message_in_progress"


class MailNotConfigured(ApplicationError):
    """The feature needs email, and this ragsell has no mail server configured."""

    code = "mail_not_configured"


class InvalidResetLink(ApplicationError):
    code = "invalid_reset_link"


class VoiceOff(ApplicationError):
    """Voice is not on for this site: its owner did not enable it, or this ragsell has
    no speech services configured."""

    code = "voice_off"


class VoiceUnavailable(ApplicationError):
    """A speech or call service failed or timed out; the visitor may type instead."""

    code = "voice_unavailable"


class UnreadableRecording(ApplicationError):
    code = "unreadable_recording"
