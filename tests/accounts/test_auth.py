from __future__ import annotations

import httpx

from hawker.runtime import Runtime
from tests.factories.accounts import make_operator, signup


async def test_signup_login_me_logout(client: httpx.AsyncClient) -> None:
    actor = await signup(client, email="Ada@Example.com", display_name="Ada")
    assert actor.email == "Ada@Example.com"

    me = await client.get("/api/v1/me", headers=actor.headers)
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.com"
    assert me.json()["role"] == "buyer"
    assert me.json()["id"] == str(actor.user_id)

    r = await client.post(
        "/api/v1/auth/login",
        json={"email": "ada@example.com", "password": "correct horse battery"},
    )
    assert r.status_code == 200
    token = r.json()["token"]
    assert r.cookies.get("hawker_session") == token

    out = await client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204
    gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401
    assert gone.json()["error"]["code"] == "not_authenticated"


async def test_session_cookie_authenticates(client: httpx.AsyncClient) -> None:
    actor = await signup(client)
    client.cookies.set("hawker_session", actor.token)
    me = await client.get("/api/v1/me")
    client.cookies.clear()
    assert me.status_code == 200
    assert me.json()["id"] == str(actor.user_id)


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient) -> None:
    await signup(client, email="dup@example.com")
    r = await client.post(
        "/api/v1/auth/signup",
        json={"email": "DUP@example.com", "password": "another password", "display_name": "B"},
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "email_taken"


async def test_wrong_password_and_validation(client: httpx.AsyncClient) -> None:
    await signup(client, email="eve@example.com")
    r = await client.post(
        "/api/v1/auth/login", json={"email": "eve@example.com", "password": "nope nope"}
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_credentials"
    short = await client.post(
        "/api/v1/auth/signup",
        json={"email": "x@example.com", "password": "short", "display_name": "X"},
    )
    assert short.status_code == 422
    assert short.json()["error"]["code"] == "validation_error"


async def test_cannot_sign_up_as_operator(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "op@example.com",
            "password": "long enough",
            "display_name": "Op",
            "role": "operator",
        },
    )
    assert r.status_code == 422


async def test_login_is_rate_limited(client: httpx.AsyncClient, rt: Runtime) -> None:
    await signup(client, email="rl@example.com")
    codes = []
    for _ in range(rt.settings.login_attempts_per_minute + 2):
        r = await client.post(
            "/api/v1/auth/login", json={"email": "rl@example.com", "password": "wrong pass"}
        )
        codes.append(r.status_code)
    assert (
        codes[: rt.settings.login_attempts_per_minute]
        == [401] * rt.settings.login_attempts_per_minute
    )
    assert codes[-1] == 429


async def test_operator_factory(client: httpx.AsyncClient, rt: Runtime) -> None:
    op = await make_operator(rt)
    me = await client.get("/api/v1/me", headers=op.headers)
    assert me.json()["role"] == "operator"


async def test_unknown_market_is_rejected(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/auth/signup",
        json={
            "email": "m@example.com",
            "password": "long enough",
            "display_name": "M",
            "market_code": "ZZ",
        },
    )
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "market_not_found"
    again = await client.post(
        "/api/v1/auth/signup",
        json={"email": "m@example.com", "password": "long enough", "display_name": "M"},
    )
    assert again.status_code == 201  # the refused request created nothing
