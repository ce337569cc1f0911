"""Forgot password, over HTTP: ask for a reset link by email, then use it. No session is
needed (the same-origin guard still applies)."""

from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED
from msgspec import Meta

from ragsell.application.accounts.request_password_reset import RequestPasswordReset, RequestPasswordResetCommand
from ragsell.application.accounts.reset_password import ResetPassword, ResetPasswordCommand
from ragsell.application.ports.mail import Mailer
from ragsell.entrypoints.http.dashboard.schemas import Email, Password
from ragsell.entrypoints.http.dashboard.security import settings_of
from ragsell.entrypoints.http.request_context import client_ip
from ragsell.entrypoints.http.wire import Body, View

# Tokens are 43 characters; anything much longer is not looked at.
Token = Annotated[str, Meta(max_length=128)]
NO_STORE = {"Cache-Control": "no-store"}
REQUESTED = (
    "If an account uses that address, a link to choose a new password is on its way. It works once, within an hour."
)


class ResetRequestBody(Body):
    email: Email


class NewPasswordBody(Body):
    new_password: Password


class ResetAvailabilityView(View):
    # False: this ragsell cannot send email, so passwords cannot be reset by email.
    available: bool


class ResetRequestedView(View):
    message: str


class PasswordResetView(View):
    ended_sessions: int


class PasswordResetController(Controller):
    path = "/api/password-resets"
    tags = ["accounts"]

    @get("/", summary="Whether passwords can be reset by email here")
    async def availability(self, mailer: FromDishka[Mailer]) -> ResetAvailabilityView:
        return ResetAvailabilityView(available=mailer.enabled)

    @post("/", status_code=HTTP_202_ACCEPTED, summary="Email a password-reset link (same answer for any address)")
    async def request_link(
        self, request: Request, data: JSONBody[ResetRequestBody], request_reset: FromDishka[RequestPasswordReset]
    ) -> Response[ResetRequestedView]:
        ip = client_ip(request, trust_proxy_headers=settings_of(request).trust_proxy_headers)
        email = await request_reset(RequestPasswordResetCommand(email=data.email, ip=ip))
        # Sent after the answer, so its timing tells nothing about the address.
        background = None if email is None else BackgroundTask(request_reset.deliver, email)
        return Response(
            ResetRequestedView(message=REQUESTED),
            status_code=HTTP_202_ACCEPTED,
            headers=NO_STORE,
            background=background,
        )

    @post("/{token:str}", status_code=200, summary="Set a new password with a reset link; ends every session")
    async def reset(
        self,
        request: Request,
        token: FromPath[Token],
        data: JSONBody[NewPasswordBody],
        reset_password: FromDishka[ResetPassword],
    ) -> Response[PasswordResetView]:
        ip = client_ip(request, trust_proxy_headers=settings_of(request).trust_proxy_headers)
        ended = await reset_password(ResetPasswordCommand(token=token, new_password=data.new_password, ip=ip))
        return Response(PasswordResetView(ended_sessions=ended), headers=NO_STORE)
