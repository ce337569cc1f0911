"""Sign up, log in, log out, and the account page."""

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import Provide
from litestar.params import FromPath

from ragsell.application.accounts.account_sessions import EndSession, ListSessions
from ragsell.application.accounts.change_password import ChangePassword, ChangePasswordCommand
from ragsell.application.accounts.current_owner import CurrentOwner
from ragsell.application.accounts.log_in import LogIn, LogInCommand
from ragsell.application.accounts.log_out import LogOut
from ragsell.application.accounts.register_owner import RegisterOwner, RegisterOwnerCommand
from ragsell.application.accounts.request_password_reset import RequestPasswordReset, RequestPasswordResetCommand
from ragsell.application.accounts.reset_password import ResetPassword, ResetPasswordCommand
from ragsell.application.accounts.sessions import OpenedSession
from ragsell.application.errors import NotAuthenticated
from ragsell.application.ports.mail import Mailer
from ragsell.application.ports.system import Clock
from ragsell.application.privacy.delete_account import DeleteAccount, DeleteAccountCommand
from ragsell.domain.accounts import MIN_PASSWORD_LENGTH, MINIMUM_AGE
from ragsell.domain.errors import DomainError
from ragsell.entrypoints.http.dashboard.pages.common import client, context
from ragsell.entrypoints.http.dashboard.pages.forms import Form, form_error, read_form
from ragsell.entrypoints.http.dashboard.pages.rendering import is_own_path, page, redirect
from ragsell.entrypoints.http.dashboard.security import (
    Auth,
    authenticated,
    clear_session_cookie,
    cookie_name,
    session_cookie,
    settings_of,
)

AUTH = {"auth": Provide(authenticated)}


async def _logged_in_already(request: Request, current: CurrentOwner) -> bool:
    try:
        await current(request.cookies.get(cookie_name(settings_of(request))))
    except NotAuthenticated:
        return False
    return True


def _opened(request: Request, opened: OpenedSession, clock: Clock, target: str, notice: str | None) -> Response[Any]:
    """Into the dashboard under the same session cookie the JSON API uses."""
    session = opened.session
    response = redirect(target if is_own_path(target) else "/sites", notice=notice)
    response.set_cookie(session_cookie(settings_of(request), opened.token, session.absolute_expires_at, clock.now()))
    return response


def _signup_page(request: Request, form: Form, error: DomainError | None = None, status: int = 200) -> Any:
    values = context(request, None, form=form, error=error, minimum_age=MINIMUM_AGE, min_password=MIN_PASSWORD_LENGTH)
    return page("signup.html", values, status=status)


def _login_page(request: Request, form: Form, error: DomainError | None = None, status: int = 200) -> Any:
    return page("login.html", context(request, None, form=form, error=error), status=status)


@get("/", include_in_schema=False)
async def home(request: Request, current: FromDishka[CurrentOwner]) -> Response[Any]:
    return redirect("/sites" if await _logged_in_already(request, current) else "/login")


@get("/signup", include_in_schema=False)
async def signup_page(request: Request) -> Any:
    return _signup_page(request, Form())


@post("/signup", include_in_schema=False)
async def sign_up(request: Request, register: FromDishka[RegisterOwner], clock: FromDishka[Clock]) -> Any:
    form = await read_form(request)
    ip, user_agent = client(request)
    try:
        opened = await register(
            RegisterOwnerCommand(
                name=form.text("name"),
                email=form.text("email"),
                password=form.text("password"),
                confirms_minimum_age=form.checked("confirmsMinimumAge"),
                ip=ip,
                user_agent=user_agent,
            )
        )
    except DomainError as error:
        return _signup_page(request, form, form_error(error), status=422)
    return _opened(request, opened, clock, "/sites", "signed-up")


@get("/login", include_in_schema=False)
async def login_page(request: Request) -> Any:
    return _login_page(request, Form({"next": [request.query_params.get("next", "")]}))


@post("/login", include_in_schema=False)
async def log_in(request: Request, log_in: FromDishka[LogIn], clock: FromDishka[Clock]) -> Any:
    form = await read_form(request)
    ip, user_agent = client(request)
    try:
        command = LogInCommand(email=form.text("email"), password=form.text("password"), ip=ip, user_agent=user_agent)
        opened = await log_in(command)
    except DomainError as error:
        # The password is not sent back into the form.
        kept = Form({"email": [form.text("email")], "next": [form.text("next")]})
        return _login_page(request, kept, form_error(error), status=401 if error.code == "invalid_credentials" else 422)
    return _opened(request, opened, clock, form.text("next") or "/sites", None)


def _forgot_page(request: Request, mailer: Mailer, form: Form, **values: Any) -> Any:
    values = context(request, None, form=form, available=mailer.enabled, **values)
    return page("forgot.html", values, status=422 if values.get("error") else 200)


@get("/forgot-password", include_in_schema=False)
async def forgot_password_page(request: Request, mailer: FromDishka[Mailer]) -> Any:
    return _forgot_page(request, mailer, Form())


@post("/forgot-password", include_in_schema=False)
async def request_password_reset(
    request: Request, mailer: FromDishka[Mailer], request_reset: FromDishka[RequestPasswordReset]
) -> Any:
    form = await read_form(request)
    ip, _ = client(request)
    try:
        email = await request_reset(RequestPasswordResetCommand(email=form.text("email"), ip=ip))
    except DomainError as error:
        return _forgot_page(request, mailer, form, error=form_error(error))
    response = _forgot_page(request, mailer, form, sent=True)
    # Sent after the answer, so how long it takes tells nothing about the address.
    response.background = None if email is None else BackgroundTask(request_reset.deliver, email)
    return response


@get("/reset-password", include_in_schema=False)
async def reset_password_page(request: Request) -> Any:
    # The link's token is in the address's fragment, which only the browser sees: the
    # page's script copies it into the form.
    values = context(request, None, min_password=MIN_PASSWORD_LENGTH)
    return page("reset.html", values)


@post("/reset-password", include_in_schema=False)
async def reset_password(request: Request, reset: FromDishka[ResetPassword]) -> Any:
    form = await read_form(request)
    ip, _ = client(request)
    try:
        await reset(ResetPasswordCommand(token=form.text("token"), new_password=form.text("newPassword"), ip=ip))
    except DomainError as error:
        values = context(request, None, error=form_error(error), min_password=MIN_PASSWORD_LENGTH)
        return page("reset.html", values, status=422)
    return redirect("/login", notice="password-reset")


@post("/logout", dependencies=AUTH, include_in_schema=False)
async def log_out(request: Request, auth: Auth, log_out: FromDishka[LogOut]) -> Response[Any]:
    await log_out(auth.session.token_hash)
    response = redirect("/login", notice="logged-out")
    clear_session_cookie(response, settings_of(request))
    return response


async def _account_page(
    request: Request, auth: Auth, list_sessions: ListSessions, error: DomainError | None = None, form_for: str = ""
) -> Any:
    settings = settings_of(request)
    values = context(
        request,
        auth,
        section="account",
        error=error,
        form_for=form_for,
        min_password=MIN_PASSWORD_LENGTH,
        sessions=await list_sessions(auth),
        grace_days=settings.closed_account_grace_days,
    )
    return page("account.html", values, status=200 if error is None else 422)


@get("/account", dependencies=AUTH, include_in_schema=False)
async def account_page(request: Request, auth: Auth, list_sessions: FromDishka[ListSessions]) -> Any:
    return await _account_page(request, auth, list_sessions)


@post("/account/sessions/{session_id:str}/end", dependencies=AUTH, include_in_schema=False)
async def end_session(
    request: Request, auth: Auth, session_id: FromPath[str], end: FromDishka[EndSession]
) -> Response[Any]:
    if not await end(auth, session_id):
        return redirect("/account#sessions", notice="session-ended")
    response = redirect("/login", notice="logged-out")
    clear_session_cookie(response, settings_of(request))
    return response


@post("/account/password", dependencies=AUTH, include_in_schema=False)
async def change_password(
    request: Request, auth: Auth, change: FromDishka[ChangePassword], list_sessions: FromDishka[ListSessions]
) -> Any:
    form = await read_form(request)
    try:
        await change(
            ChangePasswordCommand(
                owner=auth.owner,
                current_session_hash=auth.session.token_hash,
                current_password=form.text("currentPassword"),
                new_password=form.text("newPassword"),
            )
        )
    except DomainError as error:
        return await _account_page(request, auth, list_sessions, form_error(error), "password")
    return redirect("/account", notice="password-changed")


@post("/account/delete", dependencies=AUTH, include_in_schema=False)
async def delete_account(
    request: Request, auth: Auth, delete: FromDishka[DeleteAccount], list_sessions: FromDishka[ListSessions]
) -> Any:
    form = await read_form(request)
    command = DeleteAccountCommand(
        owner=auth.owner, password=form.text("password"), immediately=form.checked("immediately")
    )
    try:
        await delete(command)
    except DomainError as error:
        return await _account_page(request, auth, list_sessions, form_error(error), "delete")
    response = redirect("/login", notice="account-deleted")
    clear_session_cookie(response, settings_of(request))
    return response


ACCOUNT_PAGES = [
    home,
    signup_page,
    sign_up,
    login_page,
    log_in,
    forgot_password_page,
    request_password_reset,
    reset_password_page,
    reset_password,
    log_out,
    account_page,
    end_session,
    change_password,
    delete_account,
]
