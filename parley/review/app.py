"""The `parley review` page: a small Starlette app over a ReviewSession, served by uvicorn.

It listens on 127.0.0.1 unless told otherwise. Any other address needs `allow_remote`, and
then every request must carry a random token (query parameter `token` or header
`X-Parley-Token`), printed once at start, because the page writes the decision file. Local
pages only answer requests for the host names 127.0.0.1 and localhost (no DNS rebinding),
and writes must be JSON posts, which other sites cannot send without a preflight.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from parley.errors import InputError, OutputError, ParleyError
from parley.review.queue import ReviewSession, StaleDecision

STATIC = Path(__file__).resolve().parent / "static"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
TOKEN_HEADER = "X-Parley-Token"
NO_STORE = {"Cache-Control": "no-store"}


class TokenGate:
    """ASGI middleware: refuse every request that does not carry the token."""

    def __init__(self, app, token: str):
        self.app = app
        self.token = token

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            request = Request(scope)
            given = request.query_params.get("token") or request.headers.get(TOKEN_HEADER) or ""
            if not secrets.compare_digest(given.encode(), self.token.encode()):
                await JSONResponse({"error": "missing or wrong token"}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(session: ReviewSession, token: str | None = None, local: bool = True) -> Starlette:
    """The page, its static files and a JSON API: GET state, POST decide/skip/undo."""
    suffix = f"?token={quote(token)}" if token else ""

    async def page(request: Request) -> HTMLResponse:
        html = (STATIC / "index.html").read_text(encoding="utf-8").replace("{{query}}", suffix)
        return HTMLResponse(html, headers=NO_STORE)

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(session.view), headers=NO_STORE)

    async def body(request: Request) -> dict:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise InputError("send JSON (Content-Type: application/json)")
        try:
            data = await request.json()
        except ValueError:
            raise InputError("malformed JSON body") from None
        if not isinstance(data, dict) or not isinstance(data.get("id", ""), str):
            raise InputError("expected a JSON object with a string 'id'")
        return data

    async def decide(request: Request) -> JSONResponse:
        data = await body(request)
        labels = data.get("labels")
        if not isinstance(labels, list):
            raise InputError("expected 'labels': a list of label names")
        await run_in_threadpool(session.decide, data.get("id", ""), labels)
        return await state(request)

    async def skip(request: Request) -> JSONResponse:
        await run_in_threadpool(session.skip, (await body(request)).get("id", ""))
        return await state(request)

    async def undo(request: Request) -> JSONResponse:
        await body(request)
        await run_in_threadpool(session.undo)
        return await state(request)

    async def stale(request: Request, exc: StaleDecision) -> JSONResponse:
        return JSONResponse({**session.view(), "error": exc.message}, status_code=409, headers=NO_STORE)

    async def refused(request: Request, exc: ParleyError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=500 if isinstance(exc, OutputError) else 400)

    middleware = [Middleware(TokenGate, token=token)] if token else []
    if local:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(LOCAL_HOSTS)))
    return Starlette(
        routes=[
            Route("/", page),
            Route("/api/state", state),
            Route("/api/decide", decide, methods=["POST"]),
            Route("/api/skip", skip, methods=["POST"]),
            Route("/api/undo", undo, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=middleware,
        exception_handlers={StaleDecision: stale, ParleyError: refused},
    )


def listen(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port); a busy or bad address is a one-line error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def serve(
    session: ReviewSession,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the page until interrupted. Decisions are on disk before each response."""
    import uvicorn

    local = host in LOCAL_HOSTS
    if not local and not allow_remote:
        raise InputError(f"--host {host} lets other machines reach the page; add --allow-remote to require a token")
    token = None if local else secrets.token_urlsafe(24)
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    echo(f"reviewing {session.total} sentences ({len(session.undo_stack)} decided) into {session.log.path}")
    echo(f"serving at http://{shown}:{bound}/" + (f"?token={quote(token)}" if token else ""))
    if token:
        echo(f"every request must carry this token (query ?token= or header {TOKEN_HEADER}): {token}")
    config = uvicorn.Config(create_app(session, token, local), log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
