"""Account pages: sign-up errors in words with the input kept, password reset pages,
and ending sessions."""

import re

from tests.http.conftest import Owner, sign_up
from tests.http.pages import SAME_ORIGIN, page_token, submit


async def test_sign_up_without_the_age_confirmation_says_why_and_keeps_the_input(client) -> None:
    response = await client.post(
        "/signup",
        data={"name": "Ann <b>", "email": "ann@example.com", "password": "correct horse battery"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 422
    assert "You must be 16 or older to open an account." in response.text
    assert 'value="Ann &lt;b&gt;"' in response.text
    assert 'value="ann@example.com"' in response.text
    assert "correct horse battery" not in response.text
    assert (await client.get("/api/session")).status_code == 401


async def test_forgot_password_says_plainly_when_this_server_cannot_send_email(client) -> None:
    page = await client.get("/forgot-password")
    assert page.status_code == 200
    assert "cannot send email" in page.text
    assert "<form" not in page.text.split("<main", 1)[1]


async def test_a_reset_link_that_does_not_work_is_said_in_words(client) -> None:
    page = await client.get("/reset-password")
    assert 'name="token"' in page.text
    response = await client.post(
        "/reset-password", data={"token": "x" * 43, "newPassword": "a brand new password"}, headers=SAME_ORIGIN
    )
    assert response.status_code == 422
    assert re.search(r'role="alert">.*link', response.text, re.DOTALL)


async def test_the_account_page_lists_sessions_and_ends_another(owner: Owner, new_client) -> None:
    other = await new_client()
    login = await other.post(
        "/login", data={"email": "ann@example.com", "password": "correct horse battery staple"}, headers=SAME_ORIGIN
    )
    assert login.status_code == 303
    page = await owner.client.get("/account")
    ends = re.findall(r'action="/account/sessions/([^/"]+)/end"', page.text)
    assert len(ends) == 2
    current = (await owner.client.get("/api/account/sessions")).json()
    other_id = next(session["id"] for session in current if not session["current"])

    ended = await submit(owner.client, f"/account/sessions/{other_id}/end", {})

    assert ended.status_code == 303
    assert ended.headers["location"] == "/account?notice=session-ended#sessions"
    assert (await other.get("/api/session")).status_code == 401
    assert (await owner.client.get("/api/session")).status_code == 200


async def test_ending_anothers_session_id_is_not_found(owner: Owner, new_client) -> None:
    stranger = await sign_up(await new_client(), "eve@example.com", "Eve")
    theirs = (await stranger.client.get("/api/account/sessions")).json()[0]["id"]
    response = await submit(owner.client, f"/account/sessions/{theirs}/end", {}, token=await page_token(owner.client))
    assert response.status_code == 404
    assert (await stranger.client.get("/api/session")).status_code == 200
