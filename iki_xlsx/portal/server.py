"""Serving the portal with waitress: a production WSGI server in pure Python (the same
on Windows and Linux, no compiler), a bounded thread pool and request body; behind a
reverse proxy, the client address and scheme from the proxy's headers (only when the
request comes from the proxy's own address)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from waitress.server import create_server

from .app import create_app

LOCAL = ("127.0.0.1", "localhost", "::1")
# Waitress buffers a request body before the application sees it: its own bound is
# larger than the application's (collect's 20 MB file limit), so that a too large upload
# gets the application's Indonesian page, not waitress's English one.
MAX_BUFFERED_BODY = 100 * 1024 * 1024


@dataclass
class Running:
    """A server started in a background thread (tests, benchmarks)."""

    server: object
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Close every socket from the server's own loop (closing them from here would
        pull them from under its select), then end the worker threads."""
        server = self.server

        def close_all() -> None:
            for channel in list(server._map.values()):
                try:
                    channel.close()
                except Exception:
                    pass

        server.trigger.pull_trigger(close_all)
        self.thread.join(10)
        server.task_dispatcher.shutdown()


def make_server(workspace: Path, *, host: str = "127.0.0.1", port: int = 8000,
                templates: Path | None = None, proxy: str | None = None,
                threads: int = 8, **limits):
    """A waitress server (not yet running) for the portal over ``workspace``."""
    app = create_app(workspace, templates=templates, secure=bool(proxy), **limits)
    options = dict(host=host, port=port, threads=threads,
                   max_request_body_size=MAX_BUFFERED_BODY,
                   ident="iki-xlsx", connection_limit=200, channel_timeout=60)
    if proxy:
        options.update(trusted_proxy=proxy, trusted_proxy_count=1,
                       trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto",
                                              "x-forwarded-host"},
                       clear_untrusted_proxy_headers=True)
    return create_server(app, **options)


def start_background(workspace: Path, *, host: str = "127.0.0.1", port: int = 0,
                     **options) -> Running:
    """Start the portal in a thread on a free port of ``host``; ``.stop()`` ends it."""
    server = make_server(workspace, host=host, port=port, **options)
    thread = threading.Thread(target=server.run, name="iki-portal", daemon=True)
    thread.start()
    return Running(server, thread, f"http://{host}:{server.effective_port}/")


def is_local(host: str) -> bool:
    return host in LOCAL


__all__ = ["Running", "is_local", "make_server", "start_background"]
