"""Per-request plumbing: a request id on every response and log line, an access
log without personal data, and the client's address."""

import logging
import re
import secrets
import time

from litestar import Request
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ragsell.entrypoints.logging import request_id

log = logging.getLogger("ragsell.access")
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
RESET_PATH = "/api/password-resets/"


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        current = incoming if _INCOMING_ID.fullmatch(incoming) else secrets.token_hex(8)
        token = request_id.set(current)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", current.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": _loggable(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id.reset(token)

    return middleware


def _loggable(path: str) -> str:
    """The path as logged: a password-reset token in it is a secret, and is left out."""
    if path.startswith(RESET_PATH) and len(path) > len(RESET_PATH):
        return f"{RESET_PATH}{{token}}"
    return path


def client_ip(request: Request, *, trust_proxy_headers: bool) -> str:
    if trust_proxy_headers and (forwarded := request.headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else "unknown"
