"""Helpers for page tests: ask for HTML as a browser does, find CSRF tokens, post forms."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from tests.factories.accounts import Actor

HTML = {"Accept": "text/html,application/xhtml+xml"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    return await client.get(path, headers=HTML)


def csrf_token(page: httpx.Response) -> str:
    found = _TOKEN.search(page.text)
    assert found is not None, "the page has no form with a CSRF token"
    return html.unescape(found.group(1))


async def post(
    client: httpx.AsyncClient,
    path: str,
    data: dict[str, Any] | list[tuple[str, str]],
    *,
    token_from: str = "/",
    files: Any = None,
) -> httpx.Response:
    """Post a form the way a browser does: with the CSRF token of a page just loaded."""
    token = csrf_token(await get(client, token_from))
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    fields: dict[str, list[str]] = {}
    for key, value in [*pairs, ("csrf_token", token)]:
        fields.setdefault(key, []).append(str(value))
    return await client.post(path, data=fields, files=files, headers=HTML)


def log_in(client: httpx.AsyncClient, actor: Actor) -> None:
    """Use the actor's session in the client's cookie jar, as the web login does."""
    client.cookies.set("hawker_session", actor.token)


def as_guest(client: httpx.AsyncClient) -> None:
    """Forget every cookie (the API's sign-up in factories logs the shared client in)."""
    client.cookies.clear()


def text_of(page: httpx.Response) -> str:
    """The page's text with tags dropped and whitespace squeezed (for assertions)."""
    body = re.sub(r"<script\b[^>]*>.*?</script>", " ", page.text, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())
