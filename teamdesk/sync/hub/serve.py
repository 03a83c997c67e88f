"""Running the hub on uvicorn: in the foreground (``teamdesk hub serve``) or in a thread (tests, bench).

The listening socket is bound before the server starts, so the caller knows the port at once
(``port=0`` picks a free one) and clients that connect early simply wait in the backlog.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Callable

import uvicorn

from teamdesk.sync.hub.app import create_app
from teamdesk.sync.hub.store import DEFAULT_MAX_BYTES, HubStore


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def make_server(store: HubStore, *, app_wrapper: Callable | None = None) -> uvicorn.Server:
    app = create_app(store)
    if app_wrapper is not None:
        app = app_wrapper(app)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=15)
    return uvicorn.Server(config)


def serve(
    home: Path | str | None,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_ready: Callable[[HubStore, str], None] | None = None,
) -> None:
    """Serve until interrupted (Ctrl+C). ``on_ready(store, url)`` runs once the socket listens."""
    store = HubStore.open(home, max_bytes=max_bytes)
    try:
        sock = bind(host, port)
        bound = sock.getsockname()[1]
        url = f"http://{'[' + host + ']' if ':' in host else host}:{bound}"
        if on_ready:
            on_ready(store, url)
        make_server(store).run(sockets=[sock])
    finally:
        store.close()


class HubThread:
    """A hub served from a background thread on 127.0.0.1 (tests and benchmarks).

    ``with HubThread(home) as hub: httpx.get(hub.url + "/healthz")``; ``app_wrapper`` wraps the
    ASGI app (a fault-injecting middleware, say).
    """

    def __init__(self, home: Path | str, *, port: int = 0, max_bytes: int = DEFAULT_MAX_BYTES, app_wrapper: Callable | None = None, **store_options):
        self.store = HubStore.open(home, max_bytes=max_bytes, **store_options)
        self.sock = bind("127.0.0.1", port)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server(self.store, app_wrapper=app_wrapper)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True, name="teamdesk-hub")

    def start(self) -> "HubThread":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()
        self.store.close()

    def __enter__(self) -> "HubThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
