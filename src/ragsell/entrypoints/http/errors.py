"""The one place where errors become HTTP responses: JSON with a stable ``code``
and a message a person can read."""

import logging

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from ragsell.application.errors import (
    EmailTaken,
    InvalidCredentials,
    MailNotConfigured,
    MessageIdReused,
    MessageInProgress,
    NotAuthenticated,
    NotFound,
    OriginNotAllowed,
    QuotaExceeded,
    RateLimited,
    VoiceOff,
    VoiceUnavailable,
)
from ragsell.domain.errors import DomainError

log = logging.getLogger("ragsell.http")


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    message: str
    field: str | None = None


class Forbidden(DomainError):
    """A request refused by an HTTP-level rule (CSRF token, cross-site origin)."""

    code = "forbidden"


_STATUS: dict[type[DomainError], int] = {
    NotFound: HTTP_404_NOT_FOUND,
    NotAuthenticated: HTTP_401_UNAUTHORIZED,
    InvalidCredentials: HTTP_401_UNAUTHORIZED,
    EmailTaken: HTTP_409_CONFLICT,
    MessageIdReused: HTTP_409_CONFLICT,
    MessageInProgress: HTTP_409_CONFLICT,
    OriginNotAllowed: HTTP_403_FORBIDDEN,
    Forbidden: HTTP_403_FORBIDDEN,
    QuotaExceeded: HTTP_429_TOO_MANY_REQUESTS,
    RateLimited: HTTP_429_TOO_MANY_REQUESTS,
    MailNotConfigured: HTTP_503_SERVICE_UNAVAILABLE,
    VoiceOff: HTTP_403_FORBIDDEN,
    VoiceUnavailable: HTTP_503_SERVICE_UNAVAILABLE,
}

_HTTP_CODES = {
    400: "invalid_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def error_response(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


def domain_error_response(_: Request, error: DomainError) -> Response[ErrorBody]:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), HTTP_422_UNPROCESSABLE_ENTITY)
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, RateLimited) else None
    return error_response(status, ErrorBody(code=error.code, message=error.message, field=error.field), headers)


def http_error_response(_: Request, error: HTTPException) -> Response[ErrorBody]:
    status = error.status_code
    if isinstance(error, ValidationException):
        # Litestar's detail names the field or the decoding problem, never echoes the value.
        extra = error.extra if isinstance(error.extra, list) else []
        reasons = "; ".join(str(item.get("message", "")) for item in extra if isinstance(item, dict))
        message = f"The request is not valid: {reasons}" if reasons else "The request is not valid."
        return error_response(HTTP_400_BAD_REQUEST, ErrorBody(code="invalid_request", message=message))
    code = _HTTP_CODES.get(status, "http_error")
    return error_response(status, ErrorBody(code=code, message=str(error.detail)), dict(error.headers or {}))


def internal_error_response(request: Request, error: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error", extra={"path": request.url.path})
    return error_response(
        HTTP_500_INTERNAL_SERVER_ERROR,
        ErrorBody(code="internal_error", message="Something went wrong on our side; please try again."),
    )


EXCEPTION_HANDLERS = {
    DomainError: domain_error_response,
    HTTPException: http_error_response,
    Exception: internal_error_response,
}
