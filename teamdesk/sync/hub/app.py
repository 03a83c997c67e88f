"""The hub's HTTP face (Starlette): versioned JSON endpoints, the province page and its CSV.

The app does no database work on the event loop: request bodies are streamed to a file on disk
(never held whole, cut off with 413 past the limit), then the store's single worker thread checks,
archives and merges them one at a time. Clients get JSON errors with a message key, never a trace.

Endpoints (``/api/v1/openapi.json`` describes them):
``GET /healthz``, ``GET /api/v1/identity``, ``POST /api/v1/bundles``,
``GET /api/v1/summary?by=commune|province[&format=csv]``, ``GET /`` (the page), ``GET /summary.csv``.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from teamdesk.errors import TeamDeskError
from teamdesk.i18n import tr
from teamdesk.sync.hub import page
from teamdesk.sync.hub.requests import DEVICE_HEADER, verify_signed_request
from teamdesk.sync.hub.store import HubRefused, HubStore

log = logging.getLogger("teamdesk.hub")
API = "/api/v1"
OPENAPI = Path(__file__).with_name("openapi.json")


def error(status: int, key: str, *, close: bool = False, **params) -> JSONResponse:
    """A JSON error. ``close``: ask the server to drop the connection (a body we will not read)."""
    return JSONResponse(
        {"ok": False, "error": key, "message": tr(key, "vi", **params), "message_en": tr(key, "en", **params), **params},
        status_code=status,
        headers={"connection": "close"} if close else None,
    )


def create_app(store: HubStore) -> Starlette:
    """The ASGI app over an open ``HubStore`` (which the caller closes)."""

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True, "service": "teamdesk-hub", "api": 1, "hub": store.identity.device_id})

    async def identity(request: Request) -> Response:
        return JSONResponse({"ok": True, "api": 1, "name": store.name, **store.identity.public().to_json()})

    async def openapi(request: Request) -> Response:
        return Response(OPENAPI.read_bytes(), media_type="application/json")

    async def post_bundle(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return error(400, "error.hub_bad_length")
            if int(declared) > store.max_bytes:
                return error(413, "error.hub_too_large", close=True, limit=store.max_bytes)
        part = store.incoming_path()
        size = 0
        head = b""  # the first bytes, until the manifest says who is sending
        try:
            with open(part, "wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > store.max_bytes:
                        return error(413, "error.hub_too_large", close=True, limit=store.max_bytes)
                    out.write(chunk)
                    if head is not None:
                        head += chunk
                        sender = early_sender(head)
                        if sender is not None:
                            head = None
                            if sender == "":
                                return error(400, "error.sync_not_bundle", close=True, file="upload")
                            if await store.run(store.device, sender) is None:  # a stranger: stop reading now
                                return error(403, "error.hub_unknown_device", close=True, device=sender[:40])
            if size == 0:
                return error(400, "error.hub_empty_body")
            status, receipt = await store.run(store.ingest_file, part)
            return JSONResponse(receipt, status_code=status)
        except ClientDisconnect:
            return error(400, "error.hub_client_gone")
        except HubRefused as exc:
            return error(exc.status, exc.key, **exc.params)
        except TeamDeskError as exc:
            return error(400 if exc.exit_code == 3 else 500, exc.key, **_plain(exc.params))
        finally:
            try:
                os.unlink(part)
            except FileNotFoundError:
                pass

    async def allowed(request: Request) -> bool:
        """An operator token (header, query or cookie) or a request signed by an enrolled device."""
        token = store.operator_token
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        given = given or request.query_params.get("token", "") or request.cookies.get("teamdesk_hub_token", "")
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
        if request.headers.get(DEVICE_HEADER):
            device = await store.run(store.device, request.headers[DEVICE_HEADER])
            return bool(device) and verify_signed_request(request.method, request.url.path, request.url.query, request.headers, device["signing_key"])
        return False

    async def summary(request: Request) -> Response:
        if not await allowed(request):
            return error(401, "error.hub_not_allowed")
        by = request.query_params.get("by", "commune")
        if by not in ("commune", "province"):
            return error(400, "error.hub_bad_by", by=by[:20])
        lines = await store.run(store.summary, by=by)
        if request.query_params.get("format") == "csv":
            return await _csv(store, by)
        return JSONResponse({"ok": True, "by": by, "hub": store.name, "lines": lines})

    async def summary_csv(request: Request) -> Response:
        if not await allowed(request):
            return error(401, "error.hub_not_allowed")
        by = request.query_params.get("by", "commune")
        if by not in ("commune", "province"):
            return error(400, "error.hub_bad_by", by=by[:20])
        return await _csv(store, by)

    async def home(request: Request) -> Response:
        if not await allowed(request):
            return HTMLResponse(page.login_page(), status_code=401)
        lines = await store.run(store.summary, by="commune")
        bundles = await store.run(store.bundle_stats)
        response = HTMLResponse(page.province_page(name=store.name, lines=lines, bundles=bundles))
        if request.query_params.get("token"):
            response.set_cookie("teamdesk_hub_token", store.operator_token, httponly=True, samesite="strict")
        return response

    async def not_found(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return error(404, "error.hub_no_such_endpoint", path=request.url.path[:80])
        if exc.status_code == 405:
            return error(405, "error.hub_method_not_allowed", method=request.method)
        return error(exc.status_code, "error.hub_http", status=exc.status_code)

    async def crashed(request: Request, exc: Exception) -> Response:
        ref = secrets.token_hex(4)
        log.exception("hub request failed (ref %s)", ref)
        return error(500, "error.hub_internal", ref=ref)

    routes = [
        Route("/healthz", healthz),
        Route("/", home),
        Route("/summary.csv", summary_csv),
        Route(f"{API}/identity", identity),
        Route(f"{API}/openapi.json", openapi),
        Route(f"{API}/bundles", post_bundle, methods=["POST"]),
        Route(f"{API}/summary", summary),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: crashed})


async def _csv(store: HubStore, by: str) -> Response:
    body = await store.run(store.summary_csv, by=by)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="teamdesk-summary-{by}.csv"'},
    )


def early_sender(head: bytes) -> str | None:
    """The sending device named by a bundle's first bytes: None until the manifest is all there,
    "" when the bytes are not a bundle. (The full checks come later; this only saves reading a
    stranger's upload to the end.)"""
    from teamdesk.sync.bundle import HEADER, MAGIC

    if head[: len(MAGIC)] != MAGIC[: len(head)]:
        return ""
    start = len(MAGIC) + HEADER.size
    if len(head) < start:
        return None
    (length,) = HEADER.unpack_from(head, len(MAGIC))
    if not 0 < length <= 64 * 1024:
        return ""
    if len(head) < start + length:
        return None if len(head) < start + 64 * 1024 else ""
    try:
        manifest = json.loads(head[start : start + length])
        device = manifest["origin"]["device_id"]
    except (ValueError, KeyError, TypeError):
        return ""
    return device if isinstance(device, str) and device else ""


def _plain(params: dict) -> dict:
    return {k: v if isinstance(v, (str, int, float, bool)) or v is None else json.dumps(v, default=str) for k, v in params.items()}
