from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from ragsell.application.accounts.change_password import ChangePassword, ChangePasswordCommand
from ragsell.application.accounts.log_in import LogIn, LogInCommand
from ragsell.application.accounts.log_out import LogOut
from ragsell.application.accounts.register_owner import RegisterOwner, RegisterOwnerCommand
from ragsell.application.accounts.sessions import OpenedSession
from ragsell.application.ports.system import Clock
from ragsell.entrypoints.http.dashboard.schemas import (
    ChangePasswordBody,
    LogInBody,
    OwnerView,
    PasswordChangedView,
    SessionView,
    SignUpBody,
)
from ragsell.entrypoints.http.dashboard.security import (
    Auth,
    authenticated,
    clear_session_cookie,
    session_cookie,
    settings_of,
)
from ragsell.entrypoints.http.request_context import client_ip
from ragsell.entrypoints.http.wire import view_of


def _client(request: Request) -> tuple[str, str]:
    ip = client_ip(request, trust_proxy_headers=settings_of(request).trust_proxy_headers)
    return ip, request.headers.get("user-agent", "")


def _logged_in(request: Request, opened: OpenedSession, clock: Clock, status: int) -> Response[SessionView]:
    session = opened.session
    view = SessionView(
        owner=view_of(opened.owner, OwnerView), csrf_token=session.csrf_token, expires_at=session.expires_at
    )
    cookie = session_cookie(settings_of(request), opened.token, session.absolute_expires_at, clock.now())
    return Response(view, status_code=status, cookies=[cookie], headers={"Cache-Control": "no-store"})


class AccountController(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/accounts", status_code=HTTP_201_CREATED, summary="Sign up (and log in)")
    async def sign_up(
        self,
        request: Request,
        data: JSONBody[SignUpBody],
        register: FromDishka[RegisterOwner],
        clock: FromDishka[Clock],
    ) -> Response[SessionView]:
        ip, user_agent = _client(request)
        opened = await register(
            RegisterOwnerCommand(
                name=data.name,
                email=data.email,
                password=data.password,
                confirms_minimum_age=data.confirms_minimum_age,
                ip=ip,
                user_agent=user_agent,
            )
        )
        return _logged_in(request, opened, clock, HTTP_201_CREATED)

    @post("/session", summary="Log in")
    async def log_in(
        self, request: Request, data: JSONBody[LogInBody], log_in: FromDishka[LogIn], clock: FromDishka[Clock]
    ) -> Response[SessionView]:
        ip, user_agent = _client(request)
        opened = await log_in(LogInCommand(email=data.email, password=data.password, ip=ip, user_agent=user_agent))
        return _logged_in(request, opened, clock, 200)

    @get("/session", dependencies={"auth": Provide(authenticated)}, summary="Who is logged in")
    async def current(self, auth: Auth) -> Response[SessionView]:
        view = SessionView(
            owner=view_of(auth.owner, OwnerView), csrf_token=auth.session.csrf_token, expires_at=auth.session.expires_at
        )
        return Response(view, headers={"Cache-Control": "no-store"})

    @delete(
        "/session", dependencies={"auth": Provide(authenticated)}, status_code=HTTP_204_NO_CONTENT, summary="Log out"
    )
    async def log_out(self, request: Request, auth: Auth, log_out: FromDishka[LogOut]) -> Response[None]:
        await log_out(auth.session.token_hash)
        response: Response[None] = Response(None, status_code=HTTP_204_NO_CONTENT)
        clear_session_cookie(response, settings_of(request))
        return response

    @post(
        "/account/password", dependencies={"auth": Provide(authenticated)}, status_code=200, summary="Change password"
    )
    async def change_password(
        self, auth: Auth, data: JSONBody[ChangePasswordBody], change: FromDishka[ChangePassword]
    ) -> PasswordChangedView:
        ended = await change(
            ChangePasswordCommand(
                owner=auth.owner,
                current_session_hash=auth.session.token_hash,
                current_password=data.current_password,
                new_password=data.new_password,
            )
        )
        return PasswordChangedView(ended_sessions=ended)
