"""Errors raised when a domain rule is broken.

Each carries a stable machine-readable ``code`` (what the HTTP layer sends to
clients) and a human message that never contains personal data.
"""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidUrl(DomainError):
    code = "invalid_url"


class InvalidEmail(DomainError):
    code = "invalid_email"


class InvalidPhone(DomainError):
    code = "invalid_phone"


class InvalidValue(DomainError):
    code = "invalid_value"


class WeakPassword(DomainError):
    code = "weak_password"


class NoContactGiven(DomainError):
    code = "no_contact"


class UnknownPlan(DomainError):
    code = "unknown_plan"
