"""The owner's open sessions: list them, end any of them."""

from datetime import datetime

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get
from litestar.di import Provide
from litestar.params import FromPath
from litestar.status_codes import HTTP_204_NO_CONTENT

from ragsell.application.accounts.account_sessions import EndSession, ListSessions
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated, clear_session_cookie, settings_of
from ragsell.entrypoints.http.wire import View


class AccountSessionView(View):
    # Not the session's secret nor its hash: use it to end the session.
    id: str
    # In a few words, like "Firefox on Linux".
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    # The session of this very request.
    current: bool


class AccountSessionController(Controller):
    path = "/api/account/sessions"
    tags = ["accounts"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="Your open sessions, most recently used first")
    async def list_sessions(
        self, auth: Auth, list_sessions: FromDishka[ListSessions]
    ) -> Response[list[AccountSessionView]]:
        views = [
            AccountSessionView(
                id=s.id,
                device=s.device,
                ip=s.ip,
                created_at=s.created_at,
                last_seen_at=s.last_seen_at,
                current=s.current,
            )
            for s in await list_sessions(auth)
        ]
        return Response(views, headers={"Cache-Control": "no-store"})

    @delete("/{session_id:str}", status_code=HTTP_204_NO_CONTENT, summary="End a session (yours too: that logs out)")
    async def end_session(
        self, request: Request, auth: Auth, session_id: FromPath[str], end_session: FromDishka[EndSession]
    ) -> Response[None]:
        response: Response[None] = Response(None, status_code=HTTP_204_NO_CONTENT)
        if await end_session(auth, session_id):
            clear_session_cookie(response, settings_of(request))
        return response
